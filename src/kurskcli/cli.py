"""The command-line app: the command list, the options every command shares, the data source and
output every command uses, and the entry point. The only Typer importer besides ``kurskcli.commands``.

Each command lives in its own module under ``kurskcli.commands`` and is imported only when a run
names it: turning a command's signature into Click parameters is work Typer does per command.
"""

import functools
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from kurskcli import __version__, spec
from kurskcli.errors import Fail, PipeClosed, guard, print_text, reader_gone, stderr_line, stoppable
from kurskcli.exits import EXIT_INTERRUPT, EXIT_IOERR, EXIT_OK, EXIT_USAGE
from kurskcli.inputs import DataSource
from kurskcli.present import Output, progress_bar
from kurskcli.vocab import SEARCH_TYPES

if TYPE_CHECKING:
    from typer._click.exceptions import ClickException, UsageError


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


def limit_option(what: str, most: int | None = None) -> Any:
    """``--limit N`` / ``-n N``: a whole number from 1 (to ``most``), checked here so that the
    help reads "-n, --limit N  At most this many hits." rather than Click's "<int range>"."""
    span = f"1 to {most:,}" if most else "1 or more"

    def check(value: int | None) -> int | None:
        if value is not None and (value < 1 or (most is not None and value > most)):
            raise typer.BadParameter(f"{value} is not {span}")
        return value

    return typer.Option("--limit", "-n", metavar="N", callback=check, help=f"At most this many {what} ({span}).")


# Read before Typer runs (spec.parse), so that the error guard knows it; declared so that it is
# a real option: listed in help, and an argument like any other after `--`.
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for an unexpected error.")]


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
            out.fields = json_fields(kwargs.pop("json_fields", None), func.__name__)
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


def json_fields(value: str | None, command: str) -> tuple[str, ...] | None:
    """The fields `--json FIELDS` keeps, checked against those ``command`` prints; as gh does,
    a name it does not print is refused with the names it does."""
    if value is None:
        return None
    fields = tuple(dict.fromkeys(f.strip() for f in value.split(",") if f.strip()))
    known = spec.JSON_FIELDS_OF.get(command, spec.JSON_FIELDS)
    unknown = [f for f in fields if f not in known]
    if unknown or not fields:
        from kurskcli.text import safe

        what = f"unknown JSON field {safe(unknown[0])!r}" if unknown else "no JSON fields named"
        listed = ", ".join(sorted(known))
        raise Fail(f"--json: {what}; {command} prints {listed}", EXIT_USAGE)
    return fields


def shared(
    json: bool, jsonl: bool, color: Color, data: list[Path] | None, no_bundled: bool
) -> tuple[Output, DataSource]:
    """The output and data source from the options every command shares (checked together)."""
    if json and jsonl:
        raise typer.BadParameter("choose one of --json and --jsonl")
    if no_bundled and not data and not os.environ.get("KURSKCLI_DATA", "").strip():
        raise typer.BadParameter("--no-bundled needs at least one --data file")
    from kurskcli.errors import debug_note

    source = DataSource(
        list(data or []),
        not no_bundled,
        progress_bar=progress_bar,
        note=lambda message: stderr_line(f"kurskcli: note: {message}"),
        debug=debug_note,
    )
    return Output(json, jsonl, color.value), source


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

        from kurskcli.bundled import bundled_bytes

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
        hint = spec.json_hint(args, command) if "unexpected extra argument" in exc.format_message() else ""
        raise Fail(f"{exc.format_message()}{hint} (see '{where} --help')", EXIT_USAGE) from None
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
