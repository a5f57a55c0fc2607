"""Exit codes, the error guard around every command, and how a run is stopped or reports a fault.

Standard library only: every failure becomes one line on stderr and an exit code from DESIGN.md.
"""

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from kurskcli.exits import (
    EXIT_INTERNAL,
    EXIT_IOERR,
    EXIT_OK,
    EXIT_USAGE,
)


class Fail(Exception):
    """An error for the user: one line on stderr and an exit code."""

    def __init__(self, message: str, code: int, extra: Sequence[str] = ()):
        super().__init__(message)
        self.code = code
        self.extra = list(extra)


class PipeClosed(Exception):
    """The reader of stdout has gone (``| head -1``): no failure of the command, exit 0."""


def reader_gone() -> bool:
    """Whether stdout is a pipe whose reading end is closed (poll reports an error on it)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test's capture)
        return False


_debugging = [False]


@contextmanager
def guard(debug: bool) -> Iterator[None]:
    """Turn every error into one line on stderr and its exit code; with ``debug``, show a traceback
    for an unexpected one, and let ``debug_note`` speak."""
    _debugging[0] = debug

    def die(message: str, code: int, extra: Sequence[str] = ()) -> NoReturn:
        stderr_line(f"kurskcli: {message}")
        for line in extra:
            stderr_line(f"  {line}")
        raise SystemExit(code)

    try:
        yield
    except Fail as exc:
        die(str(exc), exc.code, exc.extra)
    except KeyboardInterrupt:
        stderr_line(f"kurskcli: {_SIGNAL_WORDS.get(_caught[0], 'interrupted')}")
        raise SystemExit(128 + _caught[0]) from None
    except (BrokenPipeError, PipeClosed):
        _quiet_pipe()
        raise SystemExit(EXIT_OK) from None
    except Exception as exc:
        from kurskcli.dataset import DatasetError
        from kurskcli.reading import DataFileError

        if isinstance(exc, DatasetError):
            lines = exc.lines()
            die(
                f"invalid dataset ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}):",
                exc.exit_code,
                lines,
            )
        if isinstance(exc, DataFileError):
            die(str(exc), exc.exit_code)
        from kurskcli.query import ResolveError

        if isinstance(exc, ResolveError):
            die(exc.message(), exc.exit_code)
        from kurskcli.env import SettingError

        if isinstance(exc, SettingError):
            die(str(exc), EXIT_USAGE)
        if isinstance(exc, OSError) and (exc.errno in _OUTPUT_ERRNOS or _is_stdout_error()):
            _quiet_pipe()  # so that the interpreter's last flush of stdout does not fail again
            die(f"cannot write output: {exc.strerror or exc}", EXIT_IOERR)
        if debug:
            raise
        die(f"internal error: {type(exc).__name__}: {exc} (run with KURSKCLI_DEBUG=1 for details)", EXIT_INTERNAL)


# Dataset files are read through read_limited, which turns its OSErrors into DataFileError,
# so an OSError like these that reaches the guard came from writing the output.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG, errno.EDQUOT}


def debug_note(message: str) -> None:
    if _debugging[0] or os.environ.get("KURSKCLI_DEBUG", "") not in ("", "0"):
        stderr_line(f"kurskcli: debug: {message}")


def print_text(text: str) -> None:
    """Text for stdout outside the record renderers (citations, the version): inert on a terminal."""
    from kurskcli.text import safe

    sys.stdout.write(safe(text, keep_newlines=True) + "\n")


def stderr_line(line: str) -> None:
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
def ignoring(*signals: int) -> Iterator[None]:
    """Ignore ``signals`` for the duration (where this thread may set handlers), then restore them."""
    saved = []
    try:
        for sig in signals:
            saved.append((sig, signal.signal(sig, signal.SIG_IGN)))
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        yield
    finally:
        for sig, handler in saved:
            signal.signal(sig, handler)


@contextmanager
def stoppable() -> Iterator[None]:
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
