"""Horizontal bar charts drawn on the server as SVG, each with its numbers as a table (issue 18).

No script: the page's Content Security Policy allows none inline, and a picture drawn once on
the server needs none. The SVG is ``role="img"`` named by its ``<title>`` (WCAG 1.1.1); it holds
no links, since an image's children are not reachable by assistive technology. The same
numbers follow as a table, where each figure is a link to the filtered list behind it, so
a screen-reader or keyboard user reads and follows what a sighted user sees.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 540  # the viewBox: the SVG scales to its box (WCAG 1.4.10 reflow)
LABEL_WIDTH = 262
BAR_AREA = 230
ROW = 26
BAR_HEIGHT = 18
LABEL_CHARACTERS = 30  # a longer label is shortened in the picture; the table has it whole
# Bars against the white page: at least 3:1 (WCAG 1.4.11); text is the page's dark grey.
COLOURS = {"": "#1f5f8b", "alert": "#a12622", "done": "#2e6b30"}
TEXT = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    """One figure: its label, its value, the list behind it, and how it reads."""

    label: str
    value: float
    href: str
    text: str = ""  # the figure as written ("40% (2 of 5)"); the value when empty
    tone: str = ""  # "" (neutral), "alert" (overdue) or "done"

    @property
    def figure(self) -> str:
        return self.text or f"{self.value:,.0f}"


@dataclass(frozen=True)
class Chart:
    """A titled horizontal bar chart; ``html`` is the SVG and its table."""

    id: str
    title: str
    bars: list[Bar]
    heading: str = "Count"  # the table's column of figures
    note: str = ""  # what the figures count, under the title
    label_heading: str = ""
    unit: str = ""  # after the value in the picture ("%"); the table has the whole figure
    scale: float = 0  # the value a full bar stands for (100 for a rate); 0: the largest value

    @property
    def total(self) -> float:
        return sum(b.value for b in self.bars)

    @property
    def html(self) -> SafeString:
        return chart_html(self)


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1] + "…"


def chart_svg(chart: Chart) -> SafeString:
    """Return the chart as an SVG image (no links, no script, no style attributes)."""
    top = chart.scale or max((b.value for b in chart.bars), default=0) or 1
    height = ROW * len(chart.bars) + 8
    rows = []
    for n, bar in enumerate(chart.bars):
        y = 4 + n * ROW
        length = round(BAR_AREA * min(bar.value, top) / top) if bar.value > 0 else 0
        rows.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="13">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
            '<text x="{}" y="{}" fill="{}" font-size="13">{}</text>',
            LABEL_WIDTH - 8, y + 14, TEXT, _shorten(bar.label),
            LABEL_WIDTH, y, max(length, 1), BAR_HEIGHT, COLOURS.get(bar.tone, COLOURS[""]),
            LABEL_WIDTH + length + 6, y + 14, TEXT, f"{bar.value:,.0f}{chart.unit}"))
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{0}-title">{3}</title>'
        '<desc id="{0}-desc">{4}</desc>{5}</svg>',
        chart.id, WIDTH, height, chart.title, description(chart), mark_safe("".join(rows)))


def description(chart: Chart) -> str:
    """Return the chart's figures in words: "Submitted 3, Research 1."."""
    if not chart.bars:
        return "No figures."
    return "; ".join(f"{b.label}: {b.figure}" for b in chart.bars) + "."


def chart_table(chart: Chart) -> SafeString:
    """Return the chart's numbers as a table, each figure a link to the list behind it."""
    rows = format_html_join(
        "", '<tr><th scope="row">{}</th><td class="num"><a href="{}">{}</a></td></tr>',
        ((b.label, b.href, b.figure) for b in chart.bars))
    return format_html(
        '<table class="table chart-table" id="{}-table"><caption>{} (figures)</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        '<tbody>{}</tbody></table>',
        chart.id, chart.title, chart.label_heading or "Item", chart.heading, rows)


def chart_html(chart: Chart) -> SafeString:
    """Return the chart's figure: title, note, the SVG and the table (or "nothing yet")."""
    note = format_html('<p class="chart-note">{}</p>', chart.note) if chart.note else ""
    if not chart.bars:
        body = format_html('<p>{}</p>', "Nothing to show yet.")
    else:
        body = format_html('{}{}', chart_svg(chart), chart_table(chart))
    return format_html('<figure class="chart-figure" aria-labelledby="{}-caption">'
                       '<figcaption id="{}-caption"><h3>{}</h3></figcaption>{}{}</figure>',
                       chart.id, chart.id, chart.title, note, body)
