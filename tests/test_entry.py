"""The console entry point: a finished command skips the interpreter's teardown only when that loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import run_process

# Runs the entry point as the console script does, reporting on stderr whether it left
# through os._exit; SETUP is replaced by what a test needs to exist before the command.
PROBE = """
import os, sys
real_exit = os._exit
def reporting_exit(code):
    os.write(2, b"FAST-EXIT\\n")
    real_exit(code)
os._exit = reporting_exit
SETUP
sys.argv = ["kurskcli", *sys.argv[1:]]
from kurskcli.__main__ import main
main()
"""


def probe(*args: str, setup: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    code = PROBE.replace("SETUP", setup)
    base = {"PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, env=base)


@pytest.mark.parametrize(
    ("args", "code"),
    [(("quote", "putin", "--json"), 0), (("search", "qqqzzzxxx"), 1), (("quote", "--limit", "abc", "putin"), 2)],
)
def test_a_finished_command_skips_teardown_and_keeps_its_exit_code(args: tuple[str, ...], code: int) -> None:
    r = probe(*args)
    assert r.returncode == code
    assert "FAST-EXIT" in r.stderr
    if code == 0:
        assert all(q["speaker"] == "putin" for q in json.loads(r.stdout))


def test_an_atexit_handler_keeps_the_teardown() -> None:
    setup = "import atexit\natexit.register(lambda: os.write(2, b'HANDLER-RAN\\n'))"
    r = probe("quote", "putin", "--json", setup=setup)
    assert r.returncode == 0
    assert "HANDLER-RAN" in r.stderr and "FAST-EXIT" not in r.stderr
    assert json.loads(r.stdout)


def test_another_running_thread_keeps_the_teardown() -> None:
    setup = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), os.write(2, b'THREAD-DONE\\n'))).start()"
    )
    r = probe("quote", "putin", "--json", setup=setup)
    assert r.returncode == 0
    assert "THREAD-DONE" in r.stderr and "FAST-EXIT" not in r.stderr


def test_debugging_keeps_the_teardown() -> None:
    r = probe("quote", "putin", "--json", env={"KURSKCLI_DEBUG": "1"})
    assert r.returncode == 0 and "FAST-EXIT" not in r.stderr


def test_large_output_arrives_whole_through_a_pipe() -> None:
    r = run_process("export", "-", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) > 50 and len(r.stdout) > 30_000
    assert {row["type"] for row in rows} >= {"quote", "claim", "event", "actor"}
