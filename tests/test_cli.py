"""The command line in-process: every command in JSON, plain and terminal mode, and its exit codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kurskcli import cli

from .conftest import MINI, Result

Run = Callable[..., Result]
ANSI = re.compile(r"\x1b\[")
GOLDEN = Path(__file__).parent / "golden"

QUOTE_KEYS = {
    "id",
    "type",
    "date",
    "date_earliest",
    "date_latest",
    "speaker",
    "speaker_name",
    "text",
    "kind",
    "via",
    "via_name",
    "context",
    "language",
    "source",
    "renders",
    "note",
    "renderings",
    "renderings_differ",
    "related",
}
CLAIM_KEYS = {
    "id",
    "type",
    "date",
    "date_earliest",
    "date_latest",
    "claimant",
    "claimant_name",
    "kind",
    "text",
    "verbatim",
    "status",
    "disputed_by",
    "actors",
    "context",
    "source",
    "outcomes",
}
EVENT_KEYS = {"id", "type", "date", "date_earliest", "date_latest", "title", "summary", "actors", "sources", "dated_by"}
EVENT_KEYS |= {"outcomes"}
ACTOR_KEYS = {"id", "type", "name", "kind", "role", "affiliation", "aliases"}
SOURCE_KEYS = {
    "id",
    "type",
    "title",
    "author",
    "author_actor",
    "date",
    "date_earliest",
    "date_latest",
    "publisher",
    "language",
    "url",
    "sha256",
    "length",
    "stored",
    "channel",
    "note",
}
HIT_EXTRA = {"score", "matched_field", "matched_terms"}


@pytest.mark.parametrize("speaker", ["putin", "Путин", "putn", "PUTIN", "Vladimir Putin", "푸틴"])
def test_quote_finds_putin_in_any_spelling(run: Run, speaker: str) -> None:
    r = run("quote", speaker, "--json")
    assert r.code == 0 and r.err == ""
    q, *others, later = r.json()  # type: ignore[misc]
    assert q["id"] == "q-putin-tribute" and q["speaker"] == "putin"
    assert q["text"].startswith("We pay tribute to the heroism")
    # then the other published renderings of the same statement, each from its own source
    assert [o["renders"] for o in others] == ["q-putin-tribute"] * 4 and all(o["speaker"] == "putin" for o in others)
    assert sorted(q["renderings"]) == sorted(o["id"] for o in others)
    assert later["id"] == "q-putin-beijing" and later["date"] == "2025-09-03"  # what he said later, last


def test_search_monument_ranks_the_kcna_statement_first(run: Run) -> None:
    hits = run("search", "monument", "--json").json()
    assert hits[0]["id"] == "q-cmc-monument" and hits[0]["via"] == "kcna" and hits[0]["score"] == 100  # type: ignore[index]
    typo = run("search", "monumnet", "--json").json()
    assert typo[0]["id"] == "q-cmc-monument"  # type: ignore[index]


def test_a_phrase_ranks_first_the_quote_it_is_most_of(run: Run, tmp_path: Path) -> None:
    """Three quotes hold "never forget" whole and score 100: the one it is most of comes first."""
    hits = run("search", "never forget", "--json").json()
    top = [(h["id"], h["score"]) for h in hits[:3]]  # type: ignore[index]
    assert top == [("q-zakharova-friends", 100), ("q-putin-beijing", 100), ("q-putin-tribute-tass-en", 100)]
    plain = run("search", "never forget", "--limit", "1").out
    assert plain.startswith("100\tq-zakharova-friends\t") and "we will never forget our friends." in plain
    single = run("search", "monument", "--json").json()
    assert single[0]["id"] == "q-cmc-monument"  # type: ignore[index]  # one word: no text ranks by its length
    import shutil

    from kurskcli.bundled import BUNDLED_NAME

    data = tmp_path / BUNDLED_NAME  # the same data from a store gives the same order
    shutil.copy(Path(__file__).parents[1] / "src/kurskcli/data" / BUNDLED_NAME, data)
    shutil.copy(Path(__file__).parents[1] / "src/kurskcli/data/asmolov-2025-04-30.txt", tmp_path)
    stored = run("search", "never forget", "--json", "--no-bundled", "--data", str(data)).json()
    assert [h["id"] for h in stored] == [h["id"] for h in hits]  # type: ignore[index]


def test_timeline_lists_the_acknowledgments_in_order(run: Run) -> None:
    items = run("timeline", "--json").json()
    ids = [e["id"] for e in items]  # type: ignore[union-attr]
    assert ids.index("e-gerasimov-report") < ids.index("e-kcna-cmc-statement") < ids.index("e-putin-tribute")
    dates = {e["id"]: e["date"] for e in items}  # type: ignore[union-attr]
    # the KCNA report: 27 April in the article, 28 April in the two other sources that date it
    assert (dates["e-gerasimov-report"], dates["e-kcna-cmc-statement"], dates["e-putin-tribute"]) == (
        "2025-04-26",
        "2025-04-28",
        "2025-04-28",
    )
    # sorted by what is known: "by 26 April" at 26 April, before that day's report, never
    # above 2024; "by 30 April" at 30 April; the possible visit on 9 May, then what later pages report
    assert ids[:2] == ["e-troops-sent", "e-laros-2024"]
    assert ids.index("e-may-9-celebrations") < ids.index("e-commanders-received") < ids.index("e-memorial-visit")
    assert ids[-1] == "e-memorial-visit"
    assert ids.index("e-nis-january-estimate") < ids.index("e-kpa-arrival") == ids.index("e-gerasimov-report") - 1
    assert ids.index("e-state-dept-briefing") < ids.index("e-early-reports") < ids.index("e-possible-summit")


def test_json_contract_key_sets(run: Run) -> None:
    assert set(run("quote", "--json").json()[0]) == QUOTE_KEYS  # type: ignore[index]
    by_type = {h["type"]: set(h) for h in run("search", "north korean", "--json", "--limit", "200").json()}  # type: ignore[union-attr]
    assert by_type["quote"] == QUOTE_KEYS | HIT_EXTRA
    assert by_type["claim"] == CLAIM_KEYS | HIT_EXTRA
    assert by_type["event"] == EVENT_KEYS | HIT_EXTRA
    assert by_type["actor"] == ACTOR_KEYS | HIT_EXTRA
    assert set(run("timeline", "--json").json()[0]) == EVENT_KEYS  # type: ignore[index]
    assert set(run("actors", "--json").json()[0]) == ACTOR_KEYS | {"counts"}  # type: ignore[index]
    assert set(run("show", "asmolov-2025-04-30", "--json").json()) == SOURCE_KEYS | {"passages"}  # type: ignore[arg-type]
    show = run("show", "c-contingent-size", "--json").json()
    assert set(show) == CLAIM_KEYS | {"passages", "later_reports"}  # type: ignore[arg-type]
    assert show["passages"][0]["text"].startswith("The limited size of the contingent")  # type: ignore[index]
    about = run("about", "--json").json()
    assert about["sources"][0]["sha256"] and about["counts"]["quotes"] == 40  # type: ignore[index]


def test_jsonl_is_one_object_per_line(run: Run) -> None:
    import json

    r = run("timeline", "--jsonl")
    lines = r.out.splitlines()
    assert len(lines) == 28 and all(json.loads(line)["type"] == "event" for line in lines)


def test_plain_output_is_tab_separated_without_escapes(run: Run) -> None:
    r = run("quote", "gerasimov")
    assert r.code == 0 and not ANSI.search(r.out)
    fields = r.out.splitlines()[0].split("\t")
    assert fields[:7] == [
        "q-gerasimov-contribution",
        "2025-04-26",
        "Valery Gerasimov",
        "-",
        "direct",
        "asmolov-2025-04-30",
        "3 other renderings, which differ",
    ]
    assert fields[7].endswith("heroism in battle.")  # no truncation
    timeline = run("timeline").out.splitlines()
    assert timeline[0].split("\t")[0] == "e-troops-sent" and all(line.count("\t") == 5 for line in timeline)
    hits = run("search", "monument").out.splitlines()
    assert hits[0].split("\t")[:4] == ["100", "q-cmc-monument", "2025-04-27", "quote"]


def test_check_verbatim_misquote_and_invented(run: Run) -> None:
    ok = run("check", "we will never forget our friends", "--json")
    assert ok.code == 0 and ok.json()["verdict"] == "verbatim"  # type: ignore[index]
    bad = run("check", "we will always forget our friends", "--json")
    assert bad.code == 1
    body = bad.json()
    assert body["verdict"] == "near" and body["quote"]["id"] == "q-zakharova-friends"  # type: ignore[index]
    assert body["differences"] == [{"op": "changed", "said": "always", "actual": "never"}]  # type: ignore[index]
    made_up = run("check", "Kim Jong-un promised to send ten more divisions", "--json")
    assert made_up.code == 1 and made_up.json()["verdict"] == "not_found"  # type: ignore[index]
    human = run("check", "we will always forget our friends", tty=True, env={"COLUMNS": "100", "NO_COLOR": "1"})
    assert "Near match" in human.out and "always → never" in human.out


def test_actor_summary_modes(run: Run) -> None:
    r = run("actor", "zakharova", "--json").json()
    assert r["id"] == "zakharova" and r["affiliation"] == "russian-mfa"  # type: ignore[index]
    assert r["counts"] == {"quotes": 4, "relayed": 0, "claims": 1, "disputed": 0, "mentioned": 0, "events": 2}
    assert r["sources"] == ["asmolov-2025-04-30", "kursk-news-2025-04-26", "m24-2025-04-26", "oreanda-2025-04-26"]  # type: ignore[index]
    assert r["first_date"] == "2025-04-26" and r["last_date"] == "2025-04-30"  # type: ignore[index]
    plain = run("actor", "Захарова").out.splitlines()
    assert plain[0].startswith("actor\tzakharova\t-\tactor\tperson\tMaria Zakharova\t")
    assert all(line.count("\t") == 6 for line in plain)
    assert any(line.startswith("quote\tq-zakharova-friends") for line in plain)


def test_actor_without_quotes_is_nothing_found(run: Run) -> None:
    r = run("quote", "nato")
    assert r.code == 1 and r.out == "" and "no quotes by NATO" in r.err


def test_exit_codes(run: Run) -> None:
    amb = run("quote", "korea")
    assert amb.code == 2 and "could mean several actors" in amb.err and amb.out == ""
    unknown = run("actor", "gandalf")
    assert unknown.code == 1 and "no actor matches 'gandalf'" in unknown.err
    assert run("search", "qqqqqqqxz").code == 1
    assert run("search", "   ").code == 2
    assert run("search", "x", "--limit", "0").code == 2
    assert run("search", "x", "--limit", "abc").code == 2
    assert run("timeline", "--since", "2025-13").code == 2
    assert run("timeline", "--bogus").code == 2
    assert run("show", "q-putin-tribut").code == 1
    assert "did you mean q-putin-tribute" in run("show", "q-putin-tribut").err


def test_usage_errors_are_one_line(run: Run) -> None:
    r = run("search", "x", "--limit", "0")
    assert r.err.count("\n") == 1 and r.err.startswith("kurskcli: ")


def test_user_datasets(run: Run, tmp_path: Path) -> None:
    r = run("quote", "petrov", "--data", str(MINI), "--json")
    assert r.code == 0 and r.json()[0]["id"] == "q-open"  # type: ignore[index]
    env = run("quote", "petrov", "--json", env={"KURSKCLI_DATA": str(MINI)})
    assert env.json() == r.json()
    only = run("timeline", "--data", str(MINI), "--no-bundled", "--json").json()
    assert {e["id"] for e in only} == {"e-aaa-tie", "e-briefing", "e-added", "e-tunnel"}  # type: ignore[union-attr]
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    bad = run("timeline", "--data", str(broken))
    assert bad.code == 65 and str(broken) in bad.err and "$" in bad.err and bad.out == ""
    missing = run("timeline", "--data", str(tmp_path / "none.json"))
    assert missing.code == 66 and "no such file" in missing.err


def test_verify(run: Run, tmp_path: Path) -> None:
    ok = run("verify", "--json")
    assert ok.code == 0 and ok.json()["ok"] is True and ok.json()["counts"]["quotes"] == 40  # type: ignore[index]
    assert run("verify").out.startswith("ok\t")
    damaged = tmp_path / "damaged.json"
    from importlib import resources

    text = resources.files("kurskcli.data").joinpath("kursk-2025.json").read_text("utf-8")
    text = text.replace("we will never forget our friends.", "we will always remember our friends.")
    damaged.write_text(text, "utf-8")
    (tmp_path / "asmolov-2025-04-30.txt").write_bytes(
        resources.files("kurskcli.data").joinpath("asmolov-2025-04-30.txt").read_bytes()
    )
    bad = run("verify", "--data", str(damaged), "--no-bundled", "--json")
    assert bad.code == 65 and bad.json()["ok"] is False  # type: ignore[index]
    assert any("$.quotes[1].source: text does not match" in p for p in bad.json()["problems"])  # type: ignore[index]


def test_version_and_bare_command(run: Run) -> None:
    v = run("--version")
    assert v.code == 0 and re.match(r"kurskcli \d+\.\d+\.\d+ \(dataset kursk-2025 ", v.out)
    bare = run()
    assert bare.code == 0 and "kurskcli quote putin" in bare.out and "Exit codes" in bare.out


@pytest.mark.parametrize(
    "command", ["timeline", "quote", "search", "actors", "actor", "show", "check", "verify", "about"]
)
def test_every_command_has_help_with_an_example(run: Run, command: str) -> None:
    r = run(command, "--help")
    assert r.code == 0 and "kurskcli " + command in r.out and "--json" in r.out


def test_random_quote_is_repeatable_with_a_seed(run: Run) -> None:
    a = run("quote", "--random", "--seed", "7", "--json").json()
    assert len(a) == 1 and a == run("quote", "--random", "--seed", "7", "--json").json()  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- terminal output

GOLDEN_CASES = {
    "quote_zakharova": ("quote", "zakharova"),
    "timeline_putin": ("timeline", "--actor", "putin", "--quotes"),
    "search_monument": ("search", "monument", "--limit", "3"),
    "actor_koo": ("actor", "koo"),
    "show_zakharova": ("show", "q-zakharova-friends"),
    "check_misquote": ("check", "we will always forget our friends"),
    "actors_person": ("actors", "--kind", "person"),
}


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_terminal_output_matches_golden(run: Run, case: str, request: pytest.FixtureRequest) -> None:
    r = run(*GOLDEN_CASES[case], "--color", "never", tty=True, env={"COLUMNS": "100"})
    assert not ANSI.search(r.out)
    path = GOLDEN / f"{case}.txt"
    if request.config.getoption("--update-golden"):
        path.write_text(r.out, "utf-8")
    assert r.out == path.read_text("utf-8")


def test_terminal_colour_follows_the_flags(run: Run) -> None:
    assert ANSI.search(run("quote", "zakharova", "--color", "always").out)
    assert ANSI.search(run("quote", "zakharova", tty=True).out)
    assert not ANSI.search(run("quote", "zakharova", tty=True, env={"NO_COLOR": "1"}).out)
    assert not ANSI.search(run("quote", "zakharova", tty=True, env={"TERM": "dumb"}).out)
    assert ANSI.search(run("quote", "zakharova", env={"FORCE_COLOR": "1"}).out)


def test_search_highlights_matched_words_on_a_terminal(run: Run) -> None:
    out = run("search", "monument", "--color", "always").out
    assert re.search(r"\x1b\[[0-9;]*7[0-9;]*mmonument", out)


def test_root_help_lists_every_command_with_its_line_of_help_uncut(run: Run) -> None:
    from kurskcli import spec

    r = run("--help")
    assert r.code == 0
    listed = r.out.split("Commands:", 1)[1]
    for name in cli.COMMANDS:
        line = next(line for line in listed.splitlines() if line.split()[:1] == [name])
        assert " ".join(line.split()) == f"{name} {spec.COMMANDS[name][0]}", name
    assert "..." not in listed and "--debug" in r.out


EMPTY_LISTS = [
    ("search", "qqqzzzxx"),
    ("quote", "nato"),
    ("timeline", "--actor", "ukraine"),
    ("actors", "--kind", "state", "--no-bundled", "--data", str(MINI)),
]


@pytest.mark.parametrize("args", EMPTY_LISTS)
def test_an_empty_list_is_an_empty_json_array_and_exit_1(run: Callable[..., Result], args: tuple[str, ...]) -> None:
    r = run(*args, "--json")
    assert (r.code, r.out) == (1, "[]\n") and r.err.startswith("kurskcli: ") and r.err.count("\n") == 1
    assert (run(*args, "--jsonl").code, run(*args, "--jsonl").out) == (1, "")
    assert (run(*args).code, run(*args).out) == (1, "")


def test_an_unknown_name_is_not_an_empty_list(run: Callable[..., Result]) -> None:
    r = run("quote", "nobody-at-all-zzz", "--json")
    assert r.code == 1 and r.out == "" and "no actor matches" in r.err


def test_words_after_a_double_dash_are_arguments_even_debug(run: Callable[..., Result]) -> None:
    r = run("search", "--", "--debug")
    assert r.code == 1 and r.err == "kurskcli: nothing matches '--debug'\n"


def test_debug_is_a_real_option_anywhere_before_a_double_dash(
    run: Callable[..., Result], tmp_path: Path, private_cache: Path
) -> None:
    import shutil

    data = tmp_path / "mini.json"
    shutil.copy(MINI, data)
    first = run("search", "spring", "--debug", "--data", str(data))
    assert first.code == 0 and "kurskcli: debug: building the search index" in first.err
    for args in (["--debug", "search", "bridge"], ["search", "bridge", "--debug"], ["search", "--debug", "bridge"]):
        r = run(*args, "--data", str(data), "--json")
        assert r.code == 0 and r.json(), args
    assert run("search", "--type", "quote", "--", "--debug").err == "kurskcli: nothing matches '--debug'\n"
    assert "--debug" in run("show", "--help").out and "--debug" in run("completion", "--help").out


@pytest.mark.parametrize(
    ("argv", "command", "args", "debug"),
    [
        (["--data", "f.json", "search", "x"], "search", ["search", "--data", "f.json", "x"], False),
        (
            ["--json", "--debug", "-d", "f", "quote", "kim"],
            "quote",
            ["quote", "--json", "--debug", "-d", "f", "kim"],
            1,
        ),
        (["--color=never", "timeline"], "timeline", ["timeline", "--color=never"], False),
        (["search", "--", "--debug"], "search", ["search", "--", "--debug"], False),
        (["search", "--type", "--debug", "x"], "search", ["search", "--type", "--debug", "x"], False),
        (["--version"], None, ["--version"], False),
        (["--debug"], None, ["--debug"], True),
        (["--json", "nosuch"], None, ["--json", "nosuch"], False),
        (["search"], "search", ["search"], False),
        ([], None, [], False),
    ],
)
def test_the_arguments_are_read_once_before_typer(
    argv: list[str], command: str | None, args: list[str], debug: bool
) -> None:
    from kurskcli import spec

    assert spec.parse(argv) == (command, args, debug)


def test_the_click_errors_typer_raises_are_where_the_cli_looks() -> None:
    click_exception, usage_error = cli.click_errors()
    assert issubclass(usage_error, click_exception) and issubclass(click_exception, Exception)
    app = cli.build_app("quote")
    with pytest.raises(usage_error):
        app(args=["quote", "--no-such-option"], prog_name="kurskcli", standalone_mode=False)


def test_help_has_no_control_characters_no_long_lines_and_explains_the_shared_options(run: Run) -> None:
    pages = {name: run(name, "--help").out for name in cli.COMMANDS} | {"": run("--help").out}
    for name, page in pages.items():
        assert page and not re.search(r"[\x00-\x09\x0b-\x1f]", page), name  # cat -A would show ^H
        assert max(len(line) for line in page.splitlines()) <= 100, name
    root = pages[""]
    for option in ("--json", "--jsonl", "--color", "--no-pager", "--data", "--no-bundled", "--debug", "--header"):
        assert option in root.split("Options every command takes", 1)[1], option


def test_usage_errors_name_the_command_and_hold_no_escapes(run: Run) -> None:
    for args, where in (
        (["timeline", "--since"], "kurskcli timeline"),
        (["show"], "kurskcli show"),
        (["cite"], "kurskcli cite"),
    ):
        r = run(*args)
        assert r.code == 2 and r.err.endswith(f"(see '{where} --help')\n") and "\\x0a" not in r.err, args
