"""Incident Atlas engine: incident tables, offline geocoding, regions, filters, maps and exports.

This package never imports streamlit; the dashboard in ``app.py`` and ``pages/`` calls it.
"""

__version__ = "0.1.0"
