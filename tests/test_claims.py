"""`kurskcli claims` and `timeline --claims`: every claim with who makes it and who disputes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kurskcli import complete
from kurskcli.model import Dataset

from .conftest import Result

Run = Callable[..., Result]
TERMINAL = {"COLUMNS": "120", "NO_COLOR": "1"}


def test_all_claims_in_date_order_in_every_mode(run: Run, bundled: Dataset) -> None:
    objs = run("claims", "--json").json()
    assert [c["id"] for c in objs] == [c.id for c in sorted(bundled.claims.values(), key=_key)]  # type: ignore[union-attr]
    assert all(c["type"] == "claim" for c in objs)  # type: ignore[union-attr]
    plain = [line.split("\t") for line in run("claims").out.splitlines()]
    assert len(plain) == len(bundled.claims) and all(len(row) == 6 for row in plain)
    human = run("claims", tty=True, env=TERMINAL).out
    assert "◆" in human and f"{len(bundled.claims)} items" in human


def _key(c: object) -> tuple[object, ...]:
    from kurskcli.query import sort_key

    return sort_key(c)  # type: ignore[arg-type]


def test_disputed_claims_say_who_disputes_them(run: Run) -> None:
    rows = [line.split("\t") for line in run("claims", "--disputed").out.splitlines()]
    assert {r[0] for r in rows} == {"c-video-sergievsky", "c-letters-corpses"}
    assert all(r[2] == "unattributed" and r[4].startswith("disputed by ") for r in rows)
    human = run("claims", "--disputed", tty=True, env=TERMINAL).out
    assert "unattributed, allegation, disputed by Konstantin Asmolov and Ruslan Karmanov:" in human


@pytest.mark.parametrize(
    ("claimant", "actor"), [("karmanov", "karmanov"), ("Карманов", "karmanov"), ("NIS", "south-korea-nis")]
)
def test_claims_by_one_claimant_in_any_script(run: Run, claimant: str, actor: str) -> None:
    objs = run("claims", "--claimant", claimant, "--json").json()
    assert objs and {c["claimant"] for c in objs} == {actor}  # type: ignore[union-attr]


def test_claims_of_one_kind_and_bad_kinds(run: Run) -> None:
    figures = run("claims", "--kind", "figure", "--json").json()
    assert {c["kind"] for c in figures} == {"figure"} and len(figures) == 8  # type: ignore[union-attr, arg-type]
    forecasts = run("claims", "--claimant", "asmolov", "--kind", "forecast", "--json").json()
    assert [c["id"] for c in forecasts] == ["c-forecast-withdrawal", "c-forecast-expansion"]  # type: ignore[union-attr]
    bad = run("claims", "--kind", "rumour")
    assert bad.code == 2 and bad.out == "" and "--kind: 'rumour' is not one of reported, figure" in bad.err
    none = run("claims", "--claimant", "putin", "--kind", "forecast", "--json")
    assert (none.code, none.out) == (1, "[]\n")


def test_the_timeline_interleaves_claims_when_asked(run: Run) -> None:
    plain = run("timeline", "--claims").out.splitlines()
    ids = [line.split("\t")[0] for line in plain]
    assert "c-nis-casualties-january" in ids and "e-gerasimov-report" in ids
    assert ids.index("c-nis-casualties-january") < ids.index("e-gerasimov-report")  # January before April
    assert not any(i.startswith("c-") for i in (line.split("\t")[0] for line in run("timeline").out.splitlines()))
    human = run("timeline", "--claims", "--since", "2025-01", "--until", "2025-01", tty=True, env=TERMINAL).out
    assert "◆  National Intelligence Service, figure:" in human


def test_completion_knows_the_claims_command() -> None:
    values = [v for v, _ in complete.candidates(["claims", "--kind", ""])]
    assert values == ["reported", "figure", "allegation", "assessment", "forecast"]
    assert [v for v, _ in complete.candidates(["actors", "--kind", "p"])] == ["person"]
    assert [v for v, _ in complete.candidates(["claims", "--claimant", "karm"])] == ["karmanov"]


@pytest.mark.parametrize(
    "args", [("--actor", "putin", "--actor", "zakharova"), ("-a", "putin,Захарова"), ("--actor", "putin, zakharova")]
)
def test_the_timeline_takes_several_actors(run: Run, args: tuple[str, ...]) -> None:
    ids = [e["id"] for e in run("timeline", *args, "--json").json()]  # type: ignore[union-attr]
    assert ids == [
        "e-gerasimov-report",
        "e-zakharova-post",
        "e-zakharova-statement",
        "e-putin-tribute",
        "e-putin-kim-beijing",
    ]
    only_putin = [e["id"] for e in run("timeline", "--actor", "putin", "--json").json()]  # type: ignore[union-attr]
    assert set(only_putin) < set(ids)


def test_an_unknown_name_among_several_actors_is_reported(run: Run) -> None:
    r = run("timeline", "--actor", "putin,gandalf")
    assert r.code == 1 and "no actor matches 'gandalf'" in r.err and r.out == ""


def test_everything_on_one_day_and_what_is_certainly_on_it(run: Run) -> None:
    loose = [e["id"] for e in run("timeline", "--quotes", "--claims", "--on", "2025-04-27", "--json").json()]  # type: ignore[union-attr]
    strict = [
        e["id"] for e in run("timeline", "--quotes", "--claims", "--on", "2025-04-27", "--strict", "--json").json()
    ]  # type: ignore[union-attr]
    assert "q-zakharova-friends" in loose  # "later": 26-30 April may be the 27th
    assert "q-zakharova-friends" not in strict and "e-early-reports" not in strict  # ranges and open ends
    assert set(strict) < set(loose)
    assert {"e-us-response", "q-cmc-praise", "q-cmc-monument"} <= set(strict)  # dated 27 April exactly
    month = run("timeline", "--on", "2025-04", "--strict", "--json").json()
    assert all(e["date_earliest"] >= "2025-04-01" and e["date_latest"] <= "2025-04-30" for e in month)  # type: ignore[union-attr]
    both = run("timeline", "--on", "2025-04-27", "--since", "2025-04-01")
    assert both.code == 2 and "--on is a window of its own" in both.err


@pytest.mark.parametrize("command", [("timeline",), ("quote",), ("claims",)])
def test_limit_keeps_the_first_items(run: Run, command: tuple[str, ...]) -> None:
    full = run(*command, "--json").json()
    two = run(*command, "--limit", "2", "--json").json()
    assert two == full[:2]  # type: ignore[index]
    assert run(*command, "-n", "0").code == 2
