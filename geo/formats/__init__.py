"""Tables analysts already have: ACLED, GTD and UCDP GED exports, recognised by their header.

``recognise`` names the format of a header; ``dates`` reads their date columns. The converters
into the project's schema build on these (issue: bring the data analysts already have).
"""
