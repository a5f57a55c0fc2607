"""Which heavy modules each command loads: Rich only on a terminal, rapidfuzz only when fuzzy-matching."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import MINI

PROBE = """
import sys
from kurskcli import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
mods = sorted({m.split('.')[0] for m in sys.modules}
              | {m for m in sys.modules if m.startswith(('importlib.', 'kurskcli.'))})
import json  # only now, so that what the command imported is what is listed
sys.stderr.write('\\nMODULES=' + json.dumps(mods) + '\\n')
"""
NEVER = {"pydantic", "numpy", "pandas", "click", "jsonschema", "sqlite3", "hypothesis"}
# Standard modules that cost start-up time and that the bundled-data paths do without
# (importlib.resources alone pulls in zipfile, tempfile and random).
NOT_AT_START = {"zipfile", "tempfile", "random", "calendar", "importlib.resources", "hashlib"}


def loaded(*args: str, tty: bool = False, env: dict[str, str] | None = None) -> set[str]:
    code = PROBE
    if tty:
        code = "import kurskcli.present as p; p.stdout_is_terminal = lambda: True\n" + PROBE
    r = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", **(env or {})},
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
@pytest.mark.parametrize("cache", ["none", "a cache folder"])
def test_piped_and_json_paths_stay_light(
    args: tuple[str, ...], rich: bool, rapidfuzz: bool, cache: str, tmp_path: Path
) -> None:
    env = {} if cache == "none" else {"XDG_CACHE_HOME": str(tmp_path)}
    mods = loaded(*args, env=env)
    assert ("rich" in mods) is rich
    assert ("rapidfuzz" in mods) is rapidfuzz
    assert not mods & NEVER
    if args[0] in ("quote", "search", "timeline"):
        assert not mods & NOT_AT_START
    assert not (tmp_path / "kurskcli").exists()  # the bundled data is read from the package, never a copy


@pytest.mark.parametrize("args", [("timeline",), ("quote", "putin"), ("search", "monument")])
def test_terminal_paths_load_rich(args: tuple[str, ...]) -> None:
    mods = loaded(*args, tty=True)
    assert "rich" in mods and not mods & NEVER


def test_search_with_a_saved_index_loads_sqlite_but_not_rich(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    for _ in range(2):  # the first run builds the index, the second reads it
        mods = loaded("search", "bridge", "--json", "--data", str(MINI), env=env)
        assert "sqlite3" in mods and "rich" not in mods
        assert not mods & (NEVER - {"sqlite3"})
    assert list(tmp_path.glob("kurskcli/*.sqlite"))


def test_user_data_path_stays_light() -> None:
    mods = loaded("quote", "petrov", "--json", "--data", str(MINI))
    assert "rich" not in mods and not mods & NEVER
