"""Legends list what is drawn (``geo.symbology``); a snapshot credits the data's makers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from geo.symbology import OTHER_COLOUR, TYPE_COLOURS, type_legend


def test_a_type_legend_lists_only_the_types_drawn_in_the_palettes_order() -> None:
    labels, colours = type_legend(["bombing", "armed_attack", "bombing", "a_new_kind"])
    # The palette lists armed_attack before bombing; a type it lacks comes last, grey.
    assert labels == ["armed attack", "bombing", "a new kind"]
    assert colours == [TYPE_COLOURS["armed_attack"], TYPE_COLOURS["bombing"], OTHER_COLOUR]
    assert type_legend([]) == ([], [])


def test_a_snapshot_of_an_imported_dataset_credits_its_makers(tmp_path: Path) -> None:
    acled = Path(__file__).parent / "data" / "formats" / "acled.csv"
    out = tmp_path / "map.svg"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "snapshot", "--data", str(acled), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The fixture's 12 rows, 3 of them skipped on conversion (its README lists why).
    assert "Data: ACLED via Incident Atlas, 9 incidents" in out.read_text(encoding="utf-8")
