"""Validation: every problem of a table, each with its file, row and column, in one pass.

``incidents`` checks an incident table facet by facet; ``claims`` the claims and sources beside
it; ``cells`` reads dates, numbers and tolls and holds the checks every table gets; ``collector``
gathers the problems. Nothing here reads or writes files: ``geo.tables`` does that.
"""

from geo.validate.cell_values import check_cells, unique_ids, whole_numbers
from geo.validate.claims import claims_as_read, validate_claims, validate_sources
from geo.validate.collector import Checked, Collector
from geo.validate.incidents import validate_incidents

__all__ = [
    "Checked",
    "Collector",
    "check_cells",
    "claims_as_read",
    "unique_ids",
    "validate_claims",
    "validate_incidents",
    "validate_sources",
    "whole_numbers",
]
