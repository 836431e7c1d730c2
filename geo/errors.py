"""The project's own errors: every message names the file, row and column it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem found in a table. ``row`` counts data rows from 1 as a spreadsheet shows them
    (the header is row 1, so the first data row is row 2); ``None`` when the whole file is meant."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}" if where else self.message


class AtlasError(ValueError):
    """Base of every error the engine raises on purpose."""


class DataError(AtlasError):
    """A table (or a file standing in for one) is not usable; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(file, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        head = f"{len(self.problems)} problem(s) found" if len(self.problems) > 1 else ""
        lines = [str(p) for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"... and {len(self.problems) - 50} more")
        super().__init__("\n".join(([head] if head else []) + lines))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        # Pickled with its problems (a worker process sends it back to the dashboard).
        return (type(self), (self.problems,))


class GeocodeError(AtlasError):
    """A place name could not be turned into coordinates."""


class FilterError(AtlasError):
    """A filter names a region, type or country that does not exist, or matches nothing."""


class UsageError(AtlasError):
    """A request the product cannot carry out as asked: an unknown size, format or file type,
    a dpi that is not positive, an output folder that does not exist."""


class LimitError(AtlasError):
    """Untrusted work (an upload, an article) went over the time or memory it may take; the
    message says so in a sentence and what to do about it."""


class LayerChoiceError(DataError):
    """A GeoPackage holds several layers and none (or an unknown one) was named."""

    def __init__(self, path: Path, layers: list[str], asked: str | None) -> None:
        self.layers = layers
        self._asked = (path, layers, asked)
        what = f"has no layer {asked!r}" if asked else f"has {len(layers)} layers"
        super().__init__(
            Problem(
                path.name,
                None,
                None,
                f"{what}; choose one of {', '.join(layers)} with --layer NAME "
                "(the dashboard: INCIDENT_ATLAS_LAYER=NAME, or the layer box after an upload)",
            )
        )

    def __reduce__(self) -> tuple[type, tuple[Path, list[str], str | None]]:  # type: ignore[override]
        return (type(self), self._asked)


class EditConflict(AtlasError):
    """The record changed since it was opened: ``theirs`` is what is stored now."""

    def __init__(self, incident_id: str, theirs: dict[str, Any] | None, version: int) -> None:
        self.incident_id, self.theirs, self.version = incident_id, theirs, version
        what = "was deleted" if theirs is None else f"is now at version {version}"
        super().__init__(
            f"incident {incident_id!r} {what} since you opened it; compare the two versions "
            "and save again"
        )


class StoreError(AtlasError):
    """The database cannot be reached or used as asked (the message never holds a password)."""


class OfflineAssetError(AtlasError):
    """A map needs a script or stylesheet that no installed package provides."""
