"""Bar charts drawn on the server as SVG (no script, no style attribute: the CSP allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 420  # the viewBox width; the chart scales to its container (at most 640 px)
LABEL = 124  # room for the label on the left
VALUE = 84  # room for the figure on the right
ROW = 30
BAR = 20


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: float
    flagged: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    plot_x: int
    plot_width: int
    value_x: int
    threshold_x: float | None
    row: int = ROW
    bar: int = BAR
    width: int = WIDTH


def bars(items: list[tuple[str, Decimal | None]], maximum: Decimal, unit: str = "",
         highlight: set[str] | frozenset = frozenset(), threshold: Decimal | None = None) -> Chart:
    """One horizontal bar per ``(label, value)``; ``None`` shows a dash and no bar."""
    plot = WIDTH - LABEL - VALUE
    top = max([maximum] + [v for _l, v in items if v is not None]) or Decimal(1)
    drawn = []
    for index, (label, value) in enumerate(items):
        width = float(min(max(value or 0, 0), top) / top * plot) if value is not None else 0.0
        text = "—" if value is None else f"{value:,.2f}{unit}"
        drawn.append(Bar(_short(str(label)), text, index * ROW + 4, round(width, 1), label in highlight))
    threshold_x = LABEL + float(threshold / top * plot) if threshold is not None else None
    return Chart(drawn, max(len(items), 1) * ROW + 8, LABEL, plot, WIDTH - VALUE + 6, threshold_x)


def _short(label: str, limit: int = 7) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
