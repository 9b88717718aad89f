"""Lighthouse (mobile preset) on home, a case and /search/, served like GitHub Pages (gzip, under /site_builder/).

Not a timed test: run it with ``make lighthouse`` and record the scores in benchmarks/README.md.
Builds the real site from ``cases/`` into a scratch folder, serves it on 127.0.0.1 and runs the
Lighthouse CLI pinned in benchmarks/lighthouse/package.json with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.pages_server import serve_like_pages
from tests.support.project import CHROMIUM, ROOT, run_build

LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "",
    "case": "cases/pudong-golden-helmet-riders/",
    "search": "search/?q=骑手",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run_lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile preset: simulated slow 4G, 4x CPU slowdown); returns the report."""
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(cmd, check=True, env=env, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported")
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(
            "缺少 Lighthouse：请先运行 make lighthouse（会在 benchmarks/lighthouse 里执行 npm ci）",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            os.environ.setdefault(
                "SITE_URL", "https://example.github.io/site_builder/"
            )  # served under /site_builder/
            proc = run_build(ROOT / "mkdocs.yml", site)
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                return 1
        base, server = serve_like_pages(site)
        try:
            print("| page | run | perf | a11y | best pr. | SEO | FCP | LCP | TBT | CLS | benchmarkIndex |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for name, path in PAGES.items():
                perf = []
                for i in range(args.runs):
                    report = run_lighthouse(base + path, Path(tmp) / f"{name}-{i}.json")
                    cats = report["categories"]
                    audits = report["audits"]
                    scores = [round(cats[c]["score"] * 100) for c in CATEGORIES]
                    perf.append(scores[0])
                    metrics = [
                        audits[a]["displayValue"]
                        for a in (
                            "first-contentful-paint",
                            "largest-contentful-paint",
                            "total-blocking-time",
                            "cumulative-layout-shift",
                        )
                    ]
                    bench = report["environment"]["benchmarkIndex"]
                    failed = [
                        a["id"]
                        for a in audits.values()
                        if a.get("score") is not None
                        and a["score"] < 1
                        and a.get("scoreDisplayMode") == "binary"
                    ]
                    print(f"| {name} | {i + 1} | " + " | ".join(map(str, scores + metrics)) + f" | {bench} |")
                    if failed:
                        print(f"<!-- {name} run {i + 1} failed binary audits: {', '.join(failed)} -->")
                print(f"<!-- {name}: median performance {sorted(perf)[len(perf) // 2]} -->")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
