"""An animated GIF of the incidents period by period, for slides and reports.

Each frame is a static map (``geo.snapshot.render_snapshot``): the period's incidents in colour
and every earlier period's in grey, so the map fills up as time runs. The extent, the legend and
the title stay the same across frames so only the data moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from PIL import Image

from geo.errors import FilterError, UsageError
from geo.files import write_atomic
from geo.filters import Filters
from geo.query import SqlEngine
from geo.snapshot.frame import MapFrame
from geo.stats import PERIODS, midpoint
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS

# The drawing code (matplotlib) is imported when a time-lapse is drawn: the dashboard asks
# ``timelapse_frames`` on every rerun and should not pay for it.
if TYPE_CHECKING:
    from geo.snapshot.legend import LegendScope

FREQS: dict[str, str] = PERIODS
"""Time steps and their pandas period codes (the Timeline's)."""
MAX_FRAMES = 400
"""Most frames in one animation (a monthly animation covers 33 years)."""
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FRAME_NAME = "frame-{:04d}.png"
_FRAME_PATTERN = re.compile(r"frame-\d{4}\.png")


@dataclass(frozen=True)
class Frame:
    """One frame of a time-lapse: its period, how many incidents are new and shown so far."""

    period: str
    new: int
    shown: int
    path: Path | None = None
    """The frame's PNG when ``frames_dir`` was given."""


def period_label(period: pd.Period, freq: str) -> str:
    """'March 2012', '2012 Q1' or '2012' (English whatever the locale)."""
    if freq == "month":
        return f"{MONTHS[period.month - 1]} {period.year}"
    if freq == "quarter":
        return f"{period.year} Q{period.quarter}"
    return str(period.year)


def _periods(
    incidents: pd.DataFrame, freq: str, filters: Filters | None
) -> tuple[pd.Series, pd.PeriodIndex, pd.PeriodIndex]:
    """Each incident's start, its period, and every period from the first to the last.

    Raises ``FilterError`` when no incident has a date or there would be more than
    ``MAX_FRAMES`` frames.
    """
    starts = (
        pd.to_datetime(midpoint(incidents), errors="coerce")
        if {"date_start", "date_end"} <= set(incidents.columns) and len(incidents)
        else pd.Series([], dtype="datetime64[ns]")
    )
    dated = incidents[starts.notna().to_numpy()]
    what = filters.describe() if filters is not None else "all incidents"
    if not len(dated):
        raise FilterError(
            f"no incident matches the filters: {what}"
            if not len(incidents)
            else f"none of the {len(incidents)} matching incidents has a date: {what}"
        )
    periods = pd.PeriodIndex(starts[starts.notna()].dt.to_period(FREQS[freq]))
    steps = pd.period_range(periods.min(), periods.max(), freq=FREQS[freq])
    _check_frames(steps, freq)
    return starts, periods, steps


def _check_frames(steps: pd.PeriodIndex, freq: str) -> None:
    """``FilterError`` when ``steps`` are more frames than a time-lapse draws."""
    if len(steps) > MAX_FRAMES:
        coarser = {"month": "quarter or year", "quarter": "year"}.get(freq, "a narrower date range")
        raise FilterError(
            f"{len(steps)} {freq}s from {period_label(steps[0], freq)} to "
            f"{period_label(steps[-1], freq)} would make more than {MAX_FRAMES} frames; choose "
            f"a coarser step ({coarser}) or narrow the dates"
        )


def timelapse_frames(incidents: pd.DataFrame, freq: str, filters: Filters | None = None) -> int:
    """How many frames a time-lapse of ``incidents`` would have; ``FilterError`` as
    :func:`render_timelapse` would raise it, before anything is drawn."""
    return len(_periods(incidents, freq, filters)[2])


def frames_of(engine: SqlEngine, filters: Filters, freq: str) -> int:
    """:func:`timelapse_frames` of the incidents ``filters`` keep, asked of the query engine
    (one row per period travels, not the incidents)."""
    span = engine.middle_span(filters)
    if span is None:
        raise FilterError(f"no incident matches the filters: {filters.describe()}")
    steps = pd.period_range(
        pd.Period(span[0], freq=FREQS[freq]), pd.Period(span[1], freq=FREQS[freq]), freq=FREQS[freq]
    )
    _check_frames(steps, freq)
    return len(steps)


@dataclass(frozen=True)
class GifStyle:
    """How the frames become a GIF."""

    frame_seconds: float = 0.8
    """How long each frame shows."""
    hold_last_seconds: float = 2.5
    """How long the last frame shows."""
    colours: int = 128
    """Palette size of each frame (2-256); fewer colours make a smaller file."""

    def __post_init__(self) -> None:
        if not 2 <= self.colours <= 256:
            raise UsageError(f"colours must be between 2 and 256, not {self.colours}")

    def durations(self, n: int) -> list[int]:
        """Milliseconds each of ``n`` frames shows."""
        durations = [int(round(self.frame_seconds * 1000))] * n
        durations[-1] = int(round(max(self.hold_last_seconds, self.frame_seconds) * 1000))
        return durations


SLIDE = MapFrame(size="slide", dpi=100)
"""A time-lapse's default page: a 1333x750 pixel slide."""

Progress = Callable[[int, int], None]
"""Told ``(frames done, frames in all)`` after each frame is drawn."""


def render_timelapse(
    incidents: pd.DataFrame,
    *,
    out: str | Path,
    freq: str = "year",
    frame: MapFrame = SLIDE,
    filters: Filters | None = None,
    frames_dir: str | Path | None = None,
    gif: GifStyle = GifStyle(),
    progress: Progress | None = None,
) -> list[Frame]:
    """Write an animated GIF with one frame per period, earlier incidents shown in grey, and
    return a :class:`Frame` for each frame, in order.

    An incident belongs to the period containing the middle of its date range, as on the
    Timeline page (``geo.stats.midpoint``). Every period from the first to the last is a frame,
    empty ones included, so time runs evenly. The extent (``frame.extent`` over every period's
    incidents), the title and the legend (the types and largest toll of the whole series) are
    the same in every frame, so only the data moves.

    Parameters
    ----------
    incidents
        The (already filtered) incidents, with ``date_start`` and the columns
        ``render_snapshot`` needs.
    out
        The GIF file; written atomically.
    freq
        ``"month"``, ``"quarter"`` or ``"year"``.
    frame
        The page of every frame (:class:`geo.snapshot.MapFrame`); by default a slide.
    frames_dir
        Also write each frame as ``frame-0001.png`` ... here (frames left from a longer
        earlier run are removed).
    gif
        Frame durations and palette size (:class:`GifStyle`).
    progress
        Called with (frames done, frames in all) after each frame.

    Raises
    ------
    FilterError
        When no incident has a date, or the periods would make more than ``MAX_FRAMES`` frames.
    UsageError
        For an unknown ``freq``.
    """
    if freq not in FREQS:
        raise UsageError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    starts, periods, steps = _periods(incidents, freq, filters)
    series = _Series.of(incidents[starts.notna().to_numpy()], periods, frame)
    folder = Path(frames_dir) if frames_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    frames: list[Frame] = []
    drawn = _images(series, steps, freq, filters, folder, frames, progress, gif.colours)
    _write_gif(out, drawn, gif.durations(len(steps)))
    if folder is not None:
        _remove_stale_frames(folder, len(steps))
    return frames


def _images(
    series: _Series,
    steps: list[int],
    freq: str,
    filters: Filters | None,
    folder: Path | None,
    frames: list[Frame],
    progress: Progress | None,
    colours: int,
) -> Iterator[Image.Image]:
    """Each period's frame, drawn as the GIF asks for it: kept in ``frames`` (and ``folder``),
    said to ``progress``, and given in the GIF's palette."""
    for k, step in enumerate(steps):
        image, made = series.draw(step, period_label(step, freq), filters)
        path = None if folder is None else _save_frame(folder, k, image)
        frames.append(replace(made, path=path))
        if progress is not None:
            progress(k + 1, len(steps))
        yield _quantise(image, colours)


def _write_gif(out: str | Path, images: Iterator[Image.Image], durations: list[int]) -> None:
    """Write the frames as one looping GIF, atomically."""

    def write(tmp: Path) -> None:
        first = next(images)
        first.save(tmp, format="GIF", save_all=True, append_images=images, duration=durations,
                   loop=0, disposal=1)  # fmt: skip

    write_atomic(out, write)


def _remove_stale_frames(folder: Path, count: int) -> None:
    """Frames a longer earlier run left in ``folder``."""
    keep = {FRAME_NAME.format(k + 1) for k in range(count)}
    for stale in folder.iterdir():
        if _FRAME_PATTERN.fullmatch(stale.name) and stale.name not in keep:
            stale.unlink()


@dataclass(frozen=True)
class _Series:
    """The dated incidents of a time-lapse and what every frame shares."""

    dated: pd.DataFrame
    ordinals: np.ndarray
    """Each incident's period as an integer (comparing integers, not Periods)."""
    frame: MapFrame
    legend: LegendScope

    @classmethod
    def of(cls, dated: pd.DataFrame, periods: pd.PeriodIndex, frame: MapFrame) -> _Series:
        from geo.snapshot import default_title
        from geo.snapshot.legend import LegendScope

        box = frame.box(
            pd.to_numeric(dated["lon"], errors="coerce"),
            pd.to_numeric(dated["lat"], errors="coerce"),
        )
        killed = pd.to_numeric(dated.get("killed_best"), errors="coerce")
        legend = LegendScope(
            types=tuple(sorted(set(dated["event_type"].astype(str)))),
            killed_top=float(killed.max()) if killed is not None and killed.notna().any() else 0.0,
        )
        fixed = replace(frame, extent=box, title=frame.title or default_title(dated))
        return cls(dated, periods.asi8, fixed, legend)

    def draw(
        self, step: pd.Period, label: str, filters: Filters | None
    ) -> tuple[Image.Image, Frame]:
        """One frame: the period's incidents in colour, earlier ones in grey."""
        from geo.snapshot import TimeStep, snapshot_image

        now = self.dated[self.ordinals == step.ordinal]
        earlier = self.dated[self.ordinals < step.ordinal]
        image = snapshot_image(
            now,
            frame=self.frame,
            filters=filters,
            period=TimeStep(label=label, faded=earlier, legend=self.legend),
        )
        return image, Frame(label, len(now), len(now) + len(earlier))


def _save_frame(folder: Path, k: int, image: Image.Image) -> Path:
    path = folder / FRAME_NAME.format(k + 1)
    write_atomic(path, lambda tmp: image.save(tmp, format="PNG"))
    return path


def _key_colours() -> list[tuple[int, int, int]]:
    """Colours a frame must keep exactly: each type's, as drawn (90% over white), and the page's.

    An adaptive palette alone merges the legend's small dots into whatever colour is common.
    """

    def rgb(colour: str, alpha: float = 1.0) -> tuple[int, int, int]:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        a = round(alpha * 255)  # Agg blends with 8-bit alpha
        return tuple(round((a * c + (255 - a) * 255) / 255) for c in (r, g, b))  # type: ignore[return-value]

    from geo.snapshot.style import FADED_COLOUR, INK, MUTED, NEIGHBOUR, PERIOD_COLOUR, SEA

    kinds = [*TYPE_COLOURS.values(), OTHER_COLOUR]
    page = ["#ffffff", "#000000", INK, MUTED, SEA, NEIGHBOUR, PERIOD_COLOUR]
    return list(
        dict.fromkeys(
            [
                *(rgb(c, 0.9) for c in kinds),
                *(rgb(c) for c in kinds),
                *(rgb(c) for c in page),
                rgb(FADED_COLOUR, 0.55),
            ]
        )
    )


def _quantise(image: Image.Image, colours: int) -> Image.Image:
    """The frame in at most ``colours`` colours: the key colours plus an adaptive rest."""
    keys = _key_colours()
    spare = max(colours - len(keys), 2)
    adaptive = (
        image.quantize(
            colors=spare, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        ).getpalette()
        or []
    )
    # Drop adaptive colours next to a key colour: Pillow matches colours through a coarse
    # cache, which would otherwise map pure white to a near-white neighbour.
    rest = [tuple(adaptive[i : i + 3]) for i in range(0, min(len(adaptive), 3 * spare), 3)]
    rest = [
        c
        for c in rest
        if min(sum((a - b) ** 2 for a, b in zip(c, k, strict=True)) for k in keys) > 12**2
    ]
    palette = [v for colour in [*keys, *rest] for v in colour]
    reference = Image.new("P", (1, 1))
    reference.putpalette(palette + [0] * (768 - len(palette)))
    return image.quantize(palette=reference, dither=Image.Dither.NONE)


__all__ = [
    "FREQS",
    "MAX_FRAMES",
    "Frame",
    "GifStyle",
    "period_label",
    "render_timelapse",
    "timelapse_frames",
]
