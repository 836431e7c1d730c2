"""What a command has to say, as a value: lines for standard output and standard error, and its
exit status. Commands return one; only ``geo.cli`` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Said:
    """A command's result: ``out`` lines for standard output (data, one JSON object a line for
    ``geocode``), ``err`` lines for standard error (what was not found, nothing written), and
    the exit status."""

    status: int = 0
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


__all__ = ["Said"]
