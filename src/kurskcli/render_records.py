"""The terminal, for one record in full: ``show``'s panels (the record, its source passages,
its other renderings, related statements and later reports) and ``check``'s verdict. The rest of
the terminal is in ``render``, whose helpers these use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kurskcli.dates import contains, human_date
from kurskcli.model import Actor, Claim, Dataset, Event, Quote, Record, Source
from kurskcli.render import (
    TYPE_STYLE,
    _date,
    _name,
    _quote_panel,
    _speaker_line,
    _summary_of,
    address,
    t,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from kurskcli.check import CheckResult
    from kurskcli.query import Comparison, Passage


def _record_head(rec: Record, ds: Dataset) -> Text:
    """A record as a reader takes it in, like ``gh issue view``: the words or title first, then
    who and when, via whom, where it stands in its source, and what qualifies it."""
    from rich.text import Text

    from kurskcli.output import renderings_note, status_note

    out = Text()

    def line(text: str, style: str = "", label: str = "") -> None:
        if out:
            out.append("\n")
        if label:
            out.append_text(t(f"{label}: ", "bold"))
        out.append_text(t(text, style))

    def when(r: Quote | Claim | Event | Source) -> str:
        return human_date(r.date) if r.date else "undated"

    def source_line(span: Any) -> None:
        src = ds.sources.get(span.source)
        where = f"{src.publisher or src.author}, “{src.title}”, {when(src)}" if src else span.source
        line(f"{where} · {span.source}, characters {span.start}–{span.end}", "dim", "Source")

    if isinstance(rec, Quote):
        line(f"“{rec.text}”", "italic")
        via = f", via {_name(ds, rec.via)}" if rec.via else ""
        line(f"— {_name(ds, rec.speaker)}{via} · {when(rec)} · {rec.kind}", "bold")
        source_line(rec.span)
        if rec.renders:
            line(f"{rec.renders}, the same words as another source prints them", "", "Renders")
        others = renderings_note(rec, ds)
        if others:
            line(others, "yellow", "Other renderings")
        for label, value in (("Context", rec.context), ("Language", rec.language), ("Note", rec.note)):
            if value:
                line(value, "", label)
    elif isinstance(rec, Claim):
        line(f"“{rec.text}”" if rec.verbatim else rec.text, "italic" if rec.verbatim else "")
        status = status_note(rec, ds)
        line(f"— {_name(ds, rec.claimant)} · {when(rec)} · {rec.kind}" + (f" · {status}" if status else ""), "bold")
        source_line(rec.span)
        if rec.actors:
            line(", ".join(_name(ds, a) for a in rec.actors), "", "Mentions")
        if rec.context:
            line(rec.context, "", "Context")
        if not rec.verbatim:
            line("the dataset's summary of what the source says, not its words", "dim", "Wording")
    elif isinstance(rec, Event):
        line(rec.title, "bold")
        if rec.summary:
            line(rec.summary)
        line(when(rec), "", "When")
        odd = [w for w in rec.dated_by if not contains(w.dates, rec.dates)]
        if odd:
            dates = "; ".join(f"{human_date(w.date)} in {w.span.source}" for w in odd)
            line(dates, "yellow", "Sources differ on the date")
        if rec.actors:
            line(", ".join(_name(ds, a) for a in rec.actors), "", "Actors")
        for span in rec.spans:
            source_line(span)
    elif isinstance(rec, Actor):
        line(rec.name, "bold")
        line(" · ".join(p for p in (rec.kind, rec.role) if p))
        if rec.affiliation:
            line(_name(ds, rec.affiliation), "", "Affiliation")
        if rec.aliases:
            line(", ".join(rec.aliases), "", "Also known as")
    else:
        line(rec.title, "bold")
        publisher = rec.publisher if rec.publisher != rec.author else None
        line(" · ".join(p for p in (rec.author, publisher, when(rec)) if p))
        if rec.url:
            out.append("\n")
            out.append_text(t("Address: ", "bold"))
            out.append_text(address(rec.url))
        for label, value in (("Language", rec.language), ("Note", rec.note)):
            if value:
                line(value, "", label)
        line(f"{rec.channel}; {'stored in full' if rec.stored == 'full' else 'only excerpts stored'}", "", "Kind")
        if rec.sha256:
            line(rec.sha256, "dim", "SHA-256")
    return out


def render_record(
    con: Console,
    rec: Record,
    ds: Dataset,
    passages: Sequence[Passage],
    comparisons: Sequence[Comparison] = (),
    related: Sequence[Comparison] = (),
    later: Sequence[Event] = (),
) -> None:
    """One record in full, each source passage with the record's own words highlighted, then
    the other renderings of a quote beside it, the speaker's related statements, and what
    later pages report of a forecast or a plan."""
    from rich.panel import Panel
    from rich.text import Text

    con.print(
        Panel(
            _record_head(rec, ds),
            title=t(f"{rec.type} {rec.id}", TYPE_STYLE[rec.type] + " bold"),
            title_align="left",
            border_style=TYPE_STYLE[rec.type],
        )
    )
    for p in passages:
        src_id, start, end = p.source, p.start, p.end
        src = ds.sources[src_id]
        body = Text()
        body.append_text(t(p.before, "dim"))
        body.append_text(t(p.text, "bold reverse"))
        body.append_text(t(p.after, "dim"))
        cite = f"{src.author}, “{src.title}”, {src.publisher or 'n.p.'}, {src.date or 'n.d.'}"
        body.append("\n\n")
        body.append_text(t(f"{cite} · characters {start}–{end}", "dim"))
        con.print(Panel(body, title=t(f"source {src_id}", "blue"), title_align="left", border_style="blue"))
    if comparisons:
        con.print(Text(f"Other renderings of the same words ({len(comparisons)})", style="bold"))
    for cmp in comparisons:
        _rendering_panel(con, cmp, ds)
    if related:
        con.print(Text(f"Related statements, in other words ({len(related)})", style="bold"))
    for cmp in related:
        _rendering_panel(con, cmp, ds)
    if later:
        told = Text()
        for event in later:
            told.append("\n")
            told.append_text(_date(event))
            told.append("  ")
            told.append_text(t(event.title, ""))
            told.append_text(t(f"  {event.id}", "dim"))
        con.print(Panel(told, title=t("What later pages report", "cyan"), title_align="left", border_style="cyan"))


def _rendering_panel(con: Console, cmp: Comparison, ds: Dataset) -> None:
    """Another rendering: its words, who and where, and how it differs (shown, not judged)."""
    from rich.panel import Panel
    from rich.text import Text

    q, src = cmp.quote, cmp.source
    body = Text()
    body.append_text(t(f"“{q.text}”", "italic"))
    body.append("\n\n— ", style="dim")
    body.append_text(t(_speaker_line(q, ds), "bold"))
    body.append(", ")
    body.append_text(_date(q))
    if src is not None:
        where = ", ".join(p for p in (src.publisher, human_date(src.date) if src.date else None, src.language) if p)
        body.append("\n")
        body.append_text(t(f"{where} ({src.channel or 'source'}) · ", "dim"))
        body.append_text(address(src.url, "dim") if src.url else t(src.id, "dim"))
    covers = cmp.coverage()
    if covers:
        body.append(f"\nCovers only {covers} of the quote above.", style="dim")
    if cmp.changes:
        body.append(f"\nWords that differ from {'that part' if covers else 'the quote above'}:", style="dim")
        for c in cmp.changes:
            body.append("\n  ")
            if c.op == "changed":
                body.append_text(t(c.actual, "yellow"))
                body.append(" / ")
                body.append_text(t(c.said, "cyan"))
            elif c.op == "added":
                body.append("only here: ", style="dim")
                body.append_text(t(c.said, "cyan"))
            elif c.op == "omitted":
                body.append("only above: ", style="dim")
                body.append_text(t(c.actual, "yellow"))
    elif cmp.same_language:
        body.append("\nThe same words as the quote above.", style="dim")
    if cmp.note:
        body.append("\n")
        body.append_text(t(cmp.note, "dim italic"))
    con.print(
        Panel(
            body,
            title=t(q.id, "green"),
            title_align="left",
            subtitle=t(q.kind, "dim"),
            subtitle_align="right",
            border_style="dim green",
        )
    )


def render_check(con: Console, r: CheckResult, ds: Dataset) -> None:
    from rich.text import Text

    if r.verdict == "verbatim" and r.quote:
        head = Text("✔ Verbatim", style="bold green")
        head.append_text(t(" (part of a longer quote)" if r.partial else " (the whole quote)", "green"))
        con.print(head)
        _quote_panel(con, r.quote, ds)
    elif r.verdict == "near" and r.quote:
        con.print(Text(f"≈ Near match ({r.score}% similar): not verbatim", style="bold yellow"))
        for c in r.changes:
            line = Text("  ")
            if c.op == "changed":
                line.append_text(t(c.said, "red strike"))
                line.append(" → ")
                line.append_text(t(c.actual, "green bold"))
            elif c.op == "added":
                line.append("added: ", style="dim")
                line.append_text(t(c.said, "red strike"))
            else:
                line.append("omitted: ", style="dim")
                line.append_text(t(c.actual, "green"))
            con.print(line)
        con.print(Text("The quote as printed in the source:", style="dim"))
        _quote_panel(con, r.quote, ds)
    elif r.verdict == "typographic" and r.quote:
        con.print(Text("≈ Verbatim apart from typography: the same words, written differently", style="bold yellow"))
        for c in r.changes:
            line = Text("  ")
            line.append_text(t(c.said, "red"))
            line.append(" → ")
            line.append_text(t(c.actual, "green bold"))
            line.append_text(t(f"   ({_char_names(c.said)} → {_char_names(c.actual)})", "dim"))
            con.print(line)
        con.print(Text("The quote as printed in the source:", style="dim"))
        _quote_panel(con, r.quote, ds)
    elif r.verdict == "in_source" and r.source:
        con.print(Text("~ In the source, but not inside a quote of anyone's", style="bold yellow"))
        where = f"  {r.source.author}, “{r.source.title}” ({r.source.id}), characters {r.start}–{r.end}"
        con.print(t(where))
        if r.record is not None:
            con.print(t(f"  in {r.record.type} {r.record.id}: {_summary_of(r.record, ds)[0]}", "dim"))
    else:
        con.print(Text("✘ Not in the data", style="bold red"))
        from kurskcli.check import NEAR_CUTOFF

        con.print(t("  No quote in the loaded datasets matches this text closely.", "dim"))
        if r.score:
            con.print(t(f"  The nearest is {r.score}% similar; a near match needs {NEAR_CUTOFF:g}%.", "dim"))
        return
    if r.renderings:
        con.print(Text("In each rendering of these words:", style="bold"))
        marks = {"verbatim": ("✔ verbatim", "green"), "typographic": ("≈ apart from typography", "yellow")}
        for m in r.renderings:
            label, style = marks.get(m.verdict, ("✘ not in these words", "red"))
            src = ds.sources.get(m.quote.span.source)
            line = Text("  ")
            line.append_text(t(f"{label:<24}", style))
            line.append_text(t(f"{m.quote.id}  ", ""))
            where = src.publisher if src and src.publisher else m.quote.span.source
            line.append_text(t(f"{where}, {human_date(m.quote.date) if m.quote.date else 'undated'}", "dim"))
            con.print(line)
    if r.also:
        n = len(r.also)
        con.print(Text(f"Also in {n} other quote{'s' if n != 1 else ''}:", style="bold"))
        from rich.padding import Padding
        from rich.table import Table

        rows = Table.grid(padding=(0, 2))
        rows.add_column(ratio=1, overflow="fold")
        rows.add_column(no_wrap=True, style="dim")
        for q in r.also:
            line = t(f"{_speaker_line(q, ds)}, {human_date(q.date) if q.date else 'undated'}: ", "green")
            line.append_text(t(f"“{q.text}”", "italic"))
            rows.add_row(line, t(q.id))
        con.print(Padding(rows, (0, 0, 0, 2)))


def _char_names(text: str) -> str:
    """'’' -> 'RIGHT SINGLE QUOTATION MARK': which characters differ, when they look alike."""
    import unicodedata

    return " + ".join(unicodedata.name(ch, f"U+{ord(ch):04X}") for ch in text[:3]) or "nothing"
