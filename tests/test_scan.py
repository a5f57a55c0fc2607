"""Large JSON Lines answered as they are read (``scan``): a search's hits, scores and totals,
and every first command's output, as a whole load gives them, with no record kept but those
shown, and the store saved afterwards."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurskcli import index, scan
from kurskcli.dataset import Counted, SpillFile, load_dataset, stream_dataset
from kurskcli.model import Dataset, Record
from kurskcli.output import hit_dict
from kurskcli.searcher import TYPE_ORDER, Hits, SearchIndex

from .conftest import MINI, Result, reaped, record_spawns, split_in_halves
from .test_index import _saved
from .test_jsonl import _as_document, _mini_lines, _write
from .test_stream import _many, _peak, _quote, _shuffled

Run = Callable[..., Result]
QUERIES = (
    "monument",
    "kursk liberation",
    "putn",
    "trump",
    "the",
    "kim",
    "pu",
    "shoulder to shoulder",
    "monumnet",
    "zelenskiy",
    "north korean troops",
    "путин",
    "korea",
    "zz",
)


def _same(got: Hits, want: Hits) -> None:
    assert [(h.record, h.score, h.matched, h.field) for h in got] == [
        (h.record, h.score, h.matched, h.field) for h in want
    ]
    assert got.total == want.total


@pytest.mark.parametrize(
    "case",
    ["bundled data as lines", "shuffled, seed 1", "shuffled, seed 2", "with the bundled data", "beside a document"],
)
def test_a_search_as_the_data_is_read_answers_as_the_index_over_the_whole_load(
    tmp_path: Path, bundled_lines: list[object], case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = bundled_lines
    if case.startswith("shuffled"):  # actors after the quotes naming them, renderings before what they render
        lines = _shuffled(bundled_lines, int(case[-1]))
    paths, bundled = [_write(tmp_path, lines)], False
    if case == "with the bundled data":
        paths, bundled = [_write(tmp_path, _mini_lines())], True
    elif case == "beside a document":
        paths.append(MINI)
    monkeypatch.setattr(scan._Searched, "BATCH", 7)  # many batches: words first seen in later ones
    whole = load_dataset(paths, bundled=bundled)
    reference = SearchIndex(whole.records(), whole.passage)
    shown = 0
    for query in QUERIES:
        for types, limit in ((None, 20), (["claim", "event"], 5), (None, None)):
            found = scan.search(paths, bundled, query, types=types, limit=limit)
            assert found is not None
            hits, ds = found
            want = reference.search(query, types=types, limit=limit)
            _same(hits, want)
            # what the output shows of each hit: names, renderings, their differences
            shown_here = [hit_dict(h, ds) for h in hits]
            assert shown_here == [hit_dict(h, whole) for h in want]
            shown += sum(bool(h.get("renderings")) for h in shown_here)
    assert shown  # hits with other renderings were among them


PIECES = ["monument", "monumnet", "monuments", "moment", "mon", "ument", "путин", "путн", "Straße", "strasse", "x_y"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4), min_size=1, max_size=25),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=3),
    st.integers(1, 6),
    st.booleans(),
)
def test_words_and_typos_first_seen_in_any_batch_are_found_as_the_index_finds_them(
    tmp_path_factory: pytest.TempPathFactory, contexts: list[list[str]], query: list[str], batch: int, halves: bool
) -> None:
    """In one process, or in two halves (``dataset._Halves``): a word first seen in either."""
    lines = _mini_lines()[:7]  # the dataset, its source and its actors
    lines += [_quote(f"q-{i:03d}", context=" ".join(words)) for i, words in enumerate(contexts)]
    path = _write(tmp_path_factory.mktemp("typos"), lines)
    with pytest.MonkeyPatch.context() as m:
        made = split_in_halves(m) if halves else []
        m.setattr(scan._Searched, "BATCH", batch)
        found = scan.search([path], False, " ".join(query), limit=None)
    whole = load_dataset([path], bundled=False)
    assert found is not None
    assert len(made) == (halves and len(contexts) >= 3)  # split from the third quote on
    _same(found[0], SearchIndex(whole.records(), whole.passage).search(" ".join(query), limit=None))


def test_a_typo_is_no_longer_followed_once_every_query_word_is_found(tmp_path: Path) -> None:
    lines = _mini_lines()[:7]
    lines += [_quote(f"q-{i}", context="monuments moment") for i in range(5)] + [_quote("q-9", context="monument")]
    path = _write(tmp_path, lines)
    sink = scan._Searched(["monument"])
    sink.BATCH = 2
    stream_dataset([path], sink, bundled=False)
    assert sink.followed == {"monuments", "moment"}  # possible typos, while the word itself is not found
    sink.flush()
    assert sink.followed == set() and sink.seen == set()  # found in the last batch: nothing left to follow
    assert set(sink.found) == {"monument", "monuments"}  # the word and a longer one; "moment" went
    sink.close()


def test_a_search_as_the_data_is_read_keeps_no_record_it_does_not_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _mini_lines()[:7] + [_quote(f"q-{i:05d}", context=f"w{i}x") for i in range(3000)]
    path = _write(tmp_path, lines)
    found = scan.search([path], False, "w17x")
    assert found is not None
    hits, ds = found
    assert [h.record.id for h in hits] == ["q-00017"]
    assert list(ds.quotes) == ["q-00017"]  # the hit alone, read back from the file
    small, large = _many(tmp_path, 1_000), _many(tmp_path, 20_000)
    monkeypatch.setattr(scan._Searched, "BATCH", 500)  # a batch is held while it is searched
    whole = _peak(lambda: load_dataset([large], bundled=False))
    for query in ("monument", "monumnet"):
        few, many = (_peak(lambda p=p, q=query: scan.search([p], False, q)) for p in (small, large))  # type: ignore[misc]
        assert many < 2 * few + 20_000 * 300  # the ids alone grow: a few hundred bytes a record
        assert many < whole / 3  # the ids, and each quote's number (to find the quote a rendering renders)


def test_data_that_cannot_be_read_as_a_stream_gives_none(tmp_path: Path) -> None:
    lines = _mini_lines()
    lines.append(lines.pop(1))  # the source after the records naming it
    assert scan.search([_write(tmp_path, lines)], False, "alpha") is None
    broken = [*_mini_lines()[:7], _quote("q-1", context="x"), _quote("q-1", context="y")]  # one id twice
    assert scan.search([_write(tmp_path, broken)], False, "alpha") is None


def test_the_progress_of_a_search_as_the_data_is_read_is_reported(tmp_path: Path) -> None:
    lines = _mini_lines()[:7] + [_quote(f"q-{i:05d}", context="x") for i in range(3000)]
    path = _write(tmp_path, lines)
    told: list[tuple[str, int, int]] = []
    scan.search([path], False, "alpha", progress=lambda *a: told.append(a))
    lines = path.read_bytes().splitlines(keepends=True)
    size = path.stat().st_size  # bytes of the file read, out of its size, every thousand lines
    assert told == [("searching", len(b"".join(lines[:n])), size) for n in (1000, 2000, 3000)]


# ----------------------------------------------------------------------------- from the command line


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Any JSON Lines count as large, and the store is saved after the answer (the default);
    returns the command lines of the processes started to save it."""
    monkeypatch.setattr(index, "STREAM_FROM", 0)
    monkeypatch.setenv("KURSKCLI_BACKGROUND", "on")
    return record_spawns(monkeypatch)


def _whole(run: Run, monkeypatch: pytest.MonkeyPatch, *args: str, tty: bool = False) -> Result:
    """The command over the data read whole, with no store: what a search as it is read must give."""
    with monkeypatch.context() as m:
        m.setattr(index, "STREAM_FROM", 2**62)
        return run(*args, env={"KURSKCLI_CACHE": "off", "KURSKCLI_BACKGROUND": "off"}, tty=tty)


def _no_whole_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kw: object) -> Dataset:
        raise AssertionError("the data was read whole")

    monkeypatch.setattr("kurskcli.dataset.load_dataset", refuse)


def test_a_first_search_over_large_json_lines_answers_as_they_are_read_then_saves_the_store(
    run: Run,
    tmp_path: Path,
    bundled_lines: list[object],
    private_cache: Path,
    large: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 4))
    data = ["--data", str(path), "--no-bundled"]
    want = {q: _whole(run, monkeypatch, "search", q, "--json", *data) for q in ("monumnet", "putin")}
    human = _whole(run, monkeypatch, "search", "monumnet", *data, tty=True)
    with monkeypatch.context() as m:
        _no_whole_load(m)
        first = run("search", "monumnet", "--json", *data, env={"KURSKCLI_DEBUG": "1"})
        assert first.code == 0 and first.json() == want["monumnet"].json() and first.json()
        assert "saving the search index in a process of its own" in first.err and "building" not in first.err
        assert large == [[sys.executable, "-P", "-m", "kurskcli.saver", "no-bundled", str(path)]]
        _saved(private_cache)
        again = run("search", "putin", "--json", *data, env={"KURSKCLI_DEBUG": "1"})
        assert again.json() == want["putin"].json() and len(large) == 1  # from the store
    for store in private_cache.rglob("search-*.sqlite"):
        store.unlink()
    assert run("search", "monumnet", *data, tty=True).out == human.out and "monument" in human.out
    _saved(private_cache)  # the process started to save it is done before the test ends


def test_a_first_search_over_large_json_lines_with_a_problem_reports_it_as_always(
    run: Run, tmp_path: Path, large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [*_mini_lines()[:7], _quote("q-1", context="x"), _quote("q-1", context="y")]
    path = _write(tmp_path, lines)
    want = _whole(run, monkeypatch, "search", "alpha", "--data", str(path), "--no-bundled")
    r = run("search", "alpha", "--data", str(path), "--no-bundled")
    assert (r.code, r.err) == (want.code, want.err) and r.code == 65 and "q-1" in r.err


def test_a_search_as_the_data_is_read_shows_its_progress_on_a_bar(
    run: Run, tmp_path: Path, large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kurskcli import present

    from .test_stream import _Bar

    path = _write(tmp_path, _mini_lines()[:7] + [_quote(f"q-{i:05d}", context="x") for i in range(1500)])
    monkeypatch.setattr(present, "_LazyProgress", _Bar)
    monkeypatch.setattr(present, "is_terminal", lambda stream: stream is sys.stderr)
    monkeypatch.setattr(index, "save_later", lambda *args: None)
    for env in ({}, {"KURSKCLI_CACHE": "off"}):
        _Bar.made.clear()
        assert run("search", "alpha", "--data", str(path), "--no-bundled", env=env).code == 0
        [bar] = [made for made in _Bar.made if made.told]
        assert bar.label == "kurskcli" and bar.closed
        assert [told[0] for told in bar.told] == ["searching"]  # at the thousandth line


COMMANDS = (
    ["search", "shoulder to shoulder"],
    ["quote", "putin"],
    ["quote", "putin", "--json"],
    ["actor", "kim-jong-un"],
    ["actor", "kim-jong-un", "--json"],
    ["actors"],
    ["timeline"],
    ["claims", "--json"],
    ["about"],
    ["show", "q-putin-tribute"],
    ["show", "q-putin-tribute-ru", "--json"],
    ["show", "e-kpa-arrival", "c-acknowledgment", "asmolov-2025-04-30"],
    ["cite", "q-cmc-monument"],
    ["cite", "q-putin-tribute-tass-en", "--style", "bibtex"],
)


@pytest.mark.parametrize("how", ["one process", "two halves", "a document in two halves"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_first_command_over_large_json_lines_answers_as_they_are_read_then_saves_the_store(
    run: Run,
    tmp_path: Path,
    bundled_lines: list[object],
    private_cache: Path,
    large: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    how: str,
) -> None:
    """Read by one process, or in two halves at once (``dataset._Halves``), as a whole load gives
    it; and so is a large JSON document, where it is read in two halves."""
    halves = how != "one process"
    made = split_in_halves(monkeypatch) if halves else []
    path = _write(tmp_path, _shuffled(bundled_lines, 6))  # actors after the quotes, renderings before theirs
    if how == "a document in two halves":
        path = _as_document(tmp_path, _shuffled(bundled_lines, 6))
    data = ["--data", str(path), "--no-bundled"]
    want = _whole(run, monkeypatch, *args, *data, tty=True)
    assert want.code == 0 and want.out
    with monkeypatch.context() as m:
        _no_whole_load(m)
        first = run(*args, *data, tty=True, env={"KURSKCLI_DEBUG": "1"})
        assert (first.code, first.out) == (0, want.out)
        assert "saving the search index in a process of its own" in first.err and "building" not in first.err
        assert len(large) == 1
        _saved(private_cache)
        again = run(*args, *data, tty=True)
        assert again.out == want.out and len(large) == 1  # from the store
        for store in private_cache.rglob("search-*.sqlite"):
            store.unlink()
        off = run(*args, *data, tty=True, env={"KURSKCLI_CACHE": "off"})
        assert off.out == want.out and len(large) == 1  # as it is read, and nothing saved
        assert not list(private_cache.rglob("search-*.sqlite"))
    assert len(made) == 2 * halves and reaped(made)  # the first run and the one with the cache off


def test_commands_that_need_every_record_still_read_large_json_lines_whole(
    run: Run, tmp_path: Path, bundled_lines: list[object], private_cache: Path, large: list[list[str]]
) -> None:
    path = _write(tmp_path, bundled_lines)
    data = ["--data", str(path), "--no-bundled"]
    for args in (["quote"], ["export", "-", "--format", "jsonl"], ["read", "asmolov-2025-04-30"]):
        r = run(*args, *data)
        assert r.code == 0 and r.out
    assert large == [] and not list(private_cache.rglob("search-*.sqlite"))


def test_the_records_read_as_a_stream_come_back_as_the_store_gives_them(
    tmp_path: Path, bundled_lines: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 7))
    monkeypatch.setattr(scan._Spilled, "BATCH", 5)
    store = scan.kept([path], False)
    assert store is not None
    whole = load_dataset([path], bundled=False)
    try:
        assert [store.records.at(rid) for rid in range(store.records.size)] == whole.records()
        got = store.dataset(["claim", "event"])
        assert (got.claims, got.events, got.actors) == (whole.claims, whole.events, whole.actors)
        with pytest.raises(ValueError, match="no source text is kept"):
            store.dataset()
    finally:
        store.close()


def test_a_quote_is_found_by_its_id_whatever_other_ids_share_its_hash(
    tmp_path: Path, bundled_lines: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 9))
    whole = load_dataset([path], bundled=False)
    for hashed in (hash, lambda text: len(text) % 3):  # as Python hashes, and with many collisions
        monkeypatch.setattr(scan, "hash", hashed, raising=False)
        store = scan.kept([path], False)
        assert store is not None
        try:
            assert [store.records.quote_number(qid) for qid in whole.quotes] == list(range(len(whole.quotes)))
            assert store.records.quote_number("no-such-quote") is None
        finally:
            store.close()


def test_a_first_show_of_an_unknown_id_over_large_json_lines_suggests_as_always(
    run: Run, tmp_path: Path, bundled_lines: list[object], large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, bundled_lines)
    data = ["--data", str(path), "--no-bundled"]
    want = _whole(run, monkeypatch, "show", "q-putin-tribut", *data)
    r = run("show", "q-putin-tribut", *data, env={"KURSKCLI_DEBUG": "1"})
    assert (r.code, r.out) == (want.code, want.out) and want.code != 0
    assert want.err.splitlines()[-1] in r.err and "did you mean" in want.err
    assert "building" in r.err and large == []  # every id is needed: read the usual way, the store saved first


def test_large_json_lines_are_read_as_a_stream_where_the_cache_folder_cannot_be_used(
    run: Run, tmp_path: Path, bundled_lines: list[object], large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, bundled_lines)
    data = ["--data", str(path), "--no-bundled"]
    want = {
        args[0]: _whole(run, monkeypatch, *args, *data)
        for args in (["search", "monumnet"], ["show", "q-putin-tribute"])
    }
    monkeypatch.setattr(index, "private_cache_dir", lambda: (None, "the cache folder is not yours alone"))
    _no_whole_load(monkeypatch)
    for args in (["search", "monumnet"], ["show", "q-putin-tribute"]):
        r = run(*args, *data)
        assert (r.code, r.out) == (0, want[args[0]].out) and "not yours alone" in r.err
    assert large == []


def test_a_first_command_over_large_json_lines_naming_no_actor_fails_as_always(
    run: Run, tmp_path: Path, bundled_lines: list[object], large: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, bundled_lines)
    data = ["--data", str(path), "--no-bundled"]
    for args in (["quote", "zzqqxx"], ["actor", "nobody-at-all"]):
        want = _whole(run, monkeypatch, *args, *data)
        r = run(*args, *data)
        assert (r.code, r.out, r.err) == (want.code, want.out, want.err) and r.code != 0 and r.err


class _Garbled(SpillFile):
    """A temporary file that gives back other bytes than it took."""

    def get(self, offset: int, size: int) -> bytes:
        return b"[" * size


@pytest.mark.parametrize("args", [["search", "monumnet", "--json"], ["quote", "putin"], ["show", "q-putin-tribute"]])
def test_records_that_do_not_come_back_from_the_temporary_file_are_read_the_usual_way(
    run: Run,
    tmp_path: Path,
    bundled_lines: list[object],
    large: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    path = _write(tmp_path, bundled_lines)
    data = ["--data", str(path), "--no-bundled"]
    want = _whole(run, monkeypatch, *args, *data)
    monkeypatch.setattr(scan, "SpillFile", _Garbled)  # the records' file, not the texts'
    assert scan.search([path], False, "monumnet") is None
    assert index.as_read([path], False, lambda store: store.about_actors(lambda ds: ["putin"], ["quote"])) == []
    r = run(*args, *data, env={"KURSKCLI_DEBUG": "1"})
    assert (r.code, r.out) == (0, want.out) and "building the search index" in r.err and large == []


def _runs(records: list[Record], size: int) -> list[list[Record]]:
    """``records`` cut into runs of one type, of at most ``size`` each."""
    out: list[list[Record]] = []
    for rec in records:
        if out and out[-1][0].type == rec.type and len(out[-1]) < size:
            out[-1].append(rec)
        else:
            out.append([rec])
    return out


def _state(sink: Any) -> dict[str, Any]:
    """What a sink keeps of the records it took, found by ``scan`` or the checks at the end."""
    kept = {"counts": sink.counts, "quote ids": sink.quote_ids, "other ids": sink.other_ids, "twice": sink.twice}
    if isinstance(sink, scan._Spilled):
        sink.flush()
        ds = sink.ds
        assert ds is not None
        records = scan._Records(sink, ds)
        kept |= {
            "numbers": sink.numbers,
            "sizes": sink.sizes,
            "quote hashes": sink.quote_hashes,
            "renderings": sink.renderings,
            "read back": [records.at(rid) for rid in range(records.size)],
        }
    if isinstance(sink, scan._Searched):
        kept |= {"found": sink.found, "longer": sink.longer, "unknown": sink.unknown, "followed": sink.followed}
    if isinstance(sink, scan._Kept):
        kept |= {"wanted": sink.where_wanted, "mentions": sink.mentions, "actor counts": sink.actor_counts}
    return kept


@pytest.mark.parametrize("kind", ["verify", "search", "a typo", "kept"])
@pytest.mark.parametrize("size", [1, 3, 1000])
@pytest.mark.parametrize("twice", [None, "quote", "claim"])
def test_a_sink_takes_records_in_runs_of_any_size_alike(
    bundled: Dataset, kind: str, size: int, twice: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan._Spilled, "BATCH", 7)  # a run may end a batch, or go past its end
    records = sorted(bundled.records(), key=lambda rec: TYPE_ORDER[rec.type])  # as a stream hands them over
    first = next(rec for rec in records if rec.type == "quote")
    if twice == "quote":  # an id given again, in a later run or the same one
        records.insert(len(records) // 3, first)
    elif twice == "claim":  # a claim with the id of a quote
        claim = next(rec for rec in records if rec.type == "claim")
        records[records.index(claim)] = claim._replace(id=first.id)  # type: ignore[union-attr]
    makers: dict[str, Callable[[], Any]] = {
        "verify": Counted,
        "search": lambda: scan._Searched(["korea", "troops"]),
        "a typo": lambda: scan._Searched(["koreu", "monumnet"]),
        "kept": lambda: scan._Kept(["q-cmc-monument", first.id]),
    }
    one, runs = makers[kind](), makers[kind]()
    try:
        for rec in records:
            one.add(rec, bundled)  # a run of one
        for run in _runs(records, size):
            runs.add_all(run, bundled)
        assert _state(runs) == _state(one)
        assert runs.twice is (twice is not None)
    finally:
        one.close()
        runs.close()


def test_a_word_in_every_record_is_kept_in_a_few_bytes_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a search keeps as it reads is the numbers of the records holding each word it asks
    about: 8 bytes each, not a dictionary entry and a number object (70 bytes)."""
    monkeypatch.setattr(scan._Spilled, "BATCH", 1000)  # what a batch needs while it is searched stays small
    n = 20_000
    path = _many(tmp_path, n)

    def peak(word: str) -> int:
        sink = scan._Searched([word])
        try:
            return _peak(lambda: stream_dataset([path], sink, bundled=False))
        finally:
            sink.close()

    common, rare = peak("alpha"), peak("zzzz")  # every quote says "Alpha News"
    assert common - rare < 30 * n, (common, rare)
