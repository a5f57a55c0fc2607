"""kurskcli beside the sqlite-utils two-step on the same quotes, side by side in one run.

Generates N quotes as a kurskcli dataset in JSON Lines (as search_scale.py does, then exported,
its source text in a file beside it), and the same quotes as plain JSON Lines rows for
sqlite-utils, then, round after round, in an
order that alternates:

* kurskcli's first command on the file (in a new cache folder: read, check, build the store,
  answer) against `sqlite-utils insert --nl` + `enable-fts` + `search`, the two-step a user
  would otherwise run (its time is the sum of its three processes, its peak the largest);
* a search from the saved store, for a word and for a typo, against `sqlite-utils search` on
  its prepared database and against T, `python -c "import typer"`;
* `timeline --quotes | head -3` from the saved store, against T.

It prints the median time and peak RSS of each, and the median of the per-round ratios.
A typo (one letter wrong) finds the planted quote in kurskcli; `sqlite-utils search` finds
nothing for it, which is printed too.

    python benchmarks/peers.py [--quotes 200000] [--rounds 3]

sqlite-utils comes with `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load_scale import HERE

PY = sys.executable
KURSKCLI = [PY, "-m", "kurskcli"]
GNU_TIME = shutil.which("time", path="/usr/bin")  # a fresh process between this one and each child


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one child. The peak is read by GNU time where there is
    one: a child of this process starts with its pages, and reports this process's peak as its
    own (0 where it cannot be read)."""
    with tempfile.NamedTemporaryFile("r") as out:
        wrapped = [GNU_TIME, "-f", "%M", "-o", out.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        code = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).returncode
        took = time.perf_counter() - start
        if code not in (0, 1):
            sys.exit(f"failed: {' '.join(argv)}")
        peak = out.read().strip().splitlines()
    return took, int(peak[-1]) / 1024 if peak and peak[-1].isdigit() else 0.0


def sqlite_utils() -> list[str]:
    found = shutil.which("sqlite-utils", path=str(Path(PY).parent)) or shutil.which("sqlite-utils")
    if not found:
        sys.exit('sqlite-utils is not installed: pip install -e ".[bench]"')
    return [found]


def shell(command: str, env: dict[str, str]) -> tuple[float, float]:
    """``run`` for a shell pipeline (the peak RSS is the largest of its processes)."""
    return run(["sh", "-c", command], env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    su = sqlite_utils()
    env = {**os.environ, "KURSKCLI_MAX_DATA_BYTES": str(2**31), "KURSKCLI_MAX_TOTAL_BYTES": str(2**32)}
    # an editable install would compile every module on every run: bytecode is kept, as `pip install .` keeps it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make = [PY, str(HERE / "search_scale.py"), "--make", str(args.quotes), "--into", tmp]
        json_file = Path(subprocess.run(make, capture_output=True, text=True, check=True).stdout.strip())
        data = folder / "gen.jsonl"
        export = [*KURSKCLI, "--no-bundled", "--data", str(json_file), "export", str(data)]
        subprocess.run(export, env={**env, "KURSKCLI_CACHE": "off"}, check=True, capture_output=True)
        json_file.unlink()
        # the source text in a file beside the data, as a large dataset keeps it (in a child: a
        # parent that once held the file would lend its peak memory to every child)
        subprocess.run([PY, str(HERE / "load_scale.py"), "--text-to-file", str(data)], check=True)
        rows = folder / "rows.jsonl"  # the quotes alone, as rows
        with data.open("rb") as src, rows.open("wb") as out:
            out.writelines(line for line in src if line.startswith(b'{"type": "quote"'))
        ours = [*KURSKCLI, "--no-bundled", "--data", str(data)]
        warm_cache = folder / "warm"
        saved = {**env, "XDG_CACHE_HOME": str(warm_cache)}
        subprocess.run([*ours, "search", "monument", "--json"], env=saved, check=True, capture_output=True)
        prepared = folder / "prepared.db"
        subprocess.run([*su, "insert", str(prepared), "quotes", str(rows), "--nl"], check=True)
        subprocess.run([*su, "enable-fts", str(prepared), "quotes", "text"], check=True)
        typo = subprocess.run([*su, "search", str(prepared), "quotes", "monumnet"], capture_output=True, text=True)
        found = subprocess.run([*ours, "search", "monumnet", "--json"], env=saved, capture_output=True, text=True)
        print(
            f"a typo, 'monumnet': sqlite-utils finds {typo.stdout.count('planted-monument')} planted quote(s), "
            f"kurskcli {found.stdout.count('planted-monument')}"
        )

        def first_kurskcli() -> tuple[float, float]:
            with tempfile.TemporaryDirectory() as cache:
                return run([*ours, "search", "monumnet", "--json"], {**env, "XDG_CACHE_HOME": cache})

        def two_step() -> tuple[float, float]:
            db = folder / "two-step.db"
            db.unlink(missing_ok=True)
            steps = [
                [*su, "insert", str(db), "quotes", str(rows), "--nl"],
                [*su, "enable-fts", str(db), "quotes", "text"],
                [*su, "search", str(db), "quotes", "monument"],
            ]
            got = [run(step, env) for step in steps]
            return sum(t for t, _ in got), max(m for _, m in got)

        cases = {
            "first command: kurskcli search (typo)": first_kurskcli,
            "first command: sqlite-utils two-step": two_step,
            "warm: kurskcli search monument": lambda: run([*ours, "search", "monument", "--json"], saved),
            "warm: kurskcli search monumnet (typo)": lambda: run([*ours, "search", "monumnet", "--json"], saved),
            "warm: sqlite-utils search monument": lambda: run(
                [*su, "search", str(prepared), "quotes", "monument"], env
            ),
            "warm: kurskcli timeline --quotes | head -3": lambda: shell(
                " ".join([*ours, "timeline", "--quotes"]) + " | head -3", saved
            ),
            "T: python -c 'import typer'": lambda: run([PY, "-c", "import typer"], env),
        }
        got: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for i in range(args.rounds):
            order = list(cases.items())
            for name, case in order if i % 2 == 0 else reversed(order):
                got[name].append(case())
                time.sleep(0.2)

    def ratio(a: str, b: str) -> float:
        return statistics.median(x[0] / y[0] for x, y in zip(got[a], got[b], strict=True))

    print(f"\n{args.quotes:,} quotes, {args.rounds} rounds\n")
    print(f"{'':45} {'time':>9} {'peak RSS':>10}")
    for name, runs in got.items():
        t = statistics.median(r[0] for r in runs)
        m = statistics.median(r[1] for r in runs)
        print(f"{name:45} {t:8.2f}s {m:7.0f} MiB")
    first, two = "first command: kurskcli search (typo)", "first command: sqlite-utils two-step"
    print(f"\nfirst command / two-step:                {ratio(first, two):.2f}")
    t = "T: python -c 'import typer'"
    for name in [n for n in got if n.startswith("warm")]:
        print(f"{name + ' / T':45} {ratio(name, t):.2f}")
    print(
        f"{'warm search / sqlite-utils search':45} "
        f"{ratio('warm: kurskcli search monument', 'warm: sqlite-utils search monument'):.2f}"
    )


if __name__ == "__main__":
    main()
