"""Shared fixtures: the bundled and the small hand-written dataset, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kurskcli import cli, present
from kurskcli.dataset import load_dataset
from kurskcli.model import Dataset

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.json"
SOURCE_COPY = Path(__file__).resolve().parents[2] / "shared" / "source" / "asmolov-2025-04-30.txt"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture(scope="session")
def bundled() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="session")
def mini() -> Dataset:
    return load_dataset([MINI], bundled=False)


def record_spawns(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command lines of the processes ``os.posix_spawn`` starts from now on (they run)."""
    started: list[list[str]] = []
    real = os.posix_spawn

    def spawn(path: str, argv: list[str], *args: Any, **kw: Any) -> int:
        started.append(argv)
        return real(path, argv, *args, **kw)

    monkeypatch.setattr(os, "posix_spawn", spawn)
    return started


@pytest.fixture(scope="session")
def bundled_lines(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    """The bundled data as JSON Lines records: every type, renderings, witnesses, several sources."""
    out = tmp_path_factory.mktemp("bundled") / "kursk.jsonl"
    assert run_process("export", str(out)).returncode == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own, empty cache folder (XDG_CACHE_HOME), never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("KURSKCLI_CACHE", raising=False)
    return folder / "kurskcli"


@pytest.fixture(autouse=True)
def no_pager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Terminal output is never paged in tests (a pager would wait for keys); the pager's own
    tests name one."""
    monkeypatch.setenv("KURSKCLI_PAGER", "")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process; ``tty=True`` makes it believe stdout is a terminal."""
    for var in ("NO_COLOR", "FORCE_COLOR", "KURSKCLI_DATA", "KURSKCLI_DEBUG", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args: str, tty: bool = False, env: dict[str, str] | None = None) -> Result:
        with monkeypatch.context() as m:
            m.setattr(present, "stdout_is_terminal", lambda: tty)
            for k, v in (env or {}).items():
                m.setenv(k, v)
            capsys.readouterr()
            try:
                cli.main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            out, err = capsys.readouterr()
        return Result(code, _LINK_ID.sub("\x1b]8;id=N;", out), err)

    return _run


# Rich numbers the terminal hyperlinks (OSC 8) of a run from a random start; the runner writes
# each as id=N, so that two runs that show the same links compare equal.
_LINK_ID = re.compile("\x1b\\]8;id=[0-9]+;")


def run_process(
    *args: str, env: dict[str, str] | None = None, stdin: str = "", unset: tuple[str, ...] = (), **kw: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m kurskcli`` in a subprocess with a clean, predictable environment."""
    drop = {"NO_COLOR", "FORCE_COLOR", "KURSKCLI_DATA", "COLUMNS", "KURSKCLI_DEBUG", *unset}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kurskcli", *args],
        capture_output=True,
        text=True,
        env=base,
        input=stdin,
        timeout=60,
        **kw,
    )  # type: ignore[call-overload]


def in_terminal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI on a real pseudo-terminal through script(1); stdout holds what the terminal got."""
    import shlex

    command = shlex.join([sys.executable, "-m", "kurskcli", *args])
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "KURSKCLI_DATA")}
    base.update({"COLUMNS": "100", "TERM": "xterm-256color", **(env or {})})
    return subprocess.run(
        ["script", "-qfec", command, "/dev/null"], capture_output=True, text=True, env=base, timeout=120
    )


needs_script = pytest.mark.skipif(
    shutil.which("script") is None, reason="needs script(1) from util-linux for a real terminal"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden terminal snapshots.")


def pytest_configure(config: pytest.Config) -> None:
    """The commands the tests start get Ctrl-C, SIGQUIT and SIGHUP as a shell's foreground job
    would, however the suite itself was started: a suite run in the background (`&`, where the
    shell ignores SIGINT and SIGQUIT) or under `nohup` would otherwise hand its children signals
    ignored, and the tests of stopping a command would see it go on. A signal the suite ignored
    gets a handler that does nothing: the suite still goes on, and a child, whose handlers are
    reset when it starts, has the signal's default."""
    import signal

    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
        if signal.getsignal(sig) is signal.SIG_IGN:
            signal.signal(sig, lambda *_: None)


def search_as_asked(
    paths: Sequence[Path],
    bundled: bool,
    query: str,
    *,
    limit: int | None = 20,
    progress: Callable[..., None] | None = None,
    debug: Callable[[str], None] | None = None,
) -> Any:
    """A search as a command asks it (``inputs.DataSource``), its progress and debug lines told
    to ``progress`` and ``debug``: hits and a dataset that can show them."""
    from kurskcli.inputs import DataSource

    source = DataSource(
        list(paths),
        bundled,
        progress_bar=lambda label: contextlib.nullcontext(progress),
        debug=debug or (lambda line: None),
    )
    return source.search(query, None, limit)  # type: ignore[arg-type]


def count_rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the store's records read from here on (each is checked by its digest)."""
    from kurskcli import store

    read: list[int] = []
    digest = store.record_digest

    def counted(rid: int, rec_id: str, text: str) -> bytes:
        read.append(rid)
        return digest(rid, rec_id, text)

    monkeypatch.setattr(store, "record_digest", counted)
    return read
