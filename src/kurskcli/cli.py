"""The command-line app: the command list, the options every command shares, the data source and
output every command uses, and the entry point. The only Typer importer besides ``kurskcli.commands``.

Each command lives in its own module under ``kurskcli.commands`` and is imported only when a run
names it: turning a command's signature into Click parameters is work Typer does per command.
"""

import contextlib
import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from kurskcli import __version__, spec
from kurskcli.errors import Fail, PipeClosed, guard, ignoring, print_text, reader_gone, stderr_line, stoppable
from kurskcli.exits import EXIT_INTERRUPT, EXIT_IOERR, EXIT_NOTHING, EXIT_OK, EXIT_USAGE
from kurskcli.vocab import SEARCH_TYPES

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click.exceptions import ClickException, UsageError

    from kurskcli.index import Store
    from kurskcli.model import Actor, Dataset, Record
    from kurskcli.searcher import Hits

T = TypeVar("T")

EPILOG = """\b
Options every command takes, before or after its name: --json or --jsonl
(for scripts; --json FIELDS keeps those fields), --color auto|always|never,
--no-pager, --data PATH (repeatable) and --no-bundled, --debug. Lists also
take --header (name the columns of piped output).

\b
Exit codes: 0 found or done, 1 nothing found, 2 usage error or ambiguous name,
65 invalid dataset, 66 dataset unreadable, 73/74 output cannot be created/written,
130 interrupted.

\b
Environment: KURSKCLI_DATA (extra dataset files, ':'-separated), NO_COLOR,
FORCE_COLOR, KURSKCLI_PAGER or PAGER (default less -FRX), KURSKCLI_DEBUG=1 (tracebacks)."""


# The commands, in the order the root help lists them; each is kurskcli.commands.NAME.NAME.
COMMANDS = tuple(spec.COMMANDS)


def command_function(name: str) -> Callable[..., None]:
    module = importlib.import_module(f"kurskcli.commands.{name}")
    func: Callable[..., None] = getattr(module, name)
    return func


def build_app(only: str | None = None, *, listing: bool = False) -> typer.Typer:
    """The Typer app with every command, or with just ``only``.

    Turning a command's signature into Click parameters is work Typer does per command, so
    a run that names its command registers that one alone, and a run that
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
    for name in COMMANDS:
        if listing:
            app.command(name=name, help=spec.COMMANDS[name][0])(_stand_in)
        elif only is None or name == only:
            app.command()(command_function(name))
    return app


def _stand_in() -> None:
    """Listed in the root help only; never invoked (a named command gets its real function)."""


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


# ----------------------------------------------------------------------------- shared options

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]

JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line.")]

# Set by spec.parse from `--json FIELDS` or `--json=FIELDS`; not typed by hand, so not listed.
JsonFieldsOpt = Annotated[str | None, typer.Option("--json-fields", hidden=True)]

NoPagerOpt = Annotated[bool, typer.Option("--no-pager", help="Print long terminal output without a pager.")]

HeaderOpt = Annotated[bool, typer.Option("--header", help="Begin plain output with a row of column names.")]

ColorOpt = Annotated[
    Color, typer.Option("--color", case_sensitive=False, help="Colour on a terminal: auto, always or never.")
]

DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data", "-d", help="Load this dataset file too (repeatable; see also KURSKCLI_DATA).", metavar="PATH"
    ),
]

NoBundledOpt = Annotated[bool, typer.Option("--no-bundled", help="Leave the bundled dataset out.")]

# Read before Typer runs (spec.parse), so that the error guard knows it; declared so that it is
# a real option: listed in help, and an argument like any other after `--`.
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for an unexpected error.")]


class DataSource:
    """Where a command's data comes from: KURSKCLI_DATA, --data, and whether the bundled dataset is in."""

    def __init__(self, data: list[Path], bundled: bool) -> None:
        self.data, self.bundled = data, bundled
        self._dataset: Dataset | None = None

    def paths(self) -> list[Path]:
        from kurskcli.env import data_paths

        return [*data_paths(), *self.data]

    def load(self, verify_hashes: bool = False, kinds: Sequence[str] | None = None) -> "Dataset":
        """Every record. User datasets come from their store when one is saved and current
        (reading it is faster than reading and checking the files); ``verify_hashes`` (as
        `verify` asks) always reads the files themselves. With ``kinds``, only the records of
        those kinds and the actors are needed: a store reads no other (the files hold them all)."""
        if not verify_hashes:
            # every record: saving the store first would bound no memory, only add time
            stored = self._from_store(lambda disk: disk.dataset(kinds), build=kinds is not None)
            if stored and kinds is not None:
                return stored[0]
            if stored:
                self._dataset = stored[0]
        if self._dataset is None:
            from kurskcli.dataset import load_dataset

            with self._reading("kurskcli") as progress:
                self._dataset = load_dataset(
                    self.paths(), bundled=self.bundled, verify_hashes=verify_hashes, progress=progress
                )
        return self._dataset

    def verified_counts(self) -> dict[str, int]:
        """Every check of the data, against the files themselves (never the store), and how
        many records of each kind it holds; raises DatasetError as ``load`` does."""
        from kurskcli.dataset import verified_counts

        with self._reading("verify") as progress:
            return verified_counts(self.paths(), bundled=self.bundled, progress=progress)

    @contextlib.contextmanager
    def _reading(self, label: str) -> "Iterator[Callable[[int, int], None] | None]":
        """What JSON Lines read in full report to: the share read, on a progress bar."""
        with _progress_bar(label) as bar:
            yield None if bar is None else lambda done, total: bar("reading", done, total)

    def overview(self) -> "Dataset":
        """Every actor and source and how many records of each kind there are (``counts``): user
        datasets from their store when one is saved and current, without reading the records."""
        stored = self._from_store(lambda disk: disk.overview())
        return stored[0] if stored else self.load()

    def actor_counts(self) -> "tuple[Dataset, dict[str, dict[str, int]]]":
        """Every actor and source, and ``query.actor_counts``: user datasets from their store when
        one is saved and current, where the counts were made as it was written."""
        stored = self._from_store(lambda disk: (disk.context([]), disk.actor_counts()))
        if stored:
            return stored[0]
        from kurskcli.query import actor_counts

        ds = self.load()
        return ds, actor_counts(ds)

    def naming(self, name: str, kinds: Sequence[str], *, members: bool = False) -> "tuple[Dataset, Actor]":
        """The actor ``name`` resolves to, and a dataset with every actor and source and the
        records of ``kinds`` that name it (with ``members``, it or any actor affiliated with it);
        user datasets from their store when one is saved and current, without reading every
        record. Loaded whole otherwise."""
        from kurskcli.query import members_of

        chosen: list[Actor] = []

        def choose(actors: "Dataset") -> set[str]:
            chosen.append(resolve(actors, name))
            return members_of(actors, chosen[0].id) if members else {chosen[0].id}

        stored = self._from_store(lambda disk: disk.about_actors(choose, kinds))
        if stored:
            return stored[0], chosen[0]
        ds = self.load()
        return ds, resolve(ds, name)

    def _from_store(self, on_disk: "Callable[[Store], T]", build: bool = True) -> list[T]:
        """``[on_disk(store)]`` for user datasets whose store is saved and current, or (with
        ``build``, unless the data is loaded already) for large JSON Lines answered as they are
        read, or saved to the store as they are read; ``[]`` otherwise."""
        if self._dataset is not None or not self.paths():
            return []
        from kurskcli import index

        if not self._stored():
            found = self._as_read(lambda bar: index.as_read(self.paths(), self.bundled, on_disk, bar)) if build else []
            return found or []
        with self._store_options() as options:
            return index.stored(self.paths(), self.bundled, on_disk, build=build, **options)

    def _as_read(self, read: "Callable[[_LazyProgress | None], T | None]") -> "T | None":
        """With the cache off, ``read(progress bar)`` for large JSON Lines not loaded yet, which
        are answered as they are read; None for other data, and where ``read`` gives None."""
        if self._dataset is not None or not self.paths():
            return None
        from kurskcli import index

        if not index.streams(self.paths()):
            return None
        with _progress_bar("kurskcli") as bar:
            return read(bar)

    def _stored(self) -> bool:
        """Whether to go through the saved index: for user datasets, unless the cache is off."""
        from kurskcli.env import cache_enabled

        return bool(self.paths()) and cache_enabled()

    @contextlib.contextmanager
    def _store_options(self) -> "Iterator[dict[str, Any]]":
        """How the saved index reports: a progress bar on a terminal while the data is read or the
        index built, notes, debug lines."""
        from kurskcli.errors import debug_note

        with _progress_bar("kurskcli") as progress:
            yield {
                "progress": progress,
                "warn": lambda message: stderr_line(f"kurskcli: note: {message}"),
                "debug": debug_note,
            }

    def search(self, query: str, types: list[str] | None, limit: int) -> "tuple[Hits, Dataset]":
        """Ranked hits and a dataset that can show them; user datasets through the saved index."""
        if not self._stored():
            from kurskcli.searcher import ScanIndex

            def as_read(bar: "_LazyProgress | None") -> "tuple[Hits, Dataset] | None":
                from kurskcli import scan

                return scan.search(self.paths(), self.bundled, query, types=types, limit=limit, progress=bar)

            found = self._as_read(as_read)
            if found is not None:
                return found
            ds = self.load()  # one search: scanning for its words is quicker than indexing them all
            with _progress_bar("kurskcli") as bar:
                return ScanIndex(ds.records(), ds.passage, bar).search(query, types=types, limit=limit), ds
        from kurskcli import index

        with self._store_options() as options:
            return index.search(self.paths(), self.bundled, query, types=types, limit=limit, **options)

    def lookup(
        self, record_ids: Sequence[str], on_missing: "Callable[[Dataset, list[str]], None] | None" = None
    ) -> "tuple[list[Record], Dataset]":
        """Records by id and a dataset that can show them; user datasets through the saved index,
        so that a large file is not read again. Ids that name no record fail with suggestions,
        after ``on_missing`` (given a dataset with every actor) has had its say."""

        def as_read(
            bar: "_LazyProgress | None",
        ) -> "tuple[list[Record | None], Dataset, Callable[[], list[str]]] | None":
            from kurskcli import index

            return index.lookup_as_read(self.paths(), self.bundled, record_ids, bar)

        found = self._as_read(as_read) if not self._stored() else None
        if found is not None:
            recs, ds, ids = found
        elif not self._stored():
            ds = self.load()
            recs, ids = [ds.get(rid) for rid in record_ids], ds.ids
        else:
            from kurskcli import index

            with self._store_options() as options:
                recs, ds, ids = index.lookup(self.paths(), self.bundled, record_ids, **options)
        missing = [rid for rid, rec in zip(record_ids, recs, strict=True) if rec is None]
        if missing:
            from kurskcli.text import safe

            if on_missing is not None:
                on_missing(ds, missing)

            every = ids()
            raise Fail(
                "; ".join(f"no record with id {safe(rid)!r}{did_you_mean(every, rid)}" for rid in missing), EXIT_NOTHING
            )
        return [rec for rec in recs if rec is not None], ds


def page(text: str, pager: list[str]) -> None:
    """Show ``text`` through ``pager`` if it is taller than the terminal, else print it."""
    import shutil
    import subprocess

    if text.count("\n") < shutil.get_terminal_size().lines - 1:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    env = {**os.environ}
    env.setdefault("LESS", "FRX")  # as git does: quit if one screen, keep colours, leave the text on screen
    try:
        proc = subprocess.Popen(pager, stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        stderr_line(f"kurskcli: note: cannot run the pager {pager[0]!r}: {exc.strerror or exc}")
        sys.stdout.write(text)
        return
    assert proc.stdin is not None
    # As git does: while the pager runs, Ctrl-C is the pager's (less uses it to stop a search);
    # were kurskcli to exit on it, the shell's prompt would come back while less still reads keys.
    with ignoring(signal.SIGINT, signal.SIGQUIT):
        try:
            proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the reader quit the pager early: nothing lost
        proc.wait()


@contextlib.contextmanager
def _progress_bar(label: str) -> "Iterator[_LazyProgress | None]":
    """A progress bar on stderr if it is a terminal (None if not), closed when the work is done."""
    bar = _LazyProgress(label) if is_terminal(sys.stderr) else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


class _LazyProgress:
    """A progress bar on stderr that appears (and imports Rich) only once the work (building an
    index, reading large data) has taken longer than KURSKCLI_PROGRESS_DELAY seconds: a small
    file is read before a bar would be."""

    def __init__(self, label: str) -> None:
        import time

        from kurskcli.env import progress_delay

        self.label = label
        self.bar: Any = None
        self.due = time.monotonic() + progress_delay()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            import time

            if time.monotonic() < self.due:
                return
            from kurskcli.render import BuildProgress

            self.bar = BuildProgress(sys.stderr, self.label)
        self.bar.update(phase, done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Output:
    """Where a command's results go and how: one JSON document, JSON Lines, plain lines, or a terminal."""

    def __init__(self, json: bool, jsonl: bool, color: Color, header: bool = False) -> None:
        self.json, self.jsonl, self.color, self.header = json, jsonl, color, header
        self.fields: tuple[str, ...] | None = None  # --json FIELDS: only these, in this order
        self.no_pager = False

    @property
    def mode(self) -> str:
        if self.json:
            return "json"
        if self.jsonl:
            return "jsonl"
        if self.color is Color.always or (self.color is Color.auto and os.environ.get("FORCE_COLOR")):
            return "rich"
        return "rich" if stdout_is_terminal() else "plain"

    def console(self) -> "Console":
        from kurskcli.render import make_console

        return make_console(sys.stdout, self.color.value)

    def terminal(self, draw: Callable[["Console"], None]) -> None:
        """Draw for the terminal; output taller than the screen goes through the pager."""
        pager = self.pager_command()
        con = self.console()
        if pager is None:
            draw(con)
            return
        with con.capture() as captured:
            draw(con)
        page(captured.get(), pager)

    def pager_command(self) -> list[str] | None:
        """The pager to use, or None: never when piped or with --no-pager; KURSKCLI_PAGER, else
        PAGER, else ``less -FRX`` where there is one (an empty value, or ``cat``, means none)."""
        import shlex
        import shutil

        if self.no_pager or not stdout_is_terminal():
            return None
        value = os.environ.get("KURSKCLI_PAGER", os.environ.get("PAGER"))
        if value is None:
            return ["less", "-FRX"] if shutil.which("less") else None
        try:
            words = shlex.split(value)
        except ValueError:
            return None
        return None if not words or words == ["cat"] else words

    def emit_list(
        self,
        records: Sequence[Any],
        to_obj: Callable[[Any], Any],
        to_plain: Callable[[Any], Sequence[object]],
        to_rich: Callable[["Console"], None],
        columns: Sequence[str] = (),
    ) -> None:
        """Records as a JSON array, JSON Lines, plain rows of ``columns`` (named first with
        --header), or on the terminal."""
        from kurskcli import output

        if self.mode == "json":
            self.write_json([to_obj(r) for r in records])
        elif self.mode == "jsonl":
            self.write_jsonl(to_obj(r) for r in records)
        elif self.mode == "plain":
            write = sys.stdout.write
            if self.header:
                write(output.plain_line(columns) + "\n")
            for r in records:
                write(output.plain_line(to_plain(r)) + "\n")
        else:
            self.terminal(to_rich)

    def emit_one(
        self,
        obj: Any,
        plain_lines: Sequence[Sequence[object]],
        to_rich: Callable[["Console"], None],
        columns: Sequence[str] = (),
    ) -> None:
        from kurskcli import output

        if self.mode == "json":
            self.write_json(obj)
        elif self.mode == "jsonl":
            self.write_jsonl([obj])
        elif self.mode == "plain":
            if self.header:
                sys.stdout.write(output.plain_line(columns) + "\n")
            for fields in plain_lines:
                sys.stdout.write(output.plain_line(fields) + "\n")
        else:
            self.terminal(to_rich)

    def _select(self, obj: Any) -> Any:
        if self.fields is None or not isinstance(obj, dict):
            return obj
        return {name: obj.get(name) for name in self.fields}

    def write_json(self, obj: Any) -> None:
        """One JSON document: an object, or an array of them (each cut to --json FIELDS)."""
        from kurskcli import output

        output.write_json([self._select(o) for o in obj] if isinstance(obj, list) else self._select(obj), sys.stdout)

    def write_jsonl(self, objs: Iterable[Any]) -> None:
        from kurskcli import output

        output.write_jsonl((self._select(o) for o in objs), sys.stdout)

    def none_found(self, message: str) -> NoReturn:
        """An empty list: exit 1 like grep, and for --json still the empty array a script expects."""
        if self.mode == "json":
            sys.stdout.write("[]\n")
        raise Fail(message, EXIT_NOTHING)


def with_shared_options(
    *, output: bool = True, color: "Color | None" = None, header: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options every command shares, defined once here.

    The command declares keyword-only ``out: Output`` and ``inputs: DataSource`` and gets them
    built from ``--json``, ``--jsonl``, ``--color`` (default ``color``, else auto), ``--data``
    and ``--no-bundled``; with ``output=False`` only the data options (its ``out`` is unused);
    with ``header``, also ``--header`` (for commands whose plain output has set columns).
    Typer reads the command's signature, so the wrapper shows it the command's own options
    followed by the shared ones.
    """
    import inspect

    default_color = color or Color.auto
    kw = inspect.Parameter.KEYWORD_ONLY
    extra = [
        inspect.Parameter("data", kw, default=None, annotation=DataOpt),
        inspect.Parameter("no_bundled", kw, default=False, annotation=NoBundledOpt),
        inspect.Parameter("debug", kw, default=False, annotation=DebugOpt),
    ]
    if output:
        extra = [
            inspect.Parameter("json", kw, default=False, annotation=JsonOpt),
            inspect.Parameter("jsonl", kw, default=False, annotation=JsonlOpt),
            inspect.Parameter("json_fields", kw, default=None, annotation=JsonFieldsOpt),
            inspect.Parameter("color", kw, default=default_color, annotation=ColorOpt),
            inspect.Parameter("no_pager", kw, default=False, annotation=NoPagerOpt),
            *extra,
        ]
    if header:
        extra.insert(2, inspect.Parameter("header", kw, default=False, annotation=HeaderOpt))

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(func)
        own = [p for p in sig.parameters.values() if p.name not in ("out", "inputs")]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> None:
            json, jsonl = kwargs.pop("json", False), kwargs.pop("jsonl", False)
            colour = kwargs.pop("color", default_color)
            kwargs.pop("debug", None)  # already read by spec.parse
            out, inputs = shared(json, jsonl, colour, kwargs.pop("data", None), kwargs.pop("no_bundled", False))
            out.header = kwargs.pop("header", False)
            out.no_pager = kwargs.pop("no_pager", False)
            out.fields = json_fields(kwargs.pop("json_fields", None))
            if out.header and out.mode in ("json", "jsonl"):
                raise typer.BadParameter(f"--header names the columns of plain output, not of --{out.mode}")
            func(*args, out=out, inputs=inputs, **kwargs)

        run.__signature__ = sig.replace(parameters=[*own, *extra])  # type: ignore[attr-defined]  # read by Typer
        run.__annotations__ = {
            **{k: v for k, v in func.__annotations__.items() if k not in ("out", "inputs")},
            **{p.name: p.annotation for p in extra},
        }
        return run

    return decorate


def json_fields(value: str | None) -> tuple[str, ...] | None:
    """The fields `--json FIELDS` keeps, checked against the fields commands print."""
    if value is None:
        return None
    fields = tuple(dict.fromkeys(f.strip() for f in value.split(",") if f.strip()))
    unknown = [f for f in fields if f not in spec.JSON_FIELDS]
    if unknown or not fields:
        from kurskcli.text import safe

        what = f"unknown JSON field {safe(unknown[0])!r}" if unknown else "no JSON fields named"
        raise Fail(f"--json: {what}; see docs/json.md for the fields of each command", EXIT_USAGE)
    return fields


def shared(
    json: bool, jsonl: bool, color: Color, data: list[Path] | None, no_bundled: bool
) -> tuple[Output, DataSource]:
    """The output and data source from the options every command shares (checked together)."""
    if json and jsonl:
        raise typer.BadParameter("choose one of --json and --jsonl")
    if no_bundled and not data and not os.environ.get("KURSKCLI_DATA", "").strip():
        raise typer.BadParameter("--no-bundled needs at least one --data file")
    return Output(json, jsonl, color), DataSource(list(data or []), not no_bundled)


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def stdout_is_terminal() -> bool:
    return is_terminal(sys.stdout)


def resolve(ds: "Dataset", name: str) -> "Actor":
    from kurskcli.query import AmbiguousName, UnknownName, resolve_actor
    from kurskcli.text import safe

    try:
        return resolve_actor(ds, name)
    except AmbiguousName as exc:
        names = ", ".join(f"{a.id} ({a.name})" for a in exc.candidates[:8])
        raise Fail(f"{safe(name)!r} could mean several actors: {names}; use an id", exc.exit_code) from None
    except UnknownName as exc:
        hint = ""
        if exc.suggestions:
            hint = "; did you mean " + " or ".join(a.id for a in exc.suggestions) + "?"
        raise Fail(f"no actor matches {safe(name)!r}{hint} (try 'kurskcli actors')", exc.exit_code) from None


def did_you_mean(ids: Sequence[str], record_id: str) -> str:
    from rapidfuzz import fuzz, process

    ids = sorted(ids)
    # case aside: `show Q-PUTIN-TRIBUTE` suggests q-putin-tribute first
    matches = process.extract(record_id, ids, scorer=fuzz.WRatio, processor=str.casefold, limit=3, score_cutoff=60)
    near = [m[0] for m in matches]
    return f"; did you mean {' or '.join(near)}?" if near else ""


def partial_date(value: str | None, *, end: bool, option: str) -> Any:
    if value is None:
        return None
    from kurskcli.dates import DateError, parse_partial
    from kurskcli.text import safe

    try:
        return parse_partial(value, end=end)
    except DateError:
        raise Fail(f"{option}: {safe(value)!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD", EXIT_USAGE) from None


def choose(value: str, allowed: Sequence[str], option: str, aliases: dict[str, str] | None = None) -> str:
    """One of ``allowed``, case aside, singular or plural, or through an alias; else a usage error."""
    key = value.strip().lower()
    key = (aliases or {}).get(key, key)
    if key not in allowed and key.removesuffix("s") in allowed:
        key = key.removesuffix("s")
    if key not in allowed:
        from kurskcli.text import safe

        raise Fail(f"{option}: {safe(value)!r} is not one of {', '.join(allowed)}", EXIT_USAGE)
    return key


def parse_types(values: list[str] | None, allowed: Sequence[str] = SEARCH_TYPES) -> list[str] | None:
    """``--type`` values: repeatable or comma-separated, singular or plural, each one of ``allowed``."""
    if not values:
        return None
    return [choose(part, allowed, "--type") for v in values for part in v.split(",")]


def write_file(
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


# ----------------------------------------------------------------------------- the root and the entry point


def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", help="Print the tool and dataset versions.")] = False,
    debug: DebugOpt = False,
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
      kurskcli read                      the article, each quote and claim marked
      kurskcli cite q-putin-tribute --style apa
      kurskcli export kursk.sqlite       the data as SQLite (or CSV, JSON, Markdown)
    Add --json (or --jsonl) to any command for scripts.
    """
    if version:
        import json

        from kurskcli.dataset import bundled_bytes

        info = json.loads(bundled_bytes())
        d = info["dataset"]
        print_text(f"kurskcli {__version__} (dataset {d['id']} {d['version']}, schema {info['schema_version']})")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        print_text(ctx.get_help())
        raise typer.Exit(0)


def _degrade_encoding() -> None:
    """On a stream that cannot carry all of Unicode (PYTHONIOENCODING=ascii), escape what it cannot."""
    from kurskcli.output import carries_unicode

    if not carries_unicode(sys.stdout):
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def click_errors() -> "tuple[type[ClickException], type[UsageError]]":
    """The exception classes a Typer app raises with ``standalone_mode=False``: (ClickException, UsageError).

    Typer 0.28 vendors Click as the private ``typer._click``; this is the one place kurskcli
    reaches into it (pyproject.toml pins ``typer<0.29``). A Typer release that moves them makes
    tests/test_cli.py::test_the_click_errors_typer_raises_are_where_the_cli_looks fail at once.
    """
    from typer._click import exceptions

    return exceptions.ClickException, exceptions.UsageError


def _run(args: list[str], command: str | None) -> int:
    from typer.exceptions import Abort

    ClickException, UsageError = click_errors()  # classes, named as Click names them

    try:
        app = build_app(command) if command is not None else build_app(None, listing=True)
        rv = app(args=args, prog_name="kurskcli", standalone_mode=False)
    except SystemExit as exc:
        # Typer answers a BrokenPipeError (from a command or its own help) with exit 1,
        # which here means "nothing found"; a reader that left early is no failure.
        if exc.code == 1 and reader_gone():
            raise PipeClosed from None
        raise
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else " ".join(["kurskcli", *([command] if command else [])])
        raise Fail(f"{exc.format_message()} (see '{where} --help')", EXIT_USAGE) from None
    except ClickException as exc:
        raise Fail(exc.format_message(), exc.exit_code) from None
    except Abort:
        raise KeyboardInterrupt from None
    if rv == EXIT_INTERRUPT:
        raise KeyboardInterrupt
    return rv if isinstance(rv, int) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; every error becomes one line on stderr and an exit code from DESIGN.md."""
    from kurskcli import spec

    parsed = spec.parse(list(sys.argv[1:] if argv is None else argv))
    debug = parsed.debug or os.environ.get("KURSKCLI_DEBUG", "") not in ("", "0")
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        stderr_line("kurskcli: cannot write output: standard output is closed")
        raise SystemExit(EXIT_IOERR)
    _degrade_encoding()
    with stoppable(), guard(debug):
        code = _run(parsed.args, parsed.command)
        sys.stdout.flush()
    raise SystemExit(code)
