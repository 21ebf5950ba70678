"""Bar charts as plain SVG shapes, computed here so the template only draws them (no scripts,
no chart library: readable at a glance and safe under the dashboard's strict CSP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.dashboard.stats import CATEGORIES

COLOURS = {"report_leak": "#1f6feb", "report_repair": "#e36209", "billing_query": "#2da44e", "complaint": "#a371f7"}
WIDTH, HEIGHT, AXIS = 640, 160, 20


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str  # shown on hover: "2026-11-24 report_leak: 3"


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x position and text under the axis
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT + AXIS


def stacked(series: list[tuple[date, dict[str, int]]], label_format: str) -> Chart:
    """One stacked bar per period, one colour per category."""
    if not series:
        return Chart([], [], 0)
    maximum = max(max(sum(counts.values()) for _, counts in series), 1)
    slot = WIDTH / len(series)
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    every = max(1, len(series) // 12)  # at most about twelve labels under the axis
    for index, (start, counts) in enumerate(series):
        x = index * slot + slot * 0.1
        top = float(HEIGHT)
        for category in CATEGORIES:
            count = counts.get(category, 0)
            if not count:
                continue
            height = HEIGHT * count / maximum
            top -= height
            bars.append(Bar(x, top, slot * 0.8, height, COLOURS[category], f"{start.isoformat()} {category}: {count}"))
        if index % every == 0:
            labels.append((x, start.strftime(label_format)))
    return Chart(bars, labels, maximum)


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    count: int
    opacity: float  # darker where more messages fall
    diagonal: bool  # the model was right


def heatmap(confusion: dict[str, dict[str, int]], classes: list[str], size: int = 56) -> list[Cell]:
    """A confusion matrix as squares: rows are the true class, columns the predicted one."""
    largest = max([count for row in confusion.values() for count in row.values()] + [1])
    return [
        Cell(column * size, row * size, confusion.get(true, {}).get(predicted, 0),
             round(0.08 + 0.92 * confusion.get(true, {}).get(predicted, 0) / largest, 3), true == predicted)
        for row, true in enumerate(classes)
        for column, predicted in enumerate(classes)
    ]  # fmt: skip
