"""Each quote beside the other published renderings of the same words: shown, compared, never judged."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kurskcli.dataset import DatasetError, load_dataset
from kurskcli.dates import best_supported, parse_edtf
from kurskcli.model import Dataset
from kurskcli.query import rendering_groups, sort_key

from .conftest import MINI, Result

Run = Callable[..., Result]
ART = "asmolov-2025-04-30"
TERMINAL = {"COLUMNS": "200", "NO_COLOR": "1"}
ANADOLU = "Third countries, like the DPRK, that have perpetuated the Russia-Ukraine war bear responsibility"


def bundled_doc() -> dict[str, Any]:
    text = resources.files("kurskcli.data").joinpath("kursk-2025.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- the data


@pytest.mark.parametrize("name", ["bundled", "mini"])
def test_a_group_holds_the_rendered_quote_then_its_renderings_by_date_and_a_lone_quote_has_none(
    name: str, request: pytest.FixtureRequest
) -> None:
    ds: Dataset = request.getfixturevalue(name)
    groups = rendering_groups(ds)
    lone = 0
    for q in ds.quotes.values():
        members = [o for o in ds.quotes.values() if (o.renders or o.id) == (q.renders or q.id)]
        expected = sorted(members, key=lambda o: (o.renders is not None, sort_key(o)))
        if len(expected) == 1:
            lone += 1
            assert q.id not in groups
        else:
            assert groups[q.id] == expected
    assert lone and (groups or name == "mini")  # the small dataset has no renderings


def test_every_quote_of_the_article_has_another_rendering(bundled: Dataset) -> None:
    groups = rendering_groups(bundled)
    for q in bundled.quotes.values():
        if q.span.source == ART and q.kind != "phrase":  # the author's own phrases have no other witness
            assert len(groups[q.id]) > 1, q.id


def test_other_sources_store_only_excerpts_and_say_where_they_are(bundled: Dataset) -> None:
    for src in bundled.sources.values():
        if src.id == ART:
            assert src.stored == "full" and src.channel == "article"
            continue
        assert src.stored == "excerpts" and src.url and src.url.startswith("http"), src.id
        assert src.channel in ("speaker", "agency", "news", "reprint"), src.id
        assert src.language in ("en", "ru", "ko"), src.id
        # the stored text is the records' words and dating phrases, nothing else
        covered = [False] * len(src.text)
        spans = [q.span for q in bundled.quotes.values()] + [c.span for c in bundled.claims.values()]
        spans += [sp for e in bundled.events.values() for sp in (*e.spans, *(w.span for w in e.dated_by))]
        for sp in spans:
            if sp.source == src.id:
                covered[sp.start : sp.end] = [True] * (sp.end - sp.start)
        loose = "".join(ch for ch, c in zip(src.text, covered, strict=True) if not c)
        assert not loose.strip(), (src.id, loose)


def test_renderings_point_at_the_quote_they_render_and_never_at_a_rendering(bundled: Dataset) -> None:
    for q in bundled.quotes.values():
        if q.renders is not None:
            root = bundled.quotes[q.renders]
            assert root.renders is None and root.span.source == ART
            assert q.span.source != ART


NEUTRAL = re.compile(r"\b(false|falsely|wrong|wrongly|error|errors|lie|lies|lied|misquote[sd]?)\b", re.IGNORECASE)


def test_the_datasets_own_words_never_judge() -> None:
    doc = bundled_doc()
    own: list[tuple[str, str]] = []
    for e in doc["events"]:
        own += [(e["id"], e["title"]), (e["id"], e.get("summary") or "")]
    for q in doc["quotes"]:
        own += [(q["id"], q.get("context") or ""), (q["id"], q.get("note") or "")]
    for a in doc["actors"]:
        own.append((a["id"], a.get("role") or ""))
    for s in doc["sources"]:
        own.append((s["id"], s.get("note") or ""))
    own.append(("dataset", doc["dataset"]["description"]))
    for c in doc["claims"]:
        if c.get("claimant") is None and not c.get("verbatim"):
            own.append((c["id"], c["text"]))
    for rid, text in own:
        assert not NEUTRAL.search(text), (rid, text)


# ----------------------------------------------------------------------------- the monument and the KCNA date


def test_show_puts_the_monument_renderings_side_by_side(run: Run) -> None:
    obj = run("show", "q-cmc-monument", "--json").json()
    renderings = {r["quote"]["id"]: r for r in obj["renderings"]}  # type: ignore[index]
    assert set(renderings) == {"q-cmc-monument-5693", "q-cmc-monument-rt"}
    rt = renderings["q-cmc-monument-rt"]
    assert {"op": "changed", "rendering": "our", "quote": "the Russian"} in rt["differences"]
    assert "“in our capital”" in rt["note"] and rt["source"]["url"].endswith("/45226.html")
    assert rt["quote"]["speaker"] == "kim-jong-un" and rt["same_language"] is True
    human = run("show", "q-cmc-monument", tty=True, env=TERMINAL).out
    assert "Other renderings of the same words (2)" in human
    assert "the Russian / our" in human and "germany.news-pravda.com, 28 Apr 2025" in human
    plain = run("show", "q-cmc-monument").out.splitlines()
    assert "difference\tq-cmc-monument-rt\tchanged\tour\tthe Russian" in plain
    assert any(
        line.startswith("rendering\tq-cmc-monument-rt\tgermany-news-pravda-2025-04-28-45226\t") for line in plain
    )


def test_the_cmc_statement_was_sent_on_27_april_and_published_on_28(run: Run) -> None:
    """KCNA's own texts: the statement was sent on 27 April, and KCNA's report is datelined 28 April."""
    event = run("show", "e-kcna-cmc-statement", "--json").json()
    assert event["date"] == "2025-04-28"  # type: ignore[index]
    assert [(w["date"], w["source"]["id"]) for w in event["dated_by"]] == [  # type: ignore[index]
        ("2025-04-28", "kcnawatch-2025-04-28"),
        ("2025-04-28", "germany-news-pravda-2025-04-28-45226"),
    ]
    assert "the article dates the publication 27 April" in event["summary"]  # type: ignore[index]
    sent = run("show", "e-cmc-statement-sent", "--json").json()
    assert sent["date"] == "2025-04-27"  # type: ignore[index]
    assert {w["source"]["id"] for w in sent["dated_by"]} == {"naenara-kcna-en", "kcnawatch-2025-04-28"}  # type: ignore[index]
    plain = [line.split("\t") for line in run("timeline").out.splitlines()]
    rows = {r[0]: r for r in plain}
    assert rows["e-kcna-cmc-statement"][5] == "-" and rows["e-cmc-statement-sent"][1] == "2025-04-27"
    human = run("timeline", "--since", "2025-04-27", "--until", "2025-04-28", tty=True, env=TERMINAL).out
    assert "Sources differ on the date" not in human
    # the article's own rendering of the statement keeps the article's date
    assert run("show", "q-cmc-monument", "--json").json()["date"] == "2025-04-27"  # type: ignore[index]


def test_kcnas_own_text_is_the_speakers_channel_and_gives_the_praise_as_its_introduction(run: Run) -> None:
    own = run("cite", "q-cmc-praise", "--rendering", "own", "--json").json()
    assert own["id"] == "q-cmc-praise-kcna-en"  # type: ignore[index]  # in the quote's language
    cited = run("cite", "q-cmc-praise", "--rendering", "own").out
    assert cited.startswith("Korean Central News Agency: “The Central Military Commission of the Workers’ Party")
    assert "Naenara" in cited
    shown = run("show", "q-cmc-praise").out
    assert (
        "note\tq-cmc-praise-kcna-en\tKCNA’s own English. In KCNA’s text these words are the agency’s introduction"
        in shown
    )
    assert "rendering\tq-cmc-praise-ko\tkcnawatch-2025-04-28\t2025-04-28\tko\t" in shown
    about = {s["id"]: s for s in run("about", "--json").json()["sources"]}  # type: ignore[index]
    assert about["naenara-kcna-en"]["channel"] == about["kcnawatch-2025-04-28"]["channel"] == "speaker"


def test_check_of_the_monument_wording_elsewhere_names_its_rendering(run: Run) -> None:
    r = run("check", "will soon be erected in our capital", "--json")
    body = r.json()
    assert r.code == 0 and body["verdict"] == "verbatim"  # type: ignore[index]
    verdicts = {m["quote"]: m["verdict"] for m in body["renderings"]}  # type: ignore[index]
    assert verdicts["q-cmc-monument"] == "differs" and verdicts["q-cmc-monument-rt"] == "verbatim"


# ----------------------------------------------------------------------------- the State Department


def test_check_finds_the_anadolu_wording_and_says_the_article_differs(run: Run) -> None:
    r = run("check", ANADOLU, "--json")
    body = r.json()
    assert r.code == 0 and body["verdict"] == "verbatim"  # type: ignore[index]
    assert body["quote"]["id"] == "q-state-dept-anadolu-responsibility"  # type: ignore[index]
    assert body["quote"]["source"]["id"] == "anews-2025-04-29"  # type: ignore[index]
    verdicts = {m["quote"]: m["verdict"] for m in body["renderings"]}  # type: ignore[index]
    assert verdicts == {
        "q-state-dept-accountable": "differs",
        "q-state-dept-yonhap-responsibility": "typographic",  # a comma before "bear"
        "q-state-dept-anadolu-responsibility": "verbatim",
    }
    plain = run("check", ANADOLU).out.splitlines()
    row = "rendering\tq-state-dept-accountable\tasmolov-2025-04-30\tdiffers\tU.S. Department of State\tarticle"
    assert row in plain
    human = run("check", ANADOLU, tty=True, env=TERMINAL).out
    assert "✘ not in these words    q-state-dept-accountable" in human
    assert "✔ verbatim              q-state-dept-anadolu-responsibility" in human


def test_the_articles_state_department_wording_is_found_only_in_the_article(run: Run) -> None:
    body = run("check", "North Korea and its partners have further entrenched the Russia—Ukraine war", "--json").json()
    verdicts = {m["quote"]: m["verdict"] for m in body["renderings"]}  # type: ignore[index]
    assert verdicts["q-state-dept-accountable"] == "verbatim"
    assert {v for q, v in verdicts.items() if q != "q-state-dept-accountable"} == {"differs"}


# ----------------------------------------------------------------------------- other scripts


def test_search_and_check_fold_cyrillic_and_hangul(run: Run) -> None:
    hits = [h["id"] for h in run("search", "никогда мы не забудем", "--json").json()]  # type: ignore[union-attr]
    assert {"q-zakharova-friends-ru", "q-zakharova-friends-m24"} <= set(hits[:3])
    ru = run("check", "Отдаем должное героизму", "--json").json()  # е for ё, as Russian readers type it
    assert ru["verdict"] == "typographic" and ru["quote"]["id"] == "q-putin-tribute-ru"  # type: ignore[index]
    assert ru["differences"] == [{"op": "typography", "said": "е", "actual": "ё"}]  # type: ignore[index]
    ko = run("check", "손바닥으로 하늘을 가리고자 하여도", "--json").json()
    assert ko["verdict"] == "verbatim" and ko["quote"]["id"] == "q-koo-sky-ko"  # type: ignore[index]
    assert run("actor", "외교부", "--json").json()["id"] == "rok-mofa"  # type: ignore[index]


def test_quote_and_timeline_mark_quotes_whose_renderings_differ(run: Run) -> None:
    obj = run("quote", "zakharova", "--json").json()[0]  # type: ignore[index]
    assert obj["renderings"] == ["q-zakharova-friends-ru", "q-zakharova-friends-m24"]
    assert obj["renderings_differ"] is True
    assert "≠ 2 other renderings, which differ" in run("quote", "zakharova", tty=True, env=TERMINAL).out
    assert (
        "≠ 2 other renderings, which differ"
        in run("timeline", "--quotes", "--actor", "zakharova", tty=True, env=TERMINAL).out
    )
    rows = [line.split("\t") for line in run("quote", "zakharova").out.splitlines()]
    assert rows[0][5:7] == [ART, "2 other renderings, which differ"]
    assert [r[0] for r in rows] == [
        "q-zakharova-friends",
        "q-zakharova-friends-ru",
        "q-zakharova-friends-m24",
        "q-zakharova-article-four",
    ]


def test_actor_names_the_sources_that_print_its_quotes(run: Run) -> None:
    s = run("actor", "putin", "--json").json()
    assert s["sources"] == [  # type: ignore[index]
        ART,
        "jordantimes-2025-09-03",
        "lokmattimes-2025-04-28",
        "news-mariupol-2025-04-28",
        "sputnik-2025-04-28",
        "tass-2025-04-28-1950221",
    ]
    rows = [line.split("\t") for line in run("actor", "putin").out.splitlines()]
    assert [r[1] for r in rows if r[0] == "source"] == sorted(r[1] for r in rows if r[0] == "source") != []
    assert len([r for r in rows if r[0] == "source"]) == 6
    assert "Quoted in      6 sources" in run("actor", "putin", tty=True, env=TERMINAL).out


def test_cite_the_earliest_or_the_speakers_own_rendering(run: Run) -> None:
    earliest = run("cite", "q-zakharova-friends", "--rendering", "earliest", "--json").json()
    assert earliest["id"] in ("q-zakharova-friends-ru", "q-zakharova-friends-m24")  # type: ignore[index]
    assert "Никогда мы не забудем наших друзей" in earliest["text"]  # type: ignore[index]
    named = run("cite", "q-putin-tribute", "--rendering", "q-putin-tribute-tass-en", "--style", "apa").out
    assert "TASS" in named and "We will always honour the heroes" in named
    own = run("cite", "q-putin-tribute", "--rendering", "own")
    assert own.code == 1 and "speaker's own channel" in own.err and own.out == ""
    bad = run("cite", "q-putin-tribute", "--rendering", "q-koo-sky")
    assert bad.code == 2 and "not earliest, own or a rendering" in bad.err


def test_about_says_what_of_each_source_is_stored(run: Run) -> None:
    about = run("about", "--json").json()
    stored = {s["id"]: s["stored"] for s in about["sources"]}  # type: ignore[index]
    assert stored[ART] == "full" and set(stored.values()) == {"full", "excerpts"} and len(stored) == 27
    assert "kremlin.ru" in about["datasets"][0]["description"]  # type: ignore[index]
    human = run("about", tty=True, env=TERMINAL).out
    assert "excerpts: the speakers' words and dates only" in human and "the full text" in human


# ----------------------------------------------------------------------------- verify covers every source


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    for src in doc["sources"]:
        if "file" in src:
            (tmp_path / src["file"]).write_bytes(resources.files("kurskcli.data").joinpath(src["file"]).read_bytes())
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_verify_checks_every_rendering_against_what_its_source_stores(run: Run, tmp_path: Path) -> None:
    doc = copy.deepcopy(bundled_doc())
    rt = next(q for q in doc["quotes"] if q["id"] == "q-cmc-monument-rt")
    rt["text"] = rt["text"].replace("our capital", "the Russian capital")
    r = run("verify", "--data", str(_write(tmp_path, doc)), "--no-bundled")
    assert r.code == 65 and "text does not match the source" in r.out


def test_an_event_date_must_be_the_one_its_witnesses_support(tmp_path: Path) -> None:
    doc = copy.deepcopy(bundled_doc())
    ev = next(e for e in doc["events"] if e["id"] == "e-kcna-cmc-statement")
    ev["date"] = "2025-04-27"
    with pytest.raises(DatasetError) as info:
        load_dataset([_write(tmp_path, doc)], bundled=False)
    assert any("is not the date its witnesses support best ('2025-04-28')" in str(p) for p in info.value.problems)


def test_a_rendering_of_a_rendering_is_refused(tmp_path: Path) -> None:
    doc = copy.deepcopy(bundled_doc())
    q = next(q for q in doc["quotes"] if q["id"] == "q-cmc-monument-rt")
    q["renders"] = "q-cmc-monument-5693"
    with pytest.raises(DatasetError) as info:
        load_dataset([_write(tmp_path, doc)], bundled=False)
    assert any("is itself a rendering of 'q-cmc-monument'" in str(p) for p in info.value.problems)


@pytest.mark.parametrize(
    ("witnesses", "best"),
    [
        (["2025-04-26/2025-04-30", "2025-04-26"], "2025-04-26"),  # "later" and a day inside it
        (["2025-04-27", "2025-04-28", "2025-04-28"], "2025-04-28"),  # two against one
        (["2025-04-27", "2025-04-28"], "2025-04-27"),  # one each: the first stands
        (["2024", "2024-09-18/2024-09-26"], "2024-09-18/2024-09-26"),
        (["../2025-04-30", "2025-04-29"], "2025-04-29"),
    ],
)
def test_the_best_supported_date(witnesses: list[str], best: str) -> None:
    assert best_supported([(w, parse_edtf(w)) for w in witnesses]) == best


@pytest.mark.parametrize(
    ("claim", "claimant", "figure"),
    [
        ("c-nis-casualties", "south-korea-nis", "over 4,700"),
        ("c-nis-casualties-january", "south-korea-nis", "about 300"),
        ("c-troops-sent-estimate", "us-rok-ukraine-intelligence", "10,000–12,000"),
    ],
)
def test_other_sources_figures_are_claims_with_their_claimant(
    bundled: Dataset, claim: str, claimant: str, figure: str
) -> None:
    c = bundled.claims[claim]
    assert c.kind == "figure" and c.claimant == claimant and figure in c.text
    assert c.span.source != ART and bundled.sources[c.span.source].stored == "excerpts"


# ----------------------------------------------------------------------------- links and words that hold


def test_a_later_briefing_is_a_statement_of_its_own_not_a_rendering(run: Run, bundled: Dataset) -> None:
    assert bundled.quotes["q-state-dept-briefing"].renders is None
    shown = run("show", "q-state-dept-accountable", "--json").json()
    assert "q-state-dept-briefing" not in {r["quote"]["id"] for r in shown["renderings"]}  # type: ignore[index]
    assert "a statement of its own" in bundled.quotes["q-state-dept-briefing"].context


def test_the_telegram_line_and_the_article_four_remark_are_two_statements(bundled: Dataset) -> None:
    remark, post = bundled.events["e-zakharova-statement"], bundled.events["e-zakharova-post"]
    assert remark.date == "2025-04-26/2025-04-30" and not remark.dated_by  # no page dates the remark itself
    assert post.date == "2025-04-26" and [w.span.source for w in post.dated_by] == ["m24-2025-04-26"]
    assert {sp.source for sp in post.spans} == {"m24-2025-04-26", "kursk-news-2025-04-26"}
    assert "gives after her remark" in bundled.quotes["q-zakharova-friends"].context


def test_the_us_responses_are_two_and_the_time_zones_are_said(run: Run, bundled: Dataset) -> None:
    first, second = bundled.events["e-us-response"], bundled.events["e-us-response-anadolu"]
    assert first.date == "2025-04-27" and "13 hours ahead of Washington" in first.summary
    assert second.date == "2025-04-28" and [w.span.source for w in second.dated_by] == ["anews-2025-04-29"]
    human = run("show", "e-us-response", tty=True, env=TERMINAL).out
    assert "Sources differ" not in human


def test_notes_say_no_more_than_their_pages(bundled: Dataset) -> None:
    kremlin = bundled.quotes["q-putin-tribute-kremlin-en"].context
    assert "the page says the Kremlin released the statement" in kremlin
    for qid in ("q-putin-tribute-kremlin-en", "q-putin-tribute-tass-en", "q-putin-tribute-sputnik"):
        assert not re.search(r"\b(first|last) (part|sentence)\b", bundled.quotes[qid].context), qid
    assert "it says shows" in bundled.events["e-stratcom-video"].title
    assert "so they arrived" not in bundled.events["e-kpa-arrival"].summary
    assert bundled.quotes["q-cmc-praise-babel"].note == "Another English version, on a page dated 28 April."
    monument = bundled.events["e-monument-announced"]
    assert "kim-jong-un" in monument.actors and "give them to Kim Jong-un" in monument.summary


def test_titles_are_headlines_and_styles_keep_their_rules(run: Run, bundled: Dataset) -> None:
    pravda = bundled.sources["pravda-ua-2025-04-30"]
    assert pravda.title.startswith("North Korea shares blame") and pravda.author == "Iryna Balachuk"
    mla = run("cite", "q-cmc-praise", "--rendering", "own", "--style", "mla").out
    assert "n.d." not in mla and ".." not in mla.replace("...", "")
    chicago = run("cite", "q-putin-tribute-ru", "--style", "chicago").out
    assert "“Владимир Путин поблагодарил подразделения" in chicago  # Russian keeps its own capitals
    assert "“Владимир Путин Поблагодарил" not in run("cite", "q-putin-tribute-ru", "--style", "mla").out


def test_a_related_statement_is_shown_apart_from_the_renderings_and_never_compared(run: Run, tmp_path: Path) -> None:
    plain = run("show", "q-state-dept-accountable").out.splitlines()
    related = [line.split("\t") for line in plain if line.startswith("related\t")]
    assert [row[1:3] for row in related] == [["q-state-dept-briefing", "pravda-ua-2025-04-30"]]
    assert not any(
        line.startswith(("difference\tq-state-dept-briefing", "rendering\tq-state-dept-briefing")) for line in plain
    )
    back = run("show", "q-state-dept-briefing", "--json").json()
    assert back["related"] == "q-state-dept-accountable"  # type: ignore[index]
    assert [q["id"] for q in back["related_statements"]] == ["q-state-dept-accountable"]  # type: ignore[index]
    human = run("show", "q-state-dept-accountable", tty=True, env=TERMINAL).out
    assert "Related statements, in other words (1)" in human
    # a dataset naming a statement that is not there is refused, as for renders
    doc = json.loads(MINI.read_text("utf-8"))
    doc["quotes"][0]["related"] = "q-nowhere"
    bad = run("verify", "--data", str(_write(tmp_path, doc)), "--no-bundled")
    assert bad.code == 65 and "$.quotes[0].related: unknown quote 'q-nowhere'" in bad.out


# ----------------------------------------------------------------------------- what later pages report


def test_forecasts_and_plans_name_what_later_pages_report_without_judging_it(run: Run, tmp_path: Path) -> None:
    plain = [line.split("\t") for line in run("show", "c-forecast-withdrawal").out.splitlines()]
    assert [row[1] for row in plain if row[0] == "later"] == [
        "e-commanders-received",
        "e-state-honours",
        "e-nis-report-2026",
    ]
    shown = run("show", "e-monument-announced", "--json").json()
    assert shown["outcomes"] == ["e-memorial-groundbreaking", "e-memorial-visit"]  # type: ignore[index]
    assert [e["date"] for e in shown["later_reports"]] == ["2025-10", "2026-02-13"]  # type: ignore[index]
    human = run("show", "c-summit-discussion", tty=True, env=TERMINAL).out
    assert "What later pages report" in human and "Putin and Kim Jong-un meet in Beijing" in human
    claims = run("claims", "--claimant", "asmolov", "--kind", "forecast", tty=True, env=TERMINAL).out
    assert "Later pages report: Kim Jong-un receives the commanders" in " ".join(claims.split())
    for word in ("came true", "proved", "wrong", "right"):
        assert word not in human.lower() and word not in claims.lower()
    # a later event is dated by its own page's words, as any other
    event = run("show", "e-commanders-received", "--json").json()
    assert [(w["date"], w["source"]["id"]) for w in event["dated_by"]] == [("2025-08-20", "sbs-2025-08-21")]  # type: ignore[index]
    doc = json.loads(MINI.read_text("utf-8"))
    doc["claims"][0]["outcomes"] = ["e-nowhere"]
    bad = run("verify", "--data", str(_write(tmp_path, doc)), "--no-bundled")
    assert bad.code == 65 and "$.claims[0].outcomes[0]: unknown event 'e-nowhere'" in bad.out


def test_a_page_that_shows_no_headline_is_cited_by_a_description_never_an_address(run: Run, bundled: Dataset) -> None:
    for src in bundled.sources.values():
        assert not re.match(r"[\w.-]+\.(com|ua|tr|kr|net|ru)\b", src.title), src.id
    apa = run("cite", "q-putin-tribute-tass-en", "--style", "apa").out
    assert "TASS. (2025, April 28). [A TASS report on Putin’s statement on the North Korean troops]." in apa
    mla = run("cite", "q-putin-tribute-tass-en", "--style", "mla").out
    assert "\nA TASS report on Putin’s statement on the North Korean troops. TASS, 28 Apr. 2025." in mla
    chicago = run("cite", "q-putin-tribute-tass-en", "--style", "chicago").out
    assert "“A TASS report" not in chicago and "“[A TASS" not in chicago


def test_verify_holds_every_witness_to_words_that_give_its_date(run: Run, tmp_path: Path) -> None:
    assert run("verify").code == 0
    doc = json.loads(MINI.read_text("utf-8"))
    event = doc["events"][0]
    start = doc["sources"][0]["text"].index("that Ivan Petrov")
    undated_words = {"id": "mini-src", "start": start, "end": start + 16}  # no date in them
    event["dated_by"] = [{"date": day, "source": undated_words} for day in ("2024-03-05", "2024-03-03")]
    event["dated_by"].append({"date": "2024-03-03", "source": {"id": "mini-src", "start": 0, "end": 35}})
    path = _write(tmp_path, doc)
    bad = run("verify", "--data", str(path), "--no-bundled")
    assert bad.code == 65 and "$.events[0].dated_by[0].source: 'that Ivan Petrov' gives no date" in bad.out
    assert "dated_by[2]" not in bad.out  # "Alpha News reported on 3 March 2024" gives it
    assert run("timeline", "--data", str(path), "--no-bundled").code == 0  # a load is not held to it


def test_two_casualty_figures_each_with_its_claimant(run: Run) -> None:
    claims = {c["id"]: c for c in run("claims", "--json").json()}  # type: ignore[union-attr]
    zelenskyy, us = claims["c-zelenskyy-casualties"], claims["c-us-casualties-estimate"]
    assert (zelenskyy["claimant"], zelenskyy["kind"], zelenskyy["date"]) == ("zelenskyy", "figure", "../2025-02-27")
    assert (us["claimant"], us["kind"]) == ("usa", "figure") and "1,200" in us["text"] and "4,000" in zelenskyy["text"]
    assert run("actor", "Зеленский", "--json").json()["id"] == "zelenskyy"  # type: ignore[index]


def test_the_article_four_remark_is_its_own_statement_with_its_own_words(bundled: Dataset) -> None:
    remark = bundled.events["e-zakharova-statement"]
    assert "oreanda-2025-04-26" in {sp.source for sp in remark.spans}
    words = bundled.quotes["q-zakharova-article-four"]
    assert words.renders is None and "статьей 4 Договора" in words.text
    assert words.date == "2025-04-26/2025-04-30"  # the page gives no date of its own
