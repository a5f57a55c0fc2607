"""The timeline as a picture: an SVG chart and a self-contained HTML page, standard library only.

The chart puts each item (event, quote, claim) on its own row against a time axis: a day is a
dot, a range a bar, and a range with an open start (``../2025-04-30``, "by 30 April") a bar
that fades in from the left, and one with an open end (``2025-04-30/..``) a bar that fades
out to the right; uncertain dates (``?``, ``~``) are drawn dashed and hollow. The
colour is the state the item's first actor belongs to (by affiliation), named in a legend.
Long quiet stretches between dates are shortened and marked on the axis with a break, so that
the days the article is about are not squeezed by a date months earlier.

Nothing is fetched: system fonts, no scripts in the SVG; the HTML page's script is inline.
Every piece of data is escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import itertools
from collections.abc import Sequence
from typing import NamedTuple

from kurskcli import query
from kurskcli.dates import human_date, iso
from kurskcli.model import WEB_URL, Claim, Dataset, Event, Quote, Record
from kurskcli.text import safe

WIDTH = 1100
LABEL_W = 430  # the column of dates and titles
CHART_X = LABEL_W + 20
CHART_W = WIDTH - CHART_X - 30
ROW_H = 34
TOP = 92  # the title, the key, and the time axis above the rows
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
GAP_DAYS = 4  # a stretch between two dates longer than this is drawn as this long, with a break
CHARS_PER_LINE = 62  # of a title in the label column, at 12 px

# colours that stay apart in print and for the common colour blindnesses (Okabe and Ito)
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]  # last: others


def _x(t: str) -> str:
    """Text for SVG or HTML: inert on a terminal and escaped for markup."""
    return html.escape(safe(t), quote=True)


class Item(NamedTuple):
    record: Event | Quote | Claim
    label: str
    who: str | None  # the state (or other top actor) whose colour the item takes
    start: dt.date | None
    end: dt.date | None
    open_start: bool
    open_end: bool
    uncertain: bool


def _top_of(ds: Dataset, actor_id: str | None) -> str | None:
    """The actor at the top of ``actor_id``'s chain of affiliations (a state, mostly). A source's
    author keeps a colour of their own: a scholar's assessments are not a state's statements."""
    authors = {s.author_actor for s in ds.sources.values() if s.author_actor}
    seen: set[str] = set()
    while actor_id is not None and actor_id not in seen:
        if actor_id in authors:
            return actor_id
        seen.add(actor_id)
        actor = ds.actors.get(actor_id)
        if actor is None or not actor.affiliation:
            return actor_id
        actor_id = actor.affiliation
    return actor_id


def _first_actor(rec: Event | Quote | Claim) -> str | None:
    if isinstance(rec, Quote):
        return rec.speaker
    if isinstance(rec, Claim):
        return rec.claimant
    return rec.actors[0] if rec.actors else None


def _label(rec: Event | Quote | Claim, ds: Dataset) -> str:
    if isinstance(rec, Quote):
        return f"{ds.name_of(rec.speaker)}: “{rec.text}”"
    if isinstance(rec, Claim):
        return f"{ds.name_of(rec.claimant) or 'Unattributed'}: {rec.text}"
    return rec.title


def items_of(records: Sequence[Event | Quote | Claim], ds: Dataset) -> list[Item]:
    out = []
    for rec in records:
        d = rec.dates
        start, end = d.earliest, d.latest
        if start is None and end is None:
            continue  # undated: no place on an axis (the HTML page still lists it)
        out.append(
            Item(
                rec,
                _label(rec, ds),
                _top_of(ds, _first_actor(rec)),
                start or end,
                end or start,
                start is None,
                end is None,
                d.uncertain,
            )
        )
    return out


class Scale:
    """Days to x positions, with long quiet stretches shortened to GAP_DAYS (and remembered as breaks)."""

    def __init__(self, days: Sequence[dt.date], x0: float, width: float) -> None:
        marks = sorted(set(days))
        self.marks = marks
        self.breaks: list[tuple[dt.date, dt.date]] = []
        units = [0.0]
        for a, b in itertools.pairwise(marks):
            gap = (b - a).days
            if gap > GAP_DAYS:
                self.breaks.append((a, b))
            units.append(units[-1] + min(gap, GAP_DAYS))
        total = units[-1] + 1.0 or 1.0  # one more day: the last day has a width of its own
        self.pos = {day: x0 + width * u / total for day, u in zip(marks, units, strict=True)}
        self.day_w = width / total
        self.x0, self.width = x0, width

    def x(self, day: dt.date) -> float:
        return self.pos[day]


def timeline_svg(records: Sequence[Event | Quote | Claim], ds: Dataset, *, title: str = "Timeline") -> str:
    """The timeline chart as a standalone SVG document."""
    items = items_of(records, ds)
    days = [d for it in items for d in (it.start, it.end) if d is not None]
    scale = Scale(days or [dt.date.today()], CHART_X, CHART_W)
    # the most frequent groups get colours of their own, the rest share grey as "others"
    counts: dict[str, int] = {}
    for it in items:
        counts[it.who or ""] = counts.get(it.who or "", 0) + 1
    ranked = sorted(counts, key=lambda who: (-counts[who], who == "", who))
    named = ranked[: len(PALETTE) - 1] if len(ranked) > len(PALETTE) else ranked
    colour = {who: PALETTE[i] for i, who in enumerate(named)}
    tops = [*named, *(["…"] if len(named) < len(ranked) else [])]
    colour.update({who: PALETTE[-1] for who in ranked[len(named) :]} | {"…": PALETTE[-1]})
    height = TOP + len(items) * ROW_H + 70 + 22 * ((len(tops) + 3) // 4)
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}" font-size="12" role="img">',
        f"<title>{_x(title)}</title>",
        "<defs>",
        '<linearGradient id="fade" x1="0" x2="1" y1="0" y2="0">'
        '<stop offset="0" stop-color="#fff" stop-opacity="1"/><stop offset="1" stop-color="#fff" stop-opacity="0"/>'
        "</linearGradient>",
        '<linearGradient id="fadeout" x1="0" x2="1" y1="0" y2="0">'
        '<stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#fff" stop-opacity="1"/>'
        "</linearGradient>",
        "</defs>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="28" font-size="16" font-weight="bold" fill="#000">{_x(title)}</text>',
        f'<text x="16" y="48" fill="#444">{len(items)} dated items · a dot is a day, a bar a range; '
        "dashed and hollow: uncertain; fading in: by a date; fading out: after it</text>",
    ]
    for i, it in enumerate(items):
        y = TOP + i * ROW_H
        out.append(_row(it, y, scale, colour[it.who or ""], i))
    axis_y = TOP + len(items) * ROW_H + 8
    out.append(_axis(scale, TOP - 14, TOP - 6, above=True))  # a tall chart has its dates at both ends
    out.append(_axis(scale, axis_y, TOP - 6))
    out.append(_legend(tops, colour, ds, axis_y + 44))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _clip(text: str, width: int = CHARS_PER_LINE) -> str:
    """``text`` on one line of at most ``width`` characters: where it is longer, cut after a
    whole word and ended with "…" (the full text is in the tooltip and the HTML list)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2 and not text[width - 1].isspace():
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def _row(it: Item, y: float, scale: Scale, fill: str, i: int) -> str:
    rec = it.record
    parts = [f'<g class="item {rec.type}" data-id="{_x(rec.id)}">']
    parts.append(f"<title>{_x(rec.id)}: {_x(it.label)} ({_x(rec.date or 'undated')})</title>")
    if i % 2:
        parts.append(f'<rect x="0" y="{y - 4}" width="{WIDTH}" height="{ROW_H}" fill="#f3f3f3"/>')
    when = human_date(rec.date) if rec.date else "undated"
    parts.append(f'<text x="16" y="{y + 10}" fill="#000" font-weight="bold">{_x(when)}</text>')
    id_x = max(130, 16 + 8 * len(when) + 10)  # after the date, which is bold, about 8 px a character
    parts.append(f'<text x="{id_x}" y="{y + 10}" fill="#555" font-size="10">{_x(rec.type)} · {_x(rec.id)}</text>')
    parts.append(f'<text x="16" y="{y + 24}" fill="#222">{_x(_clip(it.label))}</text>')
    cy = y + 12
    assert it.start is not None and it.end is not None
    x1, x2 = scale.x(it.start), scale.x(it.end) + scale.day_w
    dash = ' stroke-dasharray="4 3"' if it.uncertain else ""
    body = "#ffffff" if it.uncertain else fill
    if it.open_start:
        # "by" a date: a bar that fades in from the axis start, with a solid end at the date
        parts.append(
            f'<rect x="{scale.x0}" y="{cy - 5}" width="{x2 - scale.x0:.1f}" height="10" fill="{fill}" opacity="0.35"/>'
        )
        parts.append(
            f'<rect x="{scale.x0}" y="{cy - 6}" width="{min(80, x2 - scale.x0):.1f}" height="12" fill="url(#fade)"/>'
        )
        parts.append(f'<rect x="{x2 - 3:.1f}" y="{cy - 7}" width="3" height="14" fill="{fill}"/>')
    elif it.open_end:
        # "after" a date: a solid start at the date, then a bar that fades out to the right
        right = scale.x0 + scale.width
        parts.append(f'<rect x="{x1:.1f}" y="{cy - 7}" width="3" height="14" fill="{fill}"/>')
        parts.append(
            f'<rect x="{x1:.1f}" y="{cy - 5}" width="{right - x1:.1f}" height="10" fill="{fill}" opacity="0.35"/>'
        )
        parts.append(
            f'<rect x="{max(x1, right - 80):.1f}" y="{cy - 6}" width="{min(80, right - x1):.1f}" height="12" '
            'fill="url(#fadeout)"/>'
        )
    elif it.start == it.end:
        cx = (x1 + x2) / 2
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy}" r="6" fill="{body}" stroke="{fill}" stroke-width="2"{dash}/>')
    else:
        w = max(x2 - x1, 4)
        parts.append(
            f'<rect x="{x1:.1f}" y="{cy - 6}" width="{w:.1f}" height="12" rx="3" fill="{body}" '
            f'stroke="{fill}" stroke-width="2"{dash}/>'
        )
    parts.append("</g>")
    return "".join(parts)


def _axis(scale: Scale, y: float, top: float, *, above: bool = False) -> str:
    """The time axis at ``y``: a tick at each date, labelled where there is room (the month and
    year at the first date labelled in a month, then the day and month), with grid lines up to
    ``top`` and a break at each shortened stretch. ``above``: labels over the line, no grid
    and no explanation (the axis at the top of a tall chart)."""
    parts = [f'<line x1="{scale.x0}" y1="{y}" x2="{scale.x0 + scale.width}" y2="{y}" stroke="#000"/>']
    last_x, last_month = -1e9, (0, 0)
    tick, text_y = (y - 5, y - 9) if above else (y + 5, y + 18)
    for day in scale.marks:
        x = scale.x(day) + scale.day_w / 2
        if not above:
            parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{tick}" stroke="#000"/>')
        month = (day.year, day.month)
        label = f"{day:%b %Y}" if month != last_month else f"{day.day} {day.strftime('%b')[:3]}"
        if x - last_x >= 34:
            parts.append(
                f'<text x="{x:.1f}" y="{text_y}" text-anchor="middle" font-size="10" fill="#000">{_x(label)}</text>'
            )
            last_x, last_month = x, month
    for a, b in scale.breaks:
        xb = (scale.x(a) + scale.x(b) + scale.day_w) / 2
        parts.append(
            f'<g class="break"><title>{(b - a).days} days from {iso(a)} to {iso(b)}, shortened</title>'
            f'<rect x="{xb - 5:.1f}" y="{y - 6}" width="10" height="12" fill="#fff"/>'
            f'<line x1="{xb - 6:.1f}" y1="{y + 6}" x2="{xb - 1:.1f}" y2="{y - 6}" stroke="#000"/>'
            f'<line x1="{xb + 1:.1f}" y1="{y + 6}" x2="{xb + 6:.1f}" y2="{y - 6}" stroke="#000"/></g>'
        )
    if not above:
        parts.append(
            f'<text x="{scale.x0}" y="{y + 34}" font-size="10" fill="#444">Breaks (//) mark quiet stretches drawn '
            f"shorter than they were; hover an item for its full text and id.</text>"
        )
    return "".join(parts)


def _legend(tops: Sequence[str], colour: dict[str, str], ds: Dataset, y: float) -> str:
    parts = []
    for i, who in enumerate(tops):
        x = 16 + (i % 4) * 270
        yy = y + 22 * (i // 4)
        name = "others" if who == "…" else (ds.name_of(who) or who) if who else "no actor named"
        parts.append(f'<rect x="{x}" y="{yy - 9}" width="12" height="12" fill="{colour[who]}"/>')
        parts.append(f'<text x="{x + 18}" y="{yy + 1}" fill="#000">{_x(_clip(name, 38))}</text>')
    return "".join(parts)


# ----------------------------------------------------------------------------- the HTML page


def timeline_html(records: Sequence[Event | Quote | Claim], ds: Dataset, *, title: str = "Timeline") -> str:
    """One self-contained page: the chart, then every record with its words, who, when and
    source, filters by actor and type, and a search box. Works offline: nothing is fetched."""
    svg = timeline_svg(records, ds, title=title)
    rows = []
    actors: dict[str, str] = {}
    for rec in records:
        involved = query.involved(rec)
        for a in involved:
            actors[a] = ds.name_of(a) or a
        src = ds.sources.get(_source_of(rec))
        where = f"{src.publisher or src.author}, “{src.title}”" if src else _source_of(rec)
        link = _link(src.url) if src and src.url else ""
        if isinstance(rec, Quote) or (isinstance(rec, Claim) and rec.verbatim):
            text = f"“{rec.text}”"
        elif isinstance(rec, Claim):
            text = rec.text
        else:
            text = f"{rec.title}. {rec.summary}".strip()
        rows.append(
            f'<li class="record {rec.type}" data-type="{rec.type}" data-actors="{_x(" ".join(involved))}">'
            f'<span class="when">{_x(human_date(rec.date) if rec.date else "undated")}</span> '
            f'<span class="kind">{_x(rec.type)}</span> '
            f'<span class="who">{_x(_who(rec, ds))}</span>'
            f'<p class="text">{_x(text)}</p>'
            f'<p class="source">{_x(where)} · <code>{_x(rec.id)}</code>{link}</p></li>'
        )
    options = "".join(
        f'<option value="{_x(a)}">{_x(name)}</option>' for a, name in sorted(actors.items(), key=lambda kv: kv[1])
    )
    types = sorted({r.type for r in records})
    boxes = "".join(f'<label><input type="checkbox" class="type" value="{t}" checked> {t}s</label> ' for t in types)
    return _PAGE.format(
        title=_x(title),
        svg=svg,
        options=options,
        boxes=boxes,
        rows="\n".join(rows),
        count=len(records),
        script=_SCRIPT,
        script_hash=_SCRIPT_HASH,
    )


def _link(url: str) -> str:
    """A source's address: a link only where it is a web address, else inert text, so that no
    ``javascript:`` (or other) address made by hand or through the Python API runs anything."""
    if WEB_URL.match(url):
        return f' <a href="{_x(url)}" rel="noreferrer">{_x(url)}</a>'
    return f' <span class="address">{_x(url)}</span>'


def _who(rec: Record, ds: Dataset) -> str:
    if isinstance(rec, Quote):
        return (ds.name_of(rec.speaker) or "") + (f" (via {ds.name_of(rec.via)})" if rec.via else "")
    if isinstance(rec, Claim):
        return ds.name_of(rec.claimant) or "unattributed"
    return ""


def _source_of(rec: Record) -> str:
    if isinstance(rec, Quote | Claim):
        return rec.span.source
    if isinstance(rec, Event) and rec.spans:
        return rec.spans[0].source
    return ""


_SCRIPT = """
(function () {
  var box = document.getElementById('q');
  var who = document.getElementById('actor');
  var kinds = Array.prototype.slice.call(document.querySelectorAll('input.type'));
  var items = Array.prototype.slice.call(document.querySelectorAll('li.record'));
  var shown = document.getElementById('shown');
  function fold(s) { return s.normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase(); }
  function update() {
    var words = fold(box.value).split(/\\s+/).filter(Boolean);
    var actor = who.value;
    var allowed = kinds.filter(function (k) { return k.checked; }).map(function (k) { return k.value; });
    var n = 0;
    items.forEach(function (li) {
      var text = fold(li.textContent);
      var ok = allowed.indexOf(li.dataset.type) >= 0
        && (!actor || li.dataset.actors.split(' ').indexOf(actor) >= 0)
        && words.every(function (w) { return text.indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = String(n);
  }
  box.addEventListener('input', update);
  who.addEventListener('change', update);
  kinds.forEach(function (k) { k.addEventListener('change', update); });
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); });
  update();
})();
"""
# The page runs its one script and nothing else: the policy names the script by its digest, so
# neither an inline handler nor a javascript: address can run (as 'unsafe-inline' would let them).
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'sha256-{script_hash}'; img-src data:">
<title>{title}</title>
<style>
body {{ font-family: DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif; margin: 24px; color: #111; }}
.chart {{ overflow-x: auto; }}
form {{ margin: 16px 0; display: flex; gap: 16px; flex-wrap: wrap; align-items: center; }}
ul {{ list-style: none; padding: 0; }}
li.record {{ border-top: 1px solid #ddd; padding: 8px 0; }}
.when {{ font-weight: bold; }}
.kind {{ color: #555; font-size: 0.85em; text-transform: uppercase; }}
.text {{ margin: 4px 0; }}
.source {{ margin: 0; color: #555; font-size: 0.9em; }}
li.quote .text {{ font-style: italic; }}
@media print {{ form {{ display: none; }} }}
</style>
</head>
<body>
<div class="chart">
{svg}</div>
<form id="filters">
<label>Search <input id="q" type="search" placeholder="words in any record"></label>
<label>Actor <select id="actor"><option value="">everyone</option>{options}</select></label>
{boxes}
<span><span id="shown">{count}</span> of {count} shown</span>
</form>
<ul id="records">
{rows}
</ul>
<script>{script}</script>
</body>
</html>
"""
