"""Loading a large user dataset, as ratios to reading the same file with Python's json module.

Generates a dataset of N quotes (as search_scale.py does) as JSON and as JSON Lines (its source
text, one line per quote, in a file beside it, as a large dataset would keep it), then runs, in
fresh processes, side by side and alternating over --rounds rounds:

* the baselines: `json.load` of the JSON file, and `json.loads` of the JSON Lines file line
  by line;
* `kurskcli verify` of each file (reading and checking every record);
* `kurskcli quote ... --json` of each file with the store off (the files read every time);
* the first `kurskcli search` of each file, for a typo and for a word: it reads and checks the
  file, saves the store (JSON Lines as they are read) and answers from it; the first `quote`
  of the JSON Lines file with the store on; `quote`, `actor`, `timeline` and `about` once the
  store is saved (the first two read one speaker's records, the third the events, the last
  every record), and a search from the store, as a ratio to T, the time of
  `python -c "import typer"` run alternately with it.

It prints the medians of time and peak RSS, and each command's ratio to its baseline. A first
command runs right after a run of its baseline, and its ratio is the median of its ratios to
those runs: the first commands and the rounds of the baselines above are minutes apart, on a
machine whose speed may have changed in between. The peak RSS is the one wait4 reports.

    python benchmarks/load_scale.py [--quotes 100000] [--rounds 3]
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

HERE = Path(__file__).resolve().parent


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one child, read with wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"failed: {' '.join(argv)}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def first(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """A first command, in a new cache folder: its wall time (s) and peak RSS (MiB). The next run
    starts once the store is saved (an older kurskcli may save it after the answer)."""
    with tempfile.TemporaryDirectory() as cache:
        t, m = run(argv, {**env, "KURSKCLI_CACHE": "on", "XDG_CACHE_HOME": cache})
        deadline = time.monotonic() + 1800
        while not list(Path(cache).glob("kurskcli/search-*.sqlite")):
            if time.monotonic() > deadline:
                sys.exit(f"no store was saved: {' '.join(argv)}")
            time.sleep(0.05)
        time.sleep(0.5)  # a process saving it after the answer closes the store and exits
        return t, m


def text_to_file(jsonl_file: Path) -> None:
    """Move the inline text of the source on the file's second line to a file beside it."""
    import hashlib
    import json

    lines = jsonl_file.read_bytes().split(b"\n")
    source = json.loads(lines[1])
    text = source.pop("text").encode("utf-8")
    (jsonl_file.parent / "gen-src.txt").write_bytes(text)
    source.update(file="gen-src.txt", sha256=hashlib.sha256(text).hexdigest())
    lines[1] = json.dumps(source).encode()
    jsonl_file.write_bytes(b"\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--text-to-file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.text_to_file:
        text_to_file(args.text_to_file)
        return
    py = sys.executable
    kurskcli = [py, "-m", "kurskcli", "--no-bundled"]
    with tempfile.TemporaryDirectory() as tmp:
        make = [py, str(HERE / "search_scale.py"), "--make", str(args.quotes), "--into", tmp]
        json_file = Path(subprocess.run(make, capture_output=True, text=True, check=True).stdout.strip())
        jsonl_file = Path(tmp) / "gen.jsonl"
        env = {**os.environ, "KURSKCLI_CACHE": "off", "KURSKCLI_MAX_DATA_BYTES": str(2**31)}
        env["KURSKCLI_MAX_TOTAL_BYTES"] = str(2**32)
        subprocess.run([*kurskcli, "--data", str(json_file), "export", str(jsonl_file)], env=env, check=True)
        # in a child: a parent that once held the file would lend its peak memory to every child
        subprocess.run([py, __file__, "--text-to-file", str(jsonl_file)], check=True)
        runs = {
            "json.load (baseline)": [py, "-c", f"import json; json.load(open({str(json_file)!r}, 'rb'))"],
            "json.loads per line (baseline)": [
                py,
                "-c",
                f"import json\nfor line in open({str(jsonl_file)!r}, 'rb'): json.loads(line)",
            ],
            "verify, JSON": [*kurskcli, "--data", str(json_file), "verify"],
            "verify, JSON Lines": [*kurskcli, "--data", str(jsonl_file), "verify"],
            "quote --json, JSON, no store": [*kurskcli, "--data", str(json_file), "quote", "speaker-3", "--json"],
            "quote --json, JSON Lines, no store": [
                *kurskcli,
                "--data",
                str(jsonl_file),
                "quote",
                "speaker-3",
                "--json",
            ],
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        rss: dict[str, list[float]] = {name: [] for name in runs}
        names = list(runs)
        for i in range(args.rounds):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                t, m = run(runs[name], env)
                times[name].append(t)
                rss[name].append(m)
        search = [*kurskcli, "--data", str(json_file), "search", "monumnet", "--json"]
        word = [*kurskcli, "--data", str(json_file), "search", "monument", "--json"]
        search_lines = [*kurskcli, "--data", str(jsonl_file), "search", "monumnet", "--json"]
        word_lines = [*kurskcli, "--data", str(jsonl_file), "search", "monument", "--json"]
        quote_lines = runs["quote --json, JSON Lines, no store"]
        firsts = {
            "first search, JSON, a typo": (search, "JSON"),
            "first search, JSON, a word": (word, "JSON"),
            "first search, JSON Lines, a typo": (search_lines, "Lines"),
            "first search, JSON Lines, a word": (word_lines, "Lines"),
            "first quote --json, JSON Lines, store": (quote_lines, "Lines"),
        }
        got: dict[str, list[tuple[float, float]]] = {name: [] for name in firsts}
        beside: dict[str, list[float]] = {name: [] for name in firsts}  # its baseline, run just before it
        for i in range(args.rounds):  # each a first command: a new cache folder every time
            order = list(firsts)
            for name in order[i % len(order) :] + order[: i % len(order)]:
                argv, kind = firsts[name]
                beside[name].append(run(runs[names[1] if kind == "Lines" else names[0]], env)[0])
                got[name].append(first(argv, env))
        with tempfile.TemporaryDirectory() as cache:
            store_env = {**env, "KURSKCLI_CACHE": "on", "XDG_CACHE_HOME": cache}
            run(search, store_env)  # the store saved before it returns
            stored = [run(runs["quote --json, JSON, no store"], store_env) for _ in range(args.rounds)]
            others = {
                name: [run([*kurskcli, "--data", str(json_file), *argv], store_env) for _ in range(args.rounds)]
                for name, argv in (
                    ("actor --json, JSON, from the store", ["actor", "speaker-3", "--json"]),
                    ("timeline --json, JSON, from the store", ["timeline", "--json"]),
                    ("about --json, JSON, from the store", ["about", "--json"]),
                )
            }
            typer = [py, "-c", "import typer"]
            warm, bare = [], []
            for _ in range(max(args.rounds, 5)):  # side by side with T, as benchmarks/startup.py measures
                warm.append(run(search, store_env))
                bare.append(run(typer, env))
        base, base_lines = statistics.median(times[names[0]]), statistics.median(times[names[1]])
        print(
            f"{args.quotes:,} quotes: {json_file.stat().st_size / 1e6:.0f} MB of JSON, "
            f"{jsonl_file.stat().st_size / 1e6:.0f} MB of JSON Lines; {args.rounds} rotating rounds\n"
        )
        print(f"{'run':<38} {'time s':>7} {'ratio':>6} {'peak MiB':>9}")
        for name in names:
            t = statistics.median(times[name])
            ref = base_lines if "Lines" in name or "per line" in name else base
            print(f"{name:<38} {t:>7.2f} {t / ref:>6.1f} {max(rss[name]):>9.0f}")
        for name in firsts:  # each against the baseline run just before it: the median of those ratios
            t, m = statistics.median(g[0] for g in got[name]), max(g[1] for g in got[name])
            ratio = statistics.median(g[0] / b for g, b in zip(got[name], beside[name], strict=True))
            print(f"{name:<38} {t:>7.2f} {ratio:>6.1f} {m:>9.0f}")
        t = statistics.median(s[0] for s in stored)
        print(
            f"{'quote --json, JSON, from the store':<38} {t:>7.2f} {t / base:>6.1f} {max(s[1] for s in stored):>9.0f}"
        )
        for name, got in others.items():
            t = statistics.median(s[0] for s in got)
            print(f"{name:<38} {t:>7.2f} {t / base:>6.1f} {max(s[1] for s in got):>9.0f}")
        t, unit = statistics.median(w[0] for w in warm), statistics.median(b[0] for b in bare)
        print(f"{'search, JSON, from the store':<38} {t:>7.2f} {t / unit:>5.2f}T {max(w[1] for w in warm):>9.0f}")
        print("\nratio: to json.load of the JSON file, or to json.loads per line for JSON Lines; for a first")
        print("command, the median of its ratios to the baseline run just before it, round by round;")
        print(f"T: python -c 'import typer', {unit * 1000:.0f} ms in the same run")


if __name__ == "__main__":
    main()
