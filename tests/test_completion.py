"""Shell completion: commands, options, actor names and record ids, without heavy imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kurskcli import complete, spec

from .conftest import MINI, Result


def values(*words: str) -> list[str]:
    return [value for value, _ in complete.candidates(list(words))]


def test_commands_and_their_options() -> None:
    assert values("") == list(spec.COMMANDS)
    assert values("ex") == ["export"]
    assert values("--v") == ["--version"]
    assert values("search", "--t") == ["--type"]
    assert "--svg" in values("timeline", "--") and "--svg" not in values("quote", "--")
    assert "--json" not in values("export", "--") and "--force" in values("export", "--")


def test_actor_names_for_a_prefix_in_any_script() -> None:
    assert values("quote", "pu") == ["putin"]
    # by name or alias, as written, so that zsh and fish (which keep what starts with the typed
    # word) show it; each resolves to the same actor
    assert values("quote", "Vlad") == ["Vladimir Putin"]
    assert values("actor", "Пут") == ["Путин"]  # in Cyrillic
    assert values("actor", "김정") == ["김정은"]
    from kurskcli.dataset import load_dataset
    from kurskcli.query import resolve_actor

    ds = load_dataset()
    assert {resolve_actor(ds, n).id for n in ("Vladimir Putin", "Путин")} == {"putin"}
    assert set(values("quote", "ki")) >= {"kim-jong-un"}
    assert values("timeline", "--actor", "gera") == ["gerasimov"]


def test_record_ids_and_option_values() -> None:
    assert values("show", "q-putin") == [
        "q-putin-tribute",
        "q-putin-tribute-ru",
        "q-putin-tribute-kremlin-en",
        "q-putin-tribute-tass-en",
        "q-putin-tribute-sputnik",
        "q-putin-beijing",
    ]
    assert values("cite", "q-putin-tribute", "--rendering", "") == ["earliest", "own"]
    assert "e-putin-tribute" in values("show", "e-p")
    cite = values("cite", "")
    assert "q-cmc-monument" in cite and not any(v.startswith("e-") for v in cite)
    assert values("cite", "q-putin-tribute", "--style", "c") == ["chicago"]
    assert values("search", "--type", "") == ["quote", "claim", "event", "actor"]
    assert values("export", "--type", "s") == ["source"]
    assert values("timeline", "--color", "a") == ["auto", "always"]
    assert values("--data", "") == [complete.FILES]
    assert values("export", "") == [complete.FILES]
    assert values("search", "x", "") == []  # one argument only
    assert values("timeline", "--since", "") == []


def test_user_data_is_offered_too(monkeypatch: pytest.MonkeyPatch) -> None:
    assert values("quote", "--data", str(MINI), "pet") == ["petrov"]
    assert values("quote", "--data", str(MINI), "--no-bundled", "pu") == []
    monkeypatch.setenv("KURSKCLI_DATA", str(MINI))
    assert values("show", "q-ope") == ["q-open"]
    assert values("quote", "--data", "/nonexistent.json", "pu") == ["putin"]  # a bad file is skipped


def test_descriptions_per_shell() -> None:
    assert complete.answer("fish", ["quote", "putin"]) == "putin\tVladimir Putin\n"
    assert complete.answer("zsh", ["quote", "putin"]) == "putin:Vladimir Putin\n"
    assert complete.answer("bash", ["quote", "putin"]) == "putin\n"


def test_the_static_tables_match_the_real_commands() -> None:
    import typer.main

    from kurskcli import cli

    group = typer.main.get_command(cli.build_app(None))
    assert set(group.commands) == set(spec.COMMANDS)  # type: ignore[attr-defined]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        real = {opt for p in command.params if p.param_type_name == "option" and not p.hidden for opt in p.opts}  # type: ignore[attr-defined]
        assert real | {"--help", "-h"} == set(spec.options_of(name)), name
    root = {opt for p in group.params for opt in p.opts}
    assert root | {"--help", "-h"} == set(spec.ROOT_OPTIONS)


def test_completion_offers_exactly_the_values_each_command_accepts(run: Callable[..., Result]) -> None:
    """Every choice completion offers is accepted, and every value a Typer choice accepts is offered."""
    import typer.main

    from kurskcli import cli

    group = typer.main.get_command(cli.build_app(None))
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            choices = getattr(param.type, "choices", None)
            if choices is None:
                continue
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert tuple(choices) == spec.CHOICES[opt], (name, opt)
                else:  # the one argument with choices: the shell of `completion`
                    assert (name, tuple(choices)) == ("completion", spec.SHELLS)
    # the options validated by hand accept what completion offers, and refuse what it does not
    for style in spec.CHOICES["--style"]:
        assert run("cite", "q-putin-tribute", "--style", style).code == 0, style
    assert run("cite", "q-putin-tribute", "--style", "harvard").code == 2
    for kind in spec.CHOICES["--kind"]:
        assert run("actors", "--kind", kind).code in (0, 1), kind
    assert run("actors", "--kind", "planet").code == 2
    for which in spec.CHOICES["--rendering"]:
        assert run("cite", "q-putin-tribute", "--rendering", which).code in (0, 1), which
    for command, types in spec.TYPES.items():
        args = ("search", "bridge") if command == "search" else ("export", "-", "--format", "jsonl")
        for kind in types:
            assert run(*args, "--type", kind).code in (0, 1), (command, kind)
        assert run(*args, "--type", "planet").code == 2, command


def test_every_command_has_a_one_line_help_for_completion() -> None:
    from kurskcli import cli

    for name in cli.COMMANDS:
        line, _ = spec.COMMANDS[name]
        assert line and "\n" not in line and len(line) < 60, name
        assert cli.command_function(name).__doc__, name


def _kurskcli_on_path() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_completion_answers_without_typer_or_rich() -> None:
    probe = (  # an atexit handler also keeps the normal exit path, which runs it
        "import atexit, sys, json\n"
        "atexit.register(lambda: sys.stderr.write(json.dumps(sorted(m.split('.')[0] for m in sys.modules))))\n"
        "sys.argv = ['kurskcli', '__complete', 'bash', 'quote', 'pu']\n"
        "from kurskcli.__main__ import main\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.stdout == "putin\n"
    mods = set(json.loads(r.stderr))
    assert not mods & {"typer", "rich", "rapidfuzz", "click", "sqlite3"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_in_a_real_bash() -> None:
    script = subprocess.run(
        [sys.executable, "-m", "kurskcli", "completion", "bash"], capture_output=True, text=True, timeout=60
    ).stdout
    if shutil.which("kurskcli", path=_kurskcli_on_path()["PATH"]) is None:
        pytest.skip("the kurskcli command is not installed")
    driver = script + (
        'COMP_WORDS=(kurskcli quote pu); COMP_CWORD=2; _kurskcli; echo "${COMPREPLY[*]}"\n'
        'COMP_WORDS=(kurskcli sh); COMP_CWORD=1; _kurskcli; echo "${COMPREPLY[*]}"\n'
    )
    r = subprocess.run(["bash", "-c", driver], capture_output=True, text=True, timeout=60, env=_kurskcli_on_path())
    assert r.stdout.splitlines() == ["putin", "show"], r.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_is_valid_syntax_for_its_shell(shell: str) -> None:
    script = subprocess.run(
        [sys.executable, "-m", "kurskcli", "completion", shell], capture_output=True, text=True, timeout=60
    )
    assert script.returncode == 0 and "__complete" in script.stdout
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    check = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}[shell]
    r = subprocess.run([*check, "/dev/stdin"], input=script.stdout, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_a_bad_shell_is_a_usage_error() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "kurskcli", "completion", "powershell"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stdout == ""


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_the_fish_script_completes_in_a_real_fish() -> None:
    if shutil.which("kurskcli", path=_kurskcli_on_path()["PATH"]) is None:
        pytest.skip("the kurskcli command is not installed")
    # a prefix in another script is completed as typed (fish keeps only what starts with it)
    words = ("kurskcli quote pu", "kurskcli sh", "kurskcli quote Пут", "kurskcli quote 북한")
    driver = "kurskcli completion fish | source; " + "; ".join(f'complete -C "{w}"' for w in words)
    r = subprocess.run(["fish", "-c", driver], capture_output=True, text=True, timeout=60, env=_kurskcli_on_path())
    assert r.stdout.splitlines() == [
        "putin\tVladimir Putin",
        "show\trecords with their source passages",
        "Путин\tVladimir Putin",
        "북한\tDemocratic People’s Republic of Korea",
    ], r.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
def test_the_zsh_function_offers_candidates_in_a_real_zsh() -> None:
    if shutil.which("kurskcli", path=_kurskcli_on_path()["PATH"]) is None:
        pytest.skip("the kurskcli command is not installed")
    # compdef, _describe and _files belong to zsh's completion system; stand-ins record what they get
    # (-U: zsh is not to drop a candidate that does not start with the typed word)
    driver = (
        'compdef() { : }; eval "$(kurskcli completion zsh)"\n'
        '_describe() { print -l -- "${(@P)2}" "${@[3,-1]}" }; _files() { print FILES }\n'
        "words=(kurskcli quote pu); CURRENT=3; _kurskcli\n"
        "words=(kurskcli --data x); CURRENT=3; _kurskcli\n"
        "words=(kurskcli quote Пут); CURRENT=3; _kurskcli\n"
    )
    r = subprocess.run(["zsh", "-c", driver], capture_output=True, text=True, timeout=60, env=_kurskcli_on_path())
    assert r.stdout.splitlines() == ["putin:Vladimir Putin", "-U", "FILES", "Путин:Vladimir Putin", "-U"], r.stderr


# ----------------------------------------------------------------------------- hostile data and shells


def evil_dataset(tmp_path: Path) -> Path:
    doc = json.loads(MINI.read_text("utf-8"))
    doc["quotes"][0]["id"] = "qa;touch /tmp/PWNED;#"
    doc["quotes"][1]["id"] = "/*/*/*/*/*/*/*"
    doc["quotes"][2]["id"] = "qb\n"
    doc["actors"][0]["name"] = "Evil \x1b]0;title\x07\x1b[2J name"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_ids_that_break_the_id_rule_are_never_offered(tmp_path: Path) -> None:
    evil = str(evil_dataset(tmp_path))
    offered = values("show", "--data", evil, "--no-bundled", "")
    assert offered and all(complete.ID.fullmatch(v) for v in offered)
    assert not any(v.startswith(("qa", "/", "qb")) for v in offered)


def test_descriptions_carry_no_escape_sequences(tmp_path: Path) -> None:
    evil = str(evil_dataset(tmp_path))
    for shell in ("zsh", "fish"):
        out = complete.answer(shell, ["quote", "--data", evil, "--no-bundled", "pet"])
        assert "\x1b" not in out and "\x07" not in out
        assert "Evil \\x1b]0;title\\x07\\x1b[2J name" in out


@pytest.mark.parametrize("kind", ["fifo", "directory", "/dev/zero"])
def test_a_data_path_that_is_not_a_regular_file_never_hangs_completion(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "data"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    for env in ({"KURSKCLI_DATA": str(path)}, {}):
        r = subprocess.run(
            [sys.executable, "-m", "kurskcli", "__complete", "bash", "--data", str(path), "quote", "pu"],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, **env},
        )
        assert (r.returncode, r.stdout) == (0, "putin\n")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_inserts_every_candidate_quoted_and_never_globs_or_runs_it(tmp_path: Path) -> None:
    # a stand-in kurskcli that answers what a hostile dataset could have made it answer
    fake = tmp_path / "bin" / "kurskcli"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nprintf '%s\\n' '/*' 'x;touch PWNED;#' '$(touch PWNED2)' 'plain'\n")
    fake.chmod(0o755)
    script = complete.BASH
    driver = script + 'COMP_WORDS=(kurskcli show ""); COMP_CWORD=2; _kurskcli; printf "<%s>\\n" "${COMPREPLY[@]}"\n'
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    r = subprocess.run(["bash", "-c", driver], capture_output=True, text=True, timeout=20, env=env, cwd=tmp_path)
    assert r.stdout.splitlines() == ["</\\*>", "<x\\;touch\\ PWNED\\;#>", "<\\$\\(touch\\ PWNED2\\)>", "<plain>"]
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "PWNED2").exists()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
def test_the_readme_zsh_line_needs_no_compinit_first(tmp_path: Path) -> None:
    if shutil.which("kurskcli", path=_kurskcli_on_path()["PATH"]) is None:
        pytest.skip("the kurskcli command is not installed")
    # the zsh line of docs/exports.md in a bare zsh (-f: no startup files, so no compinit): compdef gets defined
    env = {**_kurskcli_on_path(), "HOME": str(tmp_path), "ZDOTDIR": str(tmp_path)}
    bare = 'eval "$(kurskcli completion zsh)" && print ok ${+functions[compdef]} ${_comps[kurskcli]}'
    r = subprocess.run(["zsh", "-f", "-c", bare], capture_output=True, text=True, timeout=60, env=env)
    assert (r.returncode, r.stdout.split()) == (0, ["ok", "1", "_kurskcli"]), r.stderr
