"""Where validation problems are gathered: one per row, a bounded number of each kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import Problem

MAX_REPORTED = 200
"""At most this many problems of one kind are listed; the count says how many there were."""


@dataclass
class Checked:
    """A validated table and the problems found on the way."""

    table: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    """Things a user should know that do not stop the table loading (a point in no region)."""
    bad_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Which rows of the input have a problem (every one, beyond those listed)."""


class Collector:
    """Problems of one file; ``rows`` is the row number a user sees for each table row."""

    def __init__(self, file: str, rows: np.ndarray) -> None:
        self.file = file
        self.rows = rows
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.bad_rows = np.zeros(len(rows), dtype=bool)

    @classmethod
    def numbered(cls, file: str, n: int, rows: np.ndarray | None = None) -> Collector:
        """A collector for ``n`` rows, numbered as a spreadsheet shows them (2, 3, ...) unless
        ``rows`` are given."""
        return cls(file, np.arange(2, n + 2) if rows is None else np.asarray(rows))

    def whole(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, None, column, message))

    def rows_where(
        self,
        mask: np.ndarray,
        column: str,
        message: str | Callable[[Any], str],
        values: np.ndarray | None = None,
        *,
        warn: bool = False,
    ) -> None:
        """One problem (a warning, with ``warn``) per row where ``mask`` holds; a callable
        ``message`` gets ``values[i]`` (or the row's index when no ``values`` are given)."""
        found = self.warnings if warn else self.problems
        mask = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(mask)
        if not warn and len(mask) == len(self.bad_rows):
            self.bad_rows |= mask
        for i in idx[:MAX_REPORTED]:
            if callable(message):
                text = message(values[i] if values is not None else i)
            else:
                text = message
            found.append(Problem(self.file, int(self.rows[i]), column, text))
        if len(idx) > MAX_REPORTED:
            more = f"... {len(idx) - MAX_REPORTED} more rows like this"
            found.append(Problem(self.file, None, column, more))


_MORE = re.compile(r"^\.\.\. ([\d,]+) more rows")


def rows_to_look_at(problems: Sequence[Problem]) -> int:
    """How many rows the problems are about: the rows they name, once each, and the rows each
    "... N more rows like this" line counts (rows it names may repeat there: at most)."""
    named = {(p.file, p.row) for p in problems if p.row is not None}
    more = sum(int(m.group(1).replace(",", "")) for p in problems if (m := _MORE.match(p.message)))
    return len(named) + more
