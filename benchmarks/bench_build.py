"""Build benchmark: synthetic sites of 100 / 1,000 / 5,000 cases.

For each size it prints the wall time of the first (cold: covers, social cards and page bodies not yet
cached) and the median of the later (warm) full ``mkdocs build`` runs with the plugin, the median for a
plain ``mkdocs build`` of equivalent pre-written Markdown (the ratio is the plugin's overhead), the
peak memory (max RSS) of the build process, and the size of a case page.

    .venv/bin/python benchmarks/bench_build.py [--sizes 100,1000,5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.project import load_mkdocs_config  # noqa: E402
from tests.support.synthetic import write_cases, write_plain_markdown  # noqa: E402

_RUNNER = """
import resource, sys, time
from mkdocs.__main__ import cli
t = time.perf_counter()
try:
    cli(["build", "-q", "-f", sys.argv[1], "-d", sys.argv[2]], standalone_mode=False)
finally:
    print("RESULT", time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _config(project: Path, *, plugin: bool) -> Path:
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["strict"] = False
    if plugin:
        config["docs_dir"] = str(ROOT / "docs")
    else:
        config["docs_dir"] = str(project / "docs")
        config["plugins"] = []
        config["nav"] = [{"首页": "index.md"}]
    path = project / ("mkdocs-plugin.yml" if plugin else "mkdocs-plain.yml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _build(config: Path, out: Path) -> tuple[float, float]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(config), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.parent,
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RESULT")]
    if proc.returncode != 0 or not line:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    _, seconds, rss_kb = line[-1].split()
    return float(seconds), int(rss_kb) / 1024


def bench(n: int, runs: int) -> dict[str, float]:
    """Median build times (plugin vs plain Markdown), peak RSS and page size for ``n`` cases."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        cases = write_cases(project / "cases", n)
        write_plain_markdown(project / "docs", cases)
        plugin_cfg, plain_cfg = _config(project, plugin=True), _config(project, plugin=False)
        plugin_runs = [_build(plugin_cfg, project / "site-plugin") for _ in range(runs)]
        plain_runs = [_build(plain_cfg, project / "site-plain") for _ in range(runs)]
        page = project / "site-plugin" / "cases" / "case-00000" / "index.html"
        t_cold = plugin_runs[0][0]
        # after the first run the hash-keyed caches (art, page bodies) are warm, as on an editor's machine
        t_plugin = statistics.median(r[0] for r in plugin_runs[1:] or plugin_runs)
        t_plain = statistics.median(r[0] for r in plain_runs)
        return {
            "cases": n,
            "plugin_cold_s": round(t_cold, 2),
            "plugin_median_s": round(t_plugin, 2),
            "plain_median_s": round(t_plain, 2),
            "ratio": round(t_plugin / t_plain, 2),
            "plugin_peak_mb": round(max(r[1] for r in plugin_runs), 1),
            "plain_peak_mb": round(max(r[1] for r in plain_runs), 1),
            "case_page_kb": round(page.stat().st_size / 1024, 1),
        }


def main() -> None:
    """Parse arguments, run the benchmark for each size, print a table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        rows.append(bench(n, args.runs if n <= 1000 else 2))
        print(f"{n} cases done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    header = f"{'cases':>6} {'cold s':>7} {'warm s':>9} {'plain s':>8} {'ratio':>6} {'plugin MB':>10} {'plain MB':>9} {'page KB':>8}"
    print(header)
    for r in rows:
        print(
            f"{r['cases']:>6} {r['plugin_cold_s']:>7} {r['plugin_median_s']:>9} {r['plain_median_s']:>8} {r['ratio']:>6} "
            f"{r['plugin_peak_mb']:>10} {r['plain_peak_mb']:>9} {r['case_page_kb']:>8}"
        )
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
