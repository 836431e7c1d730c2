"""An animated GIF of the incidents period by period, for slides and reports.

Each frame is a static map (``geo.snapshot.render_snapshot``): the period's incidents in colour
and every earlier period's in grey, so the map fills up as time runs. The extent, the legend and
the title stay the same across frames so only the data moves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pandas as pd
from PIL import Image

from geo.errors import FilterError
from geo.files import write_atomic
from geo.filters import Filters
from geo.snapshot import check_extent, country_extent, data_extent, default_title, render_snapshot
from geo.snapshot.legend import LegendScope
from geo.snapshot.style import FADED_COLOUR, INK, MUTED, NEIGHBOUR, PERIOD_COLOUR, SEA
from geo.stats import PERIODS, midpoint
from geo.symbology import OTHER_COLOUR, TYPE_COLOURS

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
    if len(steps) > MAX_FRAMES:
        coarser = {"month": "quarter or year", "quarter": "year"}.get(freq, "a narrower date range")
        raise FilterError(
            f"{len(steps)} {freq}s from {period_label(steps[0], freq)} to "
            f"{period_label(steps[-1], freq)} would make more than {MAX_FRAMES} frames; choose "
            f"a coarser step ({coarser}) or narrow the dates"
        )
    return starts, periods, steps


def timelapse_frames(incidents: pd.DataFrame, freq: str, filters: Filters | None = None) -> int:
    """How many frames a time-lapse of ``incidents`` would have; ``FilterError`` as
    :func:`render_timelapse` would raise it, before anything is drawn."""
    return len(_periods(incidents, freq, filters)[2])


def render_timelapse(
    incidents: pd.DataFrame,
    *,
    out: str | Path,
    freq: str = "year",
    filters: Filters | None = None,
    title: str | None = None,
    frames_dir: str | Path | None = None,
    size: str = "slide",
    dpi: int = 100,
    extent: str | tuple[float, float, float, float] = "data",
    frame_seconds: float = 0.8,
    hold_last_seconds: float = 2.5,
    colours: int = 128,
    credits: str | None = None,
) -> list[Frame]:
    """Write an animated GIF with one frame per period, earlier incidents shown in grey.

    An incident belongs to the period containing the middle of its date range, as on the
    Timeline page (``geo.stats.midpoint``). Every period from the first
    to the last is a frame, empty ones included, so time runs evenly.

    Parameters
    ----------
    incidents
        The (already filtered) incidents, with ``date_start`` and the columns
        ``render_snapshot`` needs.
    out
        The GIF file; written atomically.
    freq
        ``"month"``, ``"quarter"`` or ``"year"``.
    frames_dir
        Also write each frame as ``frame-0001.png`` ... here (frames left from a longer
        earlier run are removed).
    size, dpi
        As for ``render_snapshot``; the default is a 1333x750 pixel slide.
    extent
        ``"data"`` (all incidents of every period), ``"country"`` or a (w, s, e, n) box; the
        same for every frame.
    frame_seconds, hold_last_seconds
        How long each frame shows, and the last one.
    colours
        Palette size of each frame (2-256); fewer colours make a smaller file.

    Returns
    -------
    list of Frame
        One per frame, in order.

    Raises
    ------
    FilterError
        When no incident has a date, or the periods would make more than ``MAX_FRAMES`` frames.
    ValueError
        For an unknown ``freq``, ``size`` or ``extent``.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    if not 2 <= colours <= 256:
        raise ValueError(f"colours must be between 2 and 256, not {colours}")
    check_extent(extent)
    starts, periods, steps = _periods(incidents, freq, filters)
    dated = incidents[starts.notna().to_numpy()]
    ordinals, step_ordinals = periods.asi8, steps.asi8  # compare integers, not Periods
    box = (
        extent
        if isinstance(extent, tuple)
        else (country_extent if extent == "country" else data_extent)(
            pd.to_numeric(dated["lon"], errors="coerce"),
            pd.to_numeric(dated["lat"], errors="coerce"),
        )
    )
    title = title or default_title(dated)
    # One legend for every frame: the types and the largest death toll of the whole series.
    killed = pd.to_numeric(dated.get("killed_best"), errors="coerce")
    legend = LegendScope(
        types=tuple(sorted(set(dated["event_type"].astype(str)))),
        killed_top=float(killed.max()) if killed is not None and killed.notna().any() else 0.0,
    )
    folder = Path(frames_dir) if frames_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    frames: list[Frame] = []

    def render(k: int) -> Image.Image:
        step = steps[k]
        label = period_label(step, freq)
        now = dated[ordinals == step_ordinals[k]]
        earlier = dated[ordinals < step_ordinals[k]]
        buffer = BytesIO()
        render_snapshot(
            now,
            out=buffer,
            fmt="png",
            filters=filters,
            title=title,
            size=size,
            dpi=dpi,
            extent=box,
            credits=credits,
            period_label=label,
            faded=earlier,
            legend=legend,
        )
        png = buffer.getvalue()
        path = None
        if folder is not None:
            path = folder / FRAME_NAME.format(k + 1)
            write_atomic(path, lambda tmp: _write_bytes(tmp, png))
        frames.append(Frame(label, len(now), len(now) + len(earlier), path))
        with Image.open(BytesIO(png)) as image:
            return _quantise(image.convert("RGB"), colours)

    def rest() -> Iterator[Image.Image]:
        for k in range(1, len(steps)):
            yield render(k)

    durations = [int(round(frame_seconds * 1000))] * len(steps)
    durations[-1] = int(round(max(hold_last_seconds, frame_seconds) * 1000))

    def write(tmp: Path) -> None:
        first = render(0)
        first.save(
            tmp,
            format="GIF",
            save_all=True,
            append_images=rest(),
            duration=durations,
            loop=0,
            disposal=1,
        )

    write_atomic(out, write)
    if folder is not None:
        keep = {FRAME_NAME.format(k + 1) for k in range(len(steps))}
        for stale in folder.iterdir():
            if _FRAME_PATTERN.fullmatch(stale.name) and stale.name not in keep:
                stale.unlink()
    return frames


def _key_colours() -> list[tuple[int, int, int]]:
    """Colours a frame must keep exactly: each type's, as drawn (90% over white), and the page's.

    An adaptive palette alone merges the legend's small dots into whatever colour is common.
    """

    def rgb(colour: str, alpha: float = 1.0) -> tuple[int, int, int]:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        a = round(alpha * 255)  # Agg blends with 8-bit alpha
        return tuple(round((a * c + (255 - a) * 255) / 255) for c in (r, g, b))  # type: ignore[return-value]

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


def _write_bytes(path: Path, data: bytes) -> None:
    path.write_bytes(data)


__all__ = [
    "FREQS",
    "MAX_FRAMES",
    "Frame",
    "period_label",
    "render_timelapse",
    "timelapse_frames",
]
