"""How long the case loader takes on broken input, as ratios to well-formed input of the same kind.

The timing bounds that used to sit in ``tests/casefile/test_fuzz.py`` (2 s per mutated file, 5 s per
adversarial file) failed on a busy machine, so the tests check only what the loader says and this
script measures the time, each contender beside a peer measured in the same run:

* **mutated files** (``tests/support/fuzz.py``, 600 by default): each mutated file is loaded beside
  the real case it came from, in alternation. Goal: the slowest mutated file within 10x the
  slowest real case of the same run (the old bound, 2 s, was ~10x the slowest mutation alone).
* **adversarial files** (just under the size cap): ``parse_text`` of each beside a well-formed
  mapping of the same byte size (``k123: value`` lines), median of ``--rounds`` rounds.
  Goal: broken input costs no more than valid input of its size (ratio <= 1.0x).

Usage::

    .venv/bin/python benchmarks/bench_parse.py                 # 600 mutated files, 3 rounds
    .venv/bin/python benchmarks/bench_parse.py --runs 100 --rounds 5 --json

Prints one line per measurement and exits 1 if a goal is missed (for a person reading it; no test
runs this).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from site_builder.casefile.loader import load_cases  # noqa: E402
from site_builder.casefile.vocab import load_vocabularies  # noqa: E402
from site_builder.casefile.yamlio import MAX_FILE_BYTES, parse_text  # noqa: E402
from tests.support.fuzz import ADVERSARIAL, CASES, RUNS, mutated_cases  # noqa: E402

MUTATED_GOAL = 10.0
ADVERSARIAL_GOAL = 1.0


def _load_seconds(path: Path, vocab: object) -> float:
    start = time.perf_counter()
    load_cases([path], vocab=vocab, check_images=False, parallel=False)  # type: ignore[arg-type]
    return time.perf_counter() - start


def bench_mutated(runs: int) -> dict[str, float]:
    """Seconds per mutated file, beside the real case it came from (loaded alternately)."""
    vocab = load_vocabularies()
    mutated: list[float] = []
    originals: list[float] = []
    for path in CASES:  # imports, compiled validators and caches warm before anything is timed
        _load_seconds(path, vocab)
    with tempfile.TemporaryDirectory() as tmp:
        for n, source, text in mutated_cases(runs):
            folder = Path(tmp) / f"run{n}"
            folder.mkdir()
            target = folder / source.name
            target.write_bytes(text.encode("utf-8", "surrogatepass"))
            originals.append(_load_seconds(source, vocab))
            mutated.append(_load_seconds(target, vocab))
    return {
        "files": runs,
        "median_original_s": statistics.median(originals),
        "slowest_original_s": max(originals),
        "median_mutated_s": statistics.median(mutated),
        "slowest_mutated_s": max(mutated),
        "slowest_ratio": max(mutated) / max(originals),
    }


def _peer(size: int) -> str:
    """A well-formed mapping of about ``size`` bytes: one short key and value per line."""
    lines: list[str] = []
    total = 0
    while total < size:
        line = f"k{len(lines)}: value"
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)


def _parse_seconds(text: str) -> float:
    start = time.perf_counter()
    parse_text(text, "cases/x.yaml")
    return time.perf_counter() - start


def bench_adversarial(rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds of each adversarial file and of its same-size peer, interleaved per round."""
    out: dict[str, dict[str, float]] = {}
    for name, text in ADVERSARIAL.items():
        size = len(text.encode("utf-8"))
        assert size <= MAX_FILE_BYTES, name
        peer = _peer(size)
        own: list[float] = []
        base: list[float] = []
        for _ in range(rounds):
            base.append(_parse_seconds(peer))
            own.append(_parse_seconds(text))
        out[name] = {
            "bytes": size,
            "median_s": statistics.median(own),
            "peer_median_s": statistics.median(base),
            "ratio": statistics.median(own) / statistics.median(base),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Run both measurements, print them, and return 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="mutated files (at most 1,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per adversarial file")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    runs = min(args.runs, 1000)
    mutated = bench_mutated(runs)
    adversarial = bench_adversarial(args.rounds)
    missed = (
        [f"mutated: slowest {mutated['slowest_ratio']:.1f}x"]
        if mutated["slowest_ratio"] > MUTATED_GOAL
        else []
    )
    missed += [
        f"{name}: {row['ratio']:.1f}x" for name, row in adversarial.items() if row["ratio"] > ADVERSARIAL_GOAL
    ]
    if args.json:
        print(
            json.dumps({"mutated": mutated, "adversarial": adversarial, "missed": missed}, ensure_ascii=False)
        )
        return 1 if missed else 0
    print(
        f"mutated files: {runs}; original cases: median {mutated['median_original_s'] * 1000:.1f} ms, slowest "
        f"{mutated['slowest_original_s'] * 1000:.1f} ms; mutated: median {mutated['median_mutated_s'] * 1000:.1f} ms, "
        f"slowest {mutated['slowest_mutated_s'] * 1000:.1f} ms = {mutated['slowest_ratio']:.1f}x the slowest "
        f"original (goal <= {MUTATED_GOAL:.0f}x)"
    )
    print(f"| adversarial file | KB | median ms | peer ms | ratio (goal <= {ADVERSARIAL_GOAL:.0f}x) |")
    print("|---|---|---|---|---|")
    for name, row in adversarial.items():
        print(
            f"| {name} | {row['bytes'] / 1024:.0f} | {row['median_s'] * 1000:.0f} | "
            f"{row['peer_median_s'] * 1000:.0f} | {row['ratio']:.1f}x |"
        )
    print("goals missed: " + "; ".join(missed) if missed else "all goals met")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
