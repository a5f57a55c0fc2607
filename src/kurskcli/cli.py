"""The command-line interface: arguments in, one of three output modes out. The only Typer importer."""

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from kurskcli import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from kurskcli.model import Dataset, Record
    from kurskcli.searcher import Hit

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
EXIT_DATAERR, EXIT_NOINPUT, EXIT_CANTCREAT, EXIT_IOERR, EXIT_INTERRUPT = 65, 66, 73, 74, 130

EPILOG = """\b
Exit codes: 0 found or done, 1 nothing found, 2 usage error or ambiguous name,
65 invalid dataset, 66 dataset unreadable, 73/74 output cannot be created/written,
130 interrupted.
\b
Environment: KURSKCLI_DATA (extra dataset files, ':'-separated), NO_COLOR,
FORCE_COLOR, KURSKCLI_DEBUG=1 (tracebacks)."""

_COMMANDS: dict[str, Callable[..., None]] = {}


def command(func: Callable[..., None]) -> Callable[..., None]:
    """Register a subcommand; the Typer app is assembled per invocation by ``build_app``."""
    _COMMANDS[func.__name__] = func
    return func


def build_app(only: str | None = None, *, listing: bool = False) -> typer.Typer:
    """The Typer app with every command, or with just ``only``.

    Turning a command's signature into Click parameters costs Typer close to a millisecond
    per command, so a run that names its command registers that one alone, and a run that
    names none (``kurskcli --help``) gets, with ``listing``, stand-ins that carry each
    command's name and help but no parameters: enough to list them.
    """
    app = typer.Typer(
        name="kurskcli",
        epilog=EPILOG,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        no_args_is_help=False,
    )
    app.callback(invoke_without_command=True)(root)
    for name, func in _COMMANDS.items():
        if listing:
            app.command(name=name, help=func.__doc__)(_stand_in)
        elif only is None or name == only:
            app.command()(func)
    return app


class PipeClosed(Exception):
    """The reader of stdout has gone (``| head -1``): no failure of the command, exit 0."""


def _reader_gone() -> bool:
    """Whether stdout is a pipe whose reading end is closed (poll reports an error on it)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test's capture)
        return False


def _stand_in() -> None:
    """Listed in the root help only; never invoked (a named command gets its real function)."""


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


# ----------------------------------------------------------------------------- shared options

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line.")]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour on a terminal: auto, always or never.")]
DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data", "-d", help="Load this dataset file too (repeatable; see also KURSKCLI_DATA).", metavar="PATH"
    ),
]
NoBundledOpt = Annotated[bool, typer.Option("--no-bundled", help="Leave the bundled dataset out.")]


class Ctx:
    """What every command needs: where output goes, and how to get the data."""

    def __init__(self, json: bool, jsonl: bool, color: Color, data: list[Path], bundled: bool) -> None:
        self.json, self.jsonl, self.color, self.data, self.bundled = json, jsonl, color, data, bundled
        self._dataset: Dataset | None = None

    @property
    def mode(self) -> str:
        if self.json:
            return "json"
        if self.jsonl:
            return "jsonl"
        if self.color is Color.always or (self.color is Color.auto and os.environ.get("FORCE_COLOR")):
            return "rich"
        return "rich" if stdout_is_terminal() else "plain"

    def paths(self) -> list[Path]:
        from kurskcli.env import data_paths

        return [*data_paths(), *self.data]

    def dataset(self, verify_hashes: bool = False) -> "Dataset":
        if self._dataset is None:
            from kurskcli.dataset import load_dataset

            self._dataset = load_dataset(self.paths(), bundled=self.bundled, verify_hashes=verify_hashes)
        return self._dataset

    def console(self) -> "Console":
        from kurskcli.render import make_console

        return make_console(sys.stdout, self.color.value)


def _ctx(json: bool, jsonl: bool, color: Color, data: list[Path] | None, no_bundled: bool) -> Ctx:
    if json and jsonl:
        raise typer.BadParameter("choose one of --json and --jsonl")
    if no_bundled and not data and not os.environ.get("KURSKCLI_DATA", "").strip():
        raise typer.BadParameter("--no-bundled needs at least one --data file")
    return Ctx(json, jsonl, color, list(data or []), not no_bundled)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def stdout_is_terminal() -> bool:
    return _is_terminal(sys.stdout)


class Fail(Exception):
    """An error for the user: one line on stderr and an exit code."""

    def __init__(self, message: str, code: int, extra: Sequence[str] = ()):
        super().__init__(message)
        self.code = code
        self.extra = list(extra)


def _emit_list(
    c: Ctx,
    records: Sequence[Any],
    to_obj: Callable[[Any], Any],
    to_plain: Callable[[Any], Sequence[object]],
    to_rich: Callable[["Console"], None],
) -> None:
    from kurskcli import output

    if c.mode == "json":
        output.write_json([to_obj(r) for r in records], sys.stdout)
    elif c.mode == "jsonl":
        output.write_jsonl((to_obj(r) for r in records), sys.stdout)
    elif c.mode == "plain":
        write = sys.stdout.write
        for r in records:
            write(output.plain_line(to_plain(r)) + "\n")
    else:
        to_rich(c.console())


def _none_found(c: Ctx, message: str) -> NoReturn:
    """An empty list: exit 1 like grep, and for --json still the empty array a script expects."""
    if c.mode == "json":
        sys.stdout.write("[]\n")
    raise Fail(message, EXIT_NOTHING)


def _emit_one(c: Ctx, obj: Any, plain_lines: Sequence[Sequence[object]], to_rich: Callable[["Console"], None]) -> None:
    from kurskcli import output

    if c.mode == "json":
        output.write_json(obj, sys.stdout)
    elif c.mode == "jsonl":
        output.write_jsonl([obj], sys.stdout)
    elif c.mode == "plain":
        for fields in plain_lines:
            sys.stdout.write(output.plain_line(fields) + "\n")
    else:
        to_rich(c.console())


def _resolve(ds: "Dataset", name: str) -> Any:
    from kurskcli.query import AmbiguousName, UnknownName, resolve_actor
    from kurskcli.text import safe

    try:
        return resolve_actor(ds, name)
    except AmbiguousName as exc:
        names = ", ".join(f"{a.id} ({a.name})" for a in exc.candidates[:8])
        raise Fail(f"{safe(name)!r} could mean several actors: {names}; use an id", EXIT_USAGE) from None
    except UnknownName as exc:
        hint = ""
        if exc.suggestions:
            hint = "; did you mean " + " or ".join(a.id for a in exc.suggestions) + "?"
        raise Fail(f"no actor matches {safe(name)!r}{hint} (try 'kurskcli actors')", EXIT_NOTHING) from None


def _did_you_mean(ds: "Dataset", record_id: str) -> str:
    from rapidfuzz import fuzz, process

    ids = sorted([*ds.quotes, *ds.claims, *ds.events, *ds.actors, *ds.sources])
    near = [m[0] for m in process.extract(record_id, ids, scorer=fuzz.WRatio, limit=3, score_cutoff=60)]
    return f"; did you mean {' or '.join(near)}?" if near else ""


def _partial_date(value: str | None, *, end: bool, option: str) -> Any:
    if value is None:
        return None
    from kurskcli.dates import DateError, parse_partial
    from kurskcli.text import safe

    try:
        return parse_partial(value, end=end)
    except DateError:
        raise Fail(f"{option}: {safe(value)!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD", EXIT_USAGE) from None


# ----------------------------------------------------------------------------- commands


def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", help="Print the tool and dataset versions.")] = False,
) -> None:
    """Look up who said what, and when, about North Korean troops in the Kursk region (April 2025).

    \b
    Try:
      kurskcli timeline                  the events in date order
      kurskcli quote putin               a speaker's quotes, verbatim
      kurskcli search "monument"         ranked, typo-tolerant search
      kurskcli check "we will never forget our friends"
      kurskcli actor zakharova           one actor's summary
      kurskcli show q-putin-tribute      a record with its source passage
      kurskcli cite q-putin-tribute --style apa
      kurskcli export kursk.sqlite       the data as SQLite (or CSV, JSON, Markdown)
    Add --json (or --jsonl) to any command for scripts.
    """
    if version:
        import json

        from kurskcli.dataset import bundled_bytes

        info = json.loads(bundled_bytes())
        d = info["dataset"]
        _print(f"kurskcli {__version__} (dataset {d['id']} {d['version']}, schema {info['schema_version']})")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        _print(ctx.get_help())
        raise typer.Exit(0)


@command
def timeline(
    actor: Annotated[
        str | None, typer.Option("--actor", "-a", help="Only items involving this actor (name, id or alias).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only items that may fall on or after this date (YYYY[-MM[-DD]]).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only items that may fall on or before this date.")] = None,
    quotes: Annotated[bool, typer.Option("--quotes", "-q", help="Interleave quotes with events.")] = False,
    svg: Annotated[
        Path | None, typer.Option("--svg", metavar="FILE", help="Write the timeline as an SVG picture instead.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write the timeline as an HTML page instead.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --svg or --html file.")] = False,
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Show events (and with --quotes, quotes) in date order.

    Dates are as precise as the source: a range such as 2025-04-26/2025-04-30
    means "some day in that range"; undated items come last.

    \b
    Examples:
      kurskcli timeline
      kurskcli timeline --quotes --since 2025-04-27
      kurskcli timeline --actor putin --json | jq '.[].title'
      kurskcli timeline --quotes --svg timeline.svg
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output, query

    lo = _partial_date(since, end=False, option="--since")
    hi = _partial_date(until, end=True, option="--until")
    if lo and hi and lo > hi:
        raise Fail("--since is after --until", EXIT_USAGE)
    ds = c.dataset()
    actor_id = _resolve(ds, actor).id if actor else None
    items = query.timeline(ds, actor=actor_id, since=lo, until=hi, quotes=quotes)
    if not items:
        _none_found(c, "nothing in the timeline matches")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_timeline

        render_timeline(con, items, ds)

    if svg or html:
        _write_pictures(rich, svg, html, force)
        return
    _emit_list(c, items, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich)


def _write_pictures(draw: Callable[["Console"], None], svg: Path | None, html: Path | None, force: bool) -> None:
    """Draw once on a recording console, then save what it drew as SVG and/or HTML."""
    import io

    from kurskcli.render import make_console
    from kurskcli.text import safe

    if svg and html and svg.resolve() == html.resolve():
        raise Fail("--svg and --html name the same file", EXIT_USAGE)
    # a picture has no terminal to take its width from: COLUMNS, else 100
    con = make_console(io.StringIO(), "always", record=True, default_width=100)
    draw(con)
    for target, kind in ((svg, "SVG"), (html, "HTML")):
        if target is None:
            continue
        if kind == "SVG":
            page = con.export_svg(title="kurskcli timeline", clear=False)
        else:
            page = con.export_html(clear=False)
        _write_file(target, lambda fh, page=page: fh.write(page), force)
        _stderr(f"kurskcli: wrote the timeline to {safe(str(target))} ({kind})")


@command
def quote(
    speaker: Annotated[
        str | None, typer.Argument(help="Name, id or alias, in any script; typos are tolerated.")
    ] = None,
    random: Annotated[bool, typer.Option("--random", "-r", help="Pick one quote at random.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for --random, for a repeatable pick.")] = None,
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Show a speaker's quotes, verbatim (no speaker: all quotes).

    \b
    Examples:
      kurskcli quote putin
      kurskcli quote Путин
      kurskcli quote "state department" --json
      kurskcli quote --random
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output, query

    ds = c.dataset()
    who = _resolve(ds, speaker) if speaker else None
    quotes = query.quotes_by(ds, who.id if who else None)
    if random:
        quotes = query.pick_random(quotes, seed)
    if not quotes:
        _none_found(c, f"no quotes by {who.name} ({who.id}) in the data" if who else "no quotes in the data")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_quotes

        render_quotes(con, quotes, ds)

    _emit_list(c, quotes, lambda r: output.record_dict(r, ds), lambda r: output.plain_record(r, ds), rich)


def _types(values: list[str] | None, allowed: Sequence[str] = ("quote", "claim", "event", "actor")) -> list[str] | None:
    if not values:
        return None
    out = []
    for v in values:
        for part in v.split(","):
            part = part.strip().lower().removesuffix("s")
            if part not in allowed:
                from kurskcli.text import safe

                raise Fail(f"--type: {safe(part)!r} is not one of {', '.join(allowed)}", EXIT_USAGE)
            out.append(part)
    return out


class _LazyProgress:
    """A progress bar that appears (and imports Rich) only if an index is actually built."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            from kurskcli.render import BuildProgress

            self.bar = BuildProgress(sys.stderr, self.label)
        self.bar.update(phase, done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _cached_search(
    paths: list[Path], bundled: bool, query: str, types: list[str] | None, limit: int
) -> "tuple[list[Hit], Dataset]":
    """Search user datasets through the saved index in the cache folder (see kurskcli.index)."""
    from kurskcli import index

    progress = _LazyProgress("building the search index") if _is_terminal(sys.stderr) else None
    try:
        return index.search(
            paths,
            bundled,
            query,
            types=types,
            limit=limit,
            progress=progress,
            warn=lambda message: _stderr(f"kurskcli: note: {message}"),
            debug=_debug_note,
        )
    finally:
        if progress is not None:
            progress.close()


@command
def search(
    query: Annotated[str, typer.Argument(help="Words or a phrase; case, accents and typos are forgiven.")],
    type: Annotated[
        list[str] | None,
        typer.Option(
            "--type", "-t", help="Only these record types: quote, claim, event, actor (repeatable or comma-separated)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000, help="At most this many hits.")] = 20,
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Search quotes, claims, events and actors, best match first.

    Exact phrases and whole words rank above prefixes and typos; each hit has
    a score from 0 to 100.

    \b
    Examples:
      kurskcli search monument
      kurskcli search "shoulder to shoulder" --type quote
      kurskcli search monumnet --json | jq -r '.[0].id'
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output
    from kurskcli.searcher import QueryError
    from kurskcli.searcher import search as run

    types = _types(type)
    paths = c.paths()
    try:
        from kurskcli.env import cache_enabled

        if paths and cache_enabled():
            hits, ds = _cached_search(paths, c.bundled, query, types, limit)
        else:
            ds = c.dataset()
            hits = run(ds, query, types=types, limit=limit)
    except QueryError as exc:
        raise Fail(f"cannot search: {exc}", EXIT_USAGE) from None
    if not hits:
        from kurskcli.text import safe

        _none_found(c, f"nothing matches {safe(query)[:80]!r}")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_hits

        render_hits(con, hits, ds)

    _emit_list(
        c,
        hits,
        lambda h: output.hit_dict(h, ds),
        lambda h: [h.score, h.record.type, *output.plain_record(h.record, ds)],
        rich,
    )


@command
def actors(
    kind: Annotated[
        str | None, typer.Option(help="Only actors of this kind: person, organization, state, media.")
    ] = None,
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """List the actors with how many quotes, claims and events involve each.

    \b
    Examples:
      kurskcli actors
      kurskcli actors --kind person --json | jq -r '.[].name'
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output, query

    ds = c.dataset()
    counts = query.actor_counts(ds)
    people = sorted((a for a in ds.actors.values() if kind is None or a.kind == kind), key=lambda a: a.id)
    if kind is not None and kind not in ("person", "organization", "state", "media"):
        raise Fail("--kind must be person, organization, state or media", EXIT_USAGE)
    if not people:
        _none_found(c, "no actors match")

    def rich(con: "Console") -> None:
        from kurskcli.render import render_actors

        render_actors(con, people, counts)

    _emit_list(
        c,
        people,
        lambda a: {**output.record_dict(a, ds), "counts": counts[a.id]},
        lambda a: [*output.plain_record(a, ds), *counts[a.id].values()],
        rich,
    )


@command
def actor(
    name: Annotated[str, typer.Argument(help="Name, id or alias, in any script.")],
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Summarize one actor: role, affiliation, quotes, claims, events, dates.

    \b
    Examples:
      kurskcli actor zakharova
      kurskcli actor КНДР --json | jq '.counts'
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output, query

    ds = c.dataset()
    s = query.summarize_actor(ds, _resolve(ds, name))
    lines: list[list[object]] = [[*output.plain_record(s.actor, ds)]]
    lines += [[label, *output.plain_record(r, ds)] for label, recs in s.sections() for r in recs]
    if s.sources:
        lines.append(["sources", len(s.sources), ", ".join(s.sources)])

    def rich(con: "Console") -> None:
        from kurskcli.render import render_actor

        render_actor(con, s, ds)

    _emit_one(c, output.summary_dict(s, ds), lines, rich)


def _passages(ds: "Dataset", rec: "Record", width: int = 240) -> list[tuple[str, int, int, str]]:
    from kurskcli.model import Claim, Event, Quote

    spans = []
    if isinstance(rec, (Quote, Claim)):
        spans = [rec.span]
    elif isinstance(rec, Event):
        spans = list(rec.spans)
    out = []
    for sp in spans:
        text = ds.sources[sp.source].text
        lo, hi = max(0, sp.start - width), min(len(text), sp.end + width)
        before = " ".join(text[lo : sp.start].split())
        inner = " ".join(text[sp.start : sp.end].split())
        after = " ".join(text[sp.end : hi].split())
        before = ("…" if lo > 0 else "") + before + (" " if text[lo : sp.start][-1:].isspace() else "")
        after = (" " if text[sp.end : hi][:1].isspace() else "") + after + ("…" if hi < len(text) else "")
        out.append((sp.source, sp.start, sp.end, f"{before}\x00{inner}\x00{after}"))
    return out


@command
def show(
    id: Annotated[str, typer.Argument(help="A record id (see the ID column of other commands).")],
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Show one record in full, with its provenance and the source passage around it.

    \b
    Examples:
      kurskcli show q-putin-tribute
      kurskcli show c-contingent-size --json | jq '.passages[0].text'
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output
    from kurskcli.model import Quote
    from kurskcli.text import safe

    ds = c.dataset()
    rec = ds.get(id.strip())
    if rec is None:
        raise Fail(f"no record with id {safe(id)!r}{_did_you_mean(ds, id)}", EXIT_NOTHING)
    passages = _passages(ds, rec)
    obj = output.record_dict(rec, ds)
    obj["passages"] = []
    for sid, start, end, window in passages:
        before, inner, after = window.split("\x00")
        obj["passages"].append(
            {"source": sid, "start": start, "end": end, "before": before, "text": inner, "after": after}
        )
    comparisons = []
    if isinstance(rec, Quote):
        from kurskcli.query import compare_renderings

        comparisons = compare_renderings(ds, rec)
        obj["renderings"] = [output.comparison_dict(cmp, ds) for cmp in comparisons]
    lines: list[list[object]] = [[*output.plain_record(rec, ds)]]
    if isinstance(rec, Quote) and rec.context:
        lines.append(["context", rec.context])
    for sid, start, end, window in passages:
        lines.append(["passage", sid, start, end, window.replace("\x00", "")])
    for cmp in comparisons:
        src = cmp.source
        lines.append(
            [
                "rendering",
                cmp.quote.id,
                cmp.quote.span.source,
                cmp.quote.date,
                src.language if src else None,
                cmp.quote.text,
            ]
        )
        lines += [["difference", cmp.quote.id, output.RENDERING_OPS[ch.op], ch.said, ch.actual] for ch in cmp.changes]
        if cmp.note:
            lines.append(["note", cmp.quote.id, cmp.note])

    def rich(con: "Console") -> None:
        from kurskcli.render import render_record

        render_record(con, rec, ds, passages, comparisons)

    _emit_one(c, obj, lines, rich)


@command
def check(
    text: Annotated[str, typer.Argument(help="The quotation to check, as you saw it.")],
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Check whether a quotation is real: verbatim, near (with the differences), or not in the data.

    Exits 0 only for a verbatim match; a near match or no match exits 1.

    \b
    Examples:
      kurskcli check "we will never forget our friends"
      kurskcli check "We will always honor the Korean soldiers" --json | jq .verdict
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli import output
    from kurskcli.check import check_quote
    from kurskcli.searcher import QueryError

    ds = c.dataset()
    try:
        result = check_quote(ds, text)
    except QueryError as exc:
        raise Fail(f"cannot check: {exc}", EXIT_USAGE) from None
    if result.source is not None and result.start is not None and result.end is not None:
        words = " ".join(result.source.text[result.start : result.end].split())
        lines: list[list[object]] = [[result.verdict, result.score, result.record.id if result.record else None, words]]
        lines.append(["source", result.source.id, result.start, result.end])
    else:
        lines = [
            [
                result.verdict,
                result.score,
                result.quote.id if result.quote else None,
                result.quote.text if result.quote else None,
            ]
        ]
    lines += [["difference", ch.op, ch.said, ch.actual] for ch in result.changes]
    lines += [["rendering", m.quote.id, m.quote.span.source, m.verdict] for m in result.renderings]

    def rich(con: "Console") -> None:
        from kurskcli.render import render_check

        render_check(con, result, ds)

    _emit_one(c, output.check_dict(result, ds), lines, rich)
    if result.verdict != "verbatim":
        raise typer.Exit(EXIT_NOTHING)


def _about(ds: "Dataset") -> dict[str, Any]:
    from kurskcli import output

    return {
        "type": "about",
        "tool_version": __version__,
        "datasets": [
            {
                "id": i.id,
                "version": i.version,
                "title": i.title,
                "description": i.description,
                "schema_version": i.schema_version,
                "license": i.license,
                "file": i.origin,
            }
            for i in ds.infos
        ],
        "sources": [output.source_dict(s) for s in ds.sources.values()],
        "counts": ds.counts(),
    }


@command
def about(
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Show where the data comes from: datasets, sources, hashes and counts.

    \b
    Example:
      kurskcli about --json | jq '.sources[0].sha256'
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    ds = c.dataset()
    info = _about(ds)
    lines: list[list[object]] = [
        ["dataset", d["id"], d["version"], d["schema_version"], d["title"]] for d in info["datasets"]
    ]
    lines += [
        [
            "source",
            s["id"],
            s["date"],
            s["author"],
            s["title"],
            s["publisher"],
            s["sha256"],
            s["stored"],
            s["channel"],
            s["url"],
        ]
        for s in info["sources"]
    ]
    lines += [["count", k, v] for k, v in info["counts"].items()]

    def rich(con: "Console") -> None:
        from kurskcli.render import render_kv

        for d in info["datasets"]:
            render_kv(
                con,
                f"dataset {d['id']}",
                [
                    ("Title", d["title"]),
                    ("Version", d["version"]),
                    ("Schema", d["schema_version"]),
                    ("About", d["description"]),
                    ("License", d["license"]),
                ],
            )
        for s in info["sources"]:
            render_kv(
                con,
                f"source {s['id']}",
                [
                    ("Title", s["title"]),
                    ("Author", s["author"]),
                    ("Date", s["date"]),
                    ("Publisher", s["publisher"]),
                    ("SHA-256", s["sha256"]),
                    ("Address", s["url"]),
                    ("Stands as", s["channel"]),
                    (
                        "Stored",
                        "the full text" if s["stored"] == "full" else "excerpts: the speakers' words and dates only",
                    ),
                    ("About", s["note"]),
                    ("Characters", s["length"]),
                ],
            )
        render_kv(con, "counts", list(info["counts"].items()), "green")
        con.print(f"kurskcli {__version__}")

    _emit_one(c, info, lines, rich)


@command
def verify(
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.auto,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Check the data against its sources: schema, ids, references, spans, quote text, hashes.

    Exits 0 when everything holds, 65 when anything does not.

    \b
    Examples:
      kurskcli verify
      kurskcli verify --data mydata.json --no-bundled --json
    """
    c = _ctx(json, jsonl, color, data, no_bundled)
    from kurskcli.dataset import DatasetError

    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        ds = c.dataset(verify_hashes=True)
        counts = ds.counts()
    except DatasetError as exc:
        problems = [str(p) for p in exc.problems]
    ok = not problems
    report = {"type": "verify", "ok": ok, "verdict": "ok" if ok else "invalid", "counts": counts, "problems": problems}
    lines: list[list[object]] = [["ok" if ok else "invalid", *(f"{k}={v}" for k, v in counts.items())]]
    lines += [["problem", p] for p in problems]

    def rich(con: "Console") -> None:
        from kurskcli.render import render_kv, render_lines

        if ok:
            render_kv(con, "✔ dataset verified", list(counts.items()), "green")
        else:
            render_lines(con, [f"✘ {len(problems)} problem{'s' if len(problems) != 1 else ''}"], "bold red")
            render_lines(con, problems)

    _emit_one(c, report, lines, rich)
    if not ok:
        raise typer.Exit(EXIT_DATAERR)


class ExportFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    sqlite = "sqlite"
    markdown = "markdown"


@command
def export(
    out: Annotated[str, typer.Argument(metavar="OUT", help="The file to write, or - for standard output.")],
    format: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", help="csv, jsonl, json, sqlite or markdown (default: from OUT's suffix)."),
    ] = None,
    type: Annotated[
        list[str] | None,
        typer.Option("--type", "-t", help="Only these record types: source, actor, quote, claim, event."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Write the whole dataset (or some record types) as CSV, JSON, JSON Lines, SQLite or Markdown.

    The file is written beside OUT and renamed into place when complete, so
    a failure never leaves half a file; an existing OUT is kept unless you
    add --force. CSV cells that a spreadsheet would run as a formula (=, +,
    -, @) start with a ' instead. SQLite has one table per record type with
    foreign keys and a full-text index, "search", over quotes and claims.

    \b
    Examples:
      kurskcli export quotes.csv --type quote
      kurskcli export kursk.sqlite
      kurskcli export - --format jsonl | jq -r 'select(.type=="quote") | .text'
    """
    from kurskcli import export as ex
    from kurskcli.text import safe

    c = _ctx(False, False, Color.auto, data, no_bundled)
    chosen = format.value if format else ex.format_for(out)
    if chosen is None:
        raise Fail(f"cannot tell the format from {safe(out)!r}; add --format ({', '.join(ex.FORMATS)})", EXIT_USAGE)
    types = _types(type, allowed=ex.EXPORT_TYPES)
    if chosen == "sqlite" and out == "-":
        raise Fail("a SQLite database cannot go to standard output; name a file", EXIT_USAGE)
    ds = c.dataset()
    records = ex.selected(ds, types)
    writers = {"csv": ex.write_csv, "jsonl": ex.write_jsonl, "json": ex.write_json, "markdown": ex.write_markdown}
    if out == "-":
        writers[chosen](records, ds, sys.stdout)
        return

    if chosen == "sqlite":
        _write_file(Path(out), lambda path, _fd: ex.write_sqlite(records, ds, path), force, binary=True)
    else:
        write = functools.partial(writers[chosen], records, ds)
        _write_file(Path(out), write, force, newline="" if chosen == "csv" else "\n")
    _stderr(f"kurskcli: wrote {len(records)} records to {safe(out)} ({chosen})")


def _write_file(
    target: Path, fill: Callable[..., Any], force: bool, *, binary: bool = False, newline: str = "\n"
) -> None:
    """Write ``target`` atomically: ``fill(path, fd)`` with ``binary``, else ``fill(text_stream)``."""
    from kurskcli.files import OutputFileError, write_atomically, write_text_atomically
    from kurskcli.text import safe

    try:
        if binary:
            write_atomically(target, fill, force=force)
        else:
            write_text_atomically(target, fill, force=force, newline=newline)
    except OutputFileError as exc:
        raise Fail(safe(str(exc)), exc.code) from None


@command
def cite(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A quote or claim id (see search or quote).")],
    style: Annotated[
        str, typer.Option("--style", "-s", help="plain, markdown, apa, mla, chicago or bibtex.")
    ] = "plain",
    rendering: Annotated[
        str | None,
        typer.Option(
            "--rendering",
            metavar="WHICH",
            help="Cite another rendering of the quote: earliest, own (the speaker's channel) or a quote id.",
        ),
    ] = None,
    json: JsonOpt = False,
    jsonl: JsonlOpt = False,
    color: ColorOpt = Color.never,
    data: DataOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Print a ready citation of a quote or claim and the article it is quoted in.

    The words are cited as found in the source article: APA's "as cited in",
    MLA's "qtd. in", Chicago's "quoted in". A claim in the dataset's own words
    is never put in quotation marks.

    \b
    Examples:
      kurskcli cite q-putin-tribute --style apa
      kurskcli cite q-cmc-monument --style bibtex >> refs.bib
    """
    from kurskcli import cite as citing
    from kurskcli.text import safe

    c = _ctx(json, jsonl, color, data, no_bundled)
    if style not in citing.STYLES:
        raise Fail(f"--style: {safe(style)!r} is not one of {', '.join(citing.STYLES)}", EXIT_USAGE)
    ds = c.dataset()
    if ds.get(record_id) is None:
        raise Fail(f"no record with id {safe(record_id)!r}{_did_you_mean(ds, record_id)}", EXIT_NOTHING)
    if rendering is not None:
        record_id = _rendering_to_cite(ds, record_id, rendering)
    try:
        text = citing.cite(ds, record_id, style)
    except citing.CiteError as exc:
        raise Fail(safe(str(exc)), EXIT_USAGE) from None
    if c.mode in ("json", "jsonl"):
        from kurskcli import output

        obj = {"type": "citation", "id": record_id, "style": style, "text": text}
        (output.write_json if c.mode == "json" else lambda o, out: output.write_jsonl([o], out))(obj, sys.stdout)
        return
    _print(text)


def _rendering_to_cite(ds: "Dataset", record_id: str, which: str) -> str:
    """The id of the rendering ``--rendering`` asks for: earliest, own, or one named by id."""
    from kurskcli import query
    from kurskcli.model import Quote
    from kurskcli.text import safe

    rec = ds.get(record_id)
    if not isinstance(rec, Quote):
        raise Fail(f"--rendering: {record_id!r} is not a quote", EXIT_USAGE)
    if which == "earliest":
        return query.earliest_rendering(ds, rec).id
    if which == "own":
        own = query.own_channel_rendering(ds, rec)
        if own is None:
            raise Fail(f"no rendering of {record_id} from the speaker's own channel is stored", EXIT_NOTHING)
        return own.id
    group = [q.id for q in query.rendering_groups(ds).get(rec.id, [rec])]
    if which not in group:
        raise Fail(
            f"--rendering: {safe(which)!r} is not earliest, own or a rendering of {record_id} ({', '.join(group)})",
            EXIT_USAGE,
        )
    return which


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@command
def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")]) -> None:
    """Print a shell completion script: commands, options, actor names and record ids.

    \b
    Set it up:
      bash:  echo 'eval "$(kurskcli completion bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(kurskcli completion zsh)"' >> ~/.zshrc
      fish:  kurskcli completion fish > ~/.config/fish/completions/kurskcli.fish
    """
    from kurskcli.complete import SCRIPTS

    sys.stdout.write(SCRIPTS[shell.value])


# ----------------------------------------------------------------------------- entry point


@contextmanager
def _guard(debug: bool) -> Iterator[None]:

    def die(message: str, code: int, extra: Sequence[str] = ()) -> NoReturn:
        _stderr(f"kurskcli: {message}")
        for line in extra:
            _stderr(f"  {line}")
        raise SystemExit(code)

    try:
        yield
    except Fail as exc:
        die(str(exc), exc.code, exc.extra)
    except KeyboardInterrupt:
        _stderr(f"kurskcli: {_SIGNAL_WORDS.get(_caught[0], 'interrupted')}")
        raise SystemExit(128 + _caught[0]) from None
    except (BrokenPipeError, PipeClosed):
        _quiet_pipe()
        raise SystemExit(EXIT_OK) from None
    except Exception as exc:
        from kurskcli.dataset import DataFileError, DatasetError

        if isinstance(exc, DatasetError):
            lines = exc.lines()
            die(
                f"invalid dataset ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}):",
                EXIT_DATAERR,
                lines,
            )
        if isinstance(exc, DataFileError):
            die(str(exc), EXIT_NOINPUT)
        from kurskcli.env import SettingError

        if isinstance(exc, SettingError):
            die(str(exc), EXIT_USAGE)
        if isinstance(exc, OSError) and (exc.errno in _OUTPUT_ERRNOS or _is_stdout_error()):
            _quiet_pipe()  # so that the interpreter's last flush of stdout does not fail again
            die(f"cannot write output: {exc.strerror or exc}", EXIT_IOERR)
        if debug:
            raise
        die(f"internal error: {type(exc).__name__}: {exc} (run with KURSKCLI_DEBUG=1 for details)", 70)


# Dataset files are read through read_limited, which turns its OSErrors into DataFileError,
# so an OSError like these that reaches the guard came from writing the output.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG, errno.EDQUOT}


def _debug_note(message: str) -> None:
    if os.environ.get("KURSKCLI_DEBUG", "") not in ("", "0"):
        _stderr(f"kurskcli: debug: {message}")


def _print(text: str) -> None:
    """Text for stdout outside the record renderers (citations, the version): inert on a terminal."""
    from kurskcli.text import safe

    sys.stdout.write(safe(text, keep_newlines=True) + "\n")


def _stderr(line: str) -> None:
    """One line on stderr, made inert: the one way a message reaches the user's terminal."""
    from kurskcli.text import safe

    try:
        sys.stderr.write(safe(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _is_stdout_error() -> bool:
    try:
        sys.stdout.flush()
    except OSError:
        return True
    except ValueError:
        return True
    return False


def _quiet_pipe() -> None:
    # The reader left: point stdout at /dev/null so the interpreter's final flush stays quiet.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _degrade_encoding() -> None:
    """On a stream that cannot carry all of Unicode (PYTHONIOENCODING=ascii), escape what it cannot."""
    from kurskcli.output import carries_unicode

    if not carries_unicode(sys.stdout):
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


# Options every command takes, which may also come before the command name
# (`kurskcli --data big.json search ...`, as with `gh` and `git -C`).
_SHARED_VALUE_OPTIONS = ("--data", "-d", "--color")
_SHARED_FLAGS = ("--json", "--jsonl", "--no-bundled")


def _hoist_shared_options(args: list[str]) -> list[str]:
    """Move shared options that precede the command name to just after it."""
    lead: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        name, has_value = args[i].split("=", 1)[0], "=" in args[i]
        if name in _SHARED_VALUE_OPTIONS and not has_value and i + 1 < len(args):
            lead += args[i : i + 2]
            i += 2
        elif name in _SHARED_VALUE_OPTIONS or (name in _SHARED_FLAGS and not has_value):
            lead.append(args[i])
            i += 1
        else:
            break
    if lead and i < len(args) and args[i] in _COMMANDS:
        return [args[i], *lead, *args[i + 1 :]]
    return args


def _run(args: list[str]) -> int:
    from typer._click.exceptions import ClickException, UsageError
    from typer.exceptions import Abort

    try:
        args = _hoist_shared_options(args)
        first = args[0] if args and not args[0].startswith("-") else None
        app = build_app(first, listing=False) if first in _COMMANDS else build_app(None, listing=True)
        rv = app(args=args, prog_name="kurskcli", standalone_mode=False)
    except SystemExit as exc:
        # Typer answers a BrokenPipeError (from a command or its own help) with exit 1,
        # which here means "nothing found"; a reader that left early is no failure.
        if exc.code == 1 and _reader_gone():
            raise PipeClosed from None
        raise
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "kurskcli"
        raise Fail(f"{exc.format_message()} (see '{where} --help')", EXIT_USAGE) from None
    except ClickException as exc:
        raise Fail(exc.format_message(), exc.exit_code) from None
    except Abort:
        raise KeyboardInterrupt from None
    if rv == EXIT_INTERRUPT:
        raise KeyboardInterrupt
    return rv if isinstance(rv, int) else EXIT_OK


_SIGNAL_WORDS: dict[int, str] = {signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}
_caught: list[int] = [signal.SIGINT]  # the signal that stopped the command


def _stop(signum: int, frame: object) -> None:
    """Ctrl-C, SIGTERM and SIGHUP all stop a command the same way: cleanly, files removed.

    Further signals are ignored from here on, so that a second Ctrl-C cannot cut short the
    clean-up (removing temporary files) that the first one started.
    """
    for sig in _STOP_SIGNALS:
        with contextlib.suppress(ValueError):
            signal.signal(sig, signal.SIG_IGN)
    _caught[0] = signum
    raise KeyboardInterrupt


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _stoppable() -> Iterator[None]:
    """Handle the stop signals for the duration of a command (and restore what was there before)."""
    _caught[0] = signal.SIGINT
    saved = []
    try:
        for sig in _STOP_SIGNALS:
            if signal.getsignal(sig) is not signal.SIG_IGN:  # `nohup` ignores SIGHUP: keep it ignored
                saved.append((sig, signal.signal(sig, _stop)))
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        yield
    finally:
        for sig, handler in saved:
            signal.signal(sig, handler)


def _split_debug(args: list[str]) -> tuple[bool, list[str]]:
    """Take ``--debug`` out of the options (not out of the arguments after ``--``)."""
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end]
    return debug, [a for a in args[:end] if a != "--debug"] + args[end:]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; every error becomes one line on stderr and an exit code from DESIGN.md."""
    debug, args = _split_debug(list(sys.argv[1:] if argv is None else argv))
    debug = debug or os.environ.get("KURSKCLI_DEBUG", "") not in ("", "0")
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        _stderr("kurskcli: cannot write output: standard output is closed")
        raise SystemExit(EXIT_IOERR)
    _degrade_encoding()
    with _stoppable(), _guard(debug):
        code = _run(args)
        sys.stdout.flush()
    raise SystemExit(code)
