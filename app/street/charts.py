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


# --- the monthly timeline: a column per month, a line through the cumulative rate ------------

T_HEIGHT = 220  # the viewBox height of the timeline
T_LEFT = 44  # room for the percentage axis
T_TOP = 22  # room for the value above the highest column
T_BOTTOM = 26  # room for the month under each column


@dataclass(frozen=True)
class Column:
    label: str  # the month
    text: str  # the cumulative rate as shown
    x: float
    y: float  # top of the column
    height: float
    title: str  # what a screen reader and a hover say


@dataclass(frozen=True)
class Timeline:
    columns: list[Column]
    points: str  # the polyline through the columns' tops
    grid: list[tuple[float, str]]  # (y, label) of the horizontal lines
    column_width: float
    base_y: float
    width: int = WIDTH
    height: int = T_HEIGHT
    left: int = T_LEFT


def timeline(items: list[tuple[int, Decimal | None, str]], maximum: Decimal = Decimal(100)) -> Timeline:
    """One column per ``(month, cumulative rate, cumulative spent as text)``; ``None`` is drawn as 0."""
    plot_height = T_HEIGHT - T_TOP - T_BOTTOM
    top = max([maximum] + [v for _m, v, _t in items if v is not None])
    step = (WIDTH - T_LEFT - 8) / max(len(items), 1)
    columns = []
    for index, (month, value, spent) in enumerate(items):
        height = float(min(max(value or 0, 0), top) / top * plot_height)
        x = T_LEFT + index * step + step * 0.15
        text = "—" if value is None else f"{value:,.2f}%"
        columns.append(Column(str(month), text, round(x, 1), round(T_TOP + plot_height - height, 1),
                              round(height, 1), f"{month}: {text} · {spent}"))
    width = round(step * 0.7, 1)
    points = " ".join(f"{c.x + width / 2:.1f},{c.y:.1f}" for c in columns)
    grid = [(round(T_TOP + plot_height - float(share / top) * plot_height, 1), f"{share}%")
            for share in (Decimal(0), top / 2, top)]
    return Timeline(columns, points, [(y, label.replace(".0%", "%")) for y, label in grid], width,
                    T_TOP + plot_height)
