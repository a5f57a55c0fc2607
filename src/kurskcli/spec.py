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
    "locate": ("turn notes into a dataset, every quote found in its source", ("--output", "-o", "--check")),
    "export": ("write the data as CSV, JSON, SQLite, Markdown", ("--format", "-f", "--type", "-t")),
    "cite": ("a citation of a quote or claim", ("--style", "-s", "--rendering")),
    "completion": ("print a shell completion script", ()),
}
FORCE = ("timeline", "export", "locate")  # commands with --force
HEADER = ("timeline", "quote", "claims", "search", "actors", "actor")  # commands with --header
NO_OUTPUT_MODE = ("export", "completion", "locate")  # commands without --json, --jsonl and --color
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
# The top-level fields of the JSON objects each command prints (docs/json.md), which `--json
# FIELDS` selects from; a test holds these lists to what the commands print.
_RECORD = "id type date date_earliest date_latest"
_QUOTE = f"{_RECORD} speaker speaker_name text kind via via_name context language source renders renderings"
_QUOTE += " renderings_differ note related"
_CLAIM = f"{_RECORD} text claimant claimant_name kind status disputed_by actors context verbatim source outcomes"
_EVENT = f"{_RECORD} title summary actors sources dated_by outcomes"
_ACTOR = "id type name kind role affiliation aliases"
_SOURCE = "id type title author author_actor date date_earliest date_latest publisher language url stored channel"
_SOURCE += " note sha256 length"
JSON_FIELDS_OF: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "timeline": f"{_QUOTE} {_CLAIM} {_EVENT}",
        "quote": _QUOTE,
        "claims": _CLAIM,
        "search": f"{_QUOTE} {_CLAIM} {_EVENT} {_ACTOR} score matched_field matched_terms",
        "actors": f"{_ACTOR} counts",
        "actor": f"{_ACTOR} affiliation_name counts members quotes relayed claims disputed mentioned events sources"
        " first_date last_date",
        "show": f"{_QUOTE} {_CLAIM} {_EVENT} {_ACTOR} {_SOURCE} passages related_statements later_reports",
        "check": "type verdict score text record quote source start end differences partial also_in renderings",
        "about": "type tool_version datasets sources counts",
        "verify": "type verdict ok counts problems",
        "cite": "type id style text",
        "read": "type source text marks",
    }.items()
}
JSON_FIELDS = frozenset().union(*JSON_FIELDS_OF.values())


def json_hint(words: Sequence[str], command: str | None) -> str:
    """For a word after ``--json`` that was taken as an argument since it names no field: the
    fields of ``command`` it seems to mean ("; did you mean --json id?"), or ""."""
    import difflib
    import itertools

    known = sorted(JSON_FIELDS_OF.get(command or "", JSON_FIELDS))
    for before, word in itertools.pairwise(words):
        if before in ("--json", "--jsonl") and not _is_field_list(word):
            near = [difflib.get_close_matches(part, known, n=1, cutoff=0.7) for part in word.split(",")]
            if all(near):
                return f"; did you mean {before} {','.join(m[0] for m in near)}?"
    return ""


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
