"""Large JSON Lines read in two halves at once, in two processes (``dataset._Halves``): every
line is read once, by one process or the other, and every answer is what one process reading
the whole file gives; anything the halves cannot take sends the file the usual way."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from kurskcli import dataset, index, scan
from kurskcli.dataset import DatasetError, load_dataset, verified_counts
from kurskcli.searcher import SearchIndex

from .conftest import reaped, split_in_halves
from .test_jsonl import _as_document, _mini_lines, _write
from .test_scan import QUERIES, Run, _same, _whole
from .test_stream import _quote, _shuffled


@pytest.fixture
def halves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    return split_in_halves(monkeypatch)


def test_the_two_halves_hold_every_line_once_wherever_the_middle_falls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset, "BLOCK_BYTES", 7)  # lines across blocks, blocks within lines
    head = b'{"type": "dataset"}\n'
    rest = [b'{"a": 1}\n', b"\n", b'{"b": "' + b"x" * 30 + b'"}\r\n', b"{}\n", b"\n", b'{"c": 2}\n']
    for ending in (b"\n", b""):  # with and without a newline at the end of the file
        lines = [*rest[:-1], rest[-1].removesuffix(b"\n") + ending]
        data = head + b"".join(lines)
        path = tmp_path / "lines.jsonl"
        path.write_bytes(data)
        fd = os.open(path, os.O_RDONLY)
        try:
            for middle in range(len(head), len(data) + 1):
                split = dataset._Halves(cast(Any, None))
                split.fd, split.size, split.parent = fd, len(data), os.getppid()  # as in a child
                numbered: Iterator[tuple[int, bytes]] = iter(enumerate(lines, 2))
                parent = [raw for _, raw in split._until(numbered, len(head), middle)]
                child = [raw for _, raw in split._from(middle)]
                assert parent + child == lines, middle
                assert len(head) + len(b"".join(parent[:-1])) < middle or not parent  # each starts before it
                assert len(head) + len(b"".join(parent)) >= middle or not child  # and the child's after it
        finally:
            os.close(fd)


@pytest.mark.parametrize("case", ["bundled data as lines", "shuffled, seed 1", "shuffled, seed 2"])
def test_a_search_in_two_halves_answers_as_the_index_over_the_whole_load(
    tmp_path: Path, bundled_lines: list[object], case: str, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = bundled_lines
    if case.startswith("shuffled"):  # actors after the quotes naming them, renderings before what they render
        lines = _shuffled(bundled_lines, int(case[-1]))
    path = _write(tmp_path, lines)
    monkeypatch.setattr(scan._Searched, "BATCH", 7)  # many batches in each half
    whole = load_dataset([path], bundled=False)
    reference = SearchIndex(whole.records(), whole.passage)
    searches = 0
    for query in QUERIES:
        for types, limit in ((None, 20), (["claim", "event"], 5), (None, None)):
            found = scan.search([path], False, query, types=types, limit=limit)
            searches += 1
            assert found is not None
            _same(found[0], reference.search(query, types=types, limit=limit))
    assert len(halves) == searches and reaped(halves)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_json_document_in_two_halves_answers_as_the_index_over_the_whole_load(
    tmp_path: Path, bundled_lines: list[object], seed: int, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _as_document(tmp_path, _shuffled(bundled_lines, seed))  # renderings before what they render
    monkeypatch.setattr(scan._Searched, "BATCH", 7)
    whole = load_dataset([path], bundled=False)
    reference = SearchIndex(whole.records(), whole.passage)
    searches = 0
    for query in QUERIES:
        for types, limit in ((None, 20), (["claim", "event"], 5)):
            found = scan.search([path], False, query, types=types, limit=limit)
            searches += 1
            assert found is not None
            _same(found[0], reference.search(query, types=types, limit=limit))
    assert verified_counts([path], bundled=False) == whole.counts()
    store = scan.kept([path], False)
    assert store is not None
    try:  # every record, numbered as the whole load numbers them
        assert [store.records.at(rid) for rid in range(store.records.size)] == whole.records()
    finally:
        store.close()
    assert len(halves) == searches + 2 and reaped(halves)


def _quotes_document(tmp_path: Path, odd: str | None = None, at: int = 0) -> Path:
    """A document of 20 quotes; with ``odd``, the quote ``at`` is what ``odd`` says."""
    quotes = [_quote(f"q-{i}", context="monument") for i in range(20)]
    if odd == "a pattern":
        quotes[at]["id"] = "not an id"
    elif odd == "a number too large":
        quotes[at]["source"] = {"id": "mini-src", "start": 0, "end": 10**19}
    elif odd == "words not in the source":
        quotes[at]["text"] = "words the source does not hold"
    elif odd == "a span past the text":
        quotes[at]["source"] = {"id": "mini-src", "start": 0, "end": 10**6}
    path = _as_document(tmp_path, [*_mini_lines()[:7], *quotes])
    if odd == "a key twice":
        text = path.read_text("utf-8")
        path.write_text(text.replace(f'"id": "q-{at}",', f'"id": "q-{at}", "id": "q-{at}",', 1), "utf-8")
    return path


@pytest.mark.parametrize(
    "odd", ["a key twice", "a pattern", "a number too large", "words not in the source", "a span past the text"]
)
@pytest.mark.parametrize("at", [2, 17], ids=["first half", "second half"])
def test_a_quote_of_a_document_with_a_problem_in_either_half_is_reported_as_always(
    run: Run, tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch, odd: str, at: int
) -> None:
    """Each half checks its quotes as msgspec's declaration would (patterns, numbers, and the
    colons that show a key given twice, counted over both), and as the loader does (the words
    of each span); what either refuses is read the usual way."""
    path = _quotes_document(tmp_path, odd, at)
    with pytest.raises(dataset.NotStreamed):
        dataset.stream_dataset([path], dataset.Counted(), bundled=False)
    assert len(halves) == 1 and reaped(halves)
    with pytest.raises(DatasetError) as whole:
        load_dataset([path], bundled=False)
    args = ["search", "monument", "--data", str(path), "--no-bundled"]
    want = _whole(run, monkeypatch, *args)
    assert want.code == 65 and whole.value.problems[0].message in want.err
    monkeypatch.setattr(index, "STREAM_FROM", 0)
    got = run(*args, env={"KURSKCLI_CACHE": "off"})
    assert (got.code, got.err) == (want.code, want.err)
    assert len(halves) == 2 and reaped(halves)


def test_a_document_read_in_halves_keeps_its_source_text_as_it_is(tmp_path: Path, halves: list[int]) -> None:
    path = _quotes_document(tmp_path)
    sink = dataset.Counted()
    dataset.stream_dataset([path], sink, bundled=False)
    [text] = sink.texts.values()
    assert isinstance(text, dataset._WholeText) and sink.spill.file is None  # nothing written to disk
    assert len(halves) == 1 and reaped(halves)


def _postings(sink: scan._Searched, word: str) -> int:
    """How many records ``sink`` found ``word`` in."""
    return sum(map(len, sink.found[word].values()))


@pytest.mark.parametrize("where", ["first half", "second half", "neither"])
def test_a_typo_is_followed_in_both_halves_until_the_word_is_found_in_either(
    tmp_path: Path, halves: list[int], where: str
) -> None:
    quotes = [_quote(f"q-{i}", context="monuments moment") for i in range(12)]
    if where != "neither":
        quotes.insert(3 if where == "first half" else 11, _quote("q-found", context="monument"))
    path = _write(tmp_path, [*_mini_lines()[:7], *quotes])
    sink = scan._Searched(["monument", "zz"])
    sink.BATCH = 2
    dataset.stream_dataset([path], sink, bundled=False)
    assert len(halves) == 1 and reaped(halves)
    if where == "neither":  # each half followed the possible typos it saw: both sets, whole
        assert sink.unknown == {"monument"} and sink.followed == {"monuments", "moment"}
        assert set(sink.found) == {"monuments", "moment"} and _postings(sink, "moment") == 12
    else:  # found in one half: known once merged, and what was followed as a typo of it goes
        assert sink.unknown == set() and sink.followed == set()
        assert set(sink.found) == {"monument", "monuments"} and _postings(sink, "monuments") == 12
    sink.close()


def test_once_a_word_is_found_in_one_half_the_other_looks_for_no_typo_of_it(
    tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document forks before its first quote: the word is found in the parent's half, and the
    child (held back until then) follows no typo of it, which the whole data has none of."""
    quotes = [_quote(f"q-{i}", context="monuments moment") for i in range(12)]
    quotes[1] = _quote("q-found", context="monument")
    path = _as_document(tmp_path, [*_mini_lines()[:7], *quotes])
    parent, took, follow = os.getpid(), scan._Searched.took, scan._Searched._follow
    followed = tmp_path / "followed"

    def held_back(self: scan._Searched) -> None:
        deadline = time.monotonic() + 10
        while os.getpid() != parent and self.shared is not None and not self.shared[0]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        took(self)

    def counted(self: scan._Searched, batch: Any) -> None:
        if os.getpid() != parent:
            with followed.open("a") as out:
                out.write("followed\n")
        follow(self, batch)

    monkeypatch.setattr(scan._Searched, "BATCH", 2)
    monkeypatch.setattr(scan._Searched, "took", held_back)
    monkeypatch.setattr(scan._Searched, "_follow", counted)
    found = scan.search([path], False, "monument")
    assert found is not None and found[0][0].record.id == "q-found"
    assert len(halves) == 1 and reaped(halves)
    assert not followed.exists()  # the child's batches each followed nothing


def test_verify_in_two_halves_checks_and_counts_as_one_process(
    run: Run, tmp_path: Path, bundled_lines: list[object], halves: list[int]
) -> None:
    path = _write(tmp_path, _shuffled(bundled_lines, 3))
    counts = verified_counts([path], bundled=False)
    assert len(halves) == 1
    assert counts == load_dataset([path], bundled=False).counts()
    r = run("verify", "--data", str(path), "--no-bundled")
    assert r.code == 0 and len(halves) == 2 and reaped(halves)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(dataset, "HALVES_FROM", 2**62)
        assert run("verify", "--data", str(path), "--no-bundled").out == r.out and len(halves) == 2


def test_an_id_used_in_each_half_is_reported_as_always(
    run: Run, tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [*_mini_lines()[:7], *(_quote(f"q-{i}", context="x") for i in range(20)), _quote("q-1", context="y")]
    path = _write(tmp_path, lines)
    with pytest.raises(DatasetError, match="duplicate id 'q-1'"):  # from the whole load, after the stream
        verified_counts([path], bundled=False)
    want = _whole(run, monkeypatch, "search", "alpha", "--data", str(path), "--no-bundled")
    monkeypatch.setattr(index, "STREAM_FROM", 0)
    r = run("search", "alpha", "--data", str(path), "--no-bundled", env={"KURSKCLI_CACHE": "off"})
    assert (r.code, r.err) == (want.code, want.err) and r.code == 65 and "q-1" in r.err
    assert halves and reaped(halves)


def test_an_id_used_in_each_half_is_found_by_verify(tmp_path: Path, halves: list[int]) -> None:
    lines = [*_mini_lines()[:7], *(_quote(f"q-{i}", context="x") for i in range(20)), _quote("q-1", context="y")]
    path = _write(tmp_path, lines)
    sink = dataset.Counted()
    with pytest.raises(dataset.NotStreamed, match="an id is used twice"):
        dataset.stream_dataset([path], sink, bundled=False)
    assert len(halves) == 1 and reaped(halves)


def _with_a_late_source(tmp_path: Path) -> Path:
    """A dataset with a second source after its quotes (and a quote of it after that)."""
    late = {**_mini_lines()[1], "id": "late-src"}  # type: ignore[dict-item]
    lines = [*_mini_lines()[:7], *(_quote(f"q-{i}", context="monument") for i in range(20)), late]
    lines.append(_quote("q-late", context="monument", source={"id": "late-src", "start": 0, "end": 10}))
    return _write(tmp_path, lines)


def test_a_source_in_the_second_half_sends_the_file_the_usual_way(
    run: Run, tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _with_a_late_source(tmp_path)
    assert scan.search([path], False, "monument") is None  # read whole by the caller
    assert len(halves) == 1 and reaped(halves)
    args = ["search", "monument", "--limit", "30", "--data", str(path), "--no-bundled"]
    want = _whole(run, monkeypatch, *args)
    monkeypatch.setattr(index, "STREAM_FROM", 0)
    got = run(*args, env={"KURSKCLI_CACHE": "off"})
    assert (got.code, got.out) == (0, want.out) and "q-late" in got.out
    assert verified_counts([path], bundled=False) == load_dataset([path], bundled=False).counts()


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_child_that_does_not_finish_sends_the_file_the_usual_way(
    tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = _write(tmp_path, [*_mini_lines()[:7], *(_quote(f"q-{i}", context="monument") for i in range(20))])
    parent, took = os.getpid(), scan._Searched.took

    def fails_in_the_child(self: scan._Searched) -> None:
        if os.getpid() != parent:
            if how == "dies":
                os._exit(3)
            raise RuntimeError("broken")
        took(self)

    monkeypatch.setattr(scan._Searched, "took", fails_in_the_child)
    assert scan.search([path], False, "monument") is None
    assert len(halves) == 1 and reaped(halves)


def test_a_child_whose_parent_is_gone_stops_reading(
    tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, [*_mini_lines()[:7], *(_quote(f"q-{i}", context="monument") for i in range(20))])
    parent, getppid = os.getpid(), os.getppid
    monkeypatch.setattr(os, "getppid", lambda: 1 if os.getpid() != parent else getppid())  # as if orphaned
    assert scan.search([path], False, "monument") is None  # the child did not finish
    assert len(halves) == 1 and reaped(halves)


def test_a_child_whose_parent_is_gone_stops_checking_a_document(
    tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _quotes_document(tmp_path)
    parent, getppid = os.getpid(), os.getppid
    monkeypatch.setattr(dataset._Halves, "WATCH", 3)
    monkeypatch.setattr(os, "getppid", lambda: 1 if os.getpid() != parent else getppid())  # as if orphaned
    assert scan.search([path], False, "monument") is None  # the child did not finish
    assert len(halves) == 1 and reaped(halves)


def test_a_parent_that_stops_reading_stops_its_child(tmp_path: Path, halves: list[int]) -> None:
    lines = [*_mini_lines()[:7], *(_quote(f"q-{i}", context="monument") for i in range(20))]
    # in the parent's half: a source named before it is read
    lines[10] = _quote("q-early", source={"id": "not-read-yet", "start": 0, "end": 10})
    path = _write(tmp_path, lines)
    assert scan.search([path], False, "monument") is None
    assert len(halves) == 1 and reaped(halves)


def test_no_fork_beside_another_thread(tmp_path: Path, bundled_lines: list[object], halves: list[int]) -> None:
    path = _write(tmp_path, bundled_lines)
    whole = load_dataset([path], bundled=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        found = scan.search([path], False, "monumnet")
    finally:
        stop.set()
        other.join()
    assert found is not None and halves == []
    _same(found[0], SearchIndex(whole.records(), whole.passage).search("monumnet"))
    assert scan.search([path], False, "monumnet") is not None and len(halves) == 1


def test_a_fork_that_fails_leaves_one_process_to_read_it_all(
    tmp_path: Path, bundled_lines: list[object], halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, bundled_lines)
    whole = load_dataset([path], bundled=False)
    tried: list[int] = []

    def fails() -> int:
        tried.append(1)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fails)
    found = scan.search([path], False, "monumnet")
    assert found is not None and tried == [1] and halves == []
    _same(found[0], SearchIndex(whole.records(), whole.passage).search("monumnet"))
    assert verified_counts([path], bundled=False) == whole.counts() and tried == [1, 1]


def test_the_progress_bar_draws_without_a_thread_of_its_own() -> None:
    from kurskcli.render import BuildProgress

    before = threading.active_count()
    out = io.StringIO()
    bar = BuildProgress(out, "kurskcli")
    bar.update("searching", 10, 100)
    assert threading.active_count() == before  # a fork while it shows is safe
    bar.close()
