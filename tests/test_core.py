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


@given(st.text(alphabet=st.sampled_from("ab_1١²½ -.,'\"«»!é\u0301\u00a0"), max_size=40) | st.text(max_size=40))
def test_folded_words_lose_the_punctuation_at_their_ends_as_the_regular_expression_says(text: str) -> None:
    import re

    from kurskcli.text import fold, fold_words

    assert fold_words(text) == [re.sub(r"^\W+|\W+$", "", w) or w for w in fold(text).split()]


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


def _found_the_slow_way(source: str, text: str) -> tuple[int, int] | None:
    """Where ``check`` finds ``text`` in ``source``: each character folded on its own, with
    the offset it came from, and the needle searched as whole words."""
    import re

    from kurskcli.text import fold

    chars: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(source):
        if ch.isspace():
            space = bool(chars)
            continue
        if space:
            chars.append(" ")
            where.append(i)
            space = False
        for f in fold(ch) or ch:
            chars.append(f)
            where.append(i)
    needle = fold(text).strip("\"'“”‘’«»„‚ \t\n.,;:!?")
    m = re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", "".join(chars)) if needle else None
    return (where[m.start()], where[m.end() - 1] + 1) if m else None


_SOURCE_CHARS = "ab A\u00df\ufb01\u00bd\u2460\u0301\u00e9 \u00a0\n\t_.,\u201c\u2019-\u2014\ufdfa\u0439"


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from(_SOURCE_CHARS), max_size=40), st.data())
def test_words_found_in_a_source_are_where_folding_each_character_puts_them(source: str, data: st.DataObject) -> None:
    from kurskcli.check import find_in_sources
    from kurskcli.model import Source

    if data.draw(st.booleans()) and source:
        start = data.draw(st.integers(0, len(source) - 1))
        text = source[start : data.draw(st.integers(start + 1, len(source)))]
    else:
        text = data.draw(st.text(alphabet=st.sampled_from(_SOURCE_CHARS), min_size=1, max_size=6))
    src = Source("s", "t", "a", None, None, None, None, None, source, (None, None), "f")
    found = find_in_sources([src], text)
    assert (found[1:] if found else None) == _found_the_slow_way(source, text)


@pytest.mark.parametrize(
    ("source", "text", "where"),
    [
        ("x said a \n\t b.", "a b", (7, 13)),  # any run of white space is one space
        ("ab a b", "a b", (3, 6)),  # as whole words: not inside "ab"
        ("Stra\u00dfe \ufb01ne \u201cok\u201d", "strasse fine", (0, 10)),  # characters folded into two
        ("caf\u00e9 e\u0301t\u00e9", "cafe", (0, 4)),
        ("\u00bd of \u00bd", "of", (2, 4)),
    ],
)
def test_words_found_in_a_source_come_with_their_offsets_in_it(source: str, text: str, where: tuple[int, int]) -> None:
    from kurskcli.check import find_in_sources
    from kurskcli.model import Source

    src = Source("s", "t", "a", None, None, None, None, None, source, (None, None), "f")
    found = find_in_sources([src], text)
    assert found is not None and found[1:] == where == _found_the_slow_way(source, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc d", min_size=1, max_size=12), st.lists(st.text(alphabet="abc d", max_size=20), max_size=8))
def test_the_nearest_quote_is_the_first_in_id_order_of_those_most_alike(text: str, texts: list[str]) -> None:
    from rapidfuzz import fuzz

    from kurskcli.check import nearest
    from kurskcli.dates import DateRange
    from kurskcli.model import Quote, Span
    from kurskcli.text import fold_words

    span, undated = Span("s", 0, 1), DateRange(None, None)
    quotes = [Quote(f"q{i}", "s", None, undated, t, "direct", None, "", None, span, "f") for i, t in enumerate(texts)]
    folded = [(q, " ".join(fold_words(q.text))) for q in quotes]
    said = " ".join(fold_words(text))
    scored = sorted(((-fuzz.partial_ratio(said, actual), q.id), q) for q, actual in folded)
    expected = (-scored[0][0][0], scored[0][1]) if scored else None
    for order in (folded, folded[::-1]):  # in whatever order the quotes come
        assert nearest(text, order) == expected


@given(st.characters())
def test_a_word_character_is_what_the_regular_expression_calls_one(ch: str) -> None:
    import re

    from kurskcli.text import is_word_char

    assert is_word_char(ch) == (re.fullmatch(r"\w", ch) is not None)
