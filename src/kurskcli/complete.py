"""Shell completion for bash, zsh and fish, answered without importing Typer or Rich.

The scripts printed by ``kurskcli completion SHELL`` call ``kurskcli __complete SHELL WORD...``
with the words typed after ``kurskcli`` (the last one being the word under the cursor, perhaps
empty). The answer is one candidate per line; ``__files__`` asks the shell to complete a path.
Actor ids and record ids come from the data the command would load (the bundled dataset,
``KURSKCLI_DATA`` and any ``--data`` already typed), read without validation.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable, Sequence

from kurskcli.model import ID
from kurskcli.spec import (
    CHOICES,
    COMMAND_CHOICES,
    COMMANDS,
    PATH_OPTIONS,
    ROOT_OPTIONS,
    SHARED,
    SHELLS,
    TYPES,
    VALUE_OPTIONS,
    options_of,
)
from kurskcli.spec import parse as parse_argv

FILES = "__files__"
MAX_BYTES = 64 * 1024 * 1024


def _data_files(words: Sequence[str]) -> tuple[list[str], bool]:
    from kurskcli.env import data_paths

    paths = [str(p) for p in data_paths()]
    bundled = True
    for i, word in enumerate(words):
        if word in ("--data", "-d") and i + 1 < len(words):
            paths.append(words[i + 1])
        elif word.startswith("--data="):
            paths.append(word.split("=", 1)[1])
        elif word == "--no-bundled":
            bundled = False
    return paths, bundled


def _documents(words: Sequence[str]) -> Iterable[dict[str, object]]:
    paths, bundled = _data_files(words)
    if bundled:
        from kurskcli.bundled import bundled_bytes

        yield json.loads(bundled_bytes())
    for path in paths:
        doc = _read_document(path)
        if isinstance(doc, dict):
            yield doc


def _read_document(path: str) -> object:
    """A dataset file's JSON, or None for anything that is not a readable regular file of JSON.

    Opened without blocking and checked to be a regular file before a byte is read: a FIFO
    or a device named by --data must not hang the shell's Tab key.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_BYTES)
        if path.lower().endswith((".jsonl", ".ndjson")):
            return _lines_document(data)
        return json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)


def _lines_document(data: bytes) -> dict[str, list[object]]:
    """A JSON Lines dataset's records gathered by type, as a JSON dataset holds them."""
    doc: dict[str, list[object]] = {}
    for line in data.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("type"), str):
            doc.setdefault(obj["type"] + "s", []).append(obj)
    return doc


def _is_id(value: object) -> bool:
    """Only an id that the loader would accept is offered: a shell must never see anything else."""
    return isinstance(value, str) and ID.fullmatch(value) is not None


def _inert(value: str) -> bool:
    """A name safe to offer as a value: printable, one line, not an option."""
    from kurskcli.text import safe

    return bool(value) and safe(value) == value and not value.startswith("-") and len(value) <= 80


def _label(value: object) -> str:
    """A one-line description, inert on a terminal (zsh and fish print descriptions as they are)."""
    from kurskcli.text import safe

    return safe(" ".join(str(value).split())[:60])


def _records(words: Sequence[str], tables: Sequence[str]) -> list[tuple[str, str]]:
    """(id, description) of the records in ``tables`` of every dataset the command would load."""
    out: list[tuple[str, str]] = []
    for doc in _documents(words):
        for table in tables:
            items = doc.get(table)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, dict) and _is_id(item.get("id")):
                    label = item.get("name") or item.get("title") or item.get("text") or ""
                    out.append((item["id"], _label(label)))
    return out


def _actor_matches(words: Sequence[str], prefix: str) -> list[tuple[str, str]]:
    """Actors whose id, name or alias starts with ``prefix`` (case and accents folded).

    Each is offered by its id when the id matches, else by the name or alias that does, as
    written: zsh and fish keep only candidates that start with what was typed, so ``Пут``
    must become ``Путин``, not ``putin`` (which bash would accept); the command takes either."""
    from kurskcli.text import fold

    want = fold(prefix)
    out = []
    for doc in _documents(words):
        actors = doc.get("actors")
        for item in actors if isinstance(actors, list) else []:
            if not isinstance(item, dict) or not _is_id(item.get("id")):
                continue
            aliases = item.get("aliases")
            names = [item["id"], str(item.get("name", "")), *[str(a) for a in aliases or [] if isinstance(a, str)]]
            match = next((n for n in names if fold(n).startswith(want)), None)
            if match is not None:
                out.append(
                    (match if match != item["id"] and _inert(match) else item["id"], _label(item.get("name", "")))
                )
    return out


def candidates(words: Sequence[str]) -> list[tuple[str, str]]:
    """What may come next: (value, description) pairs, or [(FILES, "")] for a path."""
    *before, current = words or [""]
    command = parse_argv(before).command
    previous = before[-1] if before else ""
    if previous in PATH_OPTIONS:
        return [(FILES, "")]
    choices = COMMAND_CHOICES.get((command or "", previous))
    if choices is not None:
        return [(c, "") for c in choices if c.startswith(current)]
    if previous in CHOICES:
        return [(c, "") for c in CHOICES[previous] if c.startswith(current)]
    if previous in ("--type", "-t"):
        return [(t, "") for t in TYPES.get(command or "", TYPES["search"]) if t.startswith(current)]
    if previous in ("--actor", "-a", "--claimant", "-c"):
        return _actor_matches(before, current)
    if previous in VALUE_OPTIONS:
        return []  # a date or a number: nothing to suggest
    if command is None:
        if current.startswith("-"):
            return [(o, "") for o in (*ROOT_OPTIONS, *SHARED) if o.startswith(current)]
        return [(name, help_) for name, (help_, _) in COMMANDS.items() if name.startswith(current)]
    if current.startswith("-"):
        return [(o, "") for o in options_of(command) if o.startswith(current)]
    positional = [w for i, w in enumerate(before) if _is_positional(before, i) and w != command]
    if positional:
        return []  # every command takes one argument at most
    if command in ("quote", "actor"):
        return _actor_matches(before, current)
    if command == "show":
        tables = ("quotes", "claims", "events", "actors", "sources")
        return [(i, d) for i, d in _records(before, tables) if i.startswith(current)]
    if command == "read":
        return [(i, d) for i, d in _records(before, ("sources",)) if i.startswith(current)]
    if command == "cite":
        return [(i, d) for i, d in _records(before, ("quotes", "claims")) if i.startswith(current)]
    if command == "export":
        return [(FILES, "")]
    if command == "completion":
        return [(s, "") for s in SHELLS if s.startswith(current)]
    return []


def _is_positional(words: Sequence[str], i: int) -> bool:
    word = words[i]
    if word.startswith("-"):
        return False
    return not (i > 0 and words[i - 1] in VALUE_OPTIONS)


def answer(shell: str, words: Sequence[str]) -> str:
    lines = []
    for value, help_ in candidates(words):
        if shell == "fish" and help_:
            lines.append(f"{value}\t{help_}")
        elif shell == "zsh" and help_:
            lines.append(f"{value.replace(':', chr(92) + ':')}:{help_}")
        else:
            lines.append(value)
    return "".join(line + "\n" for line in lines)


def main(args: Sequence[str]) -> int:
    """``kurskcli __complete SHELL WORD...``: print the candidates; never fail loudly."""
    if not args or args[0] not in SHELLS:
        return 2
    try:
        sys.stdout.write(answer(args[0], args[1:]))
    except Exception:  # a completion must never spill a traceback into the user's prompt
        return 1
    return 0


BASH = r"""# kurskcli completion for bash: eval "$(kurskcli completion bash)"
_kurskcli() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local out line
    COMPREPLY=()
    out=$(kurskcli __complete bash "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
    if [[ "$out" == "__files__" ]]; then
        compopt -o filenames 2>/dev/null
        while IFS= read -r line; do
            COMPREPLY+=("$line")
        done < <(compgen -f -- "$cur")
        return 0
    fi
    # one candidate a line, each quoted for the shell: nothing in it is globbed or run
    while IFS= read -r line; do
        [[ -n "$line" ]] || continue
        printf -v line '%q' "$line"
        COMPREPLY+=("$line")
    done <<< "$out"
}
complete -F _kurskcli kurskcli
"""

ZSH = r"""#compdef kurskcli
# kurskcli completion for zsh: eval "$(kurskcli completion zsh)", or save as _kurskcli in your $fpath
_kurskcli() {
    local -a lines
    lines=("${(@f)$(kurskcli __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ "${lines[1]}" == "__files__" ]]; then
        _files
    elif (( ${#lines} )) && [[ -n "${lines[1]}" ]]; then
        _describe 'kurskcli' lines -U
    fi
}
if [[ "$funcstack[1]" == "_kurskcli" ]]; then
    _kurskcli "$@"
else
    # compdef comes with zsh's completion system: start it if the user's setup has not
    (( $+functions[compdef] )) || { autoload -Uz compinit && compinit -i; }
    compdef _kurskcli kurskcli
fi
"""

FISH = r"""# kurskcli completion for fish: kurskcli completion fish > ~/.config/fish/completions/kurskcli.fish
function __kurskcli_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    set -l out (kurskcli __complete fish $words 2>/dev/null)
    if test "$out" = "__files__"
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c kurskcli -f -a '(__kurskcli_complete)'
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}
