"""Running the dashboard under Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import ui


def failures(at: AppTest) -> list[str]:
    """What went wrong in the last run: uncaught exceptions and errors the page caught and
    reported to the user as ``ui.UNEXPECTED`` (they are logged, not raised)."""
    found = [str(e.value) for e in at.exception]
    found += [str(e.value) for e in at.error if ui.UNEXPECTED in str(e.value)]
    return found
