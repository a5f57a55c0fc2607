"""Search latency and memory as user datasets grow: 1,000, 10,000 and 100,000 quotes.

Generates each dataset in the user-dataset format (quotes of 100 to 600 characters drawn
from a 20,000-word vocabulary with natural (Zipf) word frequencies, and a few planted known
quotes), loads it with the real loader, builds the index, then times in-process searches
for an exact word, a typo and a phrase, and checks that the planted quote comes back in the
top 3 every time. Each size is generated and measured in fresh processes, so that peak memory
is the measuring process's own (a forked child starts with its parent's peak RSS on Linux).
Last, for the largest size, it times `kurskcli --data FILE search monumnet --json` with its
saved index against `python -c "import typer"`, alternating.

    python benchmarks/search_scale.py [--sizes 1000,10000,100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kurskcli.dataset import load_dataset
from kurskcli.searcher import SearchIndex

COMMON = """
the of and to in a is that for on was with he it as his by at from are have not but this they be
which or an their had were has been its who said troops army region border minister forces
officials statement support soldiers government president ministry agency report talks security
""".split()  # noqa: SIM905 - a paragraph of words reads better than a list literal
SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def make_vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Common words first, then pronounceable made-up words, so that the vocabulary is large."""
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


PLANTED = {
    "planted-monument": "the committee said a granite monument to the volunteer engineers will rise by the harbour",
    "planted-lighthouse": "we will rebuild the old lighthouse on the northern cape before the winter storms",
    "planted-orchard": "nobody expected the apricot orchards to bloom twice in one unusually warm season",
}
QUERIES = [
    ("exact word", "lighthouse", "planted-lighthouse"),
    ("typo", "monumnet", "planted-monument"),
    ("phrase", "apricot orchards to bloom", "planted-orchard"),
]


def make_dataset(n: int, folder: Path, seed: int = 1) -> Path:
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    # word frequencies fall off as in natural language (Zipf's law)
    cumulative = list(itertools.accumulate(1.0 / rank for rank in range(1, len(vocabulary) + 1)))
    texts: list[tuple[str, str]] = []
    planted_at = {rng.randrange(n): pid for pid in PLANTED}
    for i in range(n):
        if i in planted_at:
            pid = planted_at[i]
            texts.append((pid, PLANTED[pid]))
            continue
        target = rng.randint(100, 600)
        words: list[str] = []
        length = 0
        while length < target:
            words.extend(rng.choices(vocabulary, cum_weights=cumulative, k=8))
            length = sum(len(w) + 1 for w in words)
        texts.append((f"q{i:06d}", " ".join(words)[:target].rstrip()))
    parts, quotes, pos = [], [], 0
    for qid, text in texts:
        parts.append(text)
        quotes.append(
            {
                "id": qid,
                "speaker": f"speaker-{int(qid[1:]) % 50 if qid.startswith('q') else 0}",
                "date": "2025-04",
                "text": text,
                "kind": "direct",
                "source": {"id": "gen-src", "start": pos, "end": pos + len(text)},
            }
        )
        pos += len(text) + 1
    source_text = "\n".join(parts)
    doc = {
        "schema_version": "1.0",
        "dataset": {"id": f"gen-{n}", "version": "1", "title": f"{n} generated quotes"},
        "sources": [{"id": "gen-src", "title": "Generated", "author": "benchmark", "text": source_text}],
        "actors": [{"id": f"speaker-{k}", "name": f"Speaker {k}", "kind": "person"} for k in range(50)],
        "quotes": quotes,
    }
    path = folder / f"gen-{n}.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


def measure(path: Path, repeat: int) -> dict[str, object]:
    """Load, index and query one dataset in this process (run in a fresh child per size)."""
    t0 = time.perf_counter()
    ds = load_dataset([path], bundled=False)
    t1 = time.perf_counter()
    index = SearchIndex(ds.records())
    t2 = time.perf_counter()
    rows = []
    for label, query, want in QUERIES:
        index.search(query, limit=10)  # warm
        times = []
        for _ in range(repeat):
            s = time.perf_counter()
            hits = index.search(query, limit=10)
            times.append((time.perf_counter() - s) * 1000)
        ids = [h.record.id for h in hits]
        rank = ids.index(want) + 1 if want in ids else None
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        rows.append([label, statistics.median(times), p95, rank])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load": t1 - t0, "index": t2 - t1, "peak": peak, "rows": rows}


def _peak_and_time(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall time (s), peak RSS (MiB) and exit code of one child, read with wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def cli_with_saved_index(path: Path, rounds: int) -> None:
    """`search` and `show` over `--data FILE` from the command line: the first run, which reads
    the file and saves its index, then runs that answer from the saved index, alternating with T."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        kurskcli = [sys.executable, "-m", "kurskcli", "--data", str(path)]
        commands = {
            "search monumnet --json": [*kurskcli, "search", "monumnet", "--json"],
            "show planted-monument --json": [*kurskcli, "show", "planted-monument", "--json"],
        }
        base = [sys.executable, "-c", "import typer"]
        first, first_rss, code = _peak_and_time(commands["search monumnet --json"], env)  # saves the store
        if code != 0:
            sys.exit(f"the search failed (exit {code})")
        unsaved, _, _ = _peak_and_time(commands["show planted-monument --json"], {**env, "KURSKCLI_CACHE": "off"})
        out = subprocess.run(commands["search monumnet --json"], capture_output=True, text=True, env=env, check=True)
        ids = [hit["id"] for hit in json.loads(out.stdout)][:3]
        runs = [("T", base), *commands.items()]
        times: dict[str, list[float]] = {name: [] for name, _ in runs}
        rss: dict[str, list[float]] = {name: [] for name, _ in runs}
        for i in range(rounds):
            for name, argv in runs[i % len(runs) :] + runs[: i % len(runs)]:
                elapsed, peak, code = _peak_and_time(argv, env)
                if code != 0:
                    sys.exit(f"{name} failed (exit {code})")
                times[name].append(elapsed)
                rss[name].append(peak)
        t = statistics.median(times["T"])
        print(
            f"\nkurskcli --data {path.name} ...  (T = python -c 'import typer', median {t * 1000:.0f} ms; "
            f"{rounds} rounds, the order rotating)\n"
            f"  first run (search), reading the file and saving the index: {first:.1f} s, "
            f"peak RSS {first_rss:.0f} MiB\n"
            f"  show without the saved index (KURSKCLI_CACHE=off): {unsaved:.1f} s"
        )
        for name, _ in runs[1:]:
            ratio = statistics.median(a / b for a, b in zip(times[name], times["T"], strict=True))
            print(f"  {name}: {ratio:.2f} T (budget 2.00), peak RSS {max(rss[name]):.0f} MiB (budget 80)")
        print(f"  top 3 for monumnet: {', '.join(ids)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=9, help="alternating rounds for the command-line figure")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--make", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        print(make_dataset(args.make, args.into))
        return
    if args.one:
        print(json.dumps(measure(args.one, args.repeat)))
        return
    print(
        f"{'quotes':>8} {'file MB':>8} {'load s':>7} {'index s':>8} {'peak MiB':>9}  "
        f"{'query':<11} {'p50 ms':>7} {'p95 ms':>7}  planted rank"
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        for n in (int(s) for s in args.sizes.split(",")):
            make = [sys.executable, __file__, "--make", str(n), "--into", tmp]
            path = Path(subprocess.run(make, capture_output=True, text=True, check=True).stdout.strip())
            child = [sys.executable, __file__, "--one", str(path), "--repeat", str(args.repeat)]
            m = json.loads(subprocess.run(child, capture_output=True, text=True, check=True).stdout)
            head = f"{n:>8} {path.stat().st_size / 1e6:>8.1f} {m['load']:>7.2f} {m['index']:>8.2f} {m['peak']:>9.1f}"
            for label, p50, p95, rank in m["rows"]:
                failed |= rank is None or rank > 3
                print(f"{head}  {label:<11} {p50:>7.2f} {p95:>7.2f}  {rank}")
                head = " " * len(head)
        cli_with_saved_index(path, args.rounds)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
