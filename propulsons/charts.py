"""Charts drawn on the server as SVG: no script, no third-party library, readable by screen
readers (title and description) and always printed next to a table of the same numbers.

The functions compute geometry only; templates/charts/*.svg.html draw it. Coordinates are in a
fixed viewBox scaled to the container's width by CSS.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.safestring import SafeString

WIDTH = 640
HEIGHT = 260
MARGIN_TOP = 24
MARGIN_BOTTOM = 44
MARGIN_LEFT = 12
MARGIN_RIGHT = 12


@dataclass
class Bar:
    label: str
    value: Decimal | int
    value_text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 6, 1)


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - MARGIN_BOTTOM
    label_y: float = HEIGHT - MARGIN_BOTTOM + 18


def bar_chart(
    *, title: str, description: str, items: list[tuple[str, Decimal | int, str]]
) -> BarChart:
    """Vertical bars, one per (label, value, value as printed) item, scaled to the largest."""
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    largest = max((value for _, value, _ in items), default=0) or 1
    slot = plot_width / max(len(items), 1)
    bar_width = min(slot * 0.7, 64)
    bars = []
    for index, (label, value, value_text) in enumerate(items):
        height = float(value) / float(largest) * plot_height
        bars.append(
            Bar(
                label=label,
                value=value,
                value_text=value_text,
                x=round(MARGIN_LEFT + index * slot + (slot - bar_width) / 2, 1),
                y=round(HEIGHT - MARGIN_BOTTOM - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
            )
        )
    return BarChart(title=title, description=description, bars=bars)


@dataclass
class LinePoint:
    day: date
    value: Decimal
    x: float
    y: float


@dataclass
class LineChart:
    title: str
    description: str
    points: list[LinePoint]
    goal_y: float | None
    goal_text: str
    start_text: str
    end_text: str
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - MARGIN_BOTTOM
    left: float = MARGIN_LEFT
    right: float = WIDTH - MARGIN_RIGHT
    label_y: float = HEIGHT - MARGIN_BOTTOM + 18

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)

    @property
    def circles(self) -> SafeString:
        """A dot per point (one per checked figure: 50 on a two-month campaign), written here
        rather than by a template loop. Safe: only numbers."""
        return SafeString(
            "".join(
                f'<circle cx="{float(point.x)}" cy="{float(point.y)}" r="4" class="chart-point">'
                "</circle>"
                for point in self.points
            )
        )


def line_chart(
    *,
    title: str,
    description: str,
    points: list[tuple[date, Decimal]],
    start: date,
    end: date,
    goal: Decimal | None,
    goal_text: str,
    start_text: str,
    end_text: str,
) -> LineChart:
    """A curve of values over days between start and end, with the goal as a level line."""
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    span = max((end - start).days, 1)
    top = max([float(value) for _, value in points] + [float(goal or 0)]) or 1

    def y_of(value) -> float:
        return round(HEIGHT - MARGIN_BOTTOM - float(value) / top * plot_height, 1)

    placed = [
        LinePoint(
            day=day,
            value=value,
            x=round(MARGIN_LEFT + min(max((day - start).days, 0), span) / span * plot_width, 1),
            y=y_of(value),
        )
        for day, value in points
    ]
    return LineChart(
        title=title,
        description=description,
        points=placed,
        goal_y=y_of(goal) if goal else None,
        goal_text=goal_text,
        start_text=start_text,
        end_text=end_text,
    )
