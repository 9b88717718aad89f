"""Search quality beside two peers, in one run: this site, Pagefind and Material's own search.

Usage: ``python benchmarks/peers_search.py [FILE ...] [--work DIR]``

Each FILE is a phone query set (YAML list of ``q``, ``expect``, ``kind``; default: every set in
``tests/fixtures/search/``). The same cases in ``cases/`` are published three ways and every query is
put to each, in Chromium:

- **this site**: built by ``site-builder build``; each query is typed into the header box
  (``bench_search.typed_eval``).
- **Material 9.8.1** (lunr, with jieba installed so that Chinese is segmented at build time; the
  worker segments a Chinese query against its index): a plain MkDocs site, one Markdown page per
  case (title and every text field); each query goes to Material's own search worker with the
  messages its search box sends, and the pages are read in the order the box lists them.
- **Pagefind 1.6.0**: one bare HTML page per case with the same text, indexed by the Pagefind CLI
  (from npm); each query goes through Pagefind's JS API (``pagefind.search``), which is what its
  default UI calls after its debounce.

The peers get the same text, one page per case, and their stock configuration for Chinese. For each
engine and set the script prints hit@1, hit@3, MRR@8 over the queries with an answer, and how many
queries that no case answers got a case shown first (this site: shown as an exact match; the peers
have no tiers, so any result counts). The peers' tools are installed once into ``--work``
(default ``.cache/peers``): jieba with pip, Pagefind with npm.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import _serve, typed_eval  # noqa: E402

JIEBA = "jieba==0.42.1"
PAGEFIND = "pagefind@1.6.0"
SETS = ROOT / "tests" / "fixtures" / "search"
# Case fields that hold no reader text (addresses, ids, dates, notes about the record).
SKIP = {"sources", "related", "year_note", "images", "cover", "slug", "aliases", "former_ids"}


def case_texts(cases_dir: Path) -> dict[str, tuple[str, list[str]]]:
    """Each case's title and its text paragraphs (every string field, in file order)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(cases_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        paras: list[str] = []
        for key, value in data.items():
            if key not in SKIP and key != "title":
                _collect(value, paras)
        out[path.stem] = (str(data["title"]), paras)
    return out


def _collect(value: Any, paras: list[str]) -> None:
    """Every string (one paragraph per line, addresses left out) and number in ``value``, in order."""
    if isinstance(value, str):
        if not value.startswith(("http://", "https://")):
            paras.extend(p.strip() for p in value.split("\n") if p.strip())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        paras.append(str(value))
    elif isinstance(value, list):
        for x in value:
            _collect(x, paras)
    elif isinstance(value, dict):
        for x in value.values():
            _collect(x, paras)


def install_tools(work: Path) -> tuple[Path, Path]:
    """jieba (for Material's Chinese segmentation) and the Pagefind CLI, installed once into ``work``."""
    jieba_dir = work / "jieba"
    if not (jieba_dir / "jieba").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", str(jieba_dir), JIEBA], check=True
        )
    pf_dir = work / "pagefind"
    binary = pf_dir / "node_modules" / ".bin" / "pagefind"
    if not binary.exists():
        pf_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(pf_dir), PAGEFIND], check=True)
    return jieba_dir, binary


def build_material(texts: dict[str, tuple[str, list[str]]], dest: Path, jieba_dir: Path) -> Path:
    """A plain MkDocs + Material site, one page per case, search in Chinese (jieba on the path)."""
    docs = dest / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 案例\n", encoding="utf-8")
    for cid, (title, paras) in texts.items():
        (docs / f"{cid}.md").write_text(f"# {title}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    config = {
        "site_name": "案例",
        "theme": {"name": "material", "language": "zh"},
        "plugins": ["search"],
    }
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(jieba_dir), NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(dest / "mkdocs.yml"),
            "-d",
            str(dest / "site"),
        ],
        check=True,
        env=env,
    )
    return dest / "site"


def build_pagefind(texts: dict[str, tuple[str, list[str]]], dest: Path, binary: Path) -> Path:
    """One bare page per case (lang zh-CN) indexed by the Pagefind CLI, and a blank page to search from."""
    site = dest / "site"
    for cid, (title, paras) in texts.items():
        page = site / cid / "index.html"
        page.parent.mkdir(parents=True)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        page.write_text(
            f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>",
            encoding="utf-8",
        )
    (site / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><body></body></html>', encoding="utf-8"
    )
    subprocess.run([str(binary), "--site", str(site), "--silent"], check=True)
    return site


@contextlib.contextmanager
def _browser_page(site: Path) -> Iterator[tuple[Any, str]]:
    from playwright.sync_api import sync_playwright

    base, httpd = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(base)
            yield page, base
            browser.close()
    finally:
        httpd.shutdown()


def _page_ids(hrefs: list[str], ids: set[str]) -> list[str]:
    """Case ids in the order their pages first appear among result links (sections fold into their page)."""
    out: list[str] = []
    for h in hrefs:
        path = h.split("#")[0].split("?")[0].removesuffix("index.html").rstrip("/")
        cid = path.split("/")[-1].removesuffix(".html")
        if cid in ids and cid not in out:
            out.append(cid)
    return out


MATERIAL_QUERY = """async ([worker, qs]) => {
  const index = await (await fetch('search/search_index.json')).json();
  const w = new Worker('assets/javascripts/workers/' + worker);
  const out = [];
  let i = 0;
  return await new Promise((resolve, reject) => {
    w.onerror = e => reject(new Error(e.message));
    w.onmessage = m => {
      if (m.data.type === 3) out.push(m.data.data.items.map(group => group[0].location));
      if (i < qs.length) w.postMessage({type: 2, data: qs[i++]});
      else resolve(out);
    };
    w.postMessage({type: 0, data: {...index, options: {suggest: false}}});
  });
}"""


def material_results(site: Path, queries: list[str], ids: set[str]) -> list[list[str]]:
    """Each query through Material's own search worker in Chromium (the messages its search box
    sends, stock options); the pages in the order the box would list them."""
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).name
    with _browser_page(site) as (page, _):
        return [_page_ids(hrefs, ids) for hrefs in page.evaluate(MATERIAL_QUERY, [worker, queries])]


PAGEFIND_QUERY = """async q => {
  window.__pf = window.__pf || await import('/pagefind/pagefind.js');
  const r = await window.__pf.search(q);
  const d = await Promise.all(r.results.slice(0, 8).map(x => x.data()));
  return d.map(x => x.url);
}"""


def pagefind_results(site: Path, queries: list[str], ids: set[str]) -> list[list[str]]:
    """Each query through Pagefind's JS API in Chromium; the first eight pages' case ids."""
    with _browser_page(site) as (page, _):
        return [_page_ids(page.evaluate(PAGEFIND_QUERY, q), ids) for q in queries]


def score(entries: list[dict[str, Any]], shown: list[list[str]]) -> dict[str, Any]:
    """hit@1, hit@3, MRR@8 over answered queries; no-answer queries with a case shown first."""

    def rank(e: dict[str, Any], got: list[str]) -> int:
        return next((i + 1 for i, x in enumerate(got[:8]) if x in e["expect"]), 0)

    answered = [(e, s) for e, s in zip(entries, shown, strict=True) if e["expect"]]
    none = [(e, s) for e, s in zip(entries, shown, strict=True) if not e["expect"]]
    n = max(len(answered), 1)
    return {
        "hit_at_1": round(sum(rank(e, s) == 1 for e, s in answered) / n, 4),
        "hit_at_3": round(sum(0 < rank(e, s) <= 3 for e, s in answered) / n, 4),
        "mrr_at_8": round(sum(1 / rank(e, s) for e, s in answered if rank(e, s)) / n, 4),
        "no_answer_first": f"{sum(1 for _, s in none if s)}/{len(none)}",
    }


def main() -> None:
    """Build the three sites once, put every set's queries to each, print one table per set."""
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--work", type=Path, default=ROOT / ".cache" / "peers")
    ap.add_argument("--site", type=Path, help="this project's built site (default: build cases/)")
    args = ap.parse_args()
    files = args.files or sorted(SETS.glob("phone_queries*.yaml"))
    texts = case_texts(ROOT / "cases")
    ids = set(texts)
    jieba_dir, binary = install_tools(args.work)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        ours = args.site
        if ours is None:
            ours = t / "ours"
            subprocess.run(
                [sys.executable, "-m", "site_builder.cli", "build", "--site-dir", str(ours)],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        material = build_material(texts, t / "material", jieba_dir)
        pagefind = build_pagefind(texts, t / "pagefind", binary)
        report: dict[str, Any] = {}
        for f in files:
            entries = yaml.safe_load(f.read_text(encoding="utf-8"))
            qs = [e["q"] for e in entries]
            mine = typed_eval(ours, entries)
            report[f.name] = {
                "this site": {k: mine[k] for k in ("hit_at_1", "hit_at_3", "mrr_at_8")}
                | {"no_answer_first": mine["no_answer_exact"]},
                "Pagefind 1.6.0": score(entries, pagefind_results(pagefind, qs, ids)),
                "Material 9.8.1 (lunr + jieba)": score(entries, material_results(material, qs, ids)),
            }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    for name, rows in report.items():
        print(f"\n{name}\n| engine | hit@3 | hit@1 | MRR@8 | no-answer shown first |\n|---|---|---|---|---|")
        for engine, r in rows.items():
            print(
                f"| {engine} | {r['hit_at_3']:.1%} | {r['hit_at_1']:.1%} | {r['mrr_at_8']:.2f} | {r['no_answer_first']} |"
            )


if __name__ == "__main__":
    main()
