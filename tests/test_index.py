"""The search index saved in the cache folder: built once, reused, rebuilt, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurskcli import index
from kurskcli.dataset import load_dataset
from kurskcli.model import Dataset
from kurskcli.searcher import SearchIndex

from .conftest import MINI, Result

QUERIES = ["bridge", "brige", "the bridge is", "Петров", "spring open", "officials", "tunnel", "monument", "putn"]


def caches(folder: Path) -> list[Path]:
    """The search indexes (and their temporary files) in the cache folder; not the empty lock files."""
    return sorted(p for p in folder.glob("*") if p.suffix != ".lock") if folder.exists() else []


def search_json(run: Callable[..., Result], *args: str, env: dict[str, str] | None = None) -> list[dict[str, object]]:
    r = run("search", *args, "--json", "--limit", "50", env=env)
    assert r.code in (0, 1), r.err
    return r.json() if r.code == 0 else []  # type: ignore[return-value]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "mini.json"
    shutil.copy(MINI, path)
    return path


def test_first_search_saves_the_index_and_later_ones_reuse_it(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = search_json(run, "bridge", "--data", str(data))
    saved = caches(private_cache)
    assert [p.suffix for p in saved] == [".sqlite"]
    stamp = saved[0].stat()

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the dataset was read again")

    monkeypatch.setattr("kurskcli.dataset.load_dataset", no_loading)
    assert search_json(run, "bridge", "--data", str(data)) == first
    again = caches(private_cache)
    assert again == saved
    assert (again[0].stat().st_ino, again[0].stat().st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)


def test_the_index_is_rebuilt_when_the_data_file_changes(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    assert run("search", "zebulon", "--data", str(data)).code == 1
    before = caches(private_cache)[0].stat().st_ino
    doc = json.loads(data.read_text("utf-8"))
    doc["actors"].append({"id": "zq", "name": "Zebulon Quartz", "kind": "person"})
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = run("search", "zebulon", "--data", str(data), "--json")
    assert r.code == 0, r.err
    assert [h["id"] for h in r.json()] == ["zq"]  # type: ignore[index, union-attr]
    assert caches(private_cache)[0].stat().st_ino != before


def test_a_changed_source_file_is_noticed(run: Callable[..., Result], tmp_path: Path, private_cache: Path) -> None:
    import hashlib

    text = "The mayor said “the bridge will open” on Monday."
    (tmp_path / "article.txt").write_text(text, "utf-8")
    start = text.index("the bridge")
    doc = {
        "schema_version": "1.0",
        "dataset": {"id": "files", "version": "1", "title": "A dataset with a source file"},
        "sources": [
            {
                "id": "art",
                "title": "An article",
                "author": "A. Writer",
                "file": "article.txt",
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            }
        ],
        "actors": [{"id": "mayor", "name": "The Mayor", "kind": "person"}],
        "quotes": [
            {
                "id": "q1",
                "speaker": "mayor",
                "text": "the bridge will open",
                "kind": "fragment",
                "source": {"id": "art", "start": start, "end": start + len("the bridge will open")},
            }
        ],
    }
    path = tmp_path / "files.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert run("search", "bridge", "--data", str(path), "--no-bundled").code == 0
    (tmp_path / "article.txt").write_text(text.replace("Monday", "Friday"), "utf-8")
    r = run("search", "bridge", "--data", str(path), "--no-bundled")
    assert r.code == 65, "a stale index hid a source text that no longer matches its SHA-256"
    assert "sha256" in r.err.lower() and r.out == ""


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other-table"])
def test_a_damaged_index_is_ignored_and_rebuilt(
    run: Callable[..., Result], data: Path, private_cache: Path, damage: str
) -> None:
    expected = search_json(run, "the bridge", "--data", str(data))
    [cache] = caches(private_cache)
    raw = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"not a database at all\n" * 100)
    elif damage == "truncated":
        cache.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        import sqlite3

        con = sqlite3.connect(cache)
        con.execute("DELETE FROM records")
        con.commit()
        con.close()
    r = run("search", "the bridge", "--data", str(data), "--json", "--limit", "50")
    assert r.code == 0 and r.err == ""
    assert r.json() == expected
    assert search_json(run, "the bridge", "--data", str(data)) == expected
    assert cache.read_bytes()[:16] == b"SQLite format 3\x00"


def test_results_are_the_same_with_and_without_the_index(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    for query in QUERIES:
        without = search_json(run, query, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
        built = search_json(run, query, "--data", str(data))
        reused = search_json(run, query, "--data", str(data))
        assert without == built == reused, query
    assert caches(private_cache)


def test_plain_and_terminal_output_read_the_same_from_the_index(run: Callable[..., Result], data: Path) -> None:
    for tty in (False, True):
        off = run("search", "bridge", "--data", str(data), tty=tty, env={"KURSKCLI_CACHE": "off", "COLUMNS": "100"})
        built = run("search", "bridge", "--data", str(data), tty=tty, env={"COLUMNS": "100"})
        reused = run("search", "bridge", "--data", str(data), tty=tty, env={"COLUMNS": "100"})
        assert off.out == built.out == reused.out
        assert "Ivan Petrov" in reused.out


def test_switched_off_no_index_is_written(run: Callable[..., Result], data: Path, private_cache: Path) -> None:
    assert run("search", "bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"}).code == 0
    assert caches(private_cache) == []


def test_the_bundled_data_alone_needs_no_index(run: Callable[..., Result], private_cache: Path) -> None:
    assert run("search", "monument").code == 0
    assert caches(private_cache) == []


def test_invalid_data_is_never_cached(run: Callable[..., Result], tmp_path: Path, private_cache: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "1.0", "dataset": {"id": "x", "version": "1"}}', "utf-8")
    r = run("search", "bridge", "--data", str(bad))
    assert r.code == 65 and r.out == ""
    assert caches(private_cache) == []


def test_an_unwritable_cache_folder_still_searches(
    run: Callable[..., Result], data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    expected = search_json(run, "bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    r = run("search", "bridge", "--data", str(data), "--json", "--limit", "50")
    assert r.code == 0 and r.json() == expected
    assert r.err.startswith("kurskcli: note: cannot make the cache folder") and r.err.count("\n") == 1
    assert r.err.endswith(": a file is in the way; searching without a saved index\n")
    assert blocker.read_text() == "a file where the cache folder should be"


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_read_only_cache_folder_still_searches(run: Callable[..., Result], data: Path, private_cache: Path) -> None:
    private_cache.mkdir(parents=True)
    private_cache.chmod(0o500)
    try:
        r = run("search", "bridge", "--data", str(data), "--json")
        assert r.code == 0 and "cannot save the search index" in r.err
        assert caches(private_cache) == []
    finally:
        private_cache.chmod(0o700)


def test_no_home_and_no_xdg_still_searches(
    run: Callable[..., Result], data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME", raising=False)
    r = run("search", "bridge", "--data", str(data), "--json")
    assert r.code == 0 and r.json()
    assert "no cache folder" in r.err


def test_records_survive_the_trip_through_the_index(bundled: Dataset) -> None:
    for rec in bundled.records():
        assert index.unpack(rec.type, json.loads(json.dumps(index.pack(rec)))) == rec


@pytest.fixture(scope="module")
def twin_indexes(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchIndex, index.DiskIndex]:
    import sqlite3

    ds = load_dataset([MINI])
    memory = SearchIndex(ds.records(), ds.passage)
    target = tmp_path_factory.mktemp("twin") / "index.sqlite"
    index.write(memory, target, "key", [])
    return memory, index.DiskIndex(sqlite3.connect(target, check_same_thread=False))


def _mutate(word: str, i: int) -> str:
    if len(word) < 4:
        return word
    i %= len(word) - 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 50), st.booleans()), min_size=1, max_size=4))
def test_memory_and_disk_indexes_agree(
    twin_indexes: tuple[SearchIndex, index.DiskIndex], picks: list[tuple[int, int, bool]]
) -> None:
    memory, disk = twin_indexes
    words = [memory.vocab[k % len(memory.vocab)] for k, _, _ in picks]
    query = " ".join(_mutate(w, i) if typo else w for w, (_, i, typo) in zip(words, picks, strict=True))
    ours = [(h.record, h.score, h.field, h.matched) for h in memory.search(query, limit=None)]
    theirs = [(h.record, h.score, h.field, h.matched) for h in disk.search(query, limit=None)]
    assert ours == theirs


# ----------------------------------------------------------------------------- subprocesses


def big_dataset(folder: Path, n: int) -> Path:
    """A valid dataset of ``n`` quotes, large enough that building its index takes a while."""
    words = [f"{a}{b}{c}" for a in ("ka", "lo", "mi", "nu", "pe") for b in ("ra", "se", "ti", "vo") for c in "xyz"]
    parts, quotes, pos = [], [], 0
    for i in range(n):
        text = " ".join(words[(i * 7 + k * 13) % len(words)] for k in range(40)) + f" item{i}"
        parts.append(text)
        quotes.append(
            {
                "id": f"q{i}",
                "speaker": "s",
                "text": text,
                "kind": "direct",
                "source": {"id": "src", "start": pos, "end": pos + len(text)},
            }
        )
        pos += len(text) + 1
    doc = {
        "schema_version": "1.0",
        "dataset": {"id": "big", "version": "1", "title": "Generated"},
        "sources": [{"id": "src", "title": "Generated", "author": "test", "text": "\n".join(parts)}],
        "actors": [{"id": "s", "name": "Speaker", "kind": "person"}],
        "quotes": quotes,
    }
    path = folder / "big.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signals", "code", "said"),
    [
        ((signal.SIGINT,), 130, "interrupted"),
        ((signal.SIGINT, signal.SIGINT), 130, "interrupted"),
        ((signal.SIGTERM,), 143, "terminated"),
        ((signal.SIGHUP,), 129, "hung up"),
    ],
    ids=["ctrl-c", "ctrl-c twice", "sigterm", "sighup"],
)
def test_a_signal_while_the_index_is_saved_leaves_no_half_written_cache(
    tmp_path: Path, private_cache: Path, signals: tuple[int, ...], code: int, said: str
) -> None:
    path = big_dataset(tmp_path, 60_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", "--data", str(path), "search", "item5", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(private_cache.glob(".kurskcli-*.tmp/part")):
        assert proc.poll() is None, "the index was saved before the test could interrupt it"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    for sig in signals:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert out == "" and err == f"kurskcli: {said}\n"
    assert caches(private_cache) == []


@pytest.mark.slow
def test_ctrl_c_while_the_data_is_read_leaves_nothing(tmp_path: Path, private_cache: Path) -> None:
    path = big_dataset(tmp_path, 60_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", "--data", str(path), "search", "item5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, "", "kurskcli: interrupted\n")
    assert caches(private_cache) == []


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux for a terminal")
def test_a_progress_bar_shows_on_a_terminal_while_the_index_is_built(tmp_path: Path, private_cache: Path) -> None:
    path = big_dataset(tmp_path, 3_000)
    cmd = f"{sys.executable} -m kurskcli --data {path} search item5 --color always"
    r = subprocess.run(
        ["script", "-qfec", cmd, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    assert r.returncode == 0
    assert "building the search index" in r.stdout
    assert "q5" in r.stdout
    first_build = r.stdout
    again = subprocess.run(
        ["script", "-qfec", cmd, "/dev/null"], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert "building the search index" not in again.stdout
    assert "q5" in again.stdout and first_build
