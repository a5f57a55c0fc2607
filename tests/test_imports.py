"""Which heavy modules each command loads: Rich only on a terminal, rapidfuzz only when fuzzy-matching."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import MINI

PROBE = """
import json, sys
from kurskcli import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
mods = sorted({m.split('.')[0] for m in sys.modules})
sys.stderr.write('\\nMODULES=' + json.dumps(mods) + '\\n')
"""
NEVER = {"pydantic", "numpy", "pandas", "click", "jsonschema", "sqlite3", "hypothesis"}


def loaded(*args: str, tty: bool = False) -> set[str]:
    code = PROBE
    if tty:
        code = "import kurskcli.cli as c; c.stdout_is_terminal = lambda: True\n" + PROBE
    r = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"},
    )
    line = r.stderr.rsplit("MODULES=", 1)[1]
    return set(json.loads(line))


@pytest.mark.parametrize(
    ("args", "rich", "rapidfuzz"),
    [
        (("quote", "putin", "--json"), False, False),
        (("quote", "putin"), False, False),
        (("quote", "putn", "--json"), False, True),  # a typo needs the fuzzy matcher
        (("timeline", "--json"), False, False),
        (("timeline",), False, False),
        (("search", "monument", "--json"), False, False),  # an exact word needs no fuzzy matching
        (("search", "monumnet", "--json"), False, True),
        (("about", "--json"), False, False),
        (("verify",), False, False),
        (("--help",), False, False),
        (("--version",), False, False),
    ],
)
def test_piped_and_json_paths_stay_light(args: tuple[str, ...], rich: bool, rapidfuzz: bool) -> None:
    mods = loaded(*args)
    assert ("rich" in mods) is rich
    assert ("rapidfuzz" in mods) is rapidfuzz
    assert not mods & NEVER


@pytest.mark.parametrize("args", [("timeline",), ("quote", "putin"), ("search", "monument")])
def test_terminal_paths_load_rich(args: tuple[str, ...]) -> None:
    mods = loaded(*args, tty=True)
    assert "rich" in mods and not mods & NEVER


def test_user_data_path_stays_light() -> None:
    mods = loaded("quote", "petrov", "--json", "--data", str(MINI))
    assert "rich" not in mods and not mods & NEVER
