"""A state's or body's quotes include its bodies' and officials' (by affiliation); --only keeps its own."""

from __future__ import annotations

from collections.abc import Callable

from kurskcli import query
from kurskcli.model import Actor, Dataset

from .conftest import Result

Run = Callable[..., Result]
TERMINAL = {"COLUMNS": "120", "NO_COLOR": "1"}


def speakers(run: Run, *args: str) -> dict[str, str]:
    r = run("quote", *args, "--json")
    assert r.code == 0, r.err
    return {q["id"]: q["speaker"] for q in r.json()}  # type: ignore[union-attr]


def test_south_korea_includes_its_ministries_and_their_officials_each_marked_with_who_spoke(run: Run) -> None:
    got = speakers(run, "south korea")
    assert got["q-koo-sky"] == "koo-byung-sam"  # an official of the Ministry of Unification, itself of the ROK
    assert got["q-rok-mock"] == "south-korea" and got["q-rok-mock-ko"] == "rok-mofa"
    assert set(got.values()) <= {"south-korea", "rok-mofa", "koo-byung-sam", "ministry-of-unification", "yoon-suk-yeol"}
    plain = [line.split("\t") for line in run("quote", "south korea").out.splitlines()]
    assert [plain[[r[0] for r in plain].index("q-koo-sky")][i] for i in (0, 2)] == ["q-koo-sky", "Koo Byung-sam"]
    human = run("quote", "south korea", tty=True, env=TERMINAL).out
    assert "Koo Byung-sam" in human and "Republic of Korea" in human


def test_north_korea_and_pyongyang_find_the_party_commission_and_the_leader(run: Run) -> None:
    north = speakers(run, "north korea")
    assert {"wpk-cmc", "kim-jong-un"} <= set(north.values())
    assert "q-cmc-monument" in north
    assert speakers(run, "Pyongyang") == north == speakers(run, "КНДР")
    south = speakers(run, "south korea")
    assert speakers(run, "Ministry of Unification") == {k: v for k, v in south.items() if v == "koo-byung-sam"}


def test_only_keeps_the_strict_answer_and_says_what_it_leaves_out(run: Run) -> None:
    strict = speakers(run, "south korea", "--only")
    assert strict and set(strict.values()) == {"south-korea"}
    r = run("quote", "pyongyang", "--only")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("kurskcli: no quotes by Democratic People’s Republic of Korea (dprk) in the data; ")
    assert r.err.endswith(" by its members and officials without --only\n")
    assert run("quote", "dprk", "--only", "--json").out == "[]\n"
    # a speaker with no members answers the same either way
    assert speakers(run, "putin") == speakers(run, "putin", "--only")


def test_members_follow_affiliation_through_any_depth_and_survive_a_loop() -> None:
    ds = Dataset()
    for aid, parent in (("a", "c"), ("b", "a"), ("c", "b"), ("d", "b"), ("e", None)):
        ds.actors[aid] = Actor(aid, aid.upper(), "organization", None, parent, (), "test")
    assert query.members_of(ds, "a") == {"a", "b", "c", "d"}
    assert query.members_of(ds, "d") == {"d"} and query.members_of(ds, "e") == {"e"}


def test_search_finds_the_disputed_video_claim_by_what_the_article_calls_it(run: Run) -> None:
    hits = run("search", "fake video", "--json", "--limit", "5").json()
    top = hits[0]  # type: ignore[index]
    assert top["id"] == "c-video-sergievsky" and top["status"] == "disputed"  # type: ignore[index]
    assert "fake news" in top["context"]  # type: ignore[index]
    assert run("search", "fake video").out.split("\t")[1] == "c-video-sergievsky"
    assert "c-video-sergievsky" in run("search", "fake video", "--limit", "3", tty=True, env=TERMINAL).out
    assert "c-letters-corpses" in [h["id"] for h in run("search", "fake letters", "--json", "--limit", "5").json()]  # type: ignore[union-attr]
