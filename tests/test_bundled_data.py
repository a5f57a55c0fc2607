"""The real bundled dataset, end to end: verbatim text, spans, references, dates."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources

import pytest

from kurskcli.bundled import BUNDLED_NAME
from kurskcli.dates import parse_edtf, precision
from kurskcli.model import Dataset
from kurskcli.text import fold_space

from .conftest import SOURCE_COPY

# The only days the article itself names.
ARTICLE_DAYS = {"2025-04-26", "2025-04-27", "2025-04-28", "2025-04-30", "2025-05-09"}


def raw() -> dict:
    return json.loads(resources.files("kurskcli.data").joinpath(BUNDLED_NAME).read_text("utf-8"))


def test_source_is_bundled_byte_for_byte_with_its_hash(bundled: Dataset) -> None:
    src = bundled.sources["asmolov-2025-04-30"]
    data = resources.files("kurskcli.data").joinpath("asmolov-2025-04-30.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == src.sha256
    if SOURCE_COPY.exists():
        assert SOURCE_COPY.read_bytes() == data
    assert src.author == "Konstantin Asmolov"
    assert src.date == "2025-04-30"
    assert src.publisher == "www.afgazad.com"
    assert src.title.startswith("Recognizing the assistance of the Korean military")


def test_every_quote_equals_its_span(bundled: Dataset) -> None:
    text = bundled.sources["asmolov-2025-04-30"].text
    for q in bundled.quotes.values():
        if q.span.source != "asmolov-2025-04-30":
            continue  # other sources store only the quoted words (see test_renderings.py)
        assert 0 <= q.span.start < q.span.end <= len(text)
        assert fold_space(text[q.span.start : q.span.end]) == q.text, q.id
        # the span sits exactly inside a pair of quotation marks
        assert text[q.span.start - 1] == "“" and text[q.span.end] == "”", q.id


def test_every_quotation_in_the_article_attributed_to_someone_is_a_quote(bundled: Dataset) -> None:
    text = bundled.sources["asmolov-2025-04-30"].text
    passages = [m.span(1) for m in re.finditer(r"“([^“”\"]+)[”\"]", text)]
    quoted = {(q.span.start, q.span.end) for q in bundled.quotes.values() if q.span.source == "asmolov-2025-04-30"}
    verbatim_claims = {(c.span.start, c.span.end) for c in bundled.claims.values() if c.verbatim}
    # the name of an exercise; the author's own quoted phrases are quotes of kind "phrase"
    not_quotes = {"LaRos-2024"}
    for start, end in passages:
        inner = fold_space(text[start:end])
        if inner in not_quotes:
            continue
        assert (start, end) in quoted or (start, end) in verbatim_claims, inner
    assert len([q for q in bundled.quotes.values() if q.span.source == "asmolov-2025-04-30"]) == 14
    assert len(quoted) == 14  # no passage twice
    phrases = {q.text for q in bundled.quotes.values() if q.kind == "phrase"}
    assert phrases == {"plug a gap due to lack of forces,", "Schrodinger’s North Koreans", "discovering"}
    assert {q.speaker for q in bundled.quotes.values() if q.kind == "phrase"} == {"asmolov"}


def test_no_text_is_changed_inside_quotes(bundled: Dataset) -> None:
    q = bundled.quotes["q-state-dept-accountable"]
    assert "Russia—Ukraine" in q.text  # the em dash stays
    assert "People’s" in bundled.quotes["q-gerasimov-contribution"].text  # the curly apostrophe stays
    assert bundled.quotes["q-zakharova-friends"].text == "we will never forget our friends."


def test_ids_are_unique_across_record_types() -> None:
    doc = raw()
    ids = [r["id"] for key in ("sources", "actors", "quotes", "claims", "events") for r in doc[key]]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves(bundled: Dataset) -> None:
    actors = bundled.actors
    for q in bundled.quotes.values():
        assert q.speaker in actors and (q.via is None or q.via in actors)
    for c in bundled.claims.values():
        assert c.claimant is None or c.claimant in actors
        assert all(a in actors for a in c.disputed_by)
        assert (c.status == "disputed") == bool(c.disputed_by) or c.status == "unconfirmed"
    for e in bundled.events.values():
        assert all(a in actors for a in e.actors)
        assert all(sp.source in bundled.sources for sp in e.spans)
    for a in actors.values():
        assert a.affiliation is None or a.affiliation in actors


def test_every_span_lies_inside_the_source_on_word_boundaries(bundled: Dataset) -> None:
    spans = [q.span for q in bundled.quotes.values()] + [c.span for c in bundled.claims.values()]
    spans += [sp for e in bundled.events.values() for sp in e.spans]
    spans += [w.span for e in bundled.events.values() for w in e.dated_by]
    for sp in spans:
        text = bundled.sources[sp.source].text
        assert 0 <= sp.start < sp.end <= len(text)
        assert not (text[sp.start - 1 : sp.start].isalnum() and text[sp.start].isalnum())
        assert not (text[sp.end - 1].isalnum() and text[sp.end : sp.end + 1].isalnum())


def test_dates_parse_and_are_never_more_precise_than_their_sources() -> None:
    """A day is stated only where a source states it: the article, or another source's own date or dateline."""
    doc = raw()
    page_days = {s["id"]: s.get("date") for s in doc["sources"]}
    for key in ("quotes", "claims", "events"):
        for rec in doc[key]:
            date = rec.get("date")
            parse_edtf(date)
            if date is None:
                continue
            given = set(ARTICLE_DAYS)
            spans = [rec["source"]] if "source" in rec else rec["sources"]
            given |= {page_days[sp["id"]] for sp in spans if page_days[sp["id"]]}
            for w in rec.get("dated_by", []):
                given |= {p for p in w["date"].split("/") if precision(p) == "day"}
            if rec["id"] in ("q-state-dept-anadolu-responsibility", "q-state-dept-anadolu-end"):
                given.add("2025-04-28")  # "on Monday" in a page of 29 April
            if rec["id"] in ("q-state-dept-yonhap-responsibility", "q-state-dept-yonhap-end"):
                given.add("2025-04-27")  # "told Yonhap News Agency on 27 April"
            if rec["id"] in ("q-gerasimov-contribution-ru", "q-gerasimov-contribution-en2"):
                given.add("2025-04-26")  # the report of 26 April that both pages quote
            if rec["id"] in ("c-nis-casualties-2026", "c-nis-deployed-2026"):
                given.add("2026-02-12")  # "지난 12일" (on the 12th), the day of the report, in a page of 14 February
            for part in date.split("/"):
                if precision(part) == "day":
                    assert part.rstrip("?~%") in given, (rec["id"], date)


def test_vague_times_are_ranges_not_days(bundled: Dataset) -> None:
    # "Later" (Zakharova), "promptly" (State Department), "long before" (early fakes)
    assert bundled.quotes["q-zakharova-friends"].date == "2025-04-26/2025-04-30"
    assert bundled.quotes["q-state-dept-accountable"].date == "2025-04-26/2025-04-30"
    assert bundled.claims["c-author-early-fakes"].date == "../2025-04-30"
    # the day of the celebrations is certain; whether Kim attends is what is uncertain
    assert bundled.events["e-may-9-celebrations"].date == "2025-05-09"
    assert bundled.events["e-may-9-celebrations"].title.startswith("Possible ")
    # the article gives no arrival date, but Gerasimov's report of 26 April credits the troops
    assert bundled.events["e-kpa-arrival"].date == "../2025-04-26"


def test_actors_carry_cyrillic_and_hangul_names(bundled: Dataset) -> None:
    a = bundled.actors
    assert "Путин" in a["putin"].aliases and "푸틴" in a["putin"].aliases
    assert "Герасимов" in a["gerasimov"].aliases
    assert "Мария Захарова" in a["zakharova"].aliases
    assert "김정은" in a["kim-jong-un"].aliases and "Ким Чен Ын" in a["kim-jong-un"].aliases
    assert "조선중앙통신" in a["kcna"].aliases
    assert "구병삼" in a["koo-byung-sam"].aliases
    assert "КНДР" in a["dprk"].aliases and "북한" in a["dprk"].aliases
    assert "윤석열" in a["yoon-suk-yeol"].aliases
    # one record for one institute however the article names it
    assert "Institute of China and Modern Asia" in a["icca-ras"].aliases


def test_assessments_are_attributed_and_disputes_named(bundled: Dataset) -> None:
    for c in bundled.claims.values():
        if c.kind in ("assessment", "forecast"):
            assert c.claimant is not None, c.id
    assert bundled.claims["c-karmanov-laotian"].kind == "assessment"  # "suggested ... likely"
    fake = bundled.claims["c-video-sergievsky"]
    assert fake.status == "disputed" and set(fake.disputed_by) == {"asmolov", "karmanov"}
    assert fake.verbatim


@pytest.mark.parametrize("word", ["liberation", "liberate", "fake", "propaganda", "heroic", "heroism"])
def test_loaded_words_appear_only_in_quotes_or_attributed_claims(word: str, bundled: Dataset) -> None:
    doc = raw()
    own_words = [e["title"] + " " + e["summary"] for e in doc["events"]]
    own_words += [q["context"] for q in doc["quotes"]]
    for text in own_words:
        assert word not in text.lower(), text
    for c in bundled.claims.values():
        if word in c.text.lower() and not c.verbatim:
            assert c.claimant is not None, c.id
            who = bundled.actors[c.claimant].name.split()[-1]
            assert who in c.text or "author" in c.text, c.id
