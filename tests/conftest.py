"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tables import GOOD_ROWS, HEADER, write_csv


@pytest.fixture
def good_table(tmp_path: Path) -> Path:
    """A valid three-row table with claims and sources beside it."""
    path = write_csv(tmp_path / "incidents.csv", HEADER, [list(r) for r in GOOD_ROWS])
    write_csv(
        tmp_path / "sources.csv",
        ["source_id", "title", "outlet", "published", "published_note", "kind"],
        [["src1", "One", "", "", "", "news"], ["src2", "Two", "", "", "", "opinion"]],
    )
    write_csv(
        tmp_path / "claims.csv",
        ["incident_id", "source", "paragraph", "killed", "wounded", "note"],
        [
            ["a-almaty", "src1", "3", "3", "11", "attacker killed"],
            ["a-almaty", "src2", "4", "5", "", "attacker arrested"],
            ["c-atyrau-region", "src1", "4", "5", "2", ""],
        ],
    )
    return path
