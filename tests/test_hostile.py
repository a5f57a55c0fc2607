"""Hostile input and odd environments: clean errors, the right exit codes, inert output."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kurskcli.dates import DateError, parse_edtf
from kurskcli.model import Dataset
from kurskcli.query import ResolveError, resolve_actor
from kurskcli.searcher import QueryError, search

from .conftest import MINI, in_terminal, needs_script, run_process

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


# ----------------------------------------------------------------------------- files, folders, environment


def test_a_dataset_over_the_size_limit_is_refused_before_reading() -> None:
    r = run_process("timeline", "--data", str(MINI), env={"KURSKCLI_MAX_DATA_BYTES": "1000"})
    assert r.returncode == 66 and r.stdout == ""
    assert r.stderr.count("\n") == 1
    assert "more than the 1,000-byte limit (set KURSKCLI_MAX_DATA_BYTES to raise it)" in r.stderr


def test_many_problems_are_listed_up_to_twenty_then_counted(tmp_path: Path) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["actors"] = [{"id": f"a{i}", "name": f"Actor {i}", "kind": "robot"} for i in range(30)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(doc), "utf-8")
    r = run_process("actors", "--data", str(path), "--no-bundled")
    assert r.returncode == 65 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith("kurskcli: invalid dataset (") and "problems):" in lines[0]
    listed = [line for line in lines[1:] if "$." in line]
    assert len(listed) == 20
    total = int(lines[0].split("(")[1].split()[0])
    assert lines[-1] == f"  ... and {total - 20} more problems"
    assert "Traceback" not in r.stderr


def test_no_home_folder() -> None:
    r = run_process("timeline", "--json", unset=("HOME", "XDG_CACHE_HOME"))
    assert r.returncode == 0 and json.loads(r.stdout)
    s = run_process("search", "bridge", "--data", str(MINI), "--json", unset=("HOME", "XDG_CACHE_HOME"))
    assert s.returncode == 0 and json.loads(s.stdout)
    assert "Traceback" not in s.stderr


def test_a_read_only_working_folder_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for args in (("timeline",), ("search", "monument", "--json"), ("search", "bridge", "--data", str(MINI))):
            r = run_process(*args, cwd=folder)
            assert r.returncode == 0, r.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("value", ["1", "true"])
def test_no_color_on_a_terminal(value: str) -> None:
    r = run_process("timeline", "--color", "auto", env={"NO_COLOR": value, "FORCE_COLOR": ""})
    assert ESC not in r.stdout


# ----------------------------------------------------------------------------- a real terminal


@needs_script
def test_a_real_terminal_gets_tables_and_colour() -> None:
    r = in_terminal("timeline")
    assert r.returncode == 0
    for rid in ("e-gerasimov-report", "e-kcna-cmc-statement", "e-putin-tribute", "e-kpa-arrival"):
        assert rid in r.stdout
    assert f"{ESC}[1mWhen" in r.stdout  # styled, because it is a terminal
    assert "\t" not in r.stdout  # and laid out as a table, not tab-separated lines


@needs_script
def test_no_color_is_obeyed_on_a_real_terminal() -> None:
    r = in_terminal("quote", "putin", env={"NO_COLOR": "1"})
    assert r.returncode == 0 and "q-putin-tribute" in r.stdout
    assert f"{ESC}[3" not in r.stdout and f"{ESC}[1m" not in r.stdout


@needs_script
def test_control_sequences_in_data_stay_inert_on_a_real_terminal(tmp_path: Path) -> None:
    r = in_terminal("timeline", "--data", str(hostile_dataset(tmp_path)), "--no-bundled", env={"COLUMNS": "200"})
    assert r.returncode == 0
    assert f"{ESC}]8" not in r.stdout and "\x9b" not in r.stdout and "\u202e" not in r.stdout
    assert "\\x1b]8;;http://x" in r.stdout and "[bold]x[/] :warning:" in r.stdout


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    table=st.sampled_from(["actors", "quotes", "claims", "events", "sources"]),
    index=st.integers(0, 10),
    field=st.sampled_from(["id", "name", "text", "date", "speaker", "kind", "source", "aliases", "actors", "bogus"]),
    value=JSON_VALUES,
)
def test_any_value_anywhere_loads_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory, table: str, index: int, field: str, value: object
) -> None:
    from kurskcli.dataset import DatasetError, load_dataset
    from kurskcli.reading import DataFileError

    doc = json.loads(MINI.read_text("utf-8"))
    items = doc.get(table) or []
    if items:
        items[index % len(items)][field] = value
    path = tmp_path_factory.mktemp("prop") / "data.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8", errors="surrogatepass")
    try:
        ds = load_dataset([path], bundled=False)
    except DatasetError as exc:
        assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)
    except DataFileError:
        pass
    else:
        assert ds.records()  # what loads is usable


# ----------------------------------------------------------------------------- every way out is inert

STYLES = ["plain", "markdown", "apa", "mla", "chicago", "bibtex"]


def nasty_everywhere(tmp_path: Path) -> Path:
    """The mini dataset with escape sequences in every text a citation or a message may print."""
    doc = json.loads(MINI.read_text("utf-8"))
    nasty = f"X{ESC}]8;;http://evil{ESC}\\link{ESC}]0;title\x07{ESC}[2J\u202e\u200d\u200b"
    doc["actors"][0]["name"] = nasty
    src = doc["sources"][0]
    src["title"], src["author"], src["publisher"] = nasty, "Ann " + nasty, nasty
    src["url"] = "http://x/}, note = {injected} \\o"
    p = tmp_path / "nasty.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return p


@needs_script
@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
def test_citations_reach_a_real_terminal_inert(tmp_path: Path, style: str) -> None:
    r = in_terminal("cite", "q-open", "--style", style, "--data", str(nasty_everywhere(tmp_path)), "--no-bundled")
    assert r.returncode == 0, r.stdout
    assert "the bridge will open in spring" in r.stdout
    for bad in (ESC, "\x07", "\u202e", "\u200d", "\u200b"):
        assert bad not in r.stdout, (style, bad)
    assert "x1b" in r.stdout and "u202e" in r.stdout  # shown as visible escapes


@pytest.mark.parametrize("style", STYLES)
def test_citations_are_inert_when_piped_too(tmp_path: Path, style: str) -> None:
    r = run_process("cite", "q-open", "--style", style, "--data", str(nasty_everywhere(tmp_path)), "--no-bundled")
    assert r.returncode == 0 and not any(bad in r.stdout for bad in (ESC, "\x07", "\u202e", "\u200d"))


def test_a_bibtex_url_cannot_close_its_field(tmp_path: Path) -> None:
    r = run_process("cite", "q-open", "--style", "bibtex", "--data", str(nasty_everywhere(tmp_path)), "--no-bundled")
    [url] = [line for line in r.stdout.splitlines() if line.strip().startswith("url")]
    assert url.strip() == "url = {http://x/%7D,%20note%20=%20%7Binjected%7D%20%5Co},"
    assert r.stdout.count("{") == r.stdout.count("}") and "\n  note = {injected}" not in r.stdout


def test_markdown_export_escapes_control_and_invisible_characters(tmp_path: Path) -> None:
    r = run_process("export", "-", "--format", "markdown", "--data", str(nasty_everywhere(tmp_path)), "--no-bundled")
    assert r.returncode == 0
    for bad in (ESC, "\x07", "\x9b", "\u202e", "\u200d", "\u200b"):
        assert bad not in r.stdout
    assert "\\\\x1b" in r.stdout  # shown, and its backslash escaped for Markdown


def test_messages_and_notes_on_stderr_are_inert(tmp_path: Path) -> None:
    r = run_process("show", f"nope{ESC}]0;t\x07", "--data", str(nasty_everywhere(tmp_path)))
    assert r.returncode == 1 and ESC not in r.stderr and "\x07" not in r.stderr


def test_the_zero_width_joiner_is_made_visible_too() -> None:
    from kurskcli.text import safe

    assert safe("a\u200db") == "a\\u200db"
    assert safe("line\nnext", keep_newlines=True) == "line\nnext" and safe("line\nnext") == "line\\x0anext"


@pytest.mark.parametrize("columns", ["10000000", "٣٠٠"])
def test_a_huge_or_odd_terminal_width_is_bounded(columns: str) -> None:
    r = run_process("timeline", "--color", "always", env={"COLUMNS": columns})
    assert r.returncode == 0
    assert max(len(line) for line in r.stdout.splitlines()) < 2000


COMMANDS = [
    ("timeline",),
    ("timeline", "--quotes", "--json"),
    ("quote",),
    ("quote", "--jsonl"),
    ("search", "the"),
    ("actors",),
    ("actor", "putin"),
    ("show", "q-putin-tribute"),
    ("check", "we will never forget our friends"),
    ("about",),
    ("verify",),
    ("export", "-", "--format", "csv"),
    ("cite", "q-putin-tribute"),
    ("completion", "bash"),
    ("--help",),
]


@pytest.mark.slow
@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_a_reader_that_leaves_early_is_exit_0_and_silent(args: tuple[str, ...], unbuffered: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "KURSKCLI_DATA")}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    with proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first write
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0 and err == b""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
@example("a\ufdd0b\U0010ffff")  # noncharacters, which random text rarely holds
def test_safe_passes_printable_text_through_and_escapes_the_rest(text: str) -> None:
    import unicodedata

    from kurskcli.text import safe

    out = safe(text)
    escaped = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")

    def noncharacter(ch: str) -> bool:  # U+FDD0..U+FDEF, and the last two code points of each plane
        return 0xFDD0 <= ord(ch) <= 0xFDEF or ord(ch) & 0xFFFE == 0xFFFE

    assert not any(unicodedata.category(ch) in escaped or noncharacter(ch) for ch in out)
    expected = "".join(
        " "
        if ch == "\t"
        else (f"\\u{ord(ch):04x}" if ord(ch) > 0xFF else f"\\x{ord(ch):02x}")
        if unicodedata.category(ch) in escaped or noncharacter(ch)
        else ch
        for ch in text
    )
    assert out == expected
