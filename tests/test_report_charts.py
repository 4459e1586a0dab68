"""The report's charts: static SVG pictures that name nothing online, one bar per category stacked by city, a
legend naming the cities when there are several, whole-number axes, and wrapped labels kept whole."""

from __future__ import annotations

import asyncio
import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bot.cli.report import export_report
from bot.config.settings import Settings
from bot.domain.reports import ExportFormat
from bot.render.i18n import translator
from bot.render.report_charts import CITY_COLOURS, stacked_bars
from tests.conftest import TEST_TOKEN
from tests.test_report_cli import SITE, _prepare

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
CITIES = [("Turin", [1, 0, 2, 5, 3]), ("Baltimore", [0, 1, 1, 2, 4]), ("Elsewhere", [0, 0, 1, 0, 1])]


def _svg(uri: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix):], validate=True)


def _groups(root: ET.Element, *classes: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if set(classes) <= set(g.get("class", "").split())]


def _label(text: ET.Element) -> str:
    """What a text element reads, its lines joined by a line break."""
    lines = [span.text or "" for span in text.iter(f"{SVG}tspan")]
    return "\n".join(lines) if lines else text.text or ""


def _assert_offline(svg: bytes) -> None:
    urls = set(re.findall(rb"https?://[^\s\"'<>)]+", svg))
    assert {u.decode() for u in urls} <= NAMESPACES, f"the chart names {urls}"
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script")), "an image runs no script"
    assert not any(k.endswith("href") for e in root.iter() for k in e.attrib), "nothing is linked"
    assert b"<?xml-stylesheet" not in svg and b"@import" not in svg and b"url(" not in svg


def test_a_chart_is_a_picture_that_names_nothing_online() -> None:
    for horizontal in (False, True):
        _assert_offline(_svg(stacked_bars(["1", "2", "3", "4", "5"], CITIES, horizontal=horizontal)))


def test_one_bar_per_category_stacked_by_city_with_the_cities_in_the_legend() -> None:
    root = ET.fromstring(_svg(stacked_bars([str(v) for v in range(1, 6)], CITIES)))
    series = [g for g in _groups(root, "series") if _groups(g, "bars")]
    assert len(series) == len(CITIES)
    for group in series:
        assert len(_groups(group, "bar")) == 5, "one bar per category in each city's series"
    labels = [_label(t) for g in _groups(root, "axis", "x") for t in g.iter(f"{SVG}text")]
    assert labels == ["1", "2", "3", "4", "5"]
    legend = [t.text for g in _groups(root, "legend") for t in g.iter(f"{SVG}text")]
    assert legend == ["Turin", "Baltimore", "Elsewhere"]
    style = "".join(s.text or "" for s in root.iter(f"{SVG}style"))
    assert all(colour in style for colour in CITY_COLOURS[:3]), "each city keeps its colour in every chart"
    ticks = [t.text for g in _groups(root, "axis", "y") for t in g.iter(f"{SVG}text")]
    assert ticks and all(re.fullmatch(r"\d+", tick) for tick in ticks), f"counts have no halves: {ticks}"
    assert int(ticks[-1]) >= 8, "the axis reaches the tallest stack, 3 + 4 + 1"


def test_one_city_needs_no_legend_and_few_answers_keep_whole_ticks() -> None:
    root = ET.fromstring(_svg(stacked_bars(["1", "2"], [("Turin", [1, 2])])))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}" and int(root.get("width")) <= 480, \
        "a natural size that fits a page and scales down to a phone's width"
    assert not _groups(root, "legend")
    ticks = [t.text for g in _groups(root, "axis", "y") for t in g.iter(f"{SVG}text")]
    assert ticks == ["0", "1", "2"]


def test_choices_read_top_down_in_their_order_with_wrapped_labels_kept_whole() -> None:
    choices = ["The city council\nand its offices", "Residents", "Shopkeepers of the\nneighbourhood"]
    svg = _svg(stacked_bars(choices, [(name, counts[:3]) for name, counts in CITIES], horizontal=True))
    _assert_offline(svg)
    root = ET.fromstring(svg)
    texts = [t for g in _groups(root, "axis", "y") for t in g.iter(f"{SVG}text")]
    top_down = sorted(texts, key=lambda t: float(t.get("y", "0")))
    assert [_label(t) for t in top_down] == choices
    ticks = [t.text for g in _groups(root, "axis", "x") for t in g.iter(f"{SVG}text")]
    assert ticks and all(re.fullmatch(r"\d+", tick) for tick in ticks)


def test_the_document_charts_name_the_cities_and_nothing_online(tmp_path: Path) -> None:
    path = tmp_path / "ponte.db"
    asyncio.run(_prepare(path))
    out = tmp_path / "report.html"
    assert export_report(Settings(token=TEST_TOKEN, db_path=path), translator("en"), ExportFormat.HTML, out,
                         SITE, "en") == 0
    uris = re.findall(r'<img alt="" src="([^"]+)">', out.read_text(encoding="utf-8"))
    assert uris
    for uri in uris:
        svg = _svg(uri)
        _assert_offline(svg)
        legend = [t.text for g in _groups(ET.fromstring(svg), "legend") for t in g.iter(f"{SVG}text")]
        assert legend == ["Turin", "Baltimore"], "the respondents came from both cities"
