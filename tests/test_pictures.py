"""timeline --svg and --html: a real chart and a self-contained page, tried in a real headless browser."""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kurskcli import picture, query
from kurskcli.model import Dataset

from . import browser
from .conftest import MINI, Result

Run = Callable[..., Result]
SVG = "{http://www.w3.org/2000/svg}"
WHY_NOT = browser.available()
needs_browser = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def test_the_svg_is_a_chart_of_every_dated_item(run: Run, bundled: Dataset) -> None:
    r = run("timeline", "--quotes", "--claims", "--svg", "-")
    assert r.code == 0
    root = ET.fromstring(r.out)
    items = [g for g in root.iter(f"{SVG}g") if "item" in (g.get("class") or "").split()]
    dated = [rec for rec in query.timeline(bundled, quotes=True, claims=True) if rec.dates != (None, None, False)]
    assert [g.get("data-id") for g in items] == [rec.id for rec in dated]
    shapes = {g.get("data-id"): [child.tag.removeprefix(SVG) for child in g] for g in items}
    assert "circle" in shapes["q-putin-tribute"]  # a day: a dot
    assert "rect" in shapes["e-laros-2024"] and "circle" not in shapes["e-laros-2024"]  # a range: a bar
    fade = next(g for g in items if g.get("data-id") == "e-kpa-arrival")  # "by 26 April": fading in
    assert any(child.get("fill") == "url(#fade)" for child in fade)
    later = next(g for g in items if g.get("data-id") == "e-possible-summit")  # "2025-04-30/..": fading out
    assert any(child.get("fill") == "url(#fadeout)" for child in later) and "circle" not in shapes["e-possible-summit"]
    assert root.find(f".//{SVG}g[@class='break']") is not None  # the quiet months are shortened, and say so
    legend = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Russian Federation" in legend and "Democratic People’s Republic of Korea" in legend


def test_uncertain_dates_are_drawn_uncertain(tmp_path: Path, run: Run) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["events"][0]["date"] = "2025-04-27?"
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), "utf-8")
    root = ET.fromstring(run("timeline", "--svg", "-", "--data", str(path), "--no-bundled").out)
    g = next(g for g in root.iter(f"{SVG}g") if g.get("data-id") == doc["events"][0]["id"])
    shape = next(c for c in g if c.tag in (f"{SVG}circle", f"{SVG}rect"))
    assert shape.get("stroke-dasharray") and shape.get("fill") == "#ffffff"


def test_the_pictures_fetch_nothing_and_escape_everything(tmp_path: Path, run: Run) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["events"][0]["title"] = '<script>alert(1)</script> & "x" \x1b[2J'
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), "utf-8")
    svg = run("timeline", "--svg", "-", "--data", str(path), "--no-bundled").out
    page = run("timeline", "--html", "-", "--data", str(path), "--no-bundled").out
    for text in (svg, page):
        assert "<script>alert" not in text and "\x1b" not in text and "&lt;script&gt;" in text
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text.replace(picture.__name__, ""))
        assert "@import" not in text and "url(http" not in text and "fonts.googleapis" not in text
    assert "<script" not in svg  # the chart has no script at all
    ET.fromstring(svg)


@pytest.fixture
def page() -> Iterator[browser.Page]:
    p = browser.Page(width=1200, height=900)
    try:
        yield p
    finally:
        p.close()


@needs_browser
def test_the_svg_renders_in_a_browser_without_errors_or_requests(tmp_path: Path, run: Run, page: browser.Page) -> None:
    path = tmp_path / "t.svg"
    assert run("timeline", "--quotes", "--svg", str(path)).code == 0
    page.load(path)
    assert page.errors() == []
    assert page.requests() == [path.resolve().as_uri()]
    width, height, _ = page.screenshot()
    assert (width, height) == (1200, 900)
    assert page.evaluate("document.querySelectorAll('g.item').length") > 40


@needs_browser
def test_the_html_page_works_offline_and_its_filters_filter(
    tmp_path: Path, run: Run, bundled: Dataset, page: browser.Page
) -> None:
    path = tmp_path / "t.html"
    assert run("timeline", "--quotes", "--claims", "--html", str(path)).code == 0
    page.load(path)
    assert page.errors() == []
    assert page.requests() == [path.resolve().as_uri()]  # nothing but the page itself
    visible = "document.querySelectorAll('li.record:not([hidden])').length"
    total = len(query.timeline(bundled, quotes=True, claims=True))
    assert page.evaluate(visible) == total
    page.evaluate("var b = document.getElementById('q'); b.value = 'monument'; b.dispatchEvent(new Event('input'))")
    found = page.evaluate(visible)
    assert 0 < found < total and page.evaluate("document.getElementById('shown').textContent") == str(found)
    assert page.evaluate(
        "Array.from(document.querySelectorAll('li.record:not([hidden])')).every(li => /monument/i.test(li.textContent))"
    )
    page.evaluate("var b = document.getElementById('q'); b.value = ''; b.dispatchEvent(new Event('input'))")
    page.evaluate("var s = document.getElementById('actor'); s.value = 'putin'; s.dispatchEvent(new Event('change'))")
    putin = page.evaluate(visible)
    assert putin == sum("putin" in query.involved(r) for r in query.timeline(bundled, quotes=True, claims=True))
    page.evaluate("document.querySelector('input.type[value=quote]').click()")
    assert page.evaluate(visible) < putin  # quotes unticked
    width, height, _ = page.screenshot()
    assert (width, height) == (1200, 900)
    assert page.evaluate("document.querySelector('svg').getBoundingClientRect().width") == picture.WIDTH


def _labels_and_axes(svg: str) -> tuple[dict[str, str], list[list[str]]]:
    """Each item's one-line label (by id), and the labels of each time axis, in order."""
    root = ET.fromstring(svg)
    labels = {}
    for g in root.iter(f"{SVG}g"):
        if "item" in (g.get("class") or "").split():
            texts = [t.text or "" for t in g.iter(f"{SVG}text")]
            labels[g.get("data-id") or ""] = texts[-1]
    axes: dict[str, list[str]] = {}
    for t in root.iter(f"{SVG}text"):
        if t.get("text-anchor") == "middle" and t.get("font-size") == "10":
            axes.setdefault(t.get("y") or "", []).append(t.text or "")
    return labels, list(axes.values())


def test_a_label_too_long_for_its_line_is_cut_after_a_word_and_marked(run: Run, bundled: Dataset) -> None:
    svg = run("timeline", "--quotes", "--svg", "-").out
    labels, _ = _labels_and_axes(svg)
    full = {rec.id: picture._label(rec, bundled) for rec in query.timeline(bundled, quotes=True)}
    cut = [rid for rid, label in labels.items() if label != full[rid]]
    assert len(cut) > 10  # the long quotes
    for rid in cut:
        shown = labels[rid]
        assert shown.endswith("…") and len(shown) <= picture.CHARS_PER_LINE, shown
        kept = shown.removesuffix("…")
        assert full[rid].startswith(kept) and full[rid][len(kept)] in " ,;:-–—", shown  # never inside a word
    root = ET.fromstring(svg)
    tips = {g.get("data-id"): g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("data-id")}  # type: ignore[union-attr]
    assert all(full[rid] in (tips[rid] or "") for rid in cut)  # the whole text on hover


def test_the_time_axis_is_at_the_top_and_the_bottom_and_no_label_repeats(run: Run) -> None:
    _, axes = _labels_and_axes(run("timeline", "--quotes", "--svg", "-").out)
    assert len(axes) == 2 and axes[0] == axes[1]
    for axis in axes:
        assert "Sep 2024" in axis and "Apr 2025" in axis  # a month and year where a month's dates start
        assert any(label.endswith(" Apr") for label in axis)  # then its days
        assert all(a != b for a, b in itertools.pairwise(axis)), axis


@needs_browser
def test_in_a_browser_no_label_runs_into_the_chart(tmp_path: Path, run: Run, page: browser.Page) -> None:
    path = tmp_path / "t.svg"
    assert run("timeline", "--quotes", "--claims", "--svg", str(path)).code == 0
    page.load(path)
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('g.item text')].map(t => t.getBBox().x + t.getBBox().width))"
    )
    assert 300 < widest < picture.CHART_X
    tops = page.evaluate("[...document.querySelectorAll('text[text-anchor=middle]')].map(t => t.getBBox().y)")
    first_row = page.evaluate("document.querySelector('g.item').getBBox().y")
    assert min(tops) < first_row  # dates above the first row, not only under the last
