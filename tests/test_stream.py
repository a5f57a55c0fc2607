"""JSON Lines data is written to the store as it is read: no record is kept in memory, the store
is the one a whole load writes, and data that cannot be streamed is loaded whole, with the
whole load's answers and messages."""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from kurskcli import cache, index, store
from kurskcli.dataset import DatasetError, NotStreamed, load_dataset
from kurskcli.index import verified_counts
from kurskcli.model import Dataset, Record
from kurskcli.searcher import search
from kurskcli.streaming import stream_dataset

from .conftest import MINI, Result, run_process, search_as_asked
from .test_jsonl import _as_document, _mini_lines, _write

Run = Callable[..., Result]


def _shuffled(lines: list[Any], seed: int) -> list[Any]:
    """The dataset line and the sources first, then every other record in a random order."""
    head = [x for x in lines if x["type"] in ("dataset", "source")]
    rest = [x for x in lines if x["type"] not in ("dataset", "source")]
    random.Random(seed).shuffle(rest)
    return head + rest


def _tables(path: Path) -> dict[str, Any]:
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, words, instance)")
        return {
            "records": con.execute("SELECT * FROM records ORDER BY rid").fetchall(),
            "texts": con.execute("SELECT * FROM texts ORDER BY id, part").fetchall(),
            "mentions": con.execute("SELECT * FROM mentions ORDER BY actor").fetchall(),
            "meta": dict(con.execute("SELECT key, value FROM meta").fetchall()),
            "words": con.execute("SELECT * FROM temp.vocab ORDER BY term, doc, col, offset").fetchall(),
        }
    finally:
        con.close()


def _both_stores(paths: list[Path], bundled: bool, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The store written while streaming ``paths``, and the one written from a whole load."""
    streamed, whole = folder / "streamed.sqlite", folder / "whole.sqlite"
    fp = cache.bundled_fingerprint() if bundled else None
    index._stream(paths, bundled, streamed, fp, None)  # raises NotStreamed if it fell short
    ds = load_dataset(paths, bundled=bundled)
    key, deps = index._key_and_deps(paths, fp, ds)
    index.write(ds, whole, key, deps)
    return _tables(streamed), _tables(whole)


@pytest.mark.parametrize(
    "case",
    ["bundled data as lines", "shuffled, seed 1", "shuffled, seed 2", "with the bundled data", "beside a document"],
)
def test_a_streamed_store_is_the_store_a_whole_load_writes(
    tmp_path: Path, bundled_lines: list[object], case: str
) -> None:
    lines = bundled_lines
    if case.startswith("shuffled"):  # actors after the quotes naming them, renderings before what they render
        lines = _shuffled(bundled_lines, int(case[-1]))
    paths = [_write(tmp_path, lines)]
    bundled = False
    if case == "with the bundled data":
        paths, bundled = [_write(tmp_path, _mini_lines())], True
    elif case == "beside a document":
        paths.append(MINI)
    streamed, whole = _both_stores(paths, bundled, tmp_path)
    assert streamed["records"] == whole["records"]  # the same rows, numbers and digests
    assert streamed["texts"] == whole["texts"]
    assert streamed["words"] == whole["words"]
    assert streamed["mentions"] == whole["mentions"]
    assert streamed["meta"] == whole["meta"]
    assert len(streamed["records"]) > 100 or bundled


def test_the_first_search_over_json_lines_answers_as_a_whole_load_does(
    run: Run, tmp_path: Path, bundled_lines: list[object], private_cache: Path
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 3))
    ds = load_dataset([path], bundled=False)
    for query in ("monument", "kursk liberation", "putn", "trump"):
        for saved in private_cache.glob("*.sqlite"):
            saved.unlink()  # each query is a first search
        first = run("search", query, "--json", "--data", str(path), "--no-bundled", env={"KURSKCLI_DEBUG": "1"})
        assert "building the search index" in first.err and "loading the data whole" not in first.err
        assert [h["id"] for h in first.json()] == [h.record.id for h in search(ds, query)]  # type: ignore[index,union-attr]
        assert run("search", query, "--json", "--data", str(path), "--no-bundled").out == first.out
        # the human output too, against a search that keeps the records in memory
        plain = run("search", query, "--data", str(path), "--no-bundled")
        off = run("search", query, "--data", str(path), "--no-bundled", env={"KURSKCLI_CACHE": "off"})
        assert plain.out == off.out and query.split()[0][:3] in plain.out.lower()


def _quote(qid: str, **extra: object) -> dict[str, object]:
    return {
        "type": "quote",
        "id": qid,
        "speaker": "petrov",
        "text": "Alpha News",
        "kind": "direct",
        "source": {"id": "mini-src", "start": 0, "end": 10},
        **extra,
    }


def _broken(case: str) -> list[Any]:
    lines: list[Any] = _mini_lines()
    quotes = [i for i, x in enumerate(lines) if isinstance(x, dict) and x["type"] == "quote"]
    if case == "an id used by a quote and a claim":
        claim = next(x for x in lines if isinstance(x, dict) and x["type"] == "claim")
        claim["id"] = lines[quotes[0]]["id"]
    elif case == "a quote with the id of a source":
        lines[quotes[0]]["id"] = "mini-src"
    elif case == "two sources with one id":
        lines.insert(2, dict(lines[1]))
    elif case == "an unknown actor":
        lines[quotes[0]]["speaker"] = "nobody"
    elif case == "a rendering of an unknown quote":
        lines.append(_quote("q-r", renders="q-missing"))
    elif case == "a rendering of a rendering":
        lines += [_quote("q-r1", renders=lines[quotes[0]]["id"]), _quote("q-r2", renders="q-r1")]
    elif case == "words not in the source":
        lines[quotes[0]]["text"] = "Not what was said"
    elif case == "a line that is not JSON":
        lines.append("{not json")
    elif case == "an unknown event, and an actor given after the quotes naming him":
        claim = next(x for x in lines if isinstance(x, dict) and x["type"] == "claim")
        claim["outcomes"] = ["e-missing"]
        actor = next(i for i, x in enumerate(lines) if isinstance(x, dict) and x.get("id") == "petrov")
        lines.append(lines.pop(actor))
    elif case == "several problems, found by checks of every kind":
        event = next(x for x in lines if isinstance(x, dict) and x["type"] == "event")
        event["date"] = "2025-13"
        lines[quotes[1]].update(kind="speech", date="someday")
        lines[quotes[0]]["text"] = "Not what was said"
        lines[quotes[2]]["source"] = {"id": "mini-src", "start": 9, "end": 3}
        lines.insert(quotes[0], "[]")
    return lines


# what the stream reports itself, as the whole load would (an id given twice on a second read,
# which notes where it was first given); two sources with one id it leaves to the whole load
REPORTED_AS_READ = {
    "words not in the source",
    "a line that is not JSON",
    "several problems, found by checks of every kind",
    "an unknown actor",
    "a rendering of an unknown quote",
    "a rendering of a rendering",
    "an unknown event, and an actor given after the quotes naming him",
    "an id used by a quote and a claim",
    "a quote with the id of a source",
}
SPARED = {
    "words not in the source",
    "several problems, found by checks of every kind",
    "an id used by a quote and a claim",  # on the second read, from the second record given it
    "a quote with the id of a source",
}


@pytest.mark.parametrize(
    "case",
    [
        "an id used by a quote and a claim",
        "a quote with the id of a source",
        "two sources with one id",
        "an unknown actor",
        "a rendering of an unknown quote",
        "a rendering of a rendering",
        "words not in the source",
        "a line that is not JSON",
        "several problems, found by checks of every kind",
        "an unknown event, and an actor given after the quotes naming him",
    ],
)
def test_data_with_a_problem_is_reported_as_the_whole_load_reports_it(
    run: Run, tmp_path: Path, private_cache: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _broken(case))
    with pytest.raises(DatasetError) as whole:
        load_dataset([path], bundled=False)
    if case in REPORTED_AS_READ:
        spared: list[bool] = []
        with monkeypatch.context() as m:
            m.setattr(index._Writer, "spare", lambda self: spared.append(True))
            with pytest.raises(DatasetError) as streamed:
                index._stream([path], False, tmp_path / "store.sqlite", None, None)
        assert streamed.value.problems == whole.value.problems
        # from the first problem on, the writer keeps only the ids, where records follow it (not a
        # last line, nor a reference found wanting once every record is read)
        assert spared == ([True] if case in SPARED else [])
    else:
        with pytest.raises(NotStreamed):
            index._stream([path], False, tmp_path / "store.sqlite", None, None)
    assert not (tmp_path / "store.sqlite").exists()
    with pytest.raises(DatasetError) as searched:
        search_as_asked([path], False, "alpha")
    assert searched.value.problems == whole.value.problems
    r = run("search", "alpha", "--data", str(path), "--no-bundled")
    assert r.code == 65 and all(str(p) in r.err for p in whole.value.problems), r.err
    assert not list(private_cache.glob("*.sqlite"))  # nothing saved
    # verify's stream reports the same, itself or through the whole load
    with pytest.raises(DatasetError) as verified:
        verified_counts([path], bundled=False)
    assert verified.value.problems == whole.value.problems
    r = run("verify", "--data", str(path), "--no-bundled", "--json")
    assert r.code == 65 and r.json()["problems"] == [str(p) for p in whole.value.problems]  # type: ignore[index, call-overload]


def _source_last(lines: list[Any]) -> list[Any]:
    """The lines with the sources moved to the end, after the records naming them."""
    return [x for x in lines if not _is_source(x)] + [x for x in lines if _is_source(x)]


def _is_source(line: Any) -> bool:
    return isinstance(line, dict) and line["type"] == "source"


@pytest.mark.parametrize("case", ["the source last", "shuffled, the source last", "the source in the middle"])
def test_records_before_their_source_are_streamed_reading_the_file_twice(
    tmp_path: Path, bundled_lines: list[object], case: str
) -> None:
    lines: list[Any] = list(bundled_lines)
    if case == "shuffled, the source last":
        lines = _shuffled(lines, 4)
    lines = _source_last(lines)
    if case == "the source in the middle":
        sources = [x for x in lines if _is_source(x)]
        rest = [x for x in lines if not _is_source(x)]
        lines = rest[: len(rest) // 2] + sources + rest[len(rest) // 2 :]
    path = _write(tmp_path, lines)
    streamed, whole = _both_stores([path], False, tmp_path)  # raises NotStreamed if it fell short
    assert streamed == whole


def test_a_record_before_its_source_is_streamed_with_the_same_answers(tmp_path: Path, run: Run) -> None:
    path = _write(tmp_path, _source_last(_mini_lines()))
    said: list[str] = []
    hits, _ = search_as_asked([path], False, "alpha", debug=said.append)
    assert any("as the data is read" in s for s in said) and not any("whole" in s for s in said)
    assert [h.record.id for h in hits] == [h.record.id for h in search(load_dataset([path], bundled=False), "alpha")]
    verified = verified_counts([path], bundled=False)
    assert verified == load_dataset([path], bundled=False, verify_hashes=True).counts()


def test_a_record_naming_a_source_of_a_later_file_is_loaded_whole_with_the_same_answers(tmp_path: Path) -> None:
    lines = _mini_lines()
    sources = tmp_path / "sources"
    sources.mkdir()
    later = _write(sources, [lines[0], *[x for x in lines if _is_source(x)]])
    path = _write(tmp_path, [x for x in lines if not _is_source(x)])
    with pytest.raises(NotStreamed, match="names source 'mini-src' before it is read"):
        index._stream([path, later], False, tmp_path / "store.sqlite", None, None)
    said: list[str] = []
    hits, _ = search_as_asked([path, later], False, "alpha", debug=said.append)
    assert any("loading the data whole" in s for s in said)
    expected = search(load_dataset([path, later], bundled=False), "alpha")
    assert hits and [h.record.id for h in hits] == [h.record.id for h in expected]


@pytest.mark.parametrize("case", sorted(REPORTED_AS_READ))
def test_data_with_a_problem_and_its_source_last_is_reported_as_the_whole_load_reports_it(
    tmp_path: Path, case: str
) -> None:
    lines = _source_last(_broken(case))
    if case == "several problems, found by checks of every kind":
        lines[-1] = {**lines[-1], "date": "2025-02-30"}  # and one in the source, read first
    path = _write(tmp_path, lines)
    with pytest.raises(DatasetError) as whole:
        load_dataset([path], bundled=False)
    if case in ("an id used by a quote and a claim", "a quote with the id of a source"):
        # an id given twice, read the sources first: which record gave it first is the whole load's to say
        with pytest.raises(NotStreamed):
            index._stream([path], False, tmp_path / "store.sqlite", None, None)
    else:
        with pytest.raises(DatasetError) as streamed:
            index._stream([path], False, tmp_path / "store.sqlite", None, None)
        assert streamed.value.problems == whole.value.problems
    with pytest.raises(DatasetError) as verified:
        verified_counts([path], bundled=False)
    assert verified.value.problems == whole.value.problems
    assert not (tmp_path / "store.sqlite").exists()


class _Count:
    """A sink that keeps nothing but the source texts."""

    def __init__(self) -> None:
        self.seen = 0
        self.texts: dict[str, str] = {}

    def add(self, rec: Record, ds: Dataset) -> None:
        self.seen += 1

    def add_all(self, recs: Sequence[Record], ds: Dataset) -> None:
        self.seen += len(recs)

    def repeated(self, sources: object) -> set[str]:
        return set()

    def quotes_among(self, ids: Iterable[str]) -> set[str]:
        return set(ids)

    def spare(self) -> None:
        pass

    def text(self, source_id: str, chunks: Iterable[str]) -> int:
        self.texts[source_id] = "".join(chunks)
        return len(self.texts[source_id])

    def excerpt(self, source_id: str, start: int, end: int) -> str:
        return self.texts[source_id][start:end]


@pytest.mark.parametrize("case", sorted(c for c in REPORTED_AS_READ if "JSON" not in c and "several" not in c))
def test_a_document_with_a_problem_is_reported_as_the_whole_load_reports_it(tmp_path: Path, case: str) -> None:
    path = _as_document(tmp_path, _broken(case))
    with pytest.raises(DatasetError) as whole:
        load_dataset([path], bundled=False)
    with pytest.raises(DatasetError) as streamed:
        index._stream([path], False, tmp_path / "store.sqlite", None, None)
    assert streamed.value.problems == whole.value.problems
    assert not (tmp_path / "store.sqlite").exists()


def test_an_id_of_the_bundled_data_given_again_is_placed_as_the_whole_load_places_it(tmp_path: Path) -> None:
    lines = _mini_lines()
    quote = next(x for x in lines if isinstance(x, dict) and x["type"] == "quote")
    quote["id"] = "q-putin-tribute"  # a bundled quote's
    path = _write(tmp_path, lines)
    with pytest.raises(DatasetError) as whole:
        load_dataset([path])
    with pytest.raises(DatasetError) as streamed:
        index._stream([path], True, tmp_path / "store.sqlite", cache.bundled_fingerprint(), None)
    assert streamed.value.problems == whole.value.problems
    assert any("duplicate id 'q-putin-tribute' (first defined at <bundled>" in str(p) for p in whole.value.problems)
    assert not (tmp_path / "store.sqlite").exists()


def _many(tmp_path: Path, n: int) -> Path:
    lines = _mini_lines()[:7]  # the dataset, its source and its actors
    lines += [_quote(f"q-{i:06d}", context="x" * 200) for i in range(n)]
    path = tmp_path / f"many-{n}.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return path


def _peak(load: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        load()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_holds_no_record_while_a_whole_load_holds_them_all(tmp_path: Path) -> None:
    small, large = _many(tmp_path, 1_000), _many(tmp_path, 20_000)
    sink = _Count()
    ds = stream_dataset([large], sink, bundled=False)
    assert sink.seen == 20_000 + 5 and not ds.quotes and list(ds.actors) and list(ds.sources)
    streamed = (
        _peak(lambda: stream_dataset([small], _Count(), bundled=False)),
        _peak(lambda: stream_dataset([large], _Count(), bundled=False)),
    )
    whole = _peak(lambda: load_dataset([small], bundled=False)), _peak(lambda: load_dataset([large], bundled=False))
    assert whole[1] > 10 * whole[0]  # twenty times the records: about twenty times the memory
    assert streamed[1] < 2 * streamed[0]  # the same memory, whatever the number of records


def test_verify_checks_json_lines_as_they_are_read_and_counts_what_a_whole_load_counts(
    tmp_path: Path, bundled_lines: list[object], run: Run
) -> None:
    lines = _write(tmp_path, _shuffled(bundled_lines, 5))
    cases = [[lines], [lines, MINI]]
    cases.append([_text_file_dataset(tmp_path, _long_text())])
    for paths in cases:
        expected = load_dataset(paths, bundled=False, verify_hashes=True).counts()
        sink = _Count()
        ds = stream_dataset(paths, sink, bundled=False, verify_hashes=True)  # raises if it fell short
        assert not ds.quotes and verified_counts(paths, bundled=False) == expected
        assert sink.seen == sum(expected[kind] for kind in ("actors", "quotes", "claims", "events")) > 0
    r = run("verify", "--no-bundled", "--json", *(x for p in cases[0] for x in ("--data", str(p))))
    assert r.code == 0 and r.json()["counts"] == load_dataset(cases[0], bundled=False).counts()  # type: ignore[index, call-overload]


def test_verify_holds_no_record_of_json_lines(tmp_path: Path) -> None:
    small, large = _many(tmp_path, 1_000), _many(tmp_path, 20_000)
    few = _peak(lambda: verified_counts([small], bundled=False))
    many = _peak(lambda: verified_counts([large], bundled=False))
    assert verified_counts([large], bundled=False)["quotes"] == 20_000
    whole = _peak(lambda: load_dataset([large], bundled=False, verify_hashes=True))
    assert many < 2 * few + 20_000 * 200  # the ids alone grow: a few hundred bytes a record
    assert many < whole / 4


def test_the_progress_of_a_streamed_build_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    path = _many(tmp_path, 2_500)
    search_as_asked([path], False, "alpha", progress=lambda *a: seen.append(a))
    lines = path.read_bytes().splitlines(keepends=True)
    read = [(done, total) for phase, done, total in seen if phase == "streaming"]
    size = path.stat().st_size  # bytes of the file read, out of its size, every thousand lines
    # under way from the start, then how much of the file is read
    assert read == [(0, 0)] + [(len(b"".join(lines[:n])), size) for n in (1000, 2000)]
    assert seen[-1][0] == "saving"


def _text_file_dataset(folder: Path, text: str) -> Path:
    """JSON Lines whose source text is a file beside it, with quotes on spans around the
    boundaries of the parts the store keeps texts in."""
    import hashlib

    (folder / "long.txt").write_bytes(text.encode("utf-8"))
    lines: list[Any] = [
        {"type": "dataset", "schema_version": "1.0", "id": "long", "version": "1", "title": "Long"},
        {
            "type": "source",
            "id": "long",
            "title": "Long",
            "author": "test",
            "file": "long.txt",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
        {"type": "actor", "id": "s", "name": "Speaker", "kind": "person"},
    ]
    for i, around in enumerate([10, store.PART - 7, 2 * store.PART, 2 * store.PART + 3, len(text) - 40]):
        start = text.rindex(" ", 0, around) + 1
        end = text.index(" ", around + 5)
        lines.append(
            _quote(f"q{i}", speaker="s", text=text[start:end], source={"id": "long", "start": start, "end": end})
        )
    lines.append(
        {
            "type": "event",
            "id": "e",
            "title": "Across a boundary",
            "sources": [{"id": "long", "start": store.PART - 100, "end": store.PART + 100}],
        }
    )
    path = folder / "long.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    return path


def _long_text() -> str:
    words = ["Курск", "ready", "граница", "🙂", "dawn", "d’être", "x"]
    rng = random.Random(5)
    rows = [" ".join(rng.choice(words) for _ in range(200)) for _ in range(300)]
    return "\n".join(rows) + "\n"


def test_a_source_text_file_is_stored_as_it_is_read(tmp_path: Path) -> None:
    text = _long_text()
    assert len(text) > 2 * store.PART + 100
    path = _text_file_dataset(tmp_path, text)
    streamed, whole = _both_stores([path], False, tmp_path)
    assert streamed == whole
    assert "".join(t for _, _, t, _ in streamed["texts"]) == text
    assert json.loads(streamed["meta"]["lengths"]) == {"long": len(text)}


@pytest.mark.parametrize("case", ["another text", "not UTF-8", "missing", "outside the folder"])
def test_a_source_text_file_that_does_not_hold_is_reported_by_the_whole_load(tmp_path: Path, case: str) -> None:
    path = _text_file_dataset(tmp_path, _long_text())
    long = tmp_path / "long.txt"
    if case == "another text":
        long.write_text(_long_text().replace("dawn", "dusk"), "utf-8")
    elif case == "not UTF-8":
        long.write_bytes(long.read_bytes()[:-3] + b"\xff\n")
    elif case == "missing":
        long.unlink()
    else:
        path.write_text(path.read_text("utf-8").replace('"long.txt"', f'"../{tmp_path.name}/long.txt"'), "utf-8")
    with pytest.raises(NotStreamed):
        index._stream([path], False, tmp_path / "store.sqlite", None, None)
    with pytest.raises(DatasetError) as whole:
        load_dataset([path], bundled=False)
    with pytest.raises(DatasetError) as searched:
        search_as_asked([path], False, "ready")
    assert searched.value.problems == whole.value.problems
    with pytest.raises(NotStreamed):
        stream_dataset([path], _Count(), bundled=False, verify_hashes=True)
    with pytest.raises(DatasetError) as verified:
        verified_counts([path], bundled=False)
    assert verified.value.problems == whole.value.problems


def test_show_and_cite_stream_json_lines_on_their_first_run(
    run: Run, tmp_path: Path, bundled_lines: list[object], private_cache: Path
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 4))
    data = ["--data", str(path), "--no-bundled"]
    off = {"KURSKCLI_CACHE": "off"}
    for args in (["show", "q-cmc-monument"], ["show", "q-cmc-monument", "--json"], ["cite", "q-cmc-monument"]):
        for saved in private_cache.glob("*.sqlite"):
            saved.unlink()
        first = run(*args, *data, env={"KURSKCLI_DEBUG": "1"})
        assert "building the search index" in first.err and "loading the data whole" not in first.err
        assert first.code == 0 and first.out == run(*args, *data, env=off).out and "monument" in first.out
        assert run(*args, *data).out == first.out  # and from the store it saved


@pytest.mark.slow
def test_ctrl_c_while_json_lines_are_streamed_leaves_nothing(tmp_path: Path, private_cache: Path) -> None:
    import signal
    import subprocess
    import sys

    from .test_index import as_lines, big_dataset, caches, interrupted_while_building

    path = as_lines(big_dataset(tmp_path, 60_000))
    argv = [sys.executable, "-m", "kurskcli", "--data", str(path), "search", "item5", "--debug"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = interrupted_while_building(proc, private_cache, signal.SIGINT)
    assert (proc.returncode, out) == (130, "") and err.endswith("kurskcli: interrupted\n"), err
    assert "building the search index" in err and "loading the data whole" not in err
    assert caches(private_cache) == []


def test_large_json_lines_are_written_to_the_store_by_any_first_command(
    run: Run, tmp_path: Path, bundled_lines: list[object], private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 5))
    data = ["--data", str(path), "--no-bundled"]
    off = {"KURSKCLI_CACHE": "off"}
    commands = (
        ["quote", "putin"],
        ["quote", "putin", "--json"],
        ["actor", "kim-jong-un"],
        ["actors"],
        ["timeline"],
        ["claims", "--json"],
        ["about"],
    )
    commands += (["quote"], ["export", "-", "--format", "jsonl"], ["read", "asmolov-2025-04-30"])
    expected = {tuple(args): run(*args, *data, env=off) for args in commands}
    for args in commands:
        for saved in private_cache.glob("*.sqlite"):
            saved.unlink()
        first = run(*args, *data, env={"KURSKCLI_DEBUG": "1"})
        assert "as the data is read" in first.err and "loading the data whole" not in first.err, first.err
        want = expected[tuple(args)]
        assert (first.code, first.out) == (want.code, want.out) and want.code == 0 and want.out
        assert len(list(private_cache.glob("*.sqlite"))) == 1
        again = run(*args, *data, env={"KURSKCLI_DEBUG": "1"})
        assert again.out == want.out and "building" not in again.err  # from the store


def test_large_json_lines_with_a_problem_are_reported_by_the_whole_load(
    run: Run, tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _broken("words not in the source"))
    want = run("quote", "petrov", "--data", str(path), "--no-bundled", env={"KURSKCLI_CACHE": "off"})
    r = run("quote", "petrov", "--data", str(path), "--no-bundled")
    assert (r.code, r.out, r.err) == (want.code, want.out, want.err) and r.code == 65
    assert not list(private_cache.glob("*.sqlite"))


def test_a_first_command_over_large_json_lines_holds_no_record(
    run: Run, tmp_path: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = _many(tmp_path, 1_000), _many(tmp_path, 20_000)

    def about(path: Path) -> int:
        for saved in private_cache.glob("*.sqlite"):
            saved.unlink()
        return _peak(lambda: run("about", "--data", str(path), "--no-bundled"))

    about(small)  # every module imported before anything is measured
    whole = (
        _peak(lambda: run("about", "--data", str(small), "--no-bundled", env={"KURSKCLI_CACHE": "off"})),
        _peak(lambda: run("about", "--data", str(large), "--no-bundled", env={"KURSKCLI_CACHE": "off"})),
    )
    streamed = about(small), about(large)
    assert whole[1] > 10 * whole[0]  # twenty times the records: about twenty times the memory
    assert streamed[1] < 2 * streamed[0]  # the same memory, whatever the number of records
    # a JSON document: its bytes are held, as they are read whole, but none of its records
    document = _as_document(tmp_path, [json.loads(line) for line in large.read_text("utf-8").splitlines()])
    held = _peak(lambda: run("about", "--data", str(document), "--no-bundled", env={"KURSKCLI_CACHE": "off"}))
    assert about(document) < 0.75 * held  # 0.58 as written: the bytes, and no record


def test_verify_checks_a_large_source_text_as_it_is_read(tmp_path: Path) -> None:
    text = _long_text() * 40  # 2.4 million characters
    path = _text_file_dataset(tmp_path, text)
    assert verified_counts([path], bundled=False) == load_dataset([path], bundled=False).counts()
    bad = tmp_path / "bad.jsonl"  # a quote that is not what the text says, far into it
    lines = path.read_text("utf-8").splitlines()
    [last] = [i for i, line in enumerate(lines) if '"id": "q4"' in line]
    assert json.loads(lines[last])["source"]["start"] > 16 * store.PART
    lines[last] = lines[last].replace('"text": "', '"text": "x', 1)
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    r = run_process("verify", "--no-bundled", "--data", str(bad))
    assert r.returncode == 65, r.stderr
    assert f"bad.jsonl: line {last + 1}.source: text does not match the source" in r.stdout


def test_reading_json_lines_whole_or_to_verify_them_reports_its_progress(tmp_path: Path) -> None:
    path = _many(tmp_path, 2_500)
    lines = path.read_bytes().splitlines(keepends=True)
    size = path.stat().st_size  # bytes of the file read, out of its size, every thousand lines
    expected = [(len(b"".join(lines[:n])), size) for n in (1000, 2000)]
    for read in (
        lambda progress: load_dataset([path], bundled=False, progress=progress),
        lambda progress: verified_counts([path], bundled=False, progress=progress),
    ):
        seen: list[tuple[int, int]] = []
        read(lambda done, total, seen=seen: seen.append((done, total)))
        assert seen == expected


class _Bar:
    """Stands in for the progress bar: what it was told, under which label."""

    made: ClassVar[list[_Bar]] = []

    def __init__(self, label: str) -> None:
        self.label, self.told, self.closed = label, [], False
        self.made.append(self)

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.told.append((phase, done, total))

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("argv", "label"), [(["verify"], "verify"), (["quote", "--json"], "kurskcli")])
def test_a_command_reading_json_lines_in_full_shows_a_bar_on_a_terminal_only(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch, argv: list[str], label: str
) -> None:
    from kurskcli import present

    path = _many(tmp_path, 2_500)
    monkeypatch.setattr(present, "_LazyProgress", _Bar)
    monkeypatch.setenv("KURSKCLI_CACHE", "off")
    _Bar.made.clear()
    piped = run("--no-bundled", "--data", str(path), *argv)
    assert piped.code == 0 and not _Bar.made  # stderr is no terminal here
    monkeypatch.setattr(present, "is_terminal", lambda stream: stream is sys.stderr)
    shown = run("--no-bundled", "--data", str(path), *argv)
    assert shown.code == 0 and shown.out == piped.out
    [bar] = _Bar.made
    assert bar.label == label and bar.closed
    assert [told[0] for told in bar.told] == ["reading", "reading"] and bar.told[-1][2] == path.stat().st_size


def test_a_first_search_that_reads_json_lines_whole_reports_the_share_read(tmp_path: Path) -> None:
    path = _many(tmp_path, 2_500)
    lines = path.read_bytes().splitlines(keepends=True)
    assert b'"type": "source"' in lines[1]
    later = tmp_path / "sources.jsonl"
    later.write_bytes(lines[0] + lines.pop(1))  # the quotes name a source in a file read after them: read whole
    path.write_bytes(b"".join(lines))
    seen: list[tuple[str, int, int]] = []
    hits = search_as_asked([path, later], False, "alpha", progress=lambda *a: seen.append(a))
    size = path.stat().st_size + later.stat().st_size
    read = [(done, total) for phase, done, total in seen if phase == "reading" and total]
    assert read[-2:] == [(len(b"".join(lines[:n])), size) for n in (1000, 2000)]
    assert hits[0] and hits[0] == search_as_asked([path, later], False, "alpha")[0]  # now from the store


def test_a_file_changed_between_its_two_readings_is_not_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import dataset

    path = _write(tmp_path, _source_last(_mini_lines()))
    read_lines, calls = dataset.read_lines, []

    def changing(where: Path, *args: Any, **kw: Any) -> Any:
        calls.append(where)
        if len(calls) == 3:  # the sources' pass of the second read, done: the file changes
            with where.open("a") as fh:
                fh.write("\n")
        return read_lines(where, *args, **kw)

    monkeypatch.setattr(dataset, "read_lines", changing)
    with pytest.raises(NotStreamed, match="changed between its two readings"):
        index._stream([path], False, tmp_path / "store.sqlite", None, None)
    assert calls == [path, path, path] and not (tmp_path / "store.sqlite").exists()
