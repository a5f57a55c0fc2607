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


JSON_COMMANDS = [
    ("timeline", "--quotes", "--claims"),
    ("quote",),
    ("claims",),
    ("search", "korea", "--limit", "500"),
    ("actors",),
    ("actor", "kcna"),
    ("show", "q-cmc-monument"),
    ("show", "e-kcna-cmc-statement"),
    ("show", "asmolov-2025-04-30"),
    ("show", "c-video-sergievsky"),
    ("show", "putin"),
    ("check", "we will never forget our friends"),
    ("check", "LaRos-2024"),
    ("about",),
    ("verify",),
    ("cite", "q-koo-sky"),
    ("read",),
]


def test_every_field_a_command_prints_can_be_selected(run: Run) -> None:
    from kurskcli import spec

    printed: dict[str, set[str]] = {}
    for args in JSON_COMMANDS:
        doc = run(*args, "--json").json()
        for obj in doc if isinstance(doc, list) else [doc]:
            printed.setdefault(args[0], set()).update(obj)  # type: ignore[arg-type]
    assert printed == {name: set(fields) for name, fields in spec.JSON_FIELDS_OF.items()}
    assert set().union(*printed.values()) == spec.JSON_FIELDS


def test_json_fields_select_like_gh(run: Run) -> None:
    picked = run("quote", "putin", "--json", "id,date").json()
    assert picked and all(list(q) == ["id", "date"] for q in picked)  # type: ignore[union-attr, arg-type]
    full = run("quote", "putin", "--json").json()
    assert picked == [{"id": q["id"], "date": q["date"]} for q in full]  # type: ignore[union-attr, index]
    assert run("quote", "--json=text,id", "putin").json() == [{"text": q["text"], "id": q["id"]} for q in full]  # type: ignore[union-attr, index]
    assert run("quote", "--json", "putin").json() == full  # a speaker, not a field list
    lines = run("search", "korea", "--jsonl", "id,score", "--limit", "2").out.splitlines()
    assert len(lines) == 2 and all(line.startswith('{"id": ') and line.count(":") == 2 for line in lines)
    assert list(run("show", "q-koo-sky", "--json", "passages,id").json()) == ["passages", "id"]  # type: ignore[arg-type]
    assert run("cite", "q-koo-sky", "--json=text").json() == {"text": run("cite", "q-koo-sky").out.rstrip("\n")}
    mixed = run("search", "north korea", "--json", "id,name,speaker", "--limit", "200").json()
    assert {tuple(h) for h in mixed} == {("id", "name", "speaker")}  # type: ignore[union-attr, arg-type]
    bad = run("quote", "--json=id,bogus")
    assert bad.code == 2 and bad.out == "" and "unknown JSON field 'bogus'" in bad.err


def test_a_json_field_the_command_does_not_print_is_refused_with_those_it_does(run: Run) -> None:
    from kurskcli import spec

    r = run("about", "--json=id,counts")  # a field of other commands, not of about
    listed = ", ".join(sorted(spec.JSON_FIELDS_OF["about"]))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"kurskcli: --json: unknown JSON field 'id'; about prints {listed}\n"
    assert "docs/json.md" not in run("quote", "--json=nonsense").err  # a file a pip user does not have


@pytest.mark.parametrize(
    ("words", "hint"),
    [(["ids"], "--json id"), (["speakr,txt"], "--json speaker,text"), (["--jsonl", "dat"], "--jsonl date")],
)
def test_a_near_miss_after_json_is_suggested(run: Run, words: list[str], hint: str) -> None:
    args = ["quote", "putin", *(words if words[0].startswith("--") else ["--json", *words])]
    r = run(*args)
    assert (r.code, r.out) == (2, "")
    assert f"; did you mean {hint}? (see 'kurskcli quote --help')" in r.err
    assert r.err.count("\n") == 1


def test_the_json_fields_rewrite_reads_options_and_values_correctly() -> None:
    from kurskcli import spec

    assert spec.parse(["quote", "--json", "id,text"]).args == ["quote", "--json", "--json-fields", "id,text"]
    assert spec.parse(["quote", "--json", "putin"]).args == ["quote", "--json", "putin"]
    assert spec.parse(["--json=id", "quote"]).args == ["quote", "--json", "--json-fields", "id"]
    assert spec.parse(["search", "--type", "--json", "id"]).args == ["search", "--type", "--json", "id"]
    assert spec.parse(["search", "--", "--json", "id"]).args == ["search", "--", "--json", "id"]
