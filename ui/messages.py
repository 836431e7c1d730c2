"""How a refused table or change reaches a page: one way for every page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.errors import DataError
from geo.escape import esc_markdown


def show_problems(title: str, error: DataError, *, folder: Path | None = None) -> None:
    """A title and every problem, as plain text; ``folder`` (where the configured table lives
    on the server) is left out of what visitors see."""
    st.error(esc_markdown(title))
    # Plain text, never markdown or HTML: file names and cell values come from the user.
    text = "\n".join(str(p) for p in error.problems[:100])
    if len(error.problems) > 100:
        text += f"\n... and {len(error.problems) - 100:,} more"
    if folder is not None:
        text = text.replace(f"{folder}/", "")
    st.code(text, language=None, wrap_lines=True)


__all__ = ["show_problems"]
