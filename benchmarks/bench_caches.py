"""What each cache buys: warm builds at 1,000 cases with one namespace switched off at a time.

Every row of ``site_builder.cache.CACHES`` is measured the same way: a warm build of the same
synthetic project (``tests.support.synthetic``, seed 7) with ``SITE_BUILDER_CACHE_OFF=<name>``
(that namespace always misses, so its work is done again) against a warm build with every cache
on, interleaved in each round so the machine's load hits both alike. CPU is user+sys of the whole
process tree (``bench_build._measure``); the figure per namespace is the median over rounds of
(CPU with it off - CPU with all on), i.e. the CPU it saves a warm build, and the same as a share
of plain MkDocs + Material's CPU on the same text, measured in the same rounds.

    .venv/bin/python benchmarks/bench_caches.py                     # 1,000 cases, 3 rounds
    .venv/bin/python benchmarks/bench_caches.py --cases 200 --rounds 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import _RUNNER, ROOT, _build, _config, _measure, write_plain_browse

sys.path.insert(0, str(ROOT))
from site_builder.cache import CACHES, DISABLED_ENV
from tests.support.synthetic import write_cases, write_plain_markdown


def _warm(config: Path, out: Path, off: str = "") -> float:
    run, _ = _measure(
        [sys.executable, "-c", _RUNNER, str(config), str(out)], cwd=config.parent, env={DISABLED_ENV: off}
    )
    return run.cpu


def bench(n: int, rounds: int) -> tuple[dict[str, list[float]], list[float], list[float]]:
    """Per namespace: CPU saved per round; and the all-on warm and plain CPU per round."""
    saved: dict[str, list[float]] = {ns.name: [] for ns in CACHES}
    warm_all: list[float] = []
    plain_all: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        cases = write_cases(project / "cases", n)
        write_plain_markdown(project / "docs", cases)
        plain_cfg = _config(project, plugin=False, nav=write_plain_browse(project / "docs", cases))
        config = _config(project, plugin=True)
        cold = _build(config, project / "site")
        print(f"  cold build {cold.cpu:.1f} s CPU", file=sys.stderr, flush=True)
        _warm(config, project / "site")  # settle: stamps written, entries verified once
        for rnd in range(rounds):
            plain = _build(plain_cfg, project / "site-plain").cpu
            plain_all.append(plain)
            for ns in CACHES:
                base = _warm(config, project / "site")
                off = _warm(config, project / "site", ns.name)
                _warm(config, project / "site")  # refill what the switched-off run did not keep
                saved[ns.name].append(off - base)
                warm_all.append(base)
                print(
                    f"  round {rnd + 1}: {ns.name:<10} all on {base:5.2f} s, off {off:6.2f} s CPU",
                    file=sys.stderr,
                    flush=True,
                )
    return saved, warm_all, plain_all


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    saved, warm, plain = bench(args.cases, args.rounds)
    warm_cpu, plain_cpu = statistics.median(warm), statistics.median(plain)
    print(
        f"\n{args.cases} cases, {args.rounds} rounds: warm build {warm_cpu:.2f} s CPU, plain {plain_cpu:.2f} s"
    )
    print("| cache | holds | CPU a warm build saves (median) | share of plain MkDocs CPU |")
    print("|---|---|---|---|")
    for ns in CACHES:
        gain = statistics.median(saved[ns.name])
        print(f"| `{ns.name}` | {ns.holds} | {gain:+.2f} s | {gain / plain_cpu:+.0%} |")


if __name__ == "__main__":
    main()
