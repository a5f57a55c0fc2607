"""What a journalist meets in a first hour, as a person sees it: words, counts, hints and help."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from kurskcli.model import Dataset

from .conftest import Result, in_terminal, needs_script

Run = Callable[..., Result]


def test_one_other_rendering_that_differs_is_said_in_the_singular(run: Run) -> None:
    [row] = [line.split("\t") for line in run("quote", "koo").out.splitlines() if line.startswith("q-koo-sky\t")]
    assert row[6] == "1 other rendering, which differs"
    assert "2 other renderings, which differ" in run("quote", "zakharova").out


def test_the_timeline_footer_speaks_of_italics_only_where_there_are_some(run: Run) -> None:
    plain = run("timeline", "--actor", "putin", "--quotes", "--color", "never", tty=True, env={"COLUMNS": "100"}).out
    styled = run("timeline", "--actor", "putin", "--quotes", "--color", "always", tty=True, env={"COLUMNS": "100"}).out
    assert plain.rstrip().splitlines()[-1] == "9 items" and "\x1b[" not in plain
    assert "9 items; italic dates are ranges or uncertain" in styled and "\x1b[3m" in styled


def test_check_explains_the_score_of_a_text_not_found(run: Run) -> None:
    piped = run("check", "zzz qqq www")
    assert (piped.code, piped.out) == (1, "not_found\t-\t-\t-\n")  # nothing found: no score to show
    shown = run("check", "zzz qqq www", tty=True, env={"NO_COLOR": "1"}).out
    score = run("check", "zzz qqq www", "--json").json()["score"]  # type: ignore[index]
    assert f"The nearest is {score}% similar; a near match needs 75%." in shown


def test_a_name_nothing_comes_near_points_to_the_search_that_finds_it(run: Run) -> None:
    r = run("quote", "kremlin")
    assert (r.code, r.out) == (1, "")
    assert (
        r.err == "kurskcli: no actor matches 'kremlin' (see kurskcli actors); the records that mention it:"
        " kurskcli search kremlin\n"
    )
    assert "q-putin-tribute-kremlin-en" in run("search", "kremlin").out  # and that search finds them
    near = run("quote", "gandalf")
    assert "no actor matches 'gandalf'" in near.err
    quoted = run("actor", "white house")
    assert quoted.err.endswith("kurskcli search 'white house'\n")  # a command to paste, quoted for the shell


def test_citing_an_actor_says_how_to_cite_all_their_quotes(run: Run) -> None:
    r = run("cite", "putin")
    assert r.code == 2
    hint = re.search(r"to cite them all: kurskcli cite \$\(kurskcli (quote putin --only) \| cut -f1\)$", r.err.strip())
    assert hint is not None
    ids = [line.split("\t")[0] for line in run(*hint[1].split()).out.splitlines()]
    every = run("cite", *ids)
    assert every.code == 0 and every.out.count("Vladimir Putin") == len(ids) == 6


@pytest.mark.parametrize(("command", "what"), [("search", "hits (1 to 10,000)"), ("quote", "quotes (1 or more)")])
def test_help_names_a_number_as_a_person_would(run: Run, command: str, what: str) -> None:
    text = run(command, "--help").out
    assert re.search(rf"-n, --limit N\s+At most this many {re.escape(what)}", text)
    assert "int range" not in text and "x>=" not in text and "<=x" not in text
    bad = run(command, *(["x"] if command == "search" else []), "--limit", "0")
    assert bad.code == 2 and f"0 is not {what.split('(')[1].rstrip(')')}" in bad.err


@pytest.mark.parametrize("columns", [60, 80, 100, 120, 200])
def test_actors_keep_one_actor_a_line_at_any_width(run: Run, bundled: Dataset, columns: int) -> None:
    out = run("actors", tty=True, env={"COLUMNS": str(columns), "NO_COLOR": "1"}).out
    header, *lines = out.rstrip("\n").splitlines()
    assert len(lines) == len(bundled.actors)  # one line each: no name broken over two
    assert all(len(line.rstrip()) <= columns for line in [header, *lines])
    for line in lines:
        actor = bundled.actors[line.split()[0]]
        name = line[header.index("Name") :].split("  ")[0]
        assert name == actor.name or (name.endswith("…") and actor.name.startswith(name[:-1]))
    wanted = {200: "Kind", 120: "Mentioned", 100: "Disputed", 80: "Quotes"}.get(columns, "ID")
    assert wanted in header.split()
    if columns >= 200:
        assert all(name in out for name in (a.name for a in bundled.actors.values()))  # none cut short


@pytest.mark.parametrize("command", ["timeline", "claims"])
def test_dates_known_only_by_their_end_sort_at_that_end(run: Run, command: str) -> None:
    from kurskcli.dates import parse_edtf

    items = run(command, "--json").json()
    keys = []
    for item in items:  # type: ignore[union-attr]
        d = parse_edtf(item["date"]) if item["date"] else None  # type: ignore[index]
        keys.append((d.earliest or d.latest) if d and d.known else None)
    known = [k for k in keys if k is not None]
    assert known == sorted(known)  # never "by 30 Apr 2025" above 2024
    assert "sort" in run(command, "--help").out and "by its end" in " ".join(run(command, "--help").out.split())


def test_source_addresses_are_terminal_hyperlinks(run: Run, bundled: Dataset) -> None:
    url = bundled.sources["lokmattimes-2025-04-28"].url
    assert url is not None
    for args in (("show", "lokmattimes-2025-04-28"), ("show", "q-putin-tribute"), ("about",)):
        shown = run(*args, "--color", "always", tty=True, env={"COLUMNS": "100"}).out
        assert f"\x1b]8;id=N;{url}\x1b\\" in shown, args  # OSC 8, the whole address (ids: see conftest)
    plain = run("show", "lokmattimes-2025-04-28", "--color", "never", tty=True, env={"COLUMNS": "100"}).out
    assert "\x1b" not in plain and "https://www.lokmattimes.com/" in plain  # no styles: the address as text


def test_only_a_web_address_becomes_a_link() -> None:
    from rich.console import Console

    from kurskcli.render import address

    con = Console(force_terminal=True, color_system="truecolor", width=200)
    with con.capture() as web:
        con.print(address("https://example.org/a"))
    with con.capture() as other:
        con.print(address("javascript:alert(1)"))
    assert "\x1b]8;" in web.get() and "\x1b]8;" not in other.get()


def test_a_rendering_of_part_of_a_quote_is_said_to_cover_that_part_not_paired_word_by_word(run: Run) -> None:
    """TASS gives the second sentence of Putin's words after one of its own; Sputnik only the first."""
    lines = [line.split("\t") for line in run("show", "q-putin-tribute").out.splitlines()]
    assert ["covers", "q-putin-tribute-tass-en", "the last sentence only"] in lines
    assert ["covers", "q-putin-tribute-sputnik", "the first sentence only"] in lines
    differences = [line[2:] for line in lines if line[:2] == ["difference", "q-putin-tribute-tass-en"]]
    own = "The Russian people will never forget the heroism of the DPRK special forces."
    assert ["only_in_rendering", own, "-"] in differences
    assert ["changed", "honour", "honor"] in differences
    # the quote's second sentence, which the Kremlin's words do not give, is paired with none of them
    kremlin = [line for line in lines if line[:2] == ["difference", "q-putin-tribute-kremlin-en"]]
    assert kremlin and not any("honor the Korean heroes" in line[4] for line in kremlin)
    data = run("show", "q-putin-tribute", "--json").json()
    covers = {r["quote"]["id"]: r["covers"] for r in data["renderings"]}  # type: ignore[index]
    assert covers["q-putin-tribute-tass-en"] == {"sentences": [2], "of": 2}
    assert covers["q-putin-tribute-ru"] is None  # another language: not compared
    shown = run("show", "q-putin-tribute", tty=True, env={"NO_COLOR": "1", "COLUMNS": "120"}).out
    assert "Covers only the last sentence of the quote above." in shown
    assert "Words that differ from that part:" in shown


def test_a_rendering_of_the_whole_quote_is_compared_word_by_word_as_before() -> None:
    from kurskcli.query import coverage_words
    from kurskcli.text import align_words, sentences

    assert sentences("The U.S. State Department said so. “We will.” Then 4,000 died") == [
        "The U.S. State Department said so.",
        "“We will.”",
        "Then 4,000 died",
    ]
    changes, covers, total = align_words("We will never forget. Our friends stay.", "We will never forget. Friends.")
    assert (covers, total) == ([0, 1], 2) and [c.op for c in changes] == ["added", "added"]
    assert coverage_words(covers, total) is None
    assert coverage_words([0, 2], 4) == "sentences 1 and 3 of 4"
    assert coverage_words([], 2) == "no sentence"


def test_the_csv_language_column_holds_codes_and_the_notes_go_beside_it(run: Run) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run("export", "-", "--format", "csv").out)))
    assert {row["language"] for row in rows} <= {"", "en", "ru", "ko"}
    [row] = [row for row in rows if row["id"] == "q-putin-tribute-ru"]
    assert row["language"] == "ru" and row["language_note"].startswith("Russian")


@needs_script
def test_on_a_real_terminal_actors_fit_80_columns_and_a_partial_rendering_says_what_it_covers() -> None:
    plain = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")
    actors = plain.sub("", in_terminal("actors", env={"COLUMNS": "80", "KURSKCLI_PAGER": ""}).stdout)
    lines = actors.replace("\r", "").splitlines()
    assert lines[0].split() == ["ID", "Name", "Quotes", "Claims", "Events"]
    assert all(len(line) <= 80 for line in lines)
    assert any(line.split()[:3] == ["asmolov", "Konstantin", "Asmolov"] for line in lines)  # one line, whole
    shown = in_terminal("show", "q-putin-tribute", env={"COLUMNS": "100", "KURSKCLI_PAGER": ""}).stdout
    assert "\x1b]8;id=" in shown and "https://tass.com/" in shown  # addresses are links
    assert "Covers only the last sentence of the quote above." in plain.sub("", shown)


def test_piped_check_names_the_speaker_and_channel_of_each_match(run: Run) -> None:
    lines = [line.split("\t") for line in run("check", "will soon be erected in our capital").out.splitlines()]
    assert lines[1] == ["by", "Kim Jong-un", "Korean Central News Agency", "reprint"]
    renderings = {row[1]: row[3:] for row in lines if row[0] == "rendering"}
    cmc = "Central Military Commission of the Workers’ Party of Korea"
    assert renderings["q-cmc-monument"] == ["differs", cmc, "article"]
    assert renderings["q-cmc-monument-rt"] == ["verbatim", "Kim Jong-un", "reprint"]


def test_a_citation_keeps_the_datasets_caveat_on_who_said_it(run: Run) -> None:
    for style in ("plain", "apa", "mla", "chicago", "markdown", "bibtex"):
        cited = run("cite", "q-cmc-praise", "--style", style).out
        assert "give these words as the agency’s introduction to the statement" in " ".join(cited.split()), style
    assert "[" not in run("cite", "q-putin-tribute").out  # no caveat where the dataset has none
