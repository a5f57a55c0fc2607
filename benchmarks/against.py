"""Two installs of kurskcli side by side on a large user dataset: each command's time as a
ratio of the second install's to the first's, and both peak RSS figures.

Generates a dataset of N quotes as JSON and as JSON Lines, as load_scale.py does, then runs
the first commands a user's file meets, for each file: `quote ... --json` with the store off,
`verify`, the first `search` (a new cache folder each time; the next run waits until its
store is saved, as an older kurskcli may save it after the answer), the first `quote` with the
store on (a new cache folder), and a search answered from a saved store. Each round runs both installs
one after the other, in an order that alternates from round to round, so that machine noise
hits both alike; the table gives the median of the per-round ratios.

    python benchmarks/against.py OLD NEW [--quotes 100000] [--rounds 3]

OLD and NEW are kurskcli commands, such as the `kurskcli` script of two virtual environments
(`python -m venv old && old/bin/pip install kurskcli==...`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load_scale import HERE, first, run

COMMANDS = {
    "quote --json, store off": (["quote", "speaker-3", "--json"], {"KURSKCLI_CACHE": "off"}),
    "verify": (["verify"], {"KURSKCLI_CACHE": "off"}),
    "first search": (["search", "monumnet", "--json"], {}),
    "first quote --json": (["quote", "speaker-3", "--json"], {}),
    "search, store saved": (["search", "monumnet", "--json"], {}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    installs = {"old": args.old, "new": args.new}
    env = {**os.environ, "KURSKCLI_MAX_DATA_BYTES": str(2**31), "KURSKCLI_MAX_TOTAL_BYTES": str(2**32)}
    with tempfile.TemporaryDirectory() as tmp:
        make = [sys.executable, str(HERE / "search_scale.py"), "--make", str(args.quotes), "--into", tmp]
        json_file = Path(subprocess.run(make, capture_output=True, text=True, check=True).stdout.strip())
        jsonl_file = Path(tmp) / "gen.jsonl"
        export = [args.new, "--no-bundled", "--data", str(json_file), "export", str(jsonl_file)]
        subprocess.run(export, env={**env, "KURSKCLI_CACHE": "off"}, check=True, capture_output=True)
        # in a child: a parent that once held the file would lend its peak memory to every child
        subprocess.run([sys.executable, str(HERE / "load_scale.py"), "--text-to-file", str(jsonl_file)], check=True)
        got: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
        for i in range(args.rounds):
            order = list(installs.items())
            for data in (json_file, jsonl_file):
                for name, (argv, extra) in COMMANDS.items():
                    for which, exe in order if i % 2 == 0 else order[::-1]:
                        command = [exe, "--no-bundled", "--data", str(data), *argv]
                        if name == "first search":  # the next run waits until the store is saved
                            result = first(command, {**env, **extra})
                        elif name == "search, store saved":
                            with tempfile.TemporaryDirectory() as cache:
                                saved = {**env, "XDG_CACHE_HOME": cache}
                                run(command, saved)
                                while not list(Path(cache).glob("kurskcli/search-*.sqlite")):
                                    time.sleep(0.05)  # saved after the answer by an older kurskcli
                                time.sleep(0.5)
                                result = run(command, saved)
                        else:
                            with tempfile.TemporaryDirectory() as cache:
                                result = run(command, {**env, **extra, "XDG_CACHE_HOME": cache})
                        got.setdefault((data.suffix, name, which), []).append(result)
    print(f"{args.quotes:,} quotes, {args.rounds} rounds; new/old is the median of the per-round ratios\n")
    print(f"{'file':<7} {'command':<26} {'old s':>7} {'new s':>7} {'new/old':>8} {'old MiB':>8} {'new MiB':>8}")
    for suffix in (json_file.suffix, jsonl_file.suffix):
        for name in COMMANDS:
            old, new = got[suffix, name, "old"], got[suffix, name, "new"]
            ratio = statistics.median(b / a for (a, _), (b, _) in zip(old, new, strict=True))
            print(
                f"{suffix:<7} {name:<26} {statistics.median(t for t, _ in old):>7.2f} "
                f"{statistics.median(t for t, _ in new):>7.2f} {ratio:>8.2f} "
                f"{max(m for _, m in old):>8.0f} {max(m for _, m in new):>8.0f}"
            )


if __name__ == "__main__":
    main()
