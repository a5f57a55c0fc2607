"""Piped output has one column layout per command, whatever the record type; --header names it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Result

Run = Callable[..., Result]
TERMINAL = {"COLUMNS": "120", "NO_COLOR": "1"}

LAYOUTS = {
    ("timeline", "--quotes", "--claims"): "id date type who text note",
    ("quote",): "id date speaker via kind source renderings text",
    ("claims",): "id date claimant kind status text",
    ("search", "korea", "--limit", "200"): "score id date type who text note",
    ("actors",): "id kind name role quotes relayed claims disputed mentioned events",
    ("actor", "kcna"): "section id date type who text note",
    ("actor", "asmolov"): "section id date type who text note",
}


@pytest.mark.parametrize("args", list(LAYOUTS), ids=lambda a: "-".join(a[:2]))
def test_every_row_of_a_command_has_its_columns_and_header_names_them(run: Run, args: tuple[str, ...]) -> None:
    columns = LAYOUTS[args].split()
    rows = [line.split("\t") for line in run(*args).out.splitlines()]
    assert len(rows) > 1 and {len(r) for r in rows} == {len(columns)}, args
    with_header = run(*args, "--header").out.splitlines()
    assert with_header[0].split("\t") == columns
    assert with_header[1:] == ["\t".join(r) for r in rows]
    for mode in ("--json", "--jsonl"):
        bad = run(*args, "--header", mode)
        assert bad.code == 2 and bad.out == "" and "--header names the columns of plain output" in bad.err


def test_mixed_types_share_one_layout(run: Run) -> None:
    rows = [line.split("\t") for line in run("timeline", "--quotes", "--claims").out.splitlines()]
    assert {r[2] for r in rows} == {"event", "quote", "claim"}
    quote = next(r for r in rows if r[0] == "q-cmc-monument")
    assert quote[3:] == [
        "Central Military Commission of the Workers’ Party of Korea",
        quote[4],
        "fragment; via Korean Central News Agency; 2 other renderings, which differ",
    ]
    claim = next(r for r in rows if r[0] == "c-letters-corpses")
    assert claim[3] == "unattributed" and claim[5].startswith("allegation; disputed by Konstantin Asmolov")
    search = {
        r[3] for r in (line.split("\t") for line in run("search", "north korea", "--limit", "200").out.splitlines())
    }
    assert search == {"quote", "claim", "event", "actor"}


def test_search_says_what_the_limit_left_out(run: Run) -> None:
    piped = run("search", "korea", "--limit", "3")
    assert len(piped.out.splitlines()) == 3
    total = len(run("search", "korea", "--limit", "10000", "--json").json())  # type: ignore[arg-type]
    assert piped.err == f"kurskcli: 3 of {total} hits; --limit to see more\n" and total > 3
    human = run("search", "korea", "--limit", "3", tty=True, env=TERMINAL)
    assert f"3 of {total} hits; --limit to see more" in human.out and human.err == ""
    assert run("search", "korea", "--limit", "3", "--json").err == ""
    assert run("search", "korea", "--limit", "10000").err == ""  # nothing left out, nothing said


def test_the_terminal_search_table_shows_dates_and_disputes(run: Run) -> None:
    out = run("search", "sergievsky", tty=True, env=TERMINAL).out
    assert out.splitlines()[0].split()[:4] == ["Score", "Type", "When", "Match"]
    assert "⚑ disputed" in out and "by 30 Apr 2025" in out
