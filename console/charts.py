"""Bar charts as plain geometry for the templates to draw as inline SVG (no script, no style attribute: the
console runs under a strict CSP). Pure: figures in, rectangles and labels out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar (a month, a fiscal year)
    value_text: str  # above the bar, and in its <title>
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class Panel:
    """One row of bars sharing a scale, with its baseline at `baseline` and its title at `top`."""

    title: str
    top: float
    baseline: float
    bars: list[Bar]
    colour: str

    @property
    def title_y(self) -> float:
        return self.top + 13

    @property
    def label_y(self) -> float:
        return self.baseline + 15


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    panels: list[Panel]

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def bar_count(self) -> int:
        return sum(len(panel.bars) for panel in self.panels)


LEFT, RIGHT = 8, 8
PANEL_TITLE = 18  # room above a panel's bars for its title
VALUE_ROOM = 16  # room above the tallest bar for its value
LABEL_ROOM = 22  # room under the baseline for the labels
MIN_VISIBLE = 1.0  # a value above zero always shows at least this many pixels
MAX_BAR_WIDTH = 64  # a chart of one or two bars keeps them bar-shaped


def _panel(
    *,
    title: str,
    top: float,
    bar_area: float,
    width: int,
    labels: list[str],
    values: list[float],
    texts: list[str],
    colour: str = "#1f5fbf",
    ceiling: float | None = None,
) -> Panel:
    slots = max(len(values), 1)
    slot = (width - LEFT - RIGHT) / slots
    bar_width = round(min(slot * 0.6, MAX_BAR_WIDTH), 1)
    biggest = ceiling if ceiling is not None else max(values, default=0)
    baseline = top + PANEL_TITLE + VALUE_ROOM + bar_area
    bars = []
    for index, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        height = 0.0 if not biggest or value <= 0 else max(bar_area * value / biggest, MIN_VISIBLE)
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                label=label,
                value_text=text,
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=bar_width,
                height=round(height, 1),
            )
        )
    return Panel(title=title, top=top, baseline=baseline, bars=bars, colour=colour)


def panels_chart(rows: list[dict], *, width: int = 720, bar_area: int = 110) -> Chart:
    """Stacked panels sharing their labels: each row is {title, labels, values, texts[, colour, ceiling]}; a
    panel's tallest bar (or `ceiling`) fills its `bar_area` pixels."""
    panels = []
    top = 0.0
    for row in rows:
        panel = _panel(top=top, bar_area=bar_area, width=width, **row)
        panels.append(panel)
        top = panel.baseline + LABEL_ROOM
    return Chart(width=width, height=round(top), panels=panels)
