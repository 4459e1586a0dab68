"""Charts for the report document, drawn by pygal (pure Python, SVG text, no browser) and inlined as a data URI.

Each chart shows one question's answers as bars stacked by the respondents' city, so that one picture says
both how the answers fall and who gave them. The SVG is static and self-contained: no script, no stylesheet
or font fetched from anywhere, so the document opens offline and in mail clients."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from typing import Any

import pygal
from pygal.style import Style

# The same colour for a city in every chart: Turin's, Baltimore's, elsewhere, not said.
CITY_COLOURS = ("#1f6f8b", "#e07a1f", "#6a994e", "#9e9e9e")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
WIDTH = 480  # pixels: about a page's text width; the <img> shrinks it to a phone's, its text still readable
LINE = 1.2  # line height of a wrapped label, in ems
_FONT_SIZE = 14
_CHAR = 0.6 * _FONT_SIZE  # pygal's own estimate of a character's width, which it lays the chart out by
_ROW = 1.5 * _FONT_SIZE  # pygal's distance between two rows of the legend
_MARGIN, _SPACING = 8, 8

_STYLE = Style(
    font_family=FONT, label_font_size=_FONT_SIZE, major_label_font_size=_FONT_SIZE, legend_font_size=_FONT_SIZE,
    background="#ffffff", plot_background="#ffffff", foreground="#1d1d1f", foreground_strong="#1d1d1f",
    foreground_subtle="#6e6e73", guide_stroke_color="#d0d0d0", major_guide_stroke_color="#d0d0d0",
    colors=CITY_COLOURS, opacity="1", opacity_hover="1", stroke_width="0", stroke_width_hover="0", transition="0s")
# Built once and copied by each chart: a static picture, no tooltips and no script.
_CONFIG = pygal.Config(
    style=_STYLE, width=WIDTH, explicit_size=True, js=[], tooltip_fancy_mode=False, print_values=False,
    legend_at_bottom=True, truncate_label=-1, truncate_legend=-1, show_minor_x_labels=True,
    show_minor_y_labels=True, margin=_MARGIN, margin_right=20, spacing=_SPACING, legend_box_size=12)


def stacked_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                 horizontal: bool = False) -> str:
    """Bars for ``categories`` (values of a rating, or choices; a label may hold line breaks), one stacked
    segment per (name, counts) series; returned as a ``data:image/svg+xml`` URI."""
    if horizontal:
        # pygal draws the first category at the bottom; the reader expects the choices in their order.
        categories = list(reversed(categories))
        series = [(name, list(reversed(counts))) for name, counts in series]
    lines = [label.split("\n") for label in categories]
    totals = [sum(column) for column in zip(*(counts for _, counts in series), strict=True)] or [0]
    ticks = _ticks(max(totals))
    longest = max(len(line) for label in lines for line in label) if lines else 0
    if horizontal:
        height = max(160, sum(max(2, len(label)) for label in lines) * 20 + 60)
        plot_width = WIDTH - 60 - _CHAR * longest  # the labels take the left of the chart
    else:
        height = 260
        plot_width = WIDTH - 60 - _CHAR * len(str(ticks[-1]))
    # The legend sits under the plot and is as wide as it: as many names on a row as fit whole.
    names = [name for name, _ in series]
    per_name = 12 + 5 + 16 + _CHAR * max((len(name) for name in names), default=0)
    columns = max(1, min(len(names), int(plot_width // per_name)))
    rows = math.ceil(len(names) / columns) if len(names) > 1 else 0
    legend = _SPACING + _FONT_SIZE + _ROW * (rows - 1) if rows else 0
    # pygal makes room for len // columns rows of the legend: the room for a last, shorter row is added here.
    short = _ROW * (rows - len(names) // columns) if rows else 0
    chart_class = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    chart = chart_class(
        _CONFIG, height=height + legend + short, margin_bottom=_MARGIN + short, show_legend=len(names) > 1,
        legend_at_bottom_columns=columns, range=(0, ticks[-1]), y_labels=ticks,
        # pygal sizes its margin by the label text: it gets each label's longest line here, the lines
        # themselves are put back by _wrapped once drawn.
        x_labels=[max(label, key=len) for label in lines])
    for name, counts in series:
        chart.add(name, list(counts))
    chart.add_xml_filter(_wrapped(lines, "y" if horizontal else "x"))
    return "data:image/svg+xml;base64," + base64.b64encode(chart.render()).decode("ascii")


def _ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 past ``top``: counts of people have no halves."""
    step = next(s * 10 ** k for k in range(18) for s in (1, 2, 5) if top <= 5 * s * 10 ** k)
    end = max(1, math.ceil(top / step)) * step
    return list(range(0, end + 1, step))


def _wrapped(lines: list[list[str]], axis: str) -> Callable[[Any], Any]:
    """An XML filter: the category labels on ``axis`` drawn line by line (SVG text does not break lines);
    pygal's comments (its web address, the day of drawing) and its script (its settings for the tooltips, which
    an image never runs) left out, so the chart names nothing online."""

    def apply(root: Any) -> Any:
        for parent in (root, *root.iter("defs")):
            for node in list(parent):
                if callable(node.tag) or node.tag == "script":  # a comment, or the script
                    parent.remove(node)
        labels = iter(lines)
        for group in root.iter("g"):
            if group.get("class", "").split()[:2] != ["axis", axis]:
                continue
            for text in group.iter("text"):
                label = next(labels, None)
                if label is None or len(label) < 2:
                    continue
                x, text.text = text.get("x"), None
                for number, line in enumerate(label):
                    shift = -(len(label) - 1) / 2 * LINE if number == 0 else LINE  # centred on the bar
                    tspan = text.makeelement("tspan", {"x": x, "dy": f"{shift:g}em"})
                    tspan.text = line
                    text.append(tspan)
        return root

    return apply
