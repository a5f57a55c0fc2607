"""The command line as data: every command, its one-line help and options, and the values
options take, standard library only. Completion (answered before Typer is imported) is built
from it, the root help lists commands with its help lines, tests hold the Typer commands to it,
and ``parse`` is the one place arguments are read before Typer reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kurskcli import vocab

# Options every command takes (`completion` only the last three), which may also come before
# the command name (`kurskcli --data big.json search ...`, as with `gh` and `git -C`).
SHARED_OUTPUT = ("--json", "--jsonl", "--color", "--no-pager")
SHARED_DATA = ("--data", "-d", "--no-bundled")
SHARED = (*SHARED_OUTPUT, *SHARED_DATA, "--debug", "--help", "-h")
# The commands, a line of help for each, and their options; tests check these against the CLI.
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "timeline": (
        "events in date order",
        (
            *("--actor", "-a", "--since", "--until", "--on", "--strict", "--limit", "-n"),
            *("--quotes", "-q", "--claims", "--svg", "--html"),
        ),
    ),
    "quote": ("a speaker's quotes, verbatim", ("--random", "-r", "--seed", "--limit", "-n", "--only")),
    "claims": (
        "the claims, who makes and who disputes them",
        ("--claimant", "-c", "--disputed", "--kind", "--limit", "-n"),
    ),
    "search": ("ranked, typo-tolerant search", ("--type", "-t", "--limit", "-n")),
    "actors": ("the actors, with counts", ("--kind",)),
    "actor": ("one actor's summary", ()),
    "show": ("records with their source passages", ()),
    "read": ("a source with every quote, claim and event marked", ()),
    "check": ("is this quote real?", ()),
    "about": ("where the data comes from", ()),
    "verify": ("check the data against its sources", ()),
    "export": ("write the data as CSV, JSON, SQLite, Markdown", ("--format", "-f", "--type", "-t")),
    "cite": ("a citation of a quote or claim", ("--style", "-s", "--rendering")),
    "completion": ("print a shell completion script", ()),
}
FORCE = ("timeline", "export")  # commands with --force
HEADER = ("timeline", "quote", "claims", "search", "actors", "actor")  # commands with --header
NO_OUTPUT_MODE = ("export", "completion")  # commands without --json, --jsonl and --color
ROOT_OPTIONS = ("--version", "-V", "--debug", "--help", "-h")
CHOICES = {
    "--color": vocab.COLORS,
    "--format": vocab.EXPORT_FORMATS,
    "-f": vocab.EXPORT_FORMATS,
    "--style": vocab.CITATION_STYLES,
    "-s": vocab.CITATION_STYLES,
    "--kind": vocab.ACTOR_KINDS,
    "--rendering": vocab.RENDERING_CHOICES,
}
TYPES = {"search": vocab.SEARCH_TYPES, "export": vocab.EXPORT_TYPES}
# An option whose values depend on the command it follows
COMMAND_CHOICES = {("claims", "--kind"): vocab.CLAIM_KINDS}
PATH_OPTIONS = ("--data", "-d", "--svg", "--html")
VALUE_OPTIONS = (*CHOICES, *PATH_OPTIONS, "--type", "-t", "--actor", "-a", "--since", "--until", "--limit", "-n")
VALUE_OPTIONS += ("--seed", "--claimant", "-c", "--on")
SHELLS = vocab.SHELLS
# The names of the top-level fields of every JSON object a command prints (docs/json.md), which
# `--json FIELDS` selects from; a test holds this list to what the commands print.
JSON_FIELDS = frozenset(
    """
    actors affiliation affiliation_name aliases also_in author author_actor channel claimant claimant_name
    claims context counts datasets date date_earliest date_latest dated_by differences disputed
    disputed_by end events first_date id kind language last_date length matched_field matched_terms
    marks members mentioned name note ok partial passages problems publisher quote quotes record relayed
    renderings renderings_differ renders role score sha256 source sources speaker speaker_name start
    status stored style summary text title tool_version type url verbatim verdict via via_name
    """.split()  # noqa: SIM905 - a paragraph of names reads better than a column
)


def options_of(command: str) -> tuple[str, ...]:
    own = COMMANDS[command][1]
    shared: tuple[str, ...] = SHARED
    if command in NO_OUTPUT_MODE:
        shared = tuple(o for o in SHARED if o not in SHARED_OUTPUT)
    if command == "completion":
        shared = ("--debug", "--help", "-h")
    return own + (("--force",) if command in FORCE else ()) + (("--header",) if command in HEADER else ()) + shared


class Argv(NamedTuple):
    """What the entry point needs to know before Typer parses the arguments."""

    command: str | None  # the command named, if any
    args: list[str]  # the arguments, with shared options given before the command moved after it
    debug: bool  # whether --debug is among the options (not an argument after `--`, not a value)


def parse(args: Sequence[str]) -> Argv:
    """Find the command, move shared options that precede it to just after it, and see --debug."""
    lead: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        name, has_value = args[i].split("=", 1)[0], "=" in args[i]
        if name not in SHARED or name in ("--help", "-h"):
            break
        takes_value = name in VALUE_OPTIONS
        if has_value and not takes_value and name not in ("--json", "--jsonl"):  # --json=FIELDS is fine
            break
        step = 2 if takes_value and not has_value and i + 1 < len(args) else 1
        lead += args[i : i + step]
        i += step
    words = list(args)
    command = words[i] if i < len(words) and words[i] in COMMANDS else None
    if command is not None and lead:
        words = [command, *lead, *words[i + 1 :]]
    return Argv(command, _json_fields(words), _has_debug(words))


def _json_fields(words: list[str]) -> list[str]:
    """``--json FIELDS`` and ``--json=FIELDS`` (likewise --jsonl) as ``--json --json-fields FIELDS``.

    A word after ``--json`` is taken as fields only if every name in it is a JSON field, so
    ``quote --json putin`` still names a speaker; ``--json=FIELDS`` is never ambiguous.
    """
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            return out + words[i:]
        name, eq, value = word.partition("=")
        if name in ("--json", "--jsonl") and eq:
            out += [name, "--json-fields", value]
        elif word in ("--json", "--jsonl") and i + 1 < len(words) and _is_field_list(words[i + 1]):
            out += [word, "--json-fields", words[i + 1]]
            i += 1
        else:
            out.append(word)
            if word in VALUE_OPTIONS and i + 1 < len(words):  # its value, whatever it looks like
                out.append(words[i + 1])
                i += 1
        i += 1
    return out


def _is_field_list(word: str) -> bool:
    return all(part in JSON_FIELDS for part in word.split(","))


def _has_debug(words: Sequence[str]) -> bool:
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "--":
            return False
        elif word == "--debug":
            return True
        elif word in VALUE_OPTIONS:
            skip = True  # the next word is this option's value
    return False
