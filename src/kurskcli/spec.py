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
SHARED_OUTPUT = ("--json", "--jsonl", "--color")
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
    "show": ("one record with its source passage", ()),
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
        if has_value and not takes_value:
            break
        step = 2 if takes_value and not has_value and i + 1 < len(args) else 1
        lead += args[i : i + step]
        i += step
    words = list(args)
    command = words[i] if i < len(words) and words[i] in COMMANDS else None
    if command is not None and lead:
        words = [command, *lead, *words[i + 1 :]]
    return Argv(command, words, _has_debug(words))


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
