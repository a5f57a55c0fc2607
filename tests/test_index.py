"""The search index saved in the cache folder: built once, reused, rebuilt, never trusted blindly."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurskcli import cache, index, layout, model, store
from kurskcli.dataset import load_dataset
from kurskcli.model import Dataset
from kurskcli.query import actor_counts, quotes_by
from kurskcli.searcher import SearchIndex

from .conftest import MINI, Result, record_spawns, search_as_asked

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


def _sql(path: Path, *statements: str) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE records SET data = replace(data, 'bridge', 'tunnel')",
        "UPDATE texts SET text = replace(text, 'bridge', 'tunnel')",
        "DELETE FROM words_data WHERE id > 10",
        "UPDATE words_data SET block = zeroblob(length(block))",
        "UPDATE meta SET value = value || char(10) || 'zzz' WHERE key = 'vocab'",
        "UPDATE meta SET value = zeroblob(length(value)) WHERE key = 'docs'",
        "UPDATE records SET rid = rid + 1000 WHERE rid = 0",
    ],
)
def test_an_edited_index_never_changes_an_answer(
    run: Callable[..., Result], data: Path, private_cache: Path, edit: str
) -> None:
    expected = search_json(run, "the bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert search_json(run, "the bridge", "--data", str(data)) == expected
    [saved] = caches(private_cache)
    _sql(saved, edit)
    r = run("search", "the bridge", "--data", str(data), "--json", "--limit", "50")
    assert (r.code, r.err) == (0, "") and r.json() == expected
    assert search_json(run, "the bridge", "--data", str(data)) == expected


def test_a_word_taken_out_of_the_index_with_its_count_never_changes_an_answer(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    """The words and their counts agree with each other, and no search reads the word: only
    their digest finds that they are not as written."""
    expected = search_json(run, "the bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert search_json(run, "the bridge", "--data", str(data)) == expected
    [saved] = caches(private_cache)
    con = sqlite3.connect(saved)
    words = con.execute("SELECT value FROM meta WHERE key = 'vocab'").fetchone()[0]  # each word between newlines
    counts = array("I", con.execute("SELECT value FROM meta WHERE key = 'docs'").fetchone()[0])
    del counts[words[1:-1].split("\n").index("bridge")]
    con.execute("UPDATE meta SET value = ? WHERE key = 'vocab'", (words.replace("\nbridge\n", "\n"),))
    con.execute("UPDATE meta SET value = ? WHERE key = 'docs'", (counts.tobytes(),))
    con.commit()
    con.close()
    r = run("search", "the bridge", "--data", str(data), "--json", "--limit", "50")
    assert (r.code, r.err) == (0, "") and r.json() == expected


def test_a_hostile_view_in_the_index_cannot_make_search_hang(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    expected = search_json(run, "bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    search_json(run, "bridge", "--data", str(data))
    [saved] = caches(private_cache)
    _sql(
        saved,
        "ALTER TABLE meta RENAME TO meta_real",
        "CREATE VIEW meta AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT 'format' AS key, x AS value FROM c",
    )
    started = time.monotonic()
    assert search_json(run, "bridge", "--data", str(data)) == expected
    assert time.monotonic() - started < 60


def test_every_query_on_a_saved_index_is_bounded(
    data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    search_as_asked([data], True, "bridge")
    [saved] = caches(private_cache)
    monkeypatch.setattr(store, "QUERY_SECONDS", 0.5)
    con = store.connect_bounded(saved)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        con.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
    assert time.monotonic() - started < 30
    con.close()


def test_a_reader_that_takes_its_time_over_each_record_is_not_cut_off(
    tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    search_as_asked([big_dataset(tmp_path, 600)], False, "item7")
    [saved] = caches(private_cache)
    monkeypatch.setattr(store, "QUERY_SECONDS", 1.0)
    disk = store.DiskIndex(store.connect_bounded(saved))
    records, _ = disk.exported(["quote"])
    # each read as a pager or a slow pipe would: longer in all than the store is given for a row
    for streamed in (disk.in_order(["quote"]), iter(records)):
        started, read = time.monotonic(), 0
        for _ in streamed:
            time.sleep(0.004)
            read += 1
        assert read == 600 and time.monotonic() - started > 2.0
    disk.con.close()


def test_a_source_edited_while_the_index_is_saved_is_noticed(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "text.txt"
    source.write_bytes(b"the bridge will open in spring")
    doc = {
        "schema_version": "1.0",
        "dataset": {"id": "t", "version": "1", "title": "T"},
        "sources": [{"id": "s", "title": "T", "author": "A", "file": "text.txt", "sha256": sha256(source)}],
        "actors": [{"id": "a", "name": "A", "kind": "person"}],
        "quotes": [
            {
                "id": "q",
                "speaker": "a",
                "text": "the bridge",
                "kind": "fragment",
                "source": {"id": "s", "start": 0, "end": 10},
            }
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), "utf-8")
    real_key = index._key_and_deps

    def edit_then_save(*args: Any, **kw: Any) -> Any:
        source.write_bytes(b"the tunnel will open in spring")  # after the load, before the save
        return real_key(*args, **kw)

    monkeypatch.setattr(index, "_key_and_deps", edit_then_save)
    first = run("search", "bridge", "--data", str(path), "--no-bundled")
    assert first.code == 65 and "sha256" in first.err.lower(), "the store answered from a text that has changed"
    monkeypatch.setattr(index, "_key_and_deps", real_key)
    r = run("search", "bridge", "--data", str(path), "--no-bundled")
    assert r.code == 65 and "sha256" in r.err.lower(), "the index answered from a text that has changed"
    assert run("quote", "--data", str(path), "--no-bundled").code == 65


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=4096), st.tuples(st.integers(0, 10**9), st.integers(0, 7))))
def test_any_bytes_as_the_saved_index_never_change_an_answer(
    tmp_path_factory: pytest.TempPathFactory, damage: bytes | tuple[int, int]
) -> None:
    folder = tmp_path_factory.mktemp("hyp")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    try:
        expected = [(h.record, h.score) for h in search_as_asked([MINI], True, "the bridge", limit=None)[0]]
        [saved] = [p for p in (folder / "kurskcli").glob("*.sqlite")]
        if isinstance(damage, bytes):
            saved.write_bytes(damage)
        else:  # one flipped bit in a real index
            raw = bytearray(saved.read_bytes())
            at, bit = damage
            raw[at % len(raw)] ^= 1 << bit
            saved.write_bytes(bytes(raw))
        # before search rebuilds it: whatever the store gives is right, or it gives nothing
        full = load_dataset([MINI])
        for stored in index.stored([MINI], True, store.DiskIndex.dataset):
            assert stored.records() == full.records() and stored.sources == full.sources
        for events in index.stored([MINI], True, lambda disk: disk.dataset(["event"])):
            assert events.events == full.events and events.actors == full.actors
            assert {sid: events.text_length(sid) for sid in events.sources} == {
                sid: full.text_length(sid) for sid in full.sources
            }
        for counts in index.stored([MINI], True, store.DiskIndex.actor_counts):
            assert counts == actor_counts(full)
        for overview in index.stored([MINI], True, store.DiskIndex.overview):
            assert overview.counts() == full.counts() and overview.actors == full.actors
        for named in index.stored([MINI], True, lambda disk: disk.about_actors(lambda _: {"putin"}, ["quote"])):
            assert quotes_by(named, "putin") == quotes_by(full, "putin")
        hits, _ = search_as_asked([MINI], True, "the bridge", limit=None)
        assert [(h.record, h.score) for h in hits] == expected
    finally:
        del os.environ["XDG_CACHE_HOME"]


def test_results_are_the_same_with_and_without_the_index(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    for query in QUERIES:
        without = search_json(run, query, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
        built = search_json(run, query, "--data", str(data))
        reused = search_json(run, query, "--data", str(data))
        assert without == built == reused, query
    assert caches(private_cache)


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_saved_index_answers_without_the_data_files_being_read_again(
    run: Callable[..., Result], tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # With the bundled data too, so that claims and events are found by the words of several
    # sources: the store folds their passages from the texts it holds, as the files gave them.
    from .test_jsonl import _mini_lines

    path = tmp_path / f"mini{suffix}"
    if suffix == ".json":
        shutil.copy(MINI, path)
    else:
        path.write_text("".join(json.dumps(line) + "\n" for line in _mini_lines()), "utf-8")
    queries = [*QUERIES, "kursk liberation", "troops participated in", "gerasimov report", "monumnet"]
    off = {"KURSKCLI_CACHE": "off"}
    expected = {query: search_json(run, query, "--data", str(path), env=off) for query in queries}
    assert search_json(run, queries[0], "--data", str(path)) == expected[queries[0]]  # saves the store

    def no_reading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the data files were read again")

    monkeypatch.setattr("kurskcli.dataset.load_dataset", no_reading)
    monkeypatch.setattr("kurskcli.streaming.stream_dataset", no_reading)
    for query in queries:
        assert search_json(run, query, "--data", str(path)) == expected[query], query
    assert {"claim", "event"} <= {hit["type"] for hits in expected.values() for hit in hits}


def test_building_a_store_removes_the_stores_no_kurskcli_of_this_version_can_use_again(
    run: Callable[..., Result], tmp_path: Path, private_cache: Path
) -> None:
    import fcntl

    kept, gone, other = (tmp_path / name for name in ("kept.json", "gone.json", "other.json"))
    for path in (kept, gone, other):
        shutil.copy(MINI, path)
    expected = search_json(run, "bridge", "--data", str(kept))
    search_json(run, "bridge", "--data", str(gone))
    kept_store, gone_store = (private_cache / cache.store_name([p], True) for p in (kept, gone))
    older = private_cache / "search-0000abcd.sqlite"  # as an earlier version of kurskcli named its stores
    shutil.copy(kept_store, older)
    _sql(older, "UPDATE meta SET value = 'kurskcli-search-index/1' WHERE key = 'format'")
    busy = private_cache / "search-0000beef.sqlite"  # as old, but another kurskcli is building it
    shutil.copy(older, busy)
    damaged = private_cache / "search-0000dead.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    link = private_cache / "search-0000cafe.sqlite"
    link.symlink_to(older)
    unrelated = private_cache / "search-notes.sqlite"
    shutil.copy(older, unrelated)
    gone.unlink()
    fd = os.open(f"{busy}.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        search_json(run, "bridge", "--data", str(other))  # builds a store, and sweeps
    finally:
        os.close(fd)
    left = sorted(p.name for p in private_cache.iterdir())
    assert not older.exists() and not damaged.exists()
    assert not gone_store.exists() and gone_store.name + ".lock" not in left
    assert kept_store.exists() and busy.exists() and link.is_symlink() and unrelated.exists(), left
    assert (private_cache / cache.store_name([other], True)).exists()

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the dataset was read again")

    with pytest.MonkeyPatch.context() as m:
        m.setattr("kurskcli.dataset.load_dataset", no_loading)
        assert search_json(run, "bridge", "--data", str(kept)) == expected  # the kept store still serves


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
    assert r.err.endswith(": a file is in the way; answering without a saved index\n")
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
    import msgspec  # writes each record into the index

    for rec in [*bundled.records(), *bundled.sources.values()]:
        assert model.unpack(rec.type, json.loads(msgspec.json.encode(rec))) == rec


@pytest.fixture(scope="module")
def twin_indexes(tmp_path_factory: pytest.TempPathFactory) -> tuple[SearchIndex, store.DiskIndex]:
    import sqlite3

    ds = load_dataset([MINI])
    memory = SearchIndex(ds.records(), ds.passage)
    target = tmp_path_factory.mktemp("twin") / "index.sqlite"
    index.write(ds, target, "key", [])
    return memory, store.DiskIndex(sqlite3.connect(target, check_same_thread=False))


def _mutate(word: str, i: int) -> str:
    if len(word) < 4:
        return word
    i %= len(word) - 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 50), st.booleans()), min_size=1, max_size=4))
def test_memory_and_disk_indexes_agree(
    twin_indexes: tuple[SearchIndex, store.DiskIndex], picks: list[tuple[int, int, bool]]
) -> None:
    memory, disk = twin_indexes
    words = [memory.vocab[k % len(memory.vocab)] for k, _, _ in picks]
    query = " ".join(_mutate(w, i) if typo else w for w, (_, i, typo) in zip(words, picks, strict=True))
    ours = [(h.record, h.score, h.field, h.matched) for h in memory.search(query, limit=None)]
    theirs = [(h.record, h.score, h.field, h.matched) for h in disk.search(query, limit=None)]
    assert ours == theirs


_PIECES = st.sampled_from(
    ["bridge", "Bridge", "brid", "bridges", "br_idge", "мост", "Мост", "Ёлка", "елка", "straße", "STRASSE", "café",
     "cafe\u0301", "한국", "ｂｒｉｄｇｅ", "x²", "٣", "`", "'", "\0", " ", "  ", "\n", "-", "—", ".", "7", "_", "ǅ"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=8).map("".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(_TEXTS, _TEXTS, st.lists(_TEXTS, max_size=2)), min_size=1, max_size=40),
    st.lists(st.tuples(_PIECES, st.integers(0, 3)), min_size=1, max_size=3),
)
def test_the_store_finds_what_the_index_in_memory_finds(
    tmp_path: Path, records: list[tuple[str, str, list[str]]], query: list[tuple[str, int]]
) -> None:
    """Texts in and out of ASCII, words that fold together, NULs: SQLite's tokenizer splits the
    store's words where the searcher does, so every query (words, prefixes, typos) gets the
    same answer from either."""
    import sqlite3

    from kurskcli.model import Actor

    ds = Dataset()
    for i, (name, role, aliases) in enumerate(records):
        ds.actors[f"a{i}"] = Actor(f"a{i}", name or "x", "person", role or None, None, tuple(aliases), "x")
    words = " ".join(piece[: len(piece) - cut] if cut < len(piece) else piece for piece, cut in query)
    target = tmp_path / f"{len(list(tmp_path.iterdir()))}.sqlite"
    index.write(ds, target, "key", [])
    disk = store.DiskIndex(sqlite3.connect(target))
    try:
        expected = SearchIndex(ds.records()).search(words, limit=None)
    except ValueError:
        with pytest.raises(ValueError):
            disk.search(words, limit=None)
        return
    got = disk.search(words, limit=None)
    assert [(h.record, h.score, h.field, h.matched) for h in got] == [
        (h.record, h.score, h.field, h.matched) for h in expected
    ]
    assert got.total == expected.total
    disk.con.close()


def test_a_search_without_a_saved_store_shows_its_indexing_on_a_bar(
    data: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import present

    from .test_stream import _Bar

    monkeypatch.setattr(present, "_LazyProgress", _Bar)
    monkeypatch.setattr(present, "is_terminal", lambda stream: stream is sys.stderr)
    (data.parent / "a-file").write_text("", "utf-8")
    for env in ({"KURSKCLI_CACHE": "off"}, {"XDG_CACHE_HOME": str(data.parent / "a-file")}):
        _Bar.made.clear()
        assert run("search", "brige", "--data", str(data), env=env).code == 0
        [bar] = [made for made in _Bar.made if made.told]
        assert bar.label == "kurskcli" and bar.closed
        phases = [told[0] for told in bar.told]
        assert "indexing" in phases


@pytest.fixture(scope="module")
def bundled_index(bundled: Dataset) -> SearchIndex:
    return SearchIndex(bundled.records(), bundled.passage)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 50), st.sampled_from(["word", "typo", "prefix", "twice"]))
def test_a_one_word_search_reads_fewer_records_and_answers_as_if_it_read_them_all(
    bundled_index: SearchIndex, twin_indexes: tuple[SearchIndex, store.DiskIndex], k: int, i: int, how: str
) -> None:
    for searched in (bundled_index, twin_indexes[1]):
        word = searched.vocab[k % len(searched.vocab)]
        query = {"word": word, "typo": _mutate(word, i), "prefix": word[:3], "twice": f"{word} {word}"}[how]
        reference = copy.copy(searched)
        reference.rescore_all = True
        for limit in (1, 2, 5, 20, None):
            ours, theirs = searched.search(query, limit=limit), reference.search(query, limit=limit)
            assert [(h.record, h.score, h.field, h.matched) for h in ours] == [
                (h.record, h.score, h.field, h.matched) for h in theirs
            ]
            assert ours.total == theirs.total


def test_the_first_field_of_every_record_is_the_one_the_search_names_without_reading_it(bundled: Dataset) -> None:
    from kurskcli.searcher import FIRST_FIELD, fields_of

    for rec in bundled.records():
        assert fields_of(rec)[0][0] == FIRST_FIELD[rec.type]


# ----------------------------------------------------------------------------- subprocesses


def interrupted_while_building(proc: subprocess.Popen[str], cache: Path, *signals: int) -> tuple[str, str]:
    """Send ``signals`` to ``proc`` once it is writing a store in ``cache``; what it printed."""
    deadline = time.monotonic() + 120
    while not list(cache.glob(".kurskcli-*.tmp/part")):
        assert proc.poll() is None, "the store was saved before the test could interrupt it"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    for sig in signals:
        proc.send_signal(sig)
    return proc.communicate(timeout=60)


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


def as_lines(document: Path) -> Path:
    """The dataset ``document`` (sources, actors and quotes) as JSON Lines beside it."""
    doc = json.loads(document.read_text("utf-8"))
    lines: list[object] = [{"type": "dataset", "schema_version": doc["schema_version"], **doc["dataset"]}]
    for table in ("sources", "actors", "quotes"):
        lines += [{"type": table[:-1], **rec} for rec in doc[table]]
    path = document.with_suffix(".jsonl")
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", "utf-8")
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
    out, err = interrupted_while_building(proc, private_cache, *signals)
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
    out, err = interrupted_while_building(proc, private_cache, signal.SIGINT)
    assert (proc.returncode, out, err) == (130, "", "kurskcli: interrupted\n")
    assert caches(private_cache) == []


def in_terminal(cmd: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``cmd`` run in a pseudo-terminal by script(1), with what it showed there."""
    return subprocess.run(
        ["script", "-qfec", cmd, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux for a terminal")
def test_a_progress_bar_shows_on_a_terminal_while_the_index_is_built(tmp_path: Path, private_cache: Path) -> None:
    # KURSKCLI_PROGRESS_DELAY=0 shows the bar from the first step: how long a build takes is
    # the machine's business, so the test does not wait for the default second to pass.
    path = big_dataset(tmp_path, 3_000)
    cmd = f"{sys.executable} -m kurskcli --data {path} search item5 --color always"
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm", "KURSKCLI_PROGRESS_DELAY": "0"}
    r = in_terminal(cmd, env)
    assert r.returncode == 0
    assert re.search(r"kurskcli: (reading and checking the data|indexing|saving the index)", r.stdout), r.stdout
    assert "\x1b[?25l" in r.stdout  # Rich hides the cursor while the bar is shown
    assert "q5" in r.stdout
    again = in_terminal(cmd, env)
    assert "kurskcli: " not in again.stdout  # the saved index answers: nothing to show progress of
    assert "q5" in again.stdout


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux for a terminal")
def test_a_progress_delay_that_is_not_a_number_is_refused(data: Path, private_cache: Path) -> None:
    cmd = f"{sys.executable} -m kurskcli --data {data} search bridge"
    env = {**os.environ, "KURSKCLI_PROGRESS_DELAY": "soon"}
    r = in_terminal(cmd, env)
    assert r.returncode == 2
    assert r.stdout.strip() == "kurskcli: KURSKCLI_PROGRESS_DELAY='soon' is not a number of seconds (unset it for 1)"


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) from util-linux for a terminal")
def test_no_progress_bar_flashes_for_a_small_file(data: Path, private_cache: Path) -> None:
    cmd = f"{sys.executable} -m kurskcli --data {data} show q-open --color always"
    r = subprocess.run(["script", "-qfec", cmd, "/dev/null"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "the bridge will open in spring" in r.stdout
    assert "building" not in r.stdout and "\x1b[?25l" not in r.stdout  # no bar, no hidden cursor
    assert [p.suffix for p in caches(private_cache)] == [".sqlite"]


# ----------------------------------------------------------------------------- the cache folder


def test_the_cache_folder_and_the_index_are_private(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    assert run("search", "bridge", "--data", str(data)).code == 0
    assert private_cache.stat().st_mode & 0o777 == 0o700
    [saved] = caches(private_cache)
    assert saved.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("how", ["writable by others", "a symbolic link", "another user's"])
def test_a_cache_folder_that_is_not_private_is_not_used(
    run: Callable[..., Result], data: Path, private_cache: Path, tmp_path: Path, how: str
) -> None:
    expected = search_json(run, "bridge", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    if how == "writable by others":
        private_cache.mkdir(mode=0o700)
        private_cache.chmod(0o777)
        said = "others can write to the cache folder"
    elif how == "a symbolic link":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        private_cache.symlink_to(elsewhere)
        said = "is a symbolic link"
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        private_cache.mkdir(mode=0o700)
        os.chown(private_cache, 65534, 65534)
        said = "belongs to another user"
    for _ in range(2):
        r = run("search", "bridge", "--data", str(data), "--json", "--limit", "50")
        assert r.code == 0 and r.json() == expected
        assert r.err.startswith("kurskcli: note: ") and said in r.err and str(private_cache) in r.err
        assert r.err.endswith("; answering without a saved index\n")
        assert r.err.count("\n") == 1
    target = private_cache.resolve() if how == "a symbolic link" else private_cache
    assert list(target.iterdir()) == []


def test_temporary_folders_left_by_a_killed_kurskcli_are_swept(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    private_cache.mkdir(mode=0o700)
    dead = private_cache / ".kurskcli-999999999-0123456789ab.tmp"  # no such process
    dead.mkdir()
    (dead / "part").write_bytes(b"x" * 1000)
    (dead / "part-journal").write_bytes(b"x")
    alive = private_cache / f".kurskcli-{os.getppid()}-0123456789ab.tmp"  # a process that is running
    alive.mkdir()
    other = private_cache / "notes.tmp"
    other.write_text("not ours")
    assert run("search", "bridge", "--data", str(data)).code == 0
    assert not dead.exists() and alive.exists() and other.exists()


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_concurrent_first_searches_build_the_index_once(tmp_path: Path, private_cache: Path, suffix: str) -> None:
    path = big_dataset(tmp_path, 20_000)
    if suffix == ".jsonl":
        path = as_lines(path)  # streamed into the store as it is read
    env = {**os.environ, "KURSKCLI_DEBUG": "1"}
    argv = [sys.executable, "-m", "kurskcli", "--data", str(path), "search", "item5", "--json"]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert results[0][0] == results[1][0] and json.loads(results[0][0])
    builds = sum("debug: building the search index" in err for _, err in results)
    assert builds == 1, [err for _, err in results]
    assert not any("loading the data whole" in err for _, err in results)


# ----------------------------------------------------------------------------- one process


def test_every_command_over_user_data_asks_one_store_built_by_the_first_in_its_own_process(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No process is started or forked to read or save the data: the first command builds the
    store and answers from it, and no later command reads the files again."""
    started = record_spawns(monkeypatch)
    real_fork = os.fork

    def no_fork() -> int:
        raise AssertionError("a process was forked")

    monkeypatch.setattr(os, "fork", no_fork)
    expected = {q: search_json(run, q, "--data", str(data), env={"KURSKCLI_CACHE": "off"}) for q in QUERIES}
    first = run("search", "bridge", "--data", str(data), "--json", "--limit", "50", env={"KURSKCLI_DEBUG": "1"})
    assert first.code == 0 and first.json() == expected["bridge"]
    assert "building the search index" in first.err
    assert [p.suffix for p in caches(private_cache)] == [".sqlite"]

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the dataset was read again")

    monkeypatch.setattr("kurskcli.dataset.load_dataset", no_loading)
    assert {q: search_json(run, q, "--data", str(data)) for q in QUERIES} == expected
    for args in (("show", "q-open"), ("timeline",), ("quote", "petrov"), ("actors",), ("about",)):
        assert run(*args, "--data", str(data)).code == 0, args
    assert started == [] and os.fork is not real_fork


def test_a_search_without_a_store_answers_as_the_store_does(run: Callable[..., Result], data: Path) -> None:
    """With the cache off, or no cache folder to be had, the data is loaded and indexed in memory."""
    expected = search_json(run, "bridge", "--data", str(data))
    (data.parent / "a-file").write_text("", "utf-8")
    for env in ({"KURSKCLI_CACHE": "off"}, {"XDG_CACHE_HOME": str(data.parent / "a-file")}):
        assert search_json(run, "bridge", "--data", str(data), env=env) == expected
        assert search_json(run, "brige", "--data", str(data), env=env) == search_json(run, "brige", "--data", str(data))


def test_a_setting_no_longer_read_changes_nothing(run: Callable[..., Result], data: Path) -> None:
    plain = run("search", "bridge", "--data", str(data))
    assert run("search", "bridge", "--data", str(data), env={"KURSKCLI_BACKGROUND": "later"}) == plain


def test_a_search_waits_for_the_lock_of_a_build_under_way(tmp_path: Path, data: Path, private_cache: Path) -> None:
    import fcntl

    first = subprocess.run(
        [sys.executable, "-m", "kurskcli", "--data", str(data), "search", "bridge", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    [saved] = caches(private_cache)
    saved.unlink()
    [lock] = private_cache.glob("*.lock")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another kurskcli building this index would
    proc = subprocess.Popen(
        [sys.executable, "-m", "kurskcli", "--data", str(data), "search", "bridge", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    said = proc.stderr.readline()  # once it says so, it is waiting: the lock is still held here
    os.close(fd)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out == first.stdout
    assert said + err == "kurskcli: note: waiting for another kurskcli that is building this search index\n"


@pytest.mark.parametrize("command", [("search", "bridge", "--json"), ("show", "q-open", "--json")])
def test_a_lock_held_for_ever_is_waited_for_a_while_then_done_without(
    run: Callable[..., Result],
    data: Path,
    private_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    import fcntl

    expected = run(*command, "--data", str(data))
    [saved] = caches(private_cache)
    saved.unlink()
    [lock] = private_cache.glob("*.lock")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a kurskcli stopped with Ctrl-Z while it builds would, for ever
    monkeypatch.setattr(cache, "LOCK_WAIT", 0.2)
    try:
        r = run(*command, "--data", str(data))
    finally:
        os.close(fd)
    assert (r.code, r.out) == (0, expected.out)
    assert r.err == (
        "kurskcli: note: waiting for another kurskcli that is building this search index\n"
        "kurskcli: note: another kurskcli has held this search index's lock for 0.2 s (stopped, or still"
        " building); answering from the files without it\n"
    )
    assert caches(private_cache) == []  # nothing was saved beside the lock's holder


# ----------------------------------------------------------------------------- show and cite from the store

SHOWN = ["q-open", "c-disputed", "e-briefing", "petrov", "mini-src", "q-putin-tribute", "q-cmc-monument"]
SHOWN += ["e-kcna-cmc-statement", "asmolov-2025-04-30", "zakharova"]


def test_show_and_cite_answer_from_the_saved_index_as_from_the_files(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = [("show", rid, *how) for rid in SHOWN for how in (["--json"], [], ["--color", "always"])]
    commands += [("cite", rid, "--style", style) for rid in ("q-open", "q-cmc-monument") for style in ("apa", "bibtex")]
    commands += [("cite", "q-cmc-monument", "--rendering", "earliest"), ("cite", "putin"), ("cite", "Petrov")]
    commands += [("show", "q-opne"), ("cite", "q-opne")]
    off = {"KURSKCLI_CACHE": "off"}
    expected = [run(*c, "--data", str(data), env=off) for c in commands]
    assert [r.code for r in expected].count(0) == len(commands) - 4, [r.err for r in expected if r.code]
    assert "did you mean q-open" in expected[-1].err and "their quotes: q-putin-tribute" in expected[-4].err
    assert run("show", "q-open", "--data", str(data)).code == 0  # builds the store
    assert caches(private_cache)

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the dataset was read again")

    monkeypatch.setattr("kurskcli.dataset.load_dataset", no_loading)
    monkeypatch.setattr(store.DiskIndex, "dataset", no_loading)
    for command, want in zip(commands, expected, strict=True):
        got = run(*command, "--data", str(data))
        assert (got.code, got.out, got.err) == (want.code, want.out, want.err), command


def test_show_builds_the_store_on_its_first_run_and_says_nothing_about_it(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    r = run("show", "q-safe", "--data", str(data), "--json")
    assert r.code == 0 and r.err == ""
    assert r.json()["id"] == "q-safe"  # type: ignore[index, call-overload]
    assert [p.suffix for p in caches(private_cache)] == [".sqlite"]
    assert search_json(run, "safe", "--data", str(data))  # the same file serves search
    assert [p.suffix for p in caches(private_cache)] == [".sqlite"]


def test_show_reads_only_the_parts_of_a_long_source_it_needs_and_gets_the_same_passages(
    run: Callable[..., Result], tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = big_dataset(tmp_path, 2_000)
    doc = json.loads(path.read_text("utf-8"))
    spans = {q["id"]: (q["source"]["start"], q["source"]["end"]) for q in doc["quotes"]}
    across = next(qid for qid, (a, b) in spans.items() if a // store.PART != b // store.PART)
    wanted = ["q0", across, f"q{len(spans) - 1}"]
    off = [run("show", qid, "--data", str(path), "--json", env={"KURSKCLI_CACHE": "off"}) for qid in wanted]
    assert all(r.code == 0 for r in off)
    assert run("search", "item1", "--data", str(path)).code == 0
    read: list[int] = []
    part_of = store.DiskIndex.part_of

    def counted(self: store.DiskIndex, source_id: str, part: int) -> str:
        read.append(part)
        return part_of(self, source_id, part)

    monkeypatch.setattr(store.DiskIndex, "part_of", counted)
    for qid, want in zip(wanted, off, strict=True):
        read.clear()
        got = run("show", qid, "--data", str(path), "--json")
        assert got.out == want.out, qid
        parts = -(-len(doc["sources"][0]["text"]) // store.PART)
        assert 1 <= len(read) <= 3 < parts, (qid, read, parts)  # a few parts of many


def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the store's records read from now on, one by one; reading them all at
    once, or the files, fails."""
    read: list[int] = []
    row = store.DiskIndex._row

    def counted(self: store.DiskIndex, rid: int) -> Any:
        read.append(rid)
        return row(self, rid)

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("every record was read")

    monkeypatch.setattr(store.DiskIndex, "_row", counted)
    monkeypatch.setattr(store.DiskIndex, "dataset", no_loading)
    monkeypatch.setattr("kurskcli.dataset.load_dataset", no_loading)
    return read


def test_an_actors_quotes_and_summary_come_from_the_saved_index_as_from_the_files_reading_only_theirs(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = load_dataset([data])
    names = [*sorted(ds.actors), "Путин", "north korea", "petorv", "nobody at all", "cit"]
    modes = (["--json"], [], ["--color", "always"], ["--only"])
    commands = [(command, who, *how) for who in names for command in ("quote", "actor") for how in modes]
    commands = [c for c in commands if c[0] == "quote" or c[2:] != ("--only",)]
    commands += [("quote", "putin", "--random", "--seed", "3"), ("quote", "north korea", "--limit", "2", "--jsonl")]
    off = {"KURSKCLI_CACHE": "off"}
    expected = [run(*c, "--data", str(data), env=off) for c in commands]
    assert {r.code for r in expected} == {0, 1, 2} and sum(r.code == 0 for r in expected) > len(names) * 2
    assert run("search", "bridge", "--data", str(data)).code == 0  # builds the store
    read = rows_read(monkeypatch)
    for command, want in zip(commands, expected, strict=True):
        read.clear()
        got = run(*command, "--data", str(data))
        assert (got.code, got.out, got.err) == (want.code, want.out, want.err), command
        if command[0] == "quote" and command[2:] == ("--json",) and got.code == 0:
            shown = {q["id"] for q in got.json()}  # type: ignore[union-attr]
            others = {o for q in got.json() for o in q.get("renderings", [])}  # type: ignore[union-attr]
            assert len(read) <= len(ds.actors) + len(shown) + len(others) < len(ds.records()), command
        if command[0] == "actor" and got.code == 0:
            assert len(read) < len(ds.records()) / 2, command


@pytest.mark.parametrize(
    "edit",
    [
        "DELETE FROM mentions WHERE actor = 'putin'",
        "UPDATE mentions SET rids = substr(rids, 5) WHERE actor = 'putin'",
        "UPDATE mentions SET rids = rids || rids WHERE actor = 'putin'",
        "UPDATE meta SET value = replace(value, '\"putin\"', '\"petrov\"') WHERE key = 'mentions'",
    ],
)
def test_an_edited_list_of_the_records_naming_an_actor_never_changes_an_answer(
    run: Callable[..., Result], data: Path, private_cache: Path, edit: str
) -> None:
    off = {"KURSKCLI_CACHE": "off"}
    expected = [run(command, "putin", "--data", str(data), "--json", env=off) for command in ("quote", "actor")]
    assert expected[0].code == 0 and len(expected[0].json()) > 1  # type: ignore[arg-type]
    assert run("search", "bridge", "--data", str(data)).code == 0
    [saved] = caches(private_cache)
    _sql(saved, edit)
    for command, want in zip(("quote", "actor"), expected, strict=True):
        got = run(command, "putin", "--data", str(data), "--json")
        assert (got.code, got.out, got.err) == (want.code, want.out, want.err), command


def test_a_forged_list_of_the_records_naming_an_actor_is_caught_by_its_count(
    run: Callable[..., Result], data: Path, private_cache: Path
) -> None:
    """A list emptied, with a digest made to match, still disagrees with the description."""
    expected = run("quote", "putin", "--data", str(data), "--json", env={"KURSKCLI_CACHE": "off"})
    assert run("search", "bridge", "--data", str(data)).code == 0
    [saved] = caches(private_cache)
    import sqlite3

    con = sqlite3.connect(saved)
    con.execute("UPDATE mentions SET rids = ?, digest = ? WHERE actor = 'putin'", (b"", layout.digest_of("putin", b"")))
    con.commit()
    con.close()
    got = run("quote", "putin", "--data", str(data), "--json")
    assert (got.code, got.out) == (expected.code, expected.out)


@pytest.mark.parametrize(
    "sizes", ["[43, 38, 32]", "[-1, 38, 32, 87]", '["43", 38, 32, 43]', "[44, 37, 32, 43]", "[43, 38, 32, 44]"]
)
def test_a_forged_count_of_each_kind_never_changes_an_answer(
    run: Callable[..., Result], data: Path, private_cache: Path, sizes: str
) -> None:
    """How many records of each kind the store holds says which kind each record is: a count
    made wrong, with the description's digest made to match, is caught when read."""
    asked = [["quote", "putin", "--json"], ["timeline", "--quotes", "--claims"], ["search", "bridge"], ["actors"]]
    expected = [run(*args, "--data", str(data), env={"KURSKCLI_CACHE": "off"}) for args in asked]
    assert run("search", "bridge", "--data", str(data)).code == 0
    [saved] = caches(private_cache)
    import sqlite3

    con = sqlite3.connect(saved)
    # the bundled data's records and the file's
    assert con.execute("SELECT value FROM meta WHERE key = 'sizes'").fetchone() == ("[43, 38, 32, 43]",)
    con.execute("UPDATE meta SET value = ? WHERE key = 'sizes'", (sizes,))
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    digest = layout.digest_of(*(meta[k] for k in layout.META_KEYS))
    con.execute("UPDATE meta SET value = ? WHERE key = 'digest'", (digest,))
    con.commit()
    con.close()
    for args, want in zip(asked, expected, strict=True):
        got = run(*args, "--data", str(data))
        if got.code == 74:  # found once part of a timeline was printed: the store goes, the next run rebuilds it
            assert args[0] == "timeline" and got.err.endswith("it is removed: run the command again\n")
            assert not caches(private_cache)
            got = run(*args, "--data", str(data))
        assert (got.code, got.out, got.err) == (want.code, want.out, want.err), args


@pytest.mark.parametrize(
    ("args", "kinds"),
    [
        (["timeline", "--json"], {"event", "actor"}),
        # the timeline's quotes and claims are read in date order as they are printed (``in_order``)
        (["timeline", "--quotes"], {"event", "actor"}),
        (["timeline", "--claims", "--color", "always"], {"event", "actor"}),
        (["claims", "--json"], {"event", "actor"}),  # the claims too, as the timeline's
        (["claims", "--claimant", "petrov"], {"event", "actor"}),
        # an export reads the records as it writes them, in id order (``exported``)
        (["export", "-", "--format", "jsonl"], {"event", "actor"}),
        (["export", "-", "--format", "csv", "--type", "quote", "--type", "source"], {"event", "actor"}),
        (["export", "-", "--format", "json"], {"event", "actor"}),
        (["export", "-", "--format", "markdown"], {"event", "actor"}),
        (["export", "-", "--format", "annotations"], {"event", "actor"}),
        (["export", "-", "--format", "annotations", "--type", "claim"], {"event", "actor"}),
    ],
)
def test_commands_over_some_kinds_of_record_read_only_those_from_the_store(
    run: Callable[..., Result],
    data: Path,
    private_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    kinds: set[str] | None,
) -> None:
    expected = run(*args, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert expected.code == 0
    assert run("search", "bridge", "--data", str(data)).code == 0
    asked: list[set[str] | None] = []
    whole = store.DiskIndex._dataset

    def spied(self: store.DiskIndex, wanted: set[str] | None) -> Dataset:
        asked.append(wanted)
        return whole(self, wanted)

    monkeypatch.setattr(store.DiskIndex, "_dataset", spied)
    got = run(*args, "--data", str(data))
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)
    assert asked == [kinds]


def _damage(saved: Path, where: str) -> None:
    """Change a record's row of the store at ``saved`` (``where`` picks it) without its digest."""
    import sqlite3

    con = sqlite3.connect(saved)
    assert con.execute(f"UPDATE records SET data = replace(data, 'e', 'x') WHERE rid = ({where})").rowcount == 1
    con.commit()
    con.close()


@pytest.mark.parametrize("args", [["timeline", "--quotes"], ["export", "-", "--format", "jsonl"]], ids=" ".join)
def test_damage_in_what_a_streamed_answer_reads_first_means_a_rebuild(
    run: Callable[..., Result], data: Path, private_cache: Path, args: list[str]
) -> None:
    expected = run(*args, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert run("search", "bridge", "--data", str(data)).code == 0
    [saved] = caches(private_cache)
    _damage(saved, "SELECT min(rid) FROM records WHERE type = 'event'")  # read before any record is printed
    got = run(*args, "--data", str(data))
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)


def test_an_export_that_finds_damage_as_it_writes_leaves_no_file_and_no_store(
    run: Callable[..., Result], data: Path, private_cache: Path, tmp_path: Path
) -> None:
    import sqlite3

    expected = run("export", "-", "--format", "jsonl", "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert run("search", "bridge", "--data", str(data)).code == 0
    [saved] = caches(private_cache)
    con = sqlite3.connect(saved)
    renderings = json.loads(con.execute("SELECT value FROM meta WHERE key = 'renderings'").fetchone()[0])
    con.close()
    grouped = "', '".join(member for members in renderings.values() for member in members)
    # the last quote in id order, read once the first records are written
    last = f"SELECT rid FROM records WHERE type = 'quote' AND id NOT IN ('{grouped}') ORDER BY id DESC LIMIT 1"
    for target in ["-", str(tmp_path / "out.csv")]:
        _damage(saved, last)
        got = run("export", target, "--format", "csv", "--data", str(data))
        assert got.code == 74 and got.err.count("\n") == 1
        assert "damaged" in got.err and "run the command again" in got.err
        assert caches(private_cache) == []
        assert run("search", "bridge", "--data", str(data)).code == 0  # built anew
        [saved] = caches(private_cache)
    assert not (tmp_path / "out.csv").exists()
    assert run("export", "-", "--format", "jsonl", "--data", str(data)).out == expected.out


@pytest.mark.parametrize(
    "args",
    [
        ["about", "--json"],
        ["about"],
        ["about", "--color", "always"],
        ["actors", "--json"],
        ["actors", "--kind", "person"],
        ["actors", "--color", "always"],
    ],
)
def test_about_and_actors_answer_from_the_store_reading_the_actors_alone(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    expected = run(*args, "--data", str(data), env={"KURSKCLI_CACHE": "off"})
    assert expected.code == 0
    assert run("search", "bridge", "--data", str(data)).code == 0
    read = rows_read(monkeypatch)
    got = run(*args, "--data", str(data))
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)
    ds = load_dataset([data])
    assert len(read) == len(ds.actors)  # the actors alone


def test_a_store_read_by_kind_gives_those_records_as_the_whole_read_does(data: Path, private_cache: Path) -> None:
    search_as_asked([data], True, "bridge")
    [saved] = caches(private_cache)
    disk = store.DiskIndex(store.connect_bounded(saved))
    try:
        whole = disk.dataset()
        for kinds in (["event"], ["quote", "claim"], []):
            part = disk.dataset(kinds)
            for kind in ("quote", "claim", "event", "actor"):
                expected = getattr(whole, kind + "s") if kind in [*kinds, "actor"] else {}
                assert getattr(part, kind + "s") == expected, (kinds, kind)
            assert part.infos == whole.infos
            assert part.sources == {sid: src._replace(text="") for sid, src in whole.sources.items()}
            assert all(part.text_length(sid) == whole.text_length(sid) for sid in whole.sources)
    finally:
        disk.con.close()


EVERY_COMMAND = [
    ["timeline", "--quotes", "--claims", "--json"],
    ["timeline", "--quotes"],
    ["quote", "petrov", "--json"],
    ["quote", "putin"],
    ["claims", "--json"],
    ["actors", "--json"],
    ["actor", "petrov"],
    ["check", "the bridge will open in spring", "--json"],
    ["check", "we will never forget our friends"],
    ["read", "mini-src"],
    ["read", "--json"],
    ["about", "--json"],
    ["export", "-", "--format", "jsonl"],
]


def test_every_command_reads_a_saved_store_instead_of_the_files(
    run: Callable[..., Result], data: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = {"KURSKCLI_CACHE": "off"}
    expected = [run(*args, "--data", str(data), env=off) for args in EVERY_COMMAND]
    assert all(r.code in (0, 1) for r in expected), [r.err for r in expected]
    assert caches(private_cache) == []
    assert run("quote", "petrov", "--data", str(data)).code == 0  # the first command builds the store
    assert len(caches(private_cache)) == 1

    def no_loading(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the dataset was read again")

    with monkeypatch.context() as m:
        m.setattr("kurskcli.dataset.load_dataset", no_loading)
        for args, want in zip(EVERY_COMMAND, expected, strict=True):
            got = run(*args, "--data", str(data))
            assert (got.code, got.out, got.err) == (want.code, want.out, want.err), args
    # verify always reads the files themselves; an edited file means the files again
    assert run("verify", "--data", str(data)).code == 0
    doc = json.loads(data.read_text("utf-8"))
    doc["actors"][0]["name"] = "Pyotr Petrov-Vodkin"
    data.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert "Pyotr Petrov-Vodkin" in run("actor", "petrov", "--data", str(data)).out


def test_a_dataset_whose_file_name_is_not_utf8_is_searched_without_a_saved_index(
    tmp_path: Path, private_cache: Path
) -> None:
    from .conftest import run_process

    path = tmp_path / os.fsdecode(b"m\xffini.json")
    shutil.copy(MINI, path)
    for command in (("search", "bridge"), ("show", "q-open")):
        r = run_process(*command, "--data", str(path))
        assert r.returncode == 0 and "the bridge will open in spring" in r.stdout, r.stderr
        assert "a dataset file's name is not valid UTF-8" in r.stderr and "internal error" not in r.stderr
    assert caches(private_cache) == []


def test_a_search_returns_as_many_hits_as_asked_and_counts_them_all(run: Callable[..., Result], tmp_path: Path) -> None:
    """No cap on hits: --limit up to 10,000 returns that many, and "N of M hits" is exact."""
    path = big_dataset(tmp_path, 900)
    data = ["--data", str(path), "--no-bundled"]

    def hits(query: str, limit: str) -> list[dict[str, Any]]:
        return run("search", query, *data, "--json", "--limit", limit).json()  # type: ignore[return-value]

    every = hits("karax", "10000")  # a word in two records of three
    assert len(every) == sum("karax" in q["text"].split() for q in json.loads(path.read_text("utf-8"))["quotes"]) > 400
    few = run("search", "karax", *data, "--limit", "5")
    assert few.out.count("\n") == 5 and f"5 of {len(every)} hits" in few.err
    both = hits("karax lorax", "10000")
    assert f"3 of {len(both)} hits" in run("search", "karax lorax", *data, "--limit", "3").err
    assert [h["id"] for h in hits("karax lorax", "3")] == [h["id"] for h in both[:3]]
