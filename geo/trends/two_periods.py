"""Two periods side by side: the same filters over period A and period B, with their figures,
and one picture of both maps drawn over the same area (for a report)."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from geo.errors import FilterError, UsageError

if TYPE_CHECKING:
    from PIL import Image

    from geo.filters import Filters
    from geo.query import Table
    from geo.stats import Headline

Span = tuple[date, date]


@dataclass(frozen=True)
class TwoPeriods:
    """What the filters keep in period A and in period B."""

    a: Span
    b: Span
    filters_a: Filters
    filters_b: Filters
    figures_a: Headline
    figures_b: Headline

    def change(self) -> str:
        """B against A in words: "12 incidents against 8 (+50%)"."""
        n_a, n_b = self.figures_a.incidents, self.figures_b.incidents
        pct = f" ({(n_b - n_a) / n_a * 100:+.0f}%)" if n_a else ""
        return f"{n_b:,} incidents against {n_a:,}{pct}"


def within(filters: Filters, span: Span, *, narrow: bool = False) -> Filters:
    """The filters with their time range (and years) replaced by ``span`` (``narrow``: their
    own time range and years kept, and ``span`` within them)."""
    first, last = span
    if first > last:
        raise UsageError(f"a period ends ({last}) before it starts ({first})")
    if narrow:
        first = max(first, filters.start or first)
        last = min(last, filters.end or last)
        return replace(filters, start=first, end=max(first, last))
    return replace(filters, start=first, end=last, years=())


def two_periods(table: Table, filters: Filters, a: Span, b: Span) -> TwoPeriods:
    """The selection in period A and in period B, with their headline figures."""
    fa, fb = within(filters, a), within(filters, b)
    return TwoPeriods(a, b, fa, fb, table.engine.headline(fa), table.engine.headline(fb))


def _label(span: Span) -> str:
    return f"{span[0].isoformat()} to {span[1].isoformat()}"


def side_by_side(table: Table, pair: TwoPeriods, *, dpi: int = 150) -> bytes:
    """Both periods' maps as one PNG, over the same area (both periods' incidents framed
    together), each titled with its period and figures. ``FilterError`` when neither period
    keeps an incident."""
    from PIL import Image as PILImage

    from geo.export import PICTURE_COLUMNS
    from geo.snapshot import MapFrame, render_snapshot
    from geo.snapshot.frame import data_extent

    rows = [table.engine.rows(f.normalised(), columns=PICTURE_COLUMNS) for f in
            (pair.filters_a, pair.filters_b)]  # fmt: skip
    if all(r.empty for r in rows):
        raise FilterError("no incident matches the filters in either period")
    both = pd.concat([r for r in rows if not r.empty])
    box = data_extent(
        pd.to_numeric(both["lon"]).to_numpy(dtype=float),
        pd.to_numeric(both["lat"]).to_numpy(dtype=float),
    )
    pictures: list[Image.Image | str] = []
    for name, span, figures, kept, filters in (
        ("A", pair.a, pair.figures_a, rows[0], pair.filters_a),
        ("B", pair.b, pair.figures_b, rows[1], pair.filters_b),
    ):
        title = f"{name}: {_label(span)}, {figures.incidents:,} incidents"
        if kept.empty:
            pictures.append(f"{title}: no incident matches the filters")
            continue
        frame = MapFrame(size="slide", dpi=dpi, extent=box, title=title)
        buffer = io.BytesIO()
        render_snapshot(kept, out=buffer, frame=frame, fmt="png", filters=filters)
        pictures.append(PILImage.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    drawn = next(p for p in pictures if not isinstance(p, str))
    pictures = [_blank(p, drawn.size) if isinstance(p, str) else p for p in pictures]
    return _joined(pictures)  # type: ignore[arg-type]


def _blank(text: str, size: tuple[int, int]) -> Image.Image:
    """A white panel saying ``text`` (a period that keeps no incident)."""
    from PIL import Image, ImageDraw, ImageFont

    panel = Image.new("RGB", size, "white")
    font = ImageFont.load_default(size=max(12, size[1] // 30))
    ImageDraw.Draw(panel).text((size[0] // 20, size[1] // 2), text, fill="black", font=font)
    return panel


def _joined(pictures: list[Image.Image]) -> bytes:
    """The pictures left to right on one white sheet, as PNG."""
    from PIL import Image

    width = sum(p.width for p in pictures)
    height = max(p.height for p in pictures)
    sheet = Image.new("RGB", (width, height), "white")
    sheet.paste(pictures[0], (0, 0))
    sheet.paste(pictures[1], (pictures[0].width, 0))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def default_periods(first: date, last: date) -> tuple[Span, Span]:
    """Period B: the last year of the data (to its last day), period A the year before; for
    data of under two years, its first and second half. A and B never overlap."""
    days = last.toordinal() - first.toordinal() + 1
    length = 365 if days >= 730 else max(1, days // 2)
    b_start = date.fromordinal(last.toordinal() - length + 1)
    a_end = date.fromordinal(b_start.toordinal() - 1)
    a_start = date.fromordinal(max(first.toordinal(), a_end.toordinal() - length + 1))
    if a_end < first:  # a single day of data: both periods are that day
        return (first, first), (last, last)
    return (a_start, a_end), (b_start, last)


__all__ = ["TwoPeriods", "default_periods", "side_by_side", "two_periods", "within"]
