"""Lighthouse on every page type at the phone and desktop presets, served like GitHub Pages.

Not a timed test: run it with ``make lighthouse`` and record the scores in benchmarks/README.md.
Builds the real site from ``cases/`` into a scratch folder, serves it on 127.0.0.1 (gzip, under
/site_builder/, 404.html for missing paths) and runs the Lighthouse CLI pinned in
benchmarks/lighthouse/package.json with Debian's Chromium. Prints one Markdown row per run and,
under it, every audit of the accessibility, best-practices and SEO categories that did not pass,
so a score below 100 says what to fix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.pages_server import serve_like_pages
from tests.support.project import CHROMIUM, ROOT, run_build

LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES: dict[str, str | None] = {
    "home": "",
    "case": "cases/pudong-golden-helmet-riders/",
    "browse": "districts/pudong/",
    "tag": None,  # the tag with the most cases in the built site (slugs are pinyin)
    "search": "search/?q=骑手",
    "stats": "stats/",
    "about": "about/",
    "404": "404.html",  # what a missing address shows; Lighthouse will not audit a 404 response
}
PRESETS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
)


def busiest_tag(site: Path) -> str:
    """The address of the tag page listing the most cases."""
    pages = sorted(site.glob("tags/*/index.html"))
    if not pages:
        raise SystemExit("构建出的网站没有标签页面")
    best = max(
        pages, key=lambda p: (len(re.findall(r'class="sb-card[ "]', p.read_text("utf-8"))), p.parent.name)
    )
    return f"tags/{best.parent.name}/"


def run_lighthouse(url: str, out: Path, preset: str) -> dict[str, Any]:
    """One Lighthouse run. ``mobile`` is the CLI default (Moto G Power, slow 4G, 4x CPU slowdown);
    ``desktop`` is ``--preset=desktop`` (1350x940, fast connection, no CPU slowdown)."""
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(cmd, check=True, env=env, timeout=300)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def failed_audits(report: dict[str, Any]) -> list[str]:
    """Audits that cost points in accessibility, best practices or SEO (``id (category)``)."""
    audits = report["audits"]
    failed = []
    for cat in CATEGORIES[1:]:
        for ref in report["categories"][cat]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                failed.append(f"{ref['id']} ({cat})")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page and preset; the median is reported"
    )
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build one)")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--presets", nargs="+", choices=PRESETS, default=list(PRESETS))
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(
            "缺少 Lighthouse：请先运行 make lighthouse（会在 benchmarks/lighthouse 里执行 npm ci）",
            file=sys.stderr,
        )
        return 1
    bad = 0
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
        pages = {name: path if path is not None else busiest_tag(site) for name, path in PAGES.items()}
        base, server = serve_like_pages(site)
        try:
            print(
                "| page | preset | run | perf | a11y | best pr. | SEO | FCP | LCP | TBT | CLS | benchmarkIndex |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            for name in args.pages:
                for preset in args.presets:
                    perf = []
                    for i in range(args.runs):
                        report = run_lighthouse(
                            base + pages[name], Path(tmp) / f"{name}-{preset}-{i}.json", preset
                        )
                        cats = report["categories"]
                        scores = [round(cats[c]["score"] * 100) for c in CATEGORIES]
                        perf.append(scores[0])
                        metrics = [report["audits"][a]["displayValue"] for a in METRICS]
                        bench = report["environment"]["benchmarkIndex"]
                        cells = [name if name != "tag" else f"tag `{pages[name]}`", preset, str(i + 1)]
                        print(
                            "| " + " | ".join([*cells, *map(str, scores), *metrics, str(bench)]) + " |",
                            flush=True,
                        )
                        failed = failed_audits(report)
                        if failed:
                            bad += 1
                            print(
                                f"<!-- {name} {preset} run {i + 1} failed: {', '.join(failed)} -->",
                                flush=True,
                            )
                    if args.runs > 1:
                        print(f"<!-- {name} {preset}: median performance {sorted(perf)[len(perf) // 2]} -->")
        finally:
            server.shutdown()
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
