"""What the article says, and only that, in every output: channels, disputes, typography, dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from kurskcli.model import Dataset
from kurskcli.query import summarize_actor, timeline

from .conftest import Result

Run = Callable[..., Result]
STYLES = ["plain", "markdown", "apa", "mla", "chicago", "bibtex"]
TERMINAL = {"COLUMNS": "200", "NO_COLOR": "1"}


# ----------------------------------------------------------------------------- 1. the channel


@pytest.mark.parametrize("name", ["kcna", "조선중앙통신", "KCNA", "Korean Central News Agency"])
def test_a_news_agency_lists_the_quotes_it_relayed_marked_as_relayed(run: Run, name: str) -> None:
    r = run("quote", name, "--json")
    assert r.code == 0
    # the article's two and two other renderings that name KCNA as the channel; and KCNA's own words
    assert {(q["id"], q["speaker"], q["via"]) for q in r.json()} == {  # type: ignore[union-attr]
        ("q-cmc-praise", "wpk-cmc", "kcna"),
        ("q-cmc-monument", "wpk-cmc", "kcna"),
        ("q-cmc-praise-babel", "wpk-cmc", "kcna"),
        ("q-cmc-monument-rt", "kim-jong-un", "kcna"),
        ("q-cmc-praise-kcna-en", "kcna", None),
        ("q-cmc-praise-ko", "kcna", None),
    }
    plain = [line.split("\t") for line in run("quote", name).out.splitlines()]
    relayed = [row for row in plain if row[2] != "Korean Central News Agency"]
    assert len(relayed) == 4 and all(row[3] == "Korean Central News Agency" for row in relayed)
    assert {row[2] for row in relayed} == {"Central Military Commission of the Workers’ Party of Korea", "Kim Jong-un"}
    human = run("quote", name, tty=True, env=TERMINAL).out
    assert human.count("(via Korean Central News Agency)") == 4


def test_the_agency_summary_counts_what_it_relayed(run: Run) -> None:
    s = run("actor", "kcna", "--json").json()
    assert s["counts"]["relayed"] == 4 and s["counts"]["quotes"] == 2  # type: ignore[index]  # its own words
    relayed = [q["id"] for q in s["relayed"]]  # type: ignore[index]
    assert relayed == ["q-cmc-praise", "q-cmc-praise-babel", "q-cmc-monument", "q-cmc-monument-rt"]
    plain = run("actor", "kcna").out
    assert "\nrelayed\tq-cmc-praise\t2025-04-27\tquote\tCentral Military Commission" in plain
    assert "Quotes relayed (4)" in run("actor", "kcna", tty=True, env=TERMINAL).out


def test_show_and_every_citation_keep_the_channel(run: Run) -> None:
    plain = run("show", "q-cmc-praise").out.splitlines()
    assert "\tKorean Central News Agency\tfragment\t" in plain[0]
    assert plain[1].startswith("context\tWords the article gives to the statement")
    for style in STYLES:
        assert "via Korean Central News Agency" in run("cite", "q-cmc-praise", "--style", style).out, style


@pytest.mark.parametrize("style", STYLES)
def test_a_fragment_is_never_cited_as_a_sentence_the_speaker_said(run: Run, style: str) -> None:
    for qid in ("q-cmc-praise", "q-zakharova-friends", "q-asmolov-schrodinger"):
        out = run("cite", qid, "--style", style).out
        assert " said, " not in out and " said “" not in out, (qid, out)
    assert " said, “We pay tribute" in run("cite", "q-putin-tribute", "--style", "apa").out  # a whole statement


# ----------------------------------------------------------------------------- 2. disputes


def test_disputed_claims_are_listed_apart_from_claims_made(run: Run) -> None:
    for who, disputed in (
        ("karmanov", {"c-video-sergievsky"}),
        ("asmolov", {"c-video-sergievsky", "c-letters-corpses"}),
    ):
        s = run("actor", who, "--json").json()
        assert {c["id"] for c in s["disputed"]} == disputed  # type: ignore[index]
        assert not {c["id"] for c in s["claims"]} & disputed  # type: ignore[index]
        plain = run("actor", who).out.splitlines()
        rows = [line.split("\t") for line in plain if line.startswith("disputed\t")]
        assert {row[1] for row in rows} == disputed
        assert all(row[6].startswith("allegation; disputed by ") for row in rows)
        assert f"Claims disputed ({len(disputed)})" in run("actor", who, tty=True, env=TERMINAL).out
    defectors = run("actor", "defector-activists", "--json").json()
    assert [c["id"] for c in defectors["disputed"]] == ["c-letters-corpses"]  # type: ignore[index]
    assert [c["id"] for c in defectors["claims"]] == ["c-defectors-language"]  # type: ignore[index]


def test_show_says_who_disputes_a_claim(run: Run) -> None:
    plain = run("show", "c-video-sergievsky").out.splitlines()[0].split("\t")
    assert plain[2:5] == ["unattributed", "allegation", "disputed by Konstantin Asmolov and Ruslan Karmanov"]
    human = run("show", "c-video-sergievsky", tty=True, env=TERMINAL).out
    assert "disputed by Konstantin Asmolov and Ruslan" in " ".join(human.replace("│", " ").split())
    assert run("show", "c-video-sergievsky", "--json").json()["disputed_by"] == ["asmolov", "karmanov"]  # type: ignore[index]


def test_actor_counts_reconcile_with_each_actor_summary(run: Run, bundled: Dataset) -> None:
    listed = {a["id"]: a["counts"] for a in run("actors", "--json").json()}  # type: ignore[union-attr]
    for actor in bundled.actors.values():
        s = run("actor", actor.id, "--json").json()
        counts = listed[actor.id]
        assert counts == s["counts"], actor.id  # type: ignore[index]
        for key in ("quotes", "relayed", "claims", "disputed", "mentioned", "events"):
            assert counts[key] == len(s[key]), (actor.id, key)  # type: ignore[index]
        involved = {c.id for c in bundled.claims.values() if actor.id in (c.claimant, *c.disputed_by, *c.actors)}
        assert counts["claims"] + counts["disputed"] + counts["mentioned"] == len(involved), actor.id


# ----------------------------------------------------------------------------- 3. citations of unattributed claims


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("claim", ["c-video-sergievsky", "c-letters-corpses"])
def test_an_unattributed_claim_is_never_put_in_the_authors_mouth(run: Run, style: str, claim: str) -> None:
    out = run("cite", claim, "--style", style).out
    assert "Asmolov said" not in out and "Konstantin Asmolov, " not in out.split("as reported in")[0]
    assert "unattributed" in out.lower() and "disputed by" in out
    assert not out.startswith("Konstantin Asmolov")


# ----------------------------------------------------------------------------- 4. kind, context, status outside JSON


def test_kind_and_channel_show_in_the_terminal_timeline(run: Run) -> None:
    out = run("timeline", "--quotes", "--actor", "kcna", tty=True, env=TERMINAL).out
    assert "(via Korean Central News Agency), fragment:" in out
    plain = run("timeline", "--quotes", "--actor", "zakharova").out
    assert "\tquote\tMaria Zakharova\twe will never forget our friends.\tfragment; 2 other renderings" in plain
    kcna = run("timeline", "--quotes", "--actor", "kcna").out
    assert "\tquote\tCentral Military Commission of the Workers’ Party of Korea\t" in kcna
    assert "\tdirect; via Korean Central News Agency" in kcna


def test_a_claims_status_shows_in_plain_and_terminal_search(run: Run) -> None:
    plain = [line.split("\t") for line in run("search", "sergievsky", "--type", "claim").out.splitlines()]
    assert plain[0][1] == "c-video-sergievsky" and plain[0][4] == "unattributed"
    assert plain[0][6] == "allegation; disputed by Konstantin Asmolov and Ruslan Karmanov"
    assert "disputed by Konstantin Asmolov" in run("search", "sergievsky", tty=True, env=TERMINAL).out


# ----------------------------------------------------------------------------- 6, 7. check


@pytest.mark.parametrize(
    ("text", "said", "actual"),
    [
        ("North Korea and its partners have further entrenched the Russia-Ukraine war", "-", "—"),
        ("the Korean People's Army, working shoulder to shoulder", "'", "’"),
    ],
)
def test_typography_is_named_and_is_not_exit_0(run: Run, text: str, said: str, actual: str) -> None:
    r = run("check", text, "--json")
    body = r.json()
    assert r.code == 1 and body["verdict"] == "typographic"  # type: ignore[index]
    assert body["differences"] == [{"op": "typography", "said": said, "actual": actual}]  # type: ignore[index]
    plain = run("check", text).out.splitlines()
    assert plain[0].startswith("typographic\t100\t") and plain[1].startswith("by\t")
    assert plain[2] == f"difference\ttypography\t{said}\t{actual}"
    human = run("check", text, tty=True, env=TERMINAL).out
    assert "Verbatim apart from typography" in human and f"{said} → {actual}" in human


def test_only_an_exact_match_exits_0(run: Run) -> None:
    exact = run("check", "the Russia—Ukraine war", "--json")
    assert exact.code == 0 and exact.json()["verdict"] == "verbatim"  # type: ignore[index]


@pytest.mark.parametrize(("text", "holder"), [("LaRos-2024", "e-laros-2024"), ("Sergievsky", "c-video-sergievsky")])
def test_short_strings_printed_in_the_article_are_found(run: Run, text: str, holder: str) -> None:
    r = run("check", text, "--json")
    body = r.json()
    assert body["verdict"] == "in_source" and body["record"] == holder  # type: ignore[index]
    assert r.code == 1  # in the article, but not as anyone's quote
    assert "In the source, but not inside a quote" in run("check", text, tty=True, env=TERMINAL).out


def test_the_authors_phrases_are_found_as_his(run: Run) -> None:
    r = run("check", "Schrodinger’s North Koreans", "--json").json()
    assert r["verdict"] == "verbatim" and r["quote"]["speaker"] == "asmolov"  # type: ignore[index]
    phrases = [q["text"] for q in run("quote", "asmolov", "--json").json()]  # type: ignore[union-attr]
    assert "plug a gap due to lack of forces," in phrases and "discovering" in phrases


# ----------------------------------------------------------------------------- 8-13. the data


OWN_WORDS_NOT_IN_THE_ARTICLE = [
    ("q-putin-tribute", "context", "first public statement"),
    ("q-gerasimov-contribution", "context", "first official"),
    ("c-author-ammunition", "text", "North Korean ammunition"),
    ("c-gerasimov-kursk-retaken", "text", "regained full control"),
    ("e-may-9-celebrations", "summary", "commentators"),
    ("e-monument-announced", "title", "Moscow"),
    ("e-monument-announced", "summary", "Moscow"),
    ("q-cmc-monument", "context", "Moscow"),
]


@pytest.mark.parametrize(("rid", "field", "words"), OWN_WORDS_NOT_IN_THE_ARTICLE)
def test_nothing_beyond_the_article(bundled: Dataset, rid: str, field: str, words: str) -> None:
    rec = bundled.get(rid)
    assert rec is not None and words not in getattr(rec, field)


def test_actors_say_only_what_the_article_gives(bundled: Dataset) -> None:
    a = bundled.actors
    assert a["kim-jong-un"].role is None
    assert a["biden"].role == "former President"
    assert a["us-state-department"].role is None
    assert a["defector-activists"].affiliation is None and "human rights NGOs" not in a["defector-activists"].aliases
    assert "russia" not in bundled.events["e-kpa-arrival"].actors
    assert bundled.events["e-ammunition-reports"].actors == ()


@pytest.mark.parametrize(
    ("cid", "words"),
    [
        ("c-author-nato", "possibility for the West to retaliate"),
        ("c-author-video-faces", "darker"),
        ("c-defectors-language", "Defectors from South Korean human rights NGOs"),
        ("c-author-letters-supposed", "“supposed”"),
    ],
)
def test_paraphrases_keep_the_authors_words(bundled: Dataset, cid: str, words: str) -> None:
    assert words in bundled.claims[cid].text


def test_the_monument_heading_is_noted(bundled: Dataset) -> None:
    assert "heading" in bundled.quotes["q-cmc-monument"].context
    text = bundled.sources["asmolov-2025-04-30"].text
    assert text.count("A monument to commemorate the heroic deeds of the proud sons of the DPRK will soon be") == 1
    assert "asmolov" in bundled.claims["c-letters-corpses"].disputed_by


def test_equal_ranges_keep_the_articles_order(bundled: Dataset) -> None:
    ids = [e.id for e in timeline(bundled)]
    # both "2025-04-26/2025-04-30": Zakharova spoke "later", the State Department "promptly"
    assert ids.index("e-zakharova-statement") < ids.index("e-us-response")
    assert ids.index("e-kpa-arrival") < ids.index("e-gerasimov-report")


@pytest.mark.parametrize(
    ("actor", "record"),
    [
        ("biden", "c-author-regional-tension"),
        ("trump", "c-author-factors"),
        ("yoon-suk-yeol", "c-author-factors"),
        ("usa", "e-us-response"),
        ("ukraine", "c-forecast-withdrawal"),
        ("nato", "c-author-nato"),
        ("un-security-council", "c-state-dept-unsc"),
        ("wpk", "e-kcna-cmc-statement"),
        ("ras", "c-icca-training-weakness"),
        ("russian-armed-forces", "e-gerasimov-report"),
        ("the-west", "c-author-nato"),
        ("laos", "c-karmanov-laotian"),
    ],
)
def test_actors_get_the_records_that_mention_them(bundled: Dataset, actor: str, record: str) -> None:
    s = summarize_actor(bundled, bundled.actors[actor])
    assert record in {r.id for r in (*s.claims, *s.disputed, *s.mentioned, *s.events)}


@pytest.mark.parametrize(
    ("name", "actor"),
    [
        ("Центр корейских исследований", "center-for-korean-studies"),
        ("Министерство объединения", "ministry-of-unification"),
        ("조선노동당", "wpk"),
        ("the West", "the-west"),
        ("Laos", "laos"),
    ],
)
def test_missing_names_resolve(run: Run, name: str, actor: str) -> None:
    assert run("actor", name, "--json").json()["id"] == actor  # type: ignore[index]


@pytest.mark.parametrize(
    ("event", "date"),
    [
        ("e-ammunition-reports", "../2025-04-30"),
        ("e-laros-2024", "2024-09-18/2024-09-26"),
        ("e-possible-summit", "2025-04-30/.."),
    ],
)
def test_episodes_the_article_mentions_are_events(bundled: Dataset, event: str, date: str) -> None:
    ev = bundled.events[event]
    assert ev.date == date and ev.spans
    text = bundled.sources["asmolov-2025-04-30"].text
    assert all(re.search(r"\w", text[sp.start : sp.end]) for sp in ev.spans)


def test_the_json_of_a_claim_names_the_actors_it_mentions(run: Run) -> None:
    obj = run("show", "c-author-factors", "--json").json()
    assert obj["actors"] == ["trump", "yoon-suk-yeol"]  # type: ignore[index]
    assert json.loads(json.dumps(obj))
