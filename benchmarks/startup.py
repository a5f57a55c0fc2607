"""Start-up time and memory of kurskcli commands, as ratios to `python -c "import typer"`.

Each round runs the baseline and every command once, in alternating order, so machine
noise hits both sides alike; the table reports the median of the per-round ratios.
Terminal runs go through `script` (util-linux) to get a real TTY when it is available,
and so does their baseline. The command is the installed `kurskcli` script beside this
Python (else `python -m kurskcli`), with the user's cache folder as it is (run it once
first: the first run of a new version saves the checked copy of the bundled dataset).

A second column compares with `python -c "import typer, os; os._exit(0)"`: Typer imported
and the interpreter's teardown skipped, as kurskcli skips it (see kurskcli/__main__.py),
so that the figure does not hide how much of the margin that skip buys.

    python benchmarks/startup.py [--rounds 11]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

PY = sys.executable
BASE = [PY, "-c", "import typer"]
BASE_NO_TEARDOWN = [PY, "-c", "import typer, os; os._exit(0)"]
COMMANDS: list[tuple[str, list[str], bool, float]] = [
    # label, argv, on a terminal, budget (ratio to the baseline)
    ("quote putin --json", ["quote", "putin", "--json"], False, 1.15),
    ("search monument --json", ["search", "monument", "--json"], False, 1.25),
    ("timeline | cat", ["timeline"], False, 1.25),
    ("timeline (terminal)", ["timeline"], True, 1.6),
    ("--help", ["--help"], False, 1.3),
]


def _run(argv: list[str], tty: bool) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one run."""
    # no pager: it would wait for keys; what is measured is the drawing
    env = {**os.environ, "COLUMNS": "100", "KURSKCLI_PAGER": ""}
    env.pop("NO_COLOR", None)
    if tty:
        cmd = ["script", "-qfec", " ".join(_quote(a) for a in argv), "/dev/null"]
    else:
        cmd = argv
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def _rss(argv: list[str], tty: bool = False) -> int:
    """Peak RSS (KiB) of one run, read by GNU time-like wait4 in a fresh child.

    Through `script`, wait4 reports the largest of script's own and its waited-for child's.
    """
    if tty:
        argv = [shutil.which("script") or "script", "-qfec", " ".join(_quote(a) for a in argv), "/dev/null"]
    os.environ["KURSKCLI_PAGER"] = ""  # as in _run
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(argv[0], argv)
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    has_script = shutil.which("script") is not None
    script = os.path.join(os.path.dirname(PY), "kurskcli")
    cli = [script] if os.access(script, os.X_OK) else [PY, "-m", "kurskcli"]
    _run(BASE, False)  # warm the page cache and the .pyc files
    for _, argv, _, _ in COMMANDS:
        _run(cli + argv, False)
    ratios: dict[str, list[float]] = {label: [] for label, *_ in COMMANDS}
    ratios0: dict[str, list[float]] = {label: [] for label, *_ in COMMANDS}
    base_times: list[float] = []
    for i in range(args.rounds):
        order = COMMANDS if i % 2 == 0 else list(reversed(COMMANDS))
        for label, argv, tty, _ in order:
            if tty and not has_script:
                continue
            b, _ = _run(BASE, tty)
            c, _ = _run(cli + argv, tty)
            b0, _ = _run(BASE_NO_TEARDOWN, tty)
            ratios[label].append(c / b)
            ratios0[label].append(c / b0)
            base_times.append(b)
    base_rss = _rss(BASE)
    print(
        f"baseline T = python -c 'import typer': median {statistics.median(base_times) * 1000:.0f} ms, "
        f"peak RSS {base_rss / 1024:.1f} MiB; {args.rounds} alternating rounds; command: {' '.join(cli)}\n"
    )
    print(f"{'command':<26} {'time / T':>9} {'budget':>7} {'RSS / T':>8} {'budget':>7}  verdict  {'time / T0':>9}")
    failed = False
    for label, argv, tty, budget in COMMANDS:
        if not ratios[label]:
            print(f"{label:<26} {'skipped (no `script` for a TTY)':>30}")
            continue
        r = statistics.median(ratios[label])
        rss = _rss(cli + argv, tty) / _rss(BASE, tty)
        rss_budget = 1.6 if tty else 1.3
        ok = r <= budget and rss <= rss_budget
        failed |= not ok
        r0 = statistics.median(ratios0[label])
        verdict = "ok" if ok else "OVER"
        print(f"{label:<26} {r:>9.2f} {budget:>7.2f} {rss:>8.2f} {rss_budget:>7.2f}  {verdict:<7}  {r0:>9.2f}")
    print("\nT0 = python -c 'import typer, os; os._exit(0)': Typer imported, no interpreter teardown")
    sys.exit(1 if failed and "--strict" in sys.argv else 0)


if __name__ == "__main__":
    main()
