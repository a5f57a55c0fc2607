"""Search latency and memory as user datasets grow: 1,000, 10,000 and 100,000 quotes.

Generates each dataset in the user-dataset format (quotes of 100 to 600 characters built
from a fixed vocabulary, with a few planted known quotes), loads it with the real loader,
builds the index, then times in-process searches for an exact word, a typo and a phrase,
and checks that the planted quote comes back in the top 3 every time.

    python benchmarks/search_scale.py [--sizes 1000,10000,100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from kurskcli.dataset import load_dataset
from kurskcli.searcher import SearchIndex

WORDS = [
    "army",
    "border",
    "troops",
    "region",
    "statement",
    "minister",
    "spokesperson",
    "officials",
    "training",
    "exercise",
    "report",
    "cooperation",
    "treaty",
    "agreement",
    "support",
    "deployment",
    "forces",
    "soldiers",
    "units",
    "brigade",
    "command",
    "defence",
    "security",
    "council",
    "resolution",
    "sanctions",
    "talks",
    "summit",
    "visit",
    "delegation",
    "capital",
    "province",
    "village",
    "river",
    "bridge",
    "road",
    "supply",
    "ammunition",
    "equipment",
    "vehicles",
    "drones",
    "artillery",
    "front",
    "line",
    "offensive",
    "withdrawal",
    "ceasefire",
    "negotiation",
    "partner",
    "ally",
    "government",
    "parliament",
    "president",
    "premier",
    "ministry",
    "agency",
    "press",
    "conference",
    "interview",
    "briefing",
    "announcement",
    "comment",
    "response",
    "criticism",
    "praise",
]
PLANTED = {
    "planted-monument": "the committee said a granite monumentum to the volunteer engineers will rise by the harbour",
    "planted-lighthouse": "we will rebuild the old lighthouse on the northern cape before the winter storms",
    "planted-orchard": "nobody expected the apricot orchards to bloom twice in one unusually warm season",
}
QUERIES = [
    ("exact word", "lighthouse", "planted-lighthouse"),
    ("typo", "monumentm", "planted-monument"),
    ("phrase", "apricot orchards to bloom", "planted-orchard"),
]


def make_dataset(n: int, folder: Path, seed: int = 1) -> Path:
    rng = random.Random(seed)
    texts: list[tuple[str, str]] = []
    planted_at = {rng.randrange(n): pid for pid in PLANTED}
    for i in range(n):
        if i in planted_at:
            pid = planted_at[i]
            texts.append((pid, PLANTED[pid]))
            continue
        target = rng.randint(100, 600)
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < target:
            words.append(rng.choice(WORDS))
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    print(
        f"{'quotes':>8} {'file MB':>8} {'load s':>7} {'index s':>8} {'peak MiB':>9}  "
        f"{'query':<11} {'p50 ms':>7} {'p95 ms':>7}  planted rank"
    )
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = make_dataset(n, Path(tmp))
            tracemalloc.start()
            t0 = time.perf_counter()
            ds = load_dataset([path], bundled=False)
            t1 = time.perf_counter()
            index = SearchIndex(ds.records())
            t2 = time.perf_counter()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            head = f"{n:>8} {path.stat().st_size / 1e6:>8.1f} {t1 - t0:>7.2f} {t2 - t1:>8.2f} {peak / 2**20:>9.1f}"
            for label, query, want in QUERIES:
                index.search(query, limit=10)  # warm
                times = []
                for _ in range(args.repeat):
                    s = time.perf_counter()
                    hits = index.search(query, limit=10)
                    times.append((time.perf_counter() - s) * 1000)
                ids = [h.record.id for h in hits]
                rank = ids.index(want) + 1 if want in ids else None
                failed |= rank is None or rank > 3
                p95 = sorted(times)[int(0.95 * (len(times) - 1))]
                print(f"{head}  {label:<11} {statistics.median(times):>7.2f} {p95:>7.2f}  {rank}")
                head = " " * len(head)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
