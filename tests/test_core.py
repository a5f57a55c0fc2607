"""The core API on the small fixture: name resolution, timeline, search, the quote checker."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurskcli import load_dataset, resolve_actor, search, timeline
from kurskcli.check import check_quote
from kurskcli.model import Dataset
from kurskcli.query import AmbiguousName, UnknownName, summarize_actor
from kurskcli.searcher import QueryError


@pytest.mark.parametrize("name", ["petrov", "Ivan Petrov", "ПЕТРОВ", "Иван Петров", "petrv", "ivan petorv"])
def test_resolve_any_script_and_typos(mini: Dataset, name: str) -> None:
    assert resolve_actor(mini, name).id == "petrov"


def test_resolve_hangul(mini: Dataset) -> None:
    assert resolve_actor(mini, "김민지").id == "kim-min-ji"


def test_ambiguous_and_unknown(mini: Dataset) -> None:
    with pytest.raises(AmbiguousName) as amb:
        resolve_actor(mini, "cit")
    assert {a.id for a in amb.value.candidates} == {"city", "officials"}
    with pytest.raises(UnknownName):
        resolve_actor(mini, "zzzzzz")


def test_timeline_order_ties_and_undated_last(mini: Dataset) -> None:
    ids = [r.id for r in timeline(mini)]
    assert ids == ["e-aaa-tie", "e-briefing", "e-added", "e-tunnel"]


def test_timeline_filters(mini: Dataset) -> None:
    assert [r.id for r in timeline(mini, actor="officials")] == ["e-added"]
    assert [r.id for r in timeline(mini, since=dt.date(2024, 3, 4))] == ["e-added"]
    assert [r.id for r in timeline(mini, until=dt.date(2024, 3, 2))] == []
    with_quotes = [r.id for r in timeline(mini, quotes=True)]
    assert with_quotes.index("q-open") < with_quotes.index("e-added") < with_quotes.index("e-tunnel")


def test_search_exact_above_fuzzy_and_stable(mini: Dataset) -> None:
    hits = search(mini, "bridge")
    assert hits[0].score == 100
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    same = [h.record.id for h in hits if h.score == 100]
    assert [h.record.id for h in search(mini, "bridge") if h.score == 100] == same
    typo = search(mini, "brigde")
    assert typo and typo[0].score < 100 and "bridge" in typo[0].matched


def test_search_phrase_ranks_first(mini: Dataset) -> None:
    hits = search(mini, "is not ready")
    assert hits[0].record.id == "q-ready" and hits[0].score == 100


def test_search_types_and_limit(mini: Dataset) -> None:
    assert {h.record.type for h in search(mini, "bridge", types=["event"])} == {"event"}
    assert len(search(mini, "bridge", limit=2)) == 2


@pytest.mark.parametrize("q", ["", "   ", "?!...", "—"])
def test_search_refuses_empty_queries(mini: Dataset, q: str) -> None:
    with pytest.raises(QueryError):
        search(mini, q)


def test_check_verdicts(mini: Dataset) -> None:
    assert check_quote(mini, "the bridge will open in spring").verdict == "verbatim"
    capital = check_quote(mini, "The bridge will open in spring")
    assert capital.verdict == "typographic" and [(c.op, c.said, c.actual) for c in capital.changes] == [
        ("typography", "T", "t")
    ]
    in_text = check_quote(mini, "Nobody knows")
    assert (
        in_text.verdict == "in_source"
        and in_text.source
        and in_text.source.text[in_text.start : in_text.end] == ("Nobody knows")
    )
    near = check_quote(mini, "the bridge will open in summer")
    assert near.verdict == "near" and near.quote and near.quote.id == "q-open"
    assert [(c.op, c.said, c.actual) for c in near.changes] == [("changed", "summer", "spring")]
    assert check_quote(mini, "a completely different sentence about cats").verdict == "not_found"


def test_actor_summary(mini: Dataset) -> None:
    s = summarize_actor(mini, mini.actors["petrov"])
    assert [q.id for q in s.quotes] == ["q-open"]
    assert [c.id for c in s.claims] == ["c-disputed"]
    assert [e.id for e in s.events] == ["e-briefing"]
    assert s.first == s.last == dt.date(2024, 3, 3)
    assert s.affiliation and s.affiliation.id == "city"


def test_api_is_importable_from_the_package() -> None:
    ds = load_dataset()
    assert resolve_actor(ds, "Путин").id == "putin"


SPACES = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())


@given(st.text(alphabet=st.sampled_from(SPACES + "\u200b\x00\x7fxyé"), max_size=40) | st.text(max_size=40))
def test_fold_space_is_the_regular_expression_it_replaced(text: str) -> None:
    import re

    from kurskcli.text import fold_space

    assert fold_space(text) == re.sub(r"\s+", " ", text).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.text(max_size=30))
def test_the_index_finds_the_words_the_regular_expression_finds(text: str) -> None:
    import re

    from kurskcli.searcher import word_set

    assert word_set(text) == set(re.findall(r"\w+", text))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_ascii_text_folds_as_the_full_unicode_folding_does(text: str) -> None:
    from kurskcli.text import TYPOGRAPHY, _fold_unicode, fold

    assert fold(text) == _fold_unicode(text.translate(TYPOGRAPHY))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ab\u00e9\U0001f600 \n", max_size=30), max_size=40),
    st.integers(1, 9),
    st.data(),
)
def test_a_text_kept_in_parts_reads_back_as_it_was(pieces: list[str], size: int, data: st.DataObject) -> None:
    import kurskcli.model as model

    with pytest.MonkeyPatch.context() as m:
        m.setattr(model, "PART", size)
        parts = list(model.in_parts(iter(pieces)))
        text = "".join(pieces)
        assert "".join(parts) == text
        assert all(len(part) == size for part in parts[:-1]) and all(parts)
        if text:
            start = data.draw(st.integers(0, len(text) - 1))
            end = data.draw(st.integers(start + 1, len(text)))
            assert model.from_parts(parts.__getitem__, start, end) == text[start:end]


@pytest.mark.parametrize("query", ["alpha", "alpha beta"])
def test_a_search_for_words_every_record_holds_takes_a_number_a_record_not_a_collection(
    bundled: Dataset, query: str
) -> None:
    import tracemalloc

    from kurskcli.searcher import SearchIndex

    first = next(iter(bundled.quotes.values()))
    index = SearchIndex([first._replace(id=f"q-{i}", context=f"alpha beta w{i}") for i in range(20_000)])
    index.postings_of("alpha"), index.postings_of("beta")  # the postings, which any search reads, made first
    tracemalloc.start()
    try:
        hits = index.search(query)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert hits.total == 20_000 and len(hits) == 20  # every record counted, none kept but the 20 shown
    assert peak < 20_000 * 250  # a dictionary and a set a record took 630 bytes a record
