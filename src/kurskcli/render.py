"""Terminal output with Rich: tables, panels and the timeline. The only module that imports Rich."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, ClassVar

from kurskcli.dates import contains, human_date, iso
from kurskcli.model import WEB_URL, Actor, Claim, Dataset, Event, Quote, Record, Source
from kurskcli.text import fold, safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from kurskcli.query import ActorSummary, Mark
    from kurskcli.searcher import Hit

TYPE_STYLE = {"quote": "green", "claim": "yellow", "event": "cyan", "actor": "magenta", "source": "blue"}
_WORD = re.compile(r"\w+")


MAX_WIDTH = 500


def make_console(out: IO[str], color: str) -> Console:
    """A Console for terminal output; ``color`` is auto, always or never.

    With auto, NO_COLOR, TERM=dumb and FORCE_COLOR have their usual meaning.
    """
    from rich.console import Console

    width = None
    cols = os.environ.get("COLUMNS", "")
    if cols:
        # a width too small to lay out a table (COLUMNS=0, 1) or not a number: assume 80;
        # one too large to be a screen (COLUMNS=10000000 would pad every line): at most MAX_WIDTH
        if not (cols.isascii() and cols.isdigit()):
            width = 80
        else:
            width = MAX_WIDTH if len(cols.lstrip("0")) > 4 else min(int(cols), MAX_WIDTH)
            width = width if width >= 40 else 80
    env = os.environ
    no_color = color == "never" or (
        color == "auto" and (bool(env.get("NO_COLOR")) or (env.get("TERM") == "dumb" and not env.get("FORCE_COLOR")))
    )
    system: Any = None
    if not no_color:
        system = "truecolor" if color == "always" else env.get("KURSKCLI_COLOR_SYSTEM", "auto")
    return Console(
        file=out,
        width=width,
        force_terminal=True,
        no_color=no_color,
        color_system=system,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
        _environ=screen_environ(),
    )


def screen_environ() -> dict[str, str]:
    """The environment as Rich should see it: COLUMNS and LINES only where they are numbers it
    can read (Rich converts them with int(), which refuses thousands of digits)."""
    env = dict(os.environ)
    for name in ("COLUMNS", "LINES"):
        value = env.get(name, "")
        if value and not (value.isascii() and value.isdigit() and len(value) <= 6):
            del env[name]
    return env


def t(value: object, style: str = "") -> Text:
    """Untrusted text as an inert Rich Text: no markup, no emoji codes, no control sequences."""
    from rich.text import Text

    return Text("" if value is None else safe(str(value)), style=style)


def address(url: str, style: str = "") -> Text:
    """A source's address, in full, and a terminal hyperlink (OSC 8) to it where it is a web
    address: a click opens it even where a narrow screen folds it over two lines."""
    from rich.style import Style

    out = t(url, style)
    if WEB_URL.match(url) and out.plain == url:
        out.stylize(Style(link=url))
    return out


def highlight(text: str, terms: Iterable[str], style: str = "bold reverse") -> Text:
    """Text with every word whose folded form is one of the matched index words highlighted."""
    out = t(text)
    wanted = set(terms)
    if not wanted:
        return out
    for m in _WORD.finditer(out.plain):
        if fold(m.group()) in wanted:
            out.stylize(style, m.start(), m.end())
    return out


def _name(ds: Dataset, actor_id: str | None) -> str:
    return ds.name_of(actor_id) or "unattributed"


def _speaker_line(q: Quote, ds: Dataset) -> str:
    """Who, via whom, and how much of what they said: 'Zakharova, fragment', 'CMC (via KCNA), fragment'."""
    via = f" (via {_name(ds, q.via)})" if q.via else ""
    kind = "" if q.kind == "direct" else f", {q.kind}"
    return f"{_name(ds, q.speaker)}{via}{kind}"


def _claim_line(c: Claim, ds: Dataset) -> str:
    """Who claims it, what kind of claim, and its status: 'unattributed, allegation, disputed by A and B'."""
    from kurskcli.output import status_note

    note = status_note(c, ds)
    return ", ".join(p for p in (_name(ds, c.claimant), c.kind, note) if p)


def _later(what: Text, rec: Claim | Event, ds: Dataset) -> None:
    """A line naming what later pages report of a forecast or a plan (``outcomes``), unjudged."""
    if not rec.outcomes:
        return
    told = []
    for eid in rec.outcomes:
        event = ds.events.get(eid)
        told.append(f"{event.title} ({human_date(event.date) if event.date else 'undated'})" if event else eid)
    what.append("\n")
    what.append_text(t("Later pages report: " + "; ".join(told), "cyan"))


def render_claims(con: Console, claims: Sequence[Claim], ds: Dataset) -> None:
    """Claims as the timeline shows them: when, who and how, the claim, its id."""
    render_timeline(con, claims, ds)


def _date(rec: Quote | Claim | Event | Source) -> Text:
    from rich.text import Text

    if rec.date is None:
        return Text("undated", style="dim italic")
    label = human_date(rec.date)
    style = "bold"
    if "/" in rec.date or rec.date.endswith(("?", "~", "%")):
        style = "italic"
    return Text(label, style=style)


# ----------------------------------------------------------------------------- commands


def render_timeline(con: Console, items: Sequence[Event | Quote | Claim], ds: Dataset) -> None:
    """Columns When, a marker, What and ID, laid out by hand.

    Rich's Table measures every cell before laying the rows out; wrapping only the What
    column, at the width left over, does much less (the README gives the figures, from
    benchmarks/startup.py's "timeline (terminal)"). On a terminal too narrow for an ID column,
    each id goes under its row instead.
    """
    from rich.text import Text

    rows: list[tuple[Text, Text, Text, str]] = []
    for rec in items:
        what = Text()
        if isinstance(rec, Event):
            what.append_text(t(rec.title, "bold"))
            what.append("\n")
            what.append_text(t(rec.summary, ""))
            who = ", ".join(_name(ds, a) for a in rec.actors)
            if who:
                what.append("\n")
                what.append_text(t(who, "dim"))
            odd = [w for w in rec.dated_by if not contains(w.dates, rec.dates)]
            if odd:
                what.append("\n")
                dates = "; ".join(f"{human_date(w.date)} in {w.span.source}" for w in odd)
                what.append_text(t(f"Sources differ on the date: {dates}", "yellow"))
            _later(what, rec, ds)
            marker = t("●", "cyan")
        elif isinstance(rec, Claim):
            what.append_text(t(_claim_line(rec, ds) + ": ", "yellow bold"))
            what.append_text(t(rec.text, ""))
            _later(what, rec, ds)
            marker = t("◆", "yellow")
        else:
            from kurskcli.output import renderings_note

            what.append_text(t(_speaker_line(rec, ds) + ": ", "green bold"))
            what.append_text(t(f"“{rec.text}”", "italic"))
            others = renderings_note(rec, ds)
            if others:
                what.append("\n")
                what.append_text(t(f"≠ {others}", "yellow"))
            marker = t("❝", "green")
        rows.append((_date(rec), marker, what, rec.id))
    when_w = max([4, *(d.cell_len for d, _, _, _ in rows)])
    id_w = max([2, *(len(rid) for _, _, _, rid in rows)])
    what_w = con.width - when_w - id_w - 7  # three gaps of two, and the marker
    narrow = what_w < 24
    if narrow:
        id_w, what_w = 0, max(12, con.width - when_w - 5)
    out = Text()
    out.append(f"{'When':<{when_w}}     {'What':<{what_w}}" + ("" if narrow else f"  {'ID'}"), style="bold")
    out.append("\n")
    for date, marker, what, rid in rows:
        if narrow:
            what.append("\n")
            what.append_text(t(rid, "dim"))
        for i, line in enumerate(what.wrap(con, what_w)):
            if i == 0:
                out.append_text(date)
                out.append(" " * (when_w - date.cell_len + 2))
                out.append_text(marker)
                out.append("  ")
            else:
                out.append(" " * (when_w + 5))
            out.append_text(line)
            if i == 0 and not narrow:
                out.append(" " * (what_w - line.cell_len + 2))
                out.append_text(t(rid, "dim"))
            out.append("\n")
    con.print(out, end="")
    counted = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    # without styles (--color never, NO_COLOR, TERM=dumb) there are no italics to speak of
    con.print(t(counted + ("; italic dates are ranges or uncertain" if con.color_system else ""), "dim"))


def _quote_panel(con: Console, q: Quote, ds: Dataset, terms: Iterable[str] = ()) -> None:
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    body.append_text(highlight(f"“{q.text}”", terms))
    body.append("\n\n")
    body.append("— ", style="dim")
    body.append_text(t(_name(ds, q.speaker), "bold"))
    body.append(", ")
    body.append_text(_date(q))
    if q.via:
        body.append_text(t(f" (via {_name(ds, q.via)})", "dim"))
    src = ds.sources.get(q.span.source)
    if src is not None and src.channel != "article":
        body.append_text(t(f" · {src.publisher or src.id}", "dim"))
    if q.context:
        body.append("\n")
        body.append_text(t(q.context, "dim"))
    from kurskcli.output import renderings_note

    others = renderings_note(q, ds)
    if others:
        body.append("\n")
        body.append_text(t(f"≠ {others}: kurskcli show {q.id}", "yellow"))
    title = t(q.id, "green")
    subtitle = t(q.kind, "dim")
    con.print(
        Panel(body, title=title, title_align="left", subtitle=subtitle, subtitle_align="right", border_style="green")
    )


def render_quotes(con: Console, quotes: Sequence[Quote], ds: Dataset) -> None:
    for q in quotes:
        _quote_panel(con, q, ds)


def _summary_of(rec: Record, ds: Dataset) -> tuple[str, str]:
    if isinstance(rec, Quote):
        return f"“{rec.text}”", _speaker_line(rec, ds)
    if isinstance(rec, Claim):
        from kurskcli.output import status_note

        note = status_note(rec, ds)
        return rec.text, _name(ds, rec.claimant) + (f"; {note}" if note else "")
    if isinstance(rec, Event):
        return rec.title, rec.summary
    if isinstance(rec, Actor):
        return rec.name, rec.role or rec.kind
    return rec.title, rec.author


def render_hits(con: Console, hits: Sequence[Hit], ds: Dataset) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("When", no_wrap=True)
    table.add_column("Match", ratio=1, overflow="fold")
    table.add_column("ID", style="dim", no_wrap=True)
    for h in hits:
        rec = h.record
        main, sub = _summary_of(rec, ds)
        cellv = highlight(main, h.matched)
        cellv.append("\n")
        cellv.append_text(highlight(sub, h.matched, "bold"))
        kind = t(rec.type, TYPE_STYLE[rec.type])
        if isinstance(rec, Claim) and rec.status == "disputed":
            kind.append("\n")
            kind.append_text(t("⚑ disputed", "yellow"))
        when = _date(rec) if isinstance(rec, Quote | Claim | Event | Source) else t("")
        table.add_row(t(str(h.score), "bold"), kind, when, cellv, t(rec.id))
    con.print(table)


# The columns `actors` leaves out, in this order, until a line fits the screen (as gh does:
# one actor a line, never a name broken inside a word); `kurskcli actor NAME` has them all.
_ACTOR_COLUMNS_TO_DROP = ("Kind", "Mentioned", "Relayed", "Disputed")
_COUNT_HEADINGS = ("Quotes", "Relayed", "Claims", "Disputed", "Mentioned", "Events")


def render_actors(con: Console, actors: Sequence[Actor], counts: dict[str, dict[str, int]]) -> None:
    from rich.table import Table

    rows = [
        {
            "ID": t(a.id),
            "Name": t(a.name),
            "Kind": t(a.kind),
            **{h: t(n or "·", "" if n else "dim") for h, n in zip(_COUNT_HEADINGS, counts[a.id].values(), strict=True)},
        }
        for a in actors
    ]
    shown = ["ID", "Name", "Kind", *_COUNT_HEADINGS]
    widths = {c: max([len(c), *(r[c].cell_len for r in rows)]) for c in shown}
    names_at_least, names_wanted = min(widths["Name"], 16), min(widths["Name"], 30)
    for dropped in _ACTOR_COLUMNS_TO_DROP:
        if sum(names_wanted if c == "Name" else widths[c] for c in shown) + 2 * (len(shown) - 1) <= con.width:
            break
        shown.remove(dropped)
    # every column but the names as wide as its widest cell; the names get what is left
    names_up_to = max(names_at_least, con.width - sum(widths[c] + 2 for c in shown if c != "Name"))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for c in shown:
        if c == "Name":
            table.add_column(c, no_wrap=True, overflow="ellipsis", min_width=names_at_least, max_width=names_up_to)
            continue
        style, justify = {"ID": ("magenta", "left"), "Kind": ("dim", "left")}.get(c, ("", "right"))
        table.add_column(c, style=style, justify=justify, no_wrap=True, min_width=widths[c])  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*(r[c] for c in shown))
    con.print(table)


def render_actor(con: Console, s: ActorSummary, ds: Dataset) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    a = s.actor
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("ID", t(a.id))
    grid.add_row("Kind", t(a.kind))
    grid.add_row("Role", t(a.role or "—"))
    grid.add_row("Affiliation", t(f"{s.affiliation.name} ({s.affiliation.id})" if s.affiliation else "—"))
    grid.add_row("Also known as", t(", ".join(a.aliases) or "—"))
    span = "—"
    if s.first or s.last:
        span = f"{iso(s.first) or '?'} to {iso(s.last) or '?'}"
    grid.add_row("Appears", t(span))
    if s.members:
        grid.add_row("Members", t(", ".join(m.id for m in s.members)))
    if s.sources:
        grid.add_row(
            "Quoted in", t(f"{len(s.sources)} source{'s' if len(s.sources) != 1 else ''}: {', '.join(s.sources)}")
        )
    con.print(Panel(grid, title=t(a.name, "bold magenta"), title_align="left", border_style="magenta"))
    headings = {
        "quote": "Quotes",
        "relayed": "Quotes relayed",
        "claim": "Claims made",
        "disputed": "Claims disputed",
        "mentioned": "Claims that mention it",
        "event": "Events",
    }
    from rich.padding import Padding

    for key, recs in s.sections():
        if not recs:
            continue
        label = headings[key]
        con.print(Text(f"{label} ({len(recs)})", style="bold"))
        # a grid, so that a long line wraps inside its own column, under its first word
        rows = Table.grid(padding=(0, 2))
        rows.add_column(no_wrap=True)
        rows.add_column(ratio=1, overflow="fold")
        rows.add_column(no_wrap=True, style="dim")
        for rec in recs:
            main, sub = _summary_of(rec, ds)
            what = t(main)
            if key in ("relayed", "disputed", "mentioned"):  # someone else's: say whose
                what.append_text(t(f" — {sub}", "dim"))
            rows.add_row(_date(rec), what, t(rec.id))
        con.print(Padding(rows, (0, 0, 0, 2)))


def render_kv(con: Console, title: str, rows: Sequence[tuple[str, object]], style: str = "blue") -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows:
        grid.add_row(key, value if isinstance(value, Text) else t("—" if value is None else value))
    con.print(Panel(grid, title=t(title, f"bold {style}"), title_align="left", border_style=style))


def render_lines(con: Console, lines: Sequence[str], style: str = "") -> None:
    for line in lines:
        con.print(t(line, style))


class BuildProgress:
    """A transient progress bar on a terminal (stderr) while a search index is built or large data is read."""

    PHASES: ClassVar[dict[str, str]] = {
        "reading": "reading and checking the data",
        "streaming": "reading, checking and indexing the data",
        "indexing": "indexing",
        "saving": "saving the index",
    }
    EVERY = 0.1  # seconds between redraws, as Rich's own refresh thread would redraw

    def __init__(self, out: IO[str], label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

        console = Console(file=out, highlight=False, emoji=False, markup=False, stderr=True, _environ=screen_environ())
        self.label = safe(label)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),  # a share: of the records, or of the bytes of JSON Lines read
            TimeElapsedColumn(),
            console=console,
            transient=True,
            auto_refresh=False,  # no thread of its own: the work itself reports, and the bar is drawn then
        )
        self.progress.start()
        self.task = self.progress.add_task(self.label, total=None)
        self.shown = 0.0

    def update(self, phase: str, done: int, total: int) -> None:
        import time

        description = f"{self.label}: {self.PHASES.get(phase, phase)}"
        self.progress.update(self.task, description=description, completed=done, total=total or None)
        now = time.monotonic()
        if now - self.shown >= self.EVERY:
            self.shown = now
            self.progress.refresh()

    def close(self) -> None:
        self.progress.stop()


def render_reading(con: Console, src: Source, marks: Sequence[Mark]) -> None:
    """A source's text with each marked span coloured by its record's type after a dim [id]
    label; where spans nest, the innermost colours the words."""
    from rich.text import Text

    from kurskcli.query import mark_edges

    body = Text()
    active: list[Mark] = []
    last = 0

    def chunk(a: int, b: int) -> None:
        if a < b:
            style = TYPE_STYLE[active[-1].record.type] if active else ""
            body.append(safe(src.text[a:b], keep_newlines=True), style=style)

    for pos, opens, m in mark_edges(marks):
        chunk(last, pos)
        last = pos
        if opens:
            body.append(f"[{m.record.id}] ", style="dim")
            active.append(m)
        else:
            active.remove(m)
    chunk(last, len(src.text))
    head = f"{src.author}, “{src.title}”, {src.publisher or 'n.p.'}, {src.date or 'n.d.'}"
    con.print(t(head, "bold"))
    con.print(t(f"{src.id} · {len(marks)} marked: quotes green, claims yellow, events cyan", "dim"))
    con.print()
    con.print(body, soft_wrap=False)
