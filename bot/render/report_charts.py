"""Charts for the report document: matplotlib's object API on the Agg backend (no pyplot, no display, no
browser), drawn as SVG with its text kept as text (small, sharp in print) and inlined as a data URI.

Each chart shows one question's answers as bars stacked by the respondents' city, so that one picture says
both how the answers fall and who gave them."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# The same colour for a city in every chart: Turin's, Baltimore's, elsewhere, not said.
CITY_COLOURS = ("#1f6f8b", "#e07a1f", "#6a994e", "#9e9e9e")
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "ponte", "font.size": 9, "font.family": "sans-serif"}


def stacked_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                 horizontal: bool = False) -> str:
    """Bars for ``categories`` (values of a rating, or choices), one stacked segment per (name, counts) series;
    returned as a ``data:image/svg+xml`` URI."""
    with matplotlib.rc_context(_STYLE):
        height = max(2.2, 0.45 * len(categories) + 1.0) if horizontal else 2.6
        figure = Figure(figsize=(6.4, height))
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        positions = range(len(categories))
        base = [0] * len(categories)
        for (name, counts), colour in zip(series, CITY_COLOURS, strict=False):
            if horizontal:
                axes.barh(positions, counts, left=base, color=colour, label=name, height=0.6)
            else:
                axes.bar(positions, counts, bottom=base, color=colour, label=name, width=0.7)
            base = [b + c for b, c in zip(base, counts, strict=True)]
        if horizontal:
            axes.set_yticks(list(positions), list(categories))
            axes.invert_yaxis()
            axes.xaxis.get_major_locator().set_params(integer=True)
        else:
            axes.set_xticks(list(positions), list(categories))
            axes.yaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=8, loc="best")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")
