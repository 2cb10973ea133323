"""Small bar charts of a metric over time, drawn on the server as SVG geometry.

`bar_chart` only computes numbers and text; the template draws them (autoescaped, no script).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

WIDTH, HEIGHT = 480, 64  # the SVG's viewBox; the page scales it to the column's width


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "14:15 UTC: 3" (the bar's hover text)


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    peak: float | None  # the highest value in the window; None without data
    latest: float | None  # the value of the most recent period with data
    total: float  # the sum over the window (counts)
    unit: str = ""
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return self.peak is None

    @property
    def summary(self) -> str:
        """ "peak 4 s, latest 1.5 s", or that there is no data."""
        if self.peak is None or self.latest is None:
            return "no data points in the last 24 hours"
        return f"peak {number(self.peak)}{self.unit}, latest {number(self.latest)}{self.unit}"


def number(value: float) -> str:
    """4, 1.5, 0.25, 0.001: no trailing zeros, small values not rounded to 0."""
    if value == int(value):
        return f"{value:.0f}"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


def bar_chart(
    title: str,
    points: Mapping[datetime, float],
    start: datetime,
    period_seconds: int,
    periods: int,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """One bar per period from `start` (`periods` of them), as tall as the period's value is
    to the window's peak. Points outside the window are left out; a period without a point has
    no bar (CloudWatch reports no datapoint where nothing was published)."""
    end = start + timedelta(seconds=period_seconds * periods)
    slot = width / periods
    inside = {
        when.astimezone(UTC): value
        for when, value in points.items()
        if start <= when.astimezone(UTC) < end
    }
    if not inside:
        return Chart(title, [], None, None, 0.0, unit, width, height)
    peak = max(inside.values())
    scale = (height - 1) / peak if peak > 0 else 0.0
    bars = []
    for when, value in sorted(inside.items()):
        index = int((when - start).total_seconds() // period_seconds)
        tall = max(1.0, value * scale) if value > 0 else 0.0
        bars.append(
            Bar(
                x=round(index * slot, 2),
                y=round(height - tall, 2),
                width=round(max(slot - 1, 1), 2),
                height=round(tall, 2),
                label=f"{when:%Y-%m-%d %H:%M} UTC: {number(value)}{unit}",
            )
        )
    latest = inside[max(inside)]
    return Chart(title, bars, peak, latest, sum(inside.values()), unit, width, height)
