"""Hostile input and odd environments: clean errors, the right exit codes, inert output."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurskcli.dates import DateError, parse_edtf
from kurskcli.model import Dataset
from kurskcli.query import ResolveError, resolve_actor
from kurskcli.searcher import QueryError, search

from .conftest import MINI, run_process

ESC = "\x1b"


def hostile_dataset(tmp_path: Path) -> Path:
    doc = json.loads(MINI.read_text("utf-8"))
    nasty = f"Evil{ESC}]8;;http://x{ESC}\\link{ESC}[31mred\x9b2J\rCR\u202eRTL [bold]x[/] :warning:"
    doc["actors"][0]["name"] = nasty
    doc["events"][0]["title"] = nasty
    p = tmp_path / "nasty.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return p


def test_control_sequences_in_data_are_inert_in_plain_output(tmp_path: Path) -> None:
    r = run_process("timeline", "--data", str(hostile_dataset(tmp_path)), "--no-bundled")
    assert r.returncode == 0
    assert ESC not in r.stdout and "\x9b" not in r.stdout and "\r" not in r.stdout and "\u202e" not in r.stdout
    assert "\\x1b]8;;http://x" in r.stdout and "[bold]x[/] :warning:" in r.stdout


def test_control_sequences_in_data_are_inert_on_a_terminal(tmp_path: Path) -> None:
    r = run_process(
        "timeline", "--data", str(hostile_dataset(tmp_path)), "--no-bundled", "--color", "never", env={"COLUMNS": "200"}
    )
    assert r.returncode == 0 and ESC not in r.stdout and "\u202e" not in r.stdout
    assert "[bold]x[/] :warning:" in r.stdout  # markup and emoji codes shown literally


def test_control_sequences_round_trip_in_json(tmp_path: Path) -> None:
    r = run_process("timeline", "--data", str(hostile_dataset(tmp_path)), "--no-bundled", "--json")
    titles = {e["id"]: e["title"] for e in json.loads(r.stdout)}
    assert titles["e-briefing"].startswith(f"Evil{ESC}]8;;http://x")


@pytest.mark.parametrize("query", ["[bold]red[/]", "[link=http://evil]x", ":warning:", f"{ESC}[31mx"])
def test_queries_are_echoed_literally_and_safely(query: str) -> None:
    r = run_process("actor", query)
    assert r.returncode == 1 and r.stdout == ""
    assert ESC not in r.stderr and r.stderr.count("\n") == 1


def test_broken_pipe_is_quiet() -> None:
    p = subprocess.run(
        f"{sys.executable} -m kurskcli timeline | head -1", shell=True, capture_output=True, text=True, timeout=60
    )
    assert p.stdout.count("\n") == 1 and p.stderr == ""
    p = subprocess.run(
        f"{sys.executable} -m kurskcli quote --json | true", shell=True, capture_output=True, text=True, timeout=60
    )
    assert p.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_full_stdout_is_exit_74() -> None:
    with open("/dev/full", "w") as full:
        p = subprocess.run(
            [sys.executable, "-m", "kurskcli", "timeline"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert p.returncode == 74 and "cannot write output" in p.stderr and "Traceback" not in p.stderr


def test_closed_stdout_is_exit_74() -> None:
    p = subprocess.run(
        f"{sys.executable} -m kurskcli timeline >&-", shell=True, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 74 and "Traceback" not in p.stderr


@pytest.mark.parametrize("env", [{"LC_ALL": "C"}, {"PYTHONIOENCODING": "ascii"}, {"TERM": "dumb"}])
def test_odd_environments(env: dict[str, str]) -> None:
    r = run_process("quote", "Путин", "--json", env=env)
    assert r.returncode == 0 and json.loads(r.stdout)[0]["id"] == "q-putin-tribute"
    plain = run_process("actor", "putin", env=env)
    assert plain.returncode == 0 and "Traceback" not in plain.stderr


@pytest.mark.parametrize("cols", ["0", "1", "abc"])
def test_odd_column_counts_still_print_every_id(cols: str) -> None:
    r = run_process("timeline", "--color", "always", env={"COLUMNS": cols})
    assert r.returncode == 0
    for rid in ("e-gerasimov-report", "e-kcna-cmc-statement", "e-putin-tribute", "e-kpa-arrival"):
        assert rid in r.stdout


def test_very_long_query_is_answered_at_once() -> None:
    r = run_process("search", "monument " * 3000, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["id"] == "q-cmc-monument"


def test_invalid_utf8_argument() -> None:
    p = subprocess.run([sys.executable, "-m", "kurskcli", "search", b"mon\xffument"], capture_output=True, timeout=60)
    assert p.returncode in (0, 1) and b"Traceback" not in p.stderr


# ----------------------------------------------------------------------------- properties

TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(q=TEXT)
def test_search_never_raises_and_scores_fall(mini: Dataset, q: str) -> None:
    try:
        hits = search(mini, q, limit=5)
    except QueryError:
        return
    assert len(hits) <= 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)


@FAST
@given(q=TEXT)
def test_resolution_never_raises_anything_else(mini: Dataset, q: str) -> None:
    with contextlib.suppress(ResolveError):
        resolve_actor(mini, q)


@FAST
@given(s=TEXT)
def test_date_parsing_fails_cleanly(s: str) -> None:
    try:
        r = parse_edtf(s)
    except DateError:
        return
    assert r.earliest is None or r.latest is None or r.earliest <= r.latest


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(list(range(6))))
def test_search_results_do_not_depend_on_record_order(order: list[int]) -> None:
    from kurskcli.dataset import load_dataset
    from kurskcli.searcher import SearchIndex

    ds = load_dataset([MINI], bundled=False)
    records = ds.records()
    head = [records[i] for i in order if i < len(records)]
    shuffled = head + [r for r in records if r not in head]
    a = [(h.record.id, h.score) for h in SearchIndex(records).search("bridge", limit=None)]
    b = [(h.record.id, h.score) for h in SearchIndex(shuffled).search("bridge", limit=None)]
    assert a == b
