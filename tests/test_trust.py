"""Nothing kurskcli finds on disk can change an answer, crash it, or make it write where it should not."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from .conftest import run_process


@pytest.mark.parametrize(
    "planted",
    [
        b"\xe3\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",  # 12 bytes that crashed marshal.loads
        marshal.dumps(("kurskcli-bundled/1", "0.1.0", [], [], [[], [], [], [], []])),
        "fifo",
    ],
    ids=["crashing bytes", "a doctored copy", "a fifo"],
)
@pytest.mark.parametrize("args", [("quote", "putin", "--json"), ("timeline", "--json"), ("search", "monument")])
def test_files_in_the_cache_folder_never_stand_in_for_the_bundled_data(
    planted: bytes | str, args: tuple[str, ...], tmp_path: Path
) -> None:
    honest = run_process(*args, env={"KURSKCLI_CACHE": "off"})
    folder = tmp_path / "kurskcli"
    folder.mkdir(mode=0o700)
    for name in ("bundled-0.1.0.marshal", "bundled.marshal"):
        target = folder / name
        if planted == "fifo":
            os.mkfifo(target)
        else:
            assert isinstance(planted, bytes)
            target.write_bytes(planted)
    r = run_process(*args, env={"XDG_CACHE_HOME": str(tmp_path)})
    assert (r.returncode, r.stdout, r.stderr) == (honest.returncode, honest.stdout, honest.stderr)
    assert r.returncode == 0


def test_a_hangup_that_nohup_ignores_stays_ignored(tmp_path: Path) -> None:
    import subprocess
    import sys

    # the command runs with SIGHUP ignored (as under nohup) and sends itself one mid-run
    code = (
        "import os, signal, sys\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "from kurskcli import query\n"
        "real = query.timeline\n"
        "def hang_up(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGHUP)\n"
        "    return real(*a, **k)\n"
        "query.timeline = hang_up\n"
        "from kurskcli.cli import main\n"
        "main(['timeline', '--json'])\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "" and r.stdout.startswith("[")


def test_a_stale_temporary_folder_with_an_absurd_process_number_is_swept(tmp_path: Path) -> None:
    from kurskcli.files import sweep_stale

    odd = tmp_path / ".kurskcli-9999999999-0123456789ab.tmp"
    odd.mkdir()
    sweep_stale(tmp_path)  # no process can have that number, and asking must not fail
    assert odd.exists()  # a young folder whose process cannot be asked about is left alone
    huge = tmp_path / (".kurskcli-" + "9" * 40 + "-0123456789ab.tmp")
    huge.mkdir()
    sweep_stale(tmp_path)
    assert huge.exists()  # not a name of ours: left alone
