"""Month-by-month bar charts as inline SVG geometry, computed on the server.

Templates draw the rectangles; colours come from CSS classes (no inline styles, no
scripts), so the chart works under a strict Content-Security-Policy and without JS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.reports.prisoner_report import MonthFlow

WIDTH = 640
HEIGHT = 220
TOP = 24  # room for the scale's label
BOTTOM = 30  # room for month labels
LEFT = 10


@dataclass(frozen=True)
class Bar:
    """A bar segment in SVG pixels; the money it stands for stays in ``minor`` (integer
    minor units)."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # "received", "converted_in", "spent" or "converted_out"
    minor: int


@dataclass(frozen=True)
class MonthSlot:
    month: object
    label_x: float
    bars: tuple[Bar, ...]
    flow: MonthFlow


@dataclass(frozen=True)
class Chart:
    currency: str
    width: int
    height: int
    baseline: float
    top: int
    largest: int  # minor units at the top of the scale
    slots: list[MonthSlot]
    yearly: bool = False

    @property
    def has_conversions(self) -> bool:
        return any(slot.flow.converted_in or slot.flow.converted_out for slot in self.slots)


# Two stacked bars per slot: what came in (gifts and transfers, then conversions into this
# currency) and what went out (spending, then conversions out of it).
_STACKS = (("received", "converted_in"), ("spent", "converted_out"))


def month_chart(currency: str, flows: list[MonthFlow], *, yearly: bool = False) -> Chart:
    """Two stacked bars per month (or year): in and out, scaled to the largest."""
    largest = max(
        [max(f.received, 0) + max(f.converted_in, 0) for f in flows]
        + [max(f.spent, 0) + max(f.converted_out, 0) for f in flows]
        + [1]
    )
    plot_height = HEIGHT - TOP - BOTTOM
    slot_width = (WIDTH - 2 * LEFT) / max(len(flows), 1)
    bar_width = slot_width * 0.36
    slots = []
    for index, flow in enumerate(flows):
        x = LEFT + index * slot_width + slot_width * 0.12
        bars = []
        for offset, kinds in enumerate(_STACKS):
            bottom = TOP + plot_height
            for kind in kinds:
                value = getattr(flow, kind)
                height = round(plot_height * max(value, 0) / largest, 1)
                if height == 0 and kind != kinds[0]:
                    continue  # no empty segment for a month without conversions
                bottom = round(bottom - height, 1)
                bars.append(
                    Bar(round(x + offset * bar_width, 1), bottom, round(bar_width, 1), height, kind, value)
                )
        slots.append(
            MonthSlot(flow.month, round(LEFT + index * slot_width + slot_width / 2, 1), tuple(bars), flow)
        )
    return Chart(currency, WIDTH, HEIGHT, TOP + plot_height, TOP, largest, slots, yearly)
