"""Where a command's results go: one JSON document, JSON Lines, plain lines, or the terminal
(through a pager when taller than the screen); and the progress bar long work shows on stderr."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from kurskcli.errors import Fail, ignoring, stderr_line
from kurskcli.exits import EXIT_NOTHING

if TYPE_CHECKING:
    from rich.console import Console

_T = TypeVar("_T")


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def stdout_is_terminal() -> bool:
    return is_terminal(sys.stdout)


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
def progress_bar(label: str) -> Iterator[_LazyProgress | None]:
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

    def __init__(self, json: bool, jsonl: bool, color: str, header: bool = False) -> None:
        """``color``: auto, always or never."""
        self.json, self.jsonl, self.color, self.header = json, jsonl, color, header
        self.fields: tuple[str, ...] | None = None  # --json FIELDS: only these, in this order
        self.no_pager = False

    @property
    def mode(self) -> str:
        if self.json:
            return "json"
        if self.jsonl:
            return "jsonl"
        if self.color == "always" or (self.color == "auto" and os.environ.get("FORCE_COLOR")):
            return "rich"
        return "rich" if stdout_is_terminal() else "plain"

    def console(self) -> Console:
        from kurskcli.render import make_console

        return make_console(sys.stdout, self.color)

    def terminal(self, draw: Callable[[Console], None]) -> None:
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
        records: Iterable[Any],
        to_obj: Callable[[Any], Any],
        to_plain: Callable[[Any], Sequence[object]],
        to_rich: Callable[[Console], None],
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
        to_rich: Callable[[Console], None],
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

    def some(self, records: Iterator[_T], none: str, *, as_read: bool = True) -> Iterable[_T]:
        """``records``, ending the command with ``none_found(none)`` where there is none: read as
        they are printed where the output goes a line at a time (and ``as_read``), so that `|
        head` stops the reading; else as a list."""
        first = next(records, None)
        if first is None:
            self.none_found(none)
        every = itertools.chain([first], records)
        return every if as_read and self.mode in ("jsonl", "plain") else list(every)
