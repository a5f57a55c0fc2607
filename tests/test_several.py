"""Several records at once, forgiving choices, and options that are never silently ignored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import MINI, Result

Run = Callable[..., Result]
TERMINAL = {"COLUMNS": "120", "NO_COLOR": "1"}
PAIR = ("q-koo-sky", "c-contingent-size")


def test_show_several_ids_in_every_mode(run: Run) -> None:
    one = [run("show", rid, "--json").json() for rid in PAIR]
    both = run("show", *PAIR, "--json")
    assert both.code == 0 and both.json() == one  # several: an array of what one prints
    assert [json.loads(line) for line in run("show", *PAIR, "--jsonl").out.splitlines()] == one
    plain = run("show", *PAIR).out
    assert plain == run("show", PAIR[0]).out + run("show", PAIR[1]).out
    human = run("show", *PAIR, tty=True, env=TERMINAL).out
    assert human.index("quote q-koo-sky") < human.index("claim c-contingent-size")


def test_show_fails_whole_when_an_id_is_missing_and_suggests_case_aside(run: Run) -> None:
    r = run("show", "q-koo-sky", "Q-PUTIN-TRIBUTE", "q-opne", "--json")
    assert (r.code, r.out) == (1, "")
    assert r.err.startswith("kurskcli: no record with id 'Q-PUTIN-TRIBUTE'; did you mean q-putin-tribute")
    assert "no record with id 'q-opne'; did you mean q-open" not in r.err and "'q-opne'" in r.err
    assert r.err.count("\n") == 1


def test_cite_several_ids(run: Run) -> None:
    each = [run("cite", rid, "--style", "mla").out.rstrip("\n") for rid in PAIR]
    assert run("cite", *PAIR, "--style", "mla").out == "\n\n".join(each) + "\n"  # entries of several lines
    lines = [run("cite", rid).out for rid in PAIR]
    assert run("cite", *PAIR).out == "".join(lines) and all(line.count("\n") == 1 for line in lines)
    bib = run("cite", *PAIR, "--style", "bibtex").out
    assert bib.count("@misc{") == 2 and "}\n\n@misc{" in bib
    objs = run("cite", *PAIR, "--json").json()
    assert [o["id"] for o in objs] == list(PAIR) and all(o["type"] == "citation" for o in objs)  # type: ignore[union-attr, index]
    assert run("cite", PAIR[0], "--json").json()["id"] == PAIR[0]  # type: ignore[index, call-overload]
    assert run("cite", *PAIR, "--rendering", "earliest").code == 2


@pytest.mark.parametrize("name", ["putin", "Путин", "President Putin"])
def test_cite_an_actor_offers_their_quote_ids(run: Run, name: str) -> None:
    r = run("cite", name)
    assert r.code == 2 and r.out == ""
    assert f"'{name}' is an actor (Vladimir Putin), not a quote or claim; their quotes: q-putin-tribute" in r.err
    assert r.err.endswith("; to cite them all: kurskcli cite $(kurskcli quote putin --only | cut -f1)\n")


def test_choices_forgive_case_plurals_and_known_suffixes(run: Run, tmp_path: Path) -> None:
    assert run("cite", "q-putin-tribute", "--style", "APA").out == run("cite", "q-putin-tribute", "--style", "apa").out
    assert run("actors", "--kind", "Person").out == run("actors", "--kind", "people").out != ""
    assert run("claims", "--kind", "Figures").out == run("claims", "--kind", "figure").out != ""
    for alias, name in (("MD", "markdown"), ("ndjson", "jsonl"), ("Json", "json"), ("CSV", "csv")):
        assert run("export", "-", "--format", alias).out == run("export", "-", "--format", name).out, alias
    assert run("export", str(tmp_path / "k"), "--format", "db").code == 0
    assert (tmp_path / "k").read_bytes().startswith(b"SQLite format 3")
    assert run("timeline", "--color", "NEVER").code == 0
    bad = run("export", "-", "--format", "docx")
    assert bad.code == 2 and "--format: 'docx' is not one of csv, jsonl, json, sqlite, markdown" in bad.err


def test_seed_without_random_is_an_error(run: Run) -> None:
    r = run("quote", "--seed", "3")
    assert (r.code, r.out, r.err) == (2, "", "kurskcli: --seed only applies with --random\n")
    assert (
        run("quote", "--seed", "3", "--random", "--json").json() == run("quote", "--seed", "3", "-r", "--json").json()
    )


def test_a_picture_goes_to_standard_output_with_a_dash_and_never_beside_json(run: Run) -> None:
    svg = run("timeline", "--svg", "-")
    assert svg.code == 0 and svg.out.startswith("<svg") and svg.err == ""
    html = run("timeline", "--html", "-")
    assert html.code == 0 and "<html" in html.out.lower()
    for mode in ("--json", "--jsonl"):
        r = run("timeline", "--svg", "-", mode)
        assert r.code == 2 and r.out == "" and "choose one" in r.err
    assert run("timeline", "--svg", "-", "--html", "-").code == 2


SPUTNIK = "q-putin-tribute-sputnik"  # a page by an organization that publishes it itself


def test_an_organization_as_author_follows_each_styles_rule(run: Run) -> None:
    apa = run("cite", SPUTNIK, "--style", "apa").out.splitlines()[-1]
    assert apa.startswith("Sputnik International. (2025, April 28). ")
    assert "(as cited in Sputnik International, 2025)" in run("cite", SPUTNIK, "--style", "apa").out
    assert apa.count("Sputnik International") == 1  # the publisher is not repeated after the author
    mla = run("cite", SPUTNIK, "--style", "mla").out
    assert mla.splitlines()[-1].startswith("“") and "International, Sputnik" not in mla  # MLA: the title first
    chicago = run("cite", SPUTNIK, "--style", "chicago").out.splitlines()[-1]
    assert chicago.startswith("Sputnik International. “")
    assert "author = {{Sputnik International}}," in run("cite", SPUTNIK, "--style", "bibtex").out
    # a person is still cited by surname, as before
    assert (
        run("cite", "q-putin-tribute", "--style", "apa")
        .out.splitlines()[-1]
        .startswith("Asmolov, K. (2025, April 30). ")
    )
    assert "author = {Asmolov, Konstantin}," in run("cite", "q-putin-tribute", "--style", "bibtex").out


def test_a_sources_address_is_cited_in_every_style_when_known(run: Run) -> None:
    url = "https://sputnikglobe.com/"
    for style in ("plain", "markdown", "apa", "mla", "chicago", "bibtex"):
        assert url in run("cite", SPUTNIK, "--style", style).out, style


def _screen(out: str) -> str:
    """Terminal output with the panel borders and line breaks taken out."""
    return " ".join(out.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def test_terminal_show_reads_like_a_page_not_a_field_dump(run: Run) -> None:
    out = _screen(run("show", "q-cmc-monument-rt", tty=True, env=TERMINAL).out)
    assert "“A monument honoring their combat feats" in out
    assert "— Kim Jong-un, via Korean Central News Agency · 28 Apr 2025 · direct" in out
    assert "Source: germany.news-pravda.com, “Kim Jong-un promises monument" in out
    assert "characters 58–237" in out and "Renders: q-cmc-monument" in out
    assert "verbatim True" not in out and "date earliest" not in out and "speaker kim-jong-un" not in out
    claim = _screen(run("show", "c-video-sergievsky", tty=True, env=TERMINAL).out)
    assert "— unattributed · by 30 Apr 2025 · allegation · disputed by Konstantin Asmolov and Ruslan Karmanov" in claim
    event = _screen(run("show", "e-kcna-cmc-statement", tty=True, env=TERMINAL).out)
    assert "Actors: Korean Central News Agency," in event


def test_a_date_a_source_gives_otherwise_is_shown_beside_the_event(run: Run, tmp_path: Path) -> None:
    doc = json.loads(MINI.read_text("utf-8"))
    event = doc["events"][0]  # 3 March, by the page; a second witness says 4 March
    said = {"id": "mini-src", "start": 0, "end": 35}  # "Alpha News reported on 3 March 2024"
    event["dated_by"] = [{"date": "2024-03-03", "source": said}] * 2 + [{"date": "2024-03-04", "source": said}]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), "utf-8")
    shown = _screen(run("show", event["id"], "--data", str(path), "--no-bundled", tty=True, env=TERMINAL).out)
    assert "Sources differ on the date: 4 Mar 2024 in mini-src" in shown


def test_check_lists_every_quote_a_short_text_stands_in(run: Run) -> None:
    r = run("check", "shoulder to shoulder", "--json").json()
    assert r["quote"]["id"] == "q-gerasimov-contribution" and r["partial"] is True  # type: ignore[index, call-overload]
    assert r["also_in"] == ["q-putin-tribute"]  # type: ignore[index, call-overload]
    plain = [line.split("\t") for line in run("check", "shoulder to shoulder").out.splitlines()]
    assert [row[:4] for row in plain if row[0] == "also"] == [
        ["also", "q-putin-tribute", "2025-04-28", "Vladimir Putin"]
    ]
    human = _screen(run("check", "shoulder to shoulder", tty=True, env=TERMINAL).out)
    assert "Verbatim (part of a longer quote)" in human
    assert "Also in 1 other quote: Vladimir Putin, 28 Apr 2025: “We pay tribute" in human
    assert run("check", "we will never forget our friends", "--json").json()["also_in"] == []  # type: ignore[index, call-overload]
    source = _screen(run("check", "Fake news regarding KPA presence", tty=True, env=TERMINAL).out)
    assert "in claim c-author-early-fakes:" in source
