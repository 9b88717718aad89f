"""Search budget benchmark: gzip bytes before the first result and time to first result.

Usage: ``python benchmarks/bench_search.py [--sizes 1000 10000] [--throttle 4] [--queries] [--typing keys fast ime]``

Builds the search files for N synthetic ``Case`` models (text sampled from the real ``cases/``
corpus, or a built-in sample), serves them with a bare page that has the real header search box,
types queries in Chromium with CPU throttling (CDP ``Emulation.setCPUThrottlingRate``) and
reports, per query, the gzip-compressed bytes of every request made before the first result
appeared (search.js, fold table, metadata, index shards, and the pinyin table when that tier
runs) and the time from the last keystroke to the rendered results.  The queries cover every
tier: exact, colloquial synonyms, numbers in words, partial, homophone typo, pinyin, one no case
answers, two words typed with a pause between them, approximate numbers (两万多, 上千), pinyin
initials, colloquial and filler words, a word no case uses (partial tier), a long sentence (the
exact tier's capped first fetch) and a no-answer query whose every pair is unknown (the capped
confusable-reading pass).

``--queries`` also types the realistic query set derived from ``cases/``
(``tests/support/search_queries.py``) into the real site's header box and prints hit@3 by kind;
``--eval`` types the hand-written phone set (``tests/fixtures/search/phone_queries.yaml``) and
prints hit@1, hit@3, MRR@8 and how many no-answer queries showed a case as an exact match.

``--typing keys fast ime`` replaces the latency rounds: it types the wide sample (the four phone
sets, ``LONG_QUERIES`` and ``QUERIES``) into a fresh page per query the way a phone reader does
(one character per --key-ms, 120 ms, or a pinyin keyboard composing letters and committing two or
three characters at a time) and reports the gzip bytes fetched for all the prefixes before each
query's own first result.  The site is served gzip-compressed, as GitHub Pages serves it, so the
sizes the page sees (Resource Timing, which the header box's byte budget reads) are the ones counted.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.casefile.vocab import load_vocabularies  # noqa: E402
from site_builder.outputs.search import build_search_files  # noqa: E402
from tests.support.pages_server import serve_like_pages  # noqa: E402
from tests.support.synthetic import synthetic_cases  # noqa: E402

QUERIES = [
    "外卖骑手",
    "B站",
    "快递小哥",
    "浦东外卖骑手",
    "貨車司機",
    "楼宇党建",
    "党群服务",
    "跑腿小哥",  # synonym
    "二十二个",  # numbers in words
    "金投盔",  # homophone typo: pinyin tier
    "jintoukui",  # pinyin
    "股票行情",  # no case answers: every tier runs
    "浦东 骑手",  # two words, typed with a pause between them
    "两万多名货车司机",  # an approximate number: one token per first digit, tested against the range
    "上千家",  # a wide range: nine first-digit tokens
    "jtk",  # pinyin initials
    "货车师傅在哪儿歇脚",  # colloquial words and filler words
    "外卖骑手 养猫",  # a word no case uses: partial tier
    "有没有那种让党员在网格里联系小店的做法",  # a long sentence: capped first fetch, then refined
    "健身房年卡",  # no case answers, every pair unknown: the confusable-reading pass, capped
]
# Long questions in a reader's own words, typed on a phone (the typing modes below): every prefix is
# searched as it is typed, and what they fetch counts before the whole question's first result.
LONG_QUERIES = [
    "我想看看上海有哪些地方给送外卖的小哥提供吃饭休息的地方",
    "货车司机在加油站休息的驿站是哪个区搞的",
    "快递员和外卖骑手能不能加入工会参加党组织活动",
    "楼宇里的白领下班以后可以去哪里参加党建活动和读书会",
    "互联网企业的年轻员工是怎么过组织生活的有什么经验",
    "电竞公司成立党支部以后组织了哪些活动",
    "街道怎么把沿街小店的个体工商户组织起来参与社区治理",
    "网约车司机在哪里可以找到党员服务站点喝水充电",
    "两新组织党组织书记是怎么选出来的有没有培训",
    "浦东新区陆家嘴金融城的党建服务中心在什么地方",
    "杨浦 互联网企业代表人士 人大政协",
    "zhang ning hong qiao kai fa qu jie dao yu qi ye lian shou",
]
PAUSE_MS = 700
BUDGET_BYTES = 150_000
BUDGET_MS = 300
PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="assets/search/search.css"></head><body>
<form class="cs-header" id="cs-header" role="search" action="search/" data-root=".">
<input id="cs-header-input" type="search" role="combobox" aria-expanded="false"
 aria-controls="cs-header-list">
<div class="cs-header__panel" hidden><ul id="cs-header-list" class="cs-results" role="listbox"></ul></div>
<div aria-live="polite"></div></form>
<script src="assets/search/search.js" defer></script></body></html>"""


def write_site(dest: Path, n: int) -> dict[str, float]:
    """Write a bare benchmark site; return raw and gzip sizes of the search data."""
    files = build_search_files(synthetic_cases(n), load_vocabularies())
    for rel, data in files.items():
        p = dest / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    assets = dest / "assets" / "search"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ("search.js", "search.css"):
        (assets / name).write_bytes((ROOT / "theme" / "assets" / "search" / name).read_bytes())
    (dest / "index.html").write_text(PAGE, encoding="utf-8")
    shards = [v for k, v in files.items() if k.startswith("search/i/")]
    out: dict[str, float] = {
        "files": len(files),
        "index_shards": len(shards),
        "total_raw": sum(len(v) for v in files.values()),
        "total_gzip": sum(len(gzip.compress(v, 6)) for v in files.values()),
        "meta_gzip": len(gzip.compress(files["search/meta.json"], 6)),
        "fold_shard_gzip": int(
            statistics.mean(
                len(gzip.compress(v, 6)) for k, v in files.items() if k.startswith("search/fold/")
            )
        ),
        "pinyin_table_gzip": len(gzip.compress(files["search/py.json"], 6)),
        "avg_shard_gzip": int(statistics.mean(len(gzip.compress(v, 6)) for v in shards)),
    }
    return out


def _serve(site: Path) -> tuple[str, Any]:
    """Serve ``site`` at the root of a loopback server, gzip-compressed as GitHub Pages serves it."""
    base, httpd = serve_like_pages(site, "/")
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]  # a page closed mid-file
    return base, httpd


# The reader's keystroke and the painted results of one query: every key is a CDP key event, so its
# keydown carries the time the key was pressed (event.timeStamp, taken in the browser when the key
# is dispatched, however busy the page is); the query's own results count once the frame that
# shows them has been painted (its cs:results event, the next animation frame, then a task after
# that frame).  Both are also performance marks, so a trace can cut out the same window.
_MARKS = """q => {
  window.__bench = {};
  document.querySelector('#cs-header-input').addEventListener('keydown', e => {
    window.__bench.key = e.timeStamp; });
  document.querySelector('form.cs-header').addEventListener('cs:results', e => {
    if (e.detail.q !== q || window.__bench.shown) return;
    window.__bench.shown = performance.now();
    window.__bench.tier = e.detail.tier;
    requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => {
      window.__bench.done = performance.now();
      window.__bench.urls = performance.getEntriesByType('resource').map(r => r.name); };
      c.port2.postMessage(0); });
  });
}"""
KEY_MS = 120  # the latency rounds: a fast phone typist, so each key lands while its prefix is searched
TRACE_CATEGORIES = [
    "toplevel",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "blink.user_timing",
]
PROFILE_CATEGORY = "disabled-by-default-v8.cpu_profiler"
_RENDER = {
    "UpdateLayoutTree",
    "Layout",
    "Paint",
    "PrePaint",
    "Layerize",
    "Commit",
    "HitTest",
    "UpdateLayer",
    "RecalculateStyles",
    "ScheduleStyleRecalculation",
    "PaintImage",
    "Decode Image",
}
_SCRIPT = {
    "FunctionCall",
    "TimerFire",
    "EventDispatch",
    "RunMicrotasks",
    "FireAnimationFrame",
    "EvaluateScript",
    "FireIdleCallback",
    "V8.StackGuard",
    "V8.HandleInterrupts",
    "v8.compile",
    "v8.run",
    "V8.GC_SCAVENGER",
    "MajorGC",
    "MinorGC",
    "V8.GCScavenger",
    "V8.GCFinalizeMC",
    "V8.BytecodeBudgetInterrupt",
}


def type_keys(cdp: Any, text: str, key_ms: int) -> None:
    """Type ``text`` one key event per character (keyDown with its text, keyUp), ``key_ms`` apart."""
    for ch in text:
        cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": ch, "unmodifiedText": ch, "key": ch})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": ch})
        time.sleep(key_ms / 1000)


def _kind(name: str) -> str:
    return "script" if name in _SCRIPT else "render" if name in _RENDER else "other"


def trace_window(
    events: list[dict[str, Any]], sync_ms: float, key_ms: float, done_ms: float
) -> dict[str, Any]:
    """What the page's main thread did between the last keystroke and the painted results.

    ``cpu_ms``: the thread's CPU time in its tasks (trace ``tdur``, the unthrottled work, not
    stretched by other processes on the machine); ``busy_ms``: the wall time of those tasks (4x
    throttled); ``script``/``render``/``other``: busy time by kind (self time of the timeline's
    events); the rest of the window the thread was idle, waiting for the network or a timer.
    With the V8 sampling profiler in the trace, ``functions``: self time by JS function."""
    sync = next(e for e in events if e.get("name") == "cs-sync")
    pid, tid = sync["pid"], sync["tid"]
    off = sync["ts"] - sync_ms * 1000
    lo, hi = key_ms * 1000 + off, done_ms * 1000 + off
    spans = sorted(
        (
            e
            for e in events
            if e.get("pid") == pid
            and e.get("tid") == tid
            and e.get("ph") == "X"
            and "dur" in e
            # the timeline's twin of ThreadControllerImpl::RunTask
            and e.get("name") != "RunTask"
        ),
        key=lambda e: (e["ts"], -e["dur"]),
    )

    def overlap(e: dict[str, Any]) -> float:
        return float(max(0, min(e["ts"] + e["dur"], hi) - max(e["ts"], lo)))

    cpu = busy = 0.0
    kinds = {"script": 0.0, "render": 0.0, "other": 0.0}
    stack: list[tuple[str, float]] = []
    for e in spans:
        ov = overlap(e)
        while stack and stack[-1][1] <= e["ts"]:
            stack.pop()
        if not stack and e["dur"]:  # a task (or a microtask checkpoint between tasks)
            busy += ov
            cpu += e.get("tdur", 0) * ov / e["dur"]
        if stack:
            kinds[_kind(stack[-1][0])] -= ov
        kinds[_kind(e["name"])] += ov
        stack.append((e["name"], e["ts"] + e["dur"]))
    out: dict[str, Any] = {"cpu_ms": round(cpu / 1000, 1), "busy_ms": round(busy / 1000, 1)}
    out.update({k: round(max(v, 0) / 1000, 1) for k, v in kinds.items()})
    # the V8 sampling profiler: self time per JS function ((program): native work, e.g. a fetch)
    nodes: dict[tuple[str, int], dict[str, Any]] = {}
    clock: dict[str, float] = {}
    samples: list[tuple[float, tuple[str, int]]] = []
    for e in events:
        if e.get("pid") != pid or (e.get("tid") != tid and e.get("name") != "ProfileChunk"):
            continue
        if e.get("name") == "Profile":
            clock[e["id"]] = e["args"]["data"]["startTime"]
        elif e.get("name") == "ProfileChunk":
            data = e["args"]["data"]
            prof = data.get("cpuProfile") or {}
            for node in prof.get("nodes") or []:
                nodes[(e["id"], node["id"])] = node
            for sid, dt in zip(prof.get("samples") or [], data.get("timeDeltas") or [], strict=False):
                clock[e["id"]] = clock.get(e["id"], 0) + dt
                samples.append((clock[e["id"]], (e["id"], sid)))
    if samples:
        samples.sort()
        functions: dict[str, float] = {}
        for (t, node_key), (t_next, _) in itertools.pairwise(samples):
            if not lo <= t <= hi:
                continue
            frame = nodes.get(node_key, {}).get("callFrame", {})
            name = frame.get("functionName") or "(anonymous)"
            if frame.get("url"):
                name += f" :{frame.get('lineNumber', -1) + 1}"
            functions[name] = functions.get(name, 0) + (t_next - t) / 1000
        out["functions"] = sorted(((k, round(v, 1)) for k, v in functions.items()), key=lambda kv: -kv[1])[
            :25
        ]
    return out


def measure(
    sites: dict[str, Path],
    throttle: float,
    queries: list[str],
    rounds: int = 1,
    trace: bool = True,
    profile: bool = False,
) -> dict[str, list[list[dict[str, Any]]]]:
    """Type each query into a fresh page of each site (the same data, a different ``search.js``),
    interleaved query by query and in alternate order each round; per site, per round, per query:
    the time from the last keystroke to the painted results, the gzip bytes fetched before them and
    (with ``trace``) what the main thread did in between (``trace_window``)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[list[dict[str, Any]]]] = {name: [[] for _ in range(rounds)] for name in sites}
    servers = {name: _serve(site) for name, site in sites.items()}
    sizes: dict[Path, int] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
            )
            for r in range(rounds):
                for q in queries:
                    order = list(sites) if (r + queries.index(q)) % 2 == 0 else list(reversed(sites))
                    for name in order:
                        base, site = servers[name][0], sites[name]
                        ctx = browser.new_context()
                        page = ctx.new_page()
                        cdp = ctx.new_cdp_session(page)
                        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                        page.goto(base)
                        page.wait_for_function("window.caseSearch !== undefined")
                        page.evaluate(_MARKS, q)
                        page.click("#cs-header-input")
                        if trace:
                            browser.start_tracing(
                                page=page,
                                categories=TRACE_CATEGORIES + ([PROFILE_CATEGORY] if profile else []),
                            )
                        sync = page.evaluate("performance.mark('cs-sync').startTime")
                        for i, word in enumerate(q.split(" ")):
                            if i:
                                type_keys(cdp, " ", KEY_MS)
                                time.sleep(PAUSE_MS / 1000)  # a reader pausing between words
                            type_keys(cdp, word, KEY_MS)
                        page.wait_for_function("window.__bench.done", timeout=30000, polling=100)
                        bench = page.evaluate("window.__bench")
                        row: dict[str, Any] = {
                            "query": q,
                            "ms": round(bench["done"] - bench["key"]),
                            "tier": bench["tier"],
                        }
                        if trace:
                            data = json.loads(browser.stop_tracing())
                            events = data["traceEvents"] if isinstance(data, dict) else data
                            row.update(trace_window(events, sync, bench["key"], bench["done"]))
                        size = requests = 0
                        for u in dict.fromkeys(bench["urls"]):
                            f = site / unquote(u[len(base) :]) if u.startswith(base) and u != base else None
                            if f is None or not f.is_file():
                                continue
                            if f not in sizes:
                                sizes[f] = len(gzip.compress(f.read_bytes(), 6))
                            size += sizes[f]
                            requests += 1
                        row["gzip_bytes"], row["requests"] = size, requests
                        row["shown"] = page.locator("#cs-header-list a[role=option]").count() - 1
                        out[name][r].append(row)
                        ctx.close()
            browser.close()
    finally:
        for _, httpd in servers.values():
            httpd.shutdown()
    return out


def variant_site(site: Path, ref: str, dest: Path) -> Path:
    """``site`` with the ``search.js`` of git revision ``ref`` (hard links to the same data files)."""
    import shutil
    import subprocess

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(site, dest, copy_function=os.link)
    js = dest / "assets" / "search" / "search.js"
    js.unlink()
    code = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:theme/assets/search/search.js"],
        capture_output=True,
        check=True,
    ).stdout
    js.write_bytes(code)
    meta = dest / "search" / "meta.json"
    if b"foldKeys" not in code:  # a search.js from before meta.json said which characters fold
        data = json.loads(meta.read_bytes())
        data.pop("foldKeys", None)
        meta.unlink()
        meta.write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8"
        )
    return dest


# How a reader types on a phone (issue 22): "keys" one character per input event at --key-ms (a
# mean phone typist makes ~36 words a minute, ~330 ms a character; "fast" is 120 ms), "ime" a
# pinyin keyboard that shows the letters in the box while composing (iOS) and commits a word of
# two or three characters at a time.  A space after Chinese words is followed by a pause (the
# reader reads the list).
TYPING_MODES = ("keys", "fast", "ime")
_CJK_CHAR = re.compile("[\u3400-\u9fff]")


def _typing_steps(query: str, mode: str, readings: dict[str, str]) -> list[tuple[str, str]]:
    """The input steps for ``query``: ("key", char), ("compose", text so far) or ("commit", word)."""
    if mode != "ime":
        return [("key", ch) for ch in query]
    steps: list[tuple[str, str]] = []
    i, sizes = 0, (2, 3)
    while i < len(query):
        if not _CJK_CHAR.match(query[i]):
            steps.append(("key", query[i]))
            i += 1
            continue
        j = i
        while j < len(query) and _CJK_CHAR.match(query[j]):
            j += 1
        run, k = query[i:j], 0
        while k < len(run):
            size = sizes[len(steps) % 2]
            word = run[k : k + size] if len(run) - k - size != 1 else run[k:]
            letters = "".join(readings.get(ch, "") for ch in word)
            steps += [("compose", letters[: n + 1]) for n in range(len(letters))]
            steps.append(("commit", word))
            k += len(word)
        i = j
    return steps


def _readings(site: Path) -> dict[str, str]:
    """One pinyin reading per character, from the site's pinyin table (for the IME mode)."""
    out: dict[str, str] = {}
    for syl, chars in json.loads((site / "search" / "py.json").read_text(encoding="utf-8")).items():
        for ch in chars:
            out.setdefault(ch, syl)
    return out


def _kind_of(path: str) -> str:
    for prefix, kind in (
        ("search/i/", "index"),
        ("search/p/", "pinyin"),
        ("search/m/", "results"),
        ("search/s/", "summaries"),
        ("search/d/", "bodies"),
        ("search/fold/", "fold"),
    ):
        if path.startswith(prefix):
            return kind
    return {"search/py.json": "pinyin", "search/meta.json": "meta"}.get(path, "script")


def typed_session_bytes(
    site: Path, queries: list[str], mode: str, key_ms: int, throttle: float = 1.0
) -> list[dict[str, Any]]:
    """Type each query into a fresh page's header box the way ``mode`` says; per query, the gzip
    bytes of every file fetched (for any of its prefixes) before the query's own first result, by
    kind, and how long after the last input event that result came."""
    from playwright.sync_api import sync_playwright

    readings = _readings(site)
    sizes: dict[str, int] = {}
    out = []
    base, httpd = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            ctx = browser.new_context()
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            for q in queries:
                page.goto(base)
                page.wait_for_function("window.caseSearch !== undefined")
                page.evaluate(
                    """q => { window.__bench = {};
                      const box = document.querySelector('#cs-header-input');
                      box.addEventListener('input', () => { window.__bench.key = performance.now(); });
                      document.querySelector('form.cs-header').addEventListener('cs:results', e => {
                        if (e.detail.q === q && !window.__bench.done) {
                          window.__bench.done = performance.now(); window.__bench.tier = e.detail.tier;
                          window.__bench.urls = performance.getEntriesByType('resource').map(r => r.name); } }); }""",
                    q,
                )
                page.click("#cs-header-input")
                for kind, text in _typing_steps(q, "keys" if mode == "fast" else mode, readings):
                    if kind == "key":
                        page.keyboard.type(text)
                    elif kind == "compose":
                        cdp.send(
                            "Input.imeSetComposition",
                            {"text": text, "selectionStart": len(text), "selectionEnd": len(text)},
                        )
                    else:
                        cdp.send("Input.insertText", {"text": text})
                    # a pause to read the list after a word (not between pinyin syllables)
                    page.wait_for_timeout(PAUSE_MS if text == " " and _CJK_CHAR.search(q) else key_ms)
                page.wait_for_function("window.__bench.done", timeout=30000)
                bench = page.evaluate("window.__bench")
                by_kind: dict[str, int] = {}
                for u in dict.fromkeys(bench["urls"]):
                    rel = unquote(u[len(base) :]) if u.startswith(base) else ""
                    if not rel or not (site / rel).is_file():
                        continue
                    if rel not in sizes:
                        sizes[rel] = len(gzip.compress((site / rel).read_bytes(), 6))
                    by_kind[_kind_of(rel)] = by_kind.get(_kind_of(rel), 0) + sizes[rel]
                out.append(
                    {
                        "query": q,
                        "gzip_bytes": sum(by_kind.values()),
                        "by_kind": by_kind,
                        "ms": round(bench["done"] - bench["key"]),
                        "tier": bench["tier"],
                    }
                )
            browser.close()
    finally:
        httpd.shutdown()
    return out


def wide_sample() -> list[str]:
    """Every query of the four phone sets in ``tests/fixtures/search/``, the long questions and the
    bench's own queries, once each."""
    import yaml

    queries = []
    for path in sorted((ROOT / "tests" / "fixtures" / "search").glob("*.yaml")):
        queries += [e["q"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return list(dict.fromkeys(queries + LONG_QUERIES + QUERIES))


def typed_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The largest, the queries over the byte budget and the first results' tiers of a typed sample."""
    tiers: dict[str, int] = {}
    for r in rows:
        tiers[r["tier"]] = tiers.get(r["tier"], 0) + 1
    worst = sorted(rows, key=lambda r: -r["gzip_bytes"])
    return {
        "queries": len(rows),
        "max_gzip_bytes": worst[0]["gzip_bytes"] if worst else 0,
        "over_budget": sum(r["gzip_bytes"] > BUDGET_BYTES for r in rows),
        "tiers": tiers,
        "largest": worst[:10],
    }


@contextlib.contextmanager
def _served_page(site: Path) -> Iterator[Any]:
    """One Chromium page on the built ``site`` served over loopback, opened at 关于本站 (a page with
    the header box), for typing queries one after another."""
    from playwright.sync_api import sync_playwright

    base, httpd = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(base + "about/")
            yield page
            browser.close()
    finally:
        httpd.shutdown()


def typed_hit_at_3(site: Path, queries: list[Any]) -> dict[str, Any]:
    """Type every query into the header box of a built site; hit@3 by kind and the misses.

    A query no case answers counts as a hit unless a case is shown as an exact match.
    """
    from tests.support.search_fixtures import header_search

    by_kind: dict[str, list[int]] = {}
    misses = []
    with _served_page(site) as page:
        for q in queries:
            top3 = header_search(page, q.q)[:3]
            exact = top3 and page.evaluate("() => window.__csSeen.tier") == "exact"
            ok = bool(q.expected & set(top3)) if q.expected else not exact
            by_kind.setdefault(q.kind, [0, 0])
            by_kind[q.kind][0] += ok
            by_kind[q.kind][1] += 1
            if not ok:
                misses.append(f"{q.kind} {q.q}: {top3} want {sorted(q.expected)}")
    hits = sum(v[0] for v in by_kind.values())
    total = sum(v[1] for v in by_kind.values())
    return {
        "hit_at_3": round(hits / total, 4),
        "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "unrelated_first": by_kind.get("unanswered", [0, 0])[1] - by_kind.get("unanswered", [0, 0])[0],
        "misses": misses,
    }


def latency_summary(runs: dict[str, list[list[dict[str, Any]]]]) -> dict[str, Any]:
    """Per variant: each query's medians over the rounds (latency, main-thread CPU), the max and p95
    over the queries; with two variants, the per-query ratio of the second to the first (median)."""
    out: dict[str, Any] = {}
    for name, rounds in runs.items():
        rows = []
        for i, r0 in enumerate(rounds[0]):
            row = dict(r0)
            for k in ("ms", "cpu_ms", "busy_ms", "script", "render", "other"):
                if k in r0:
                    row[k] = round(statistics.median(r[i][k] for r in rounds), 1)
            row["ms_runs"] = [r[i]["ms"] for r in rounds]
            rows.append(row)
        ms = sorted(r["ms"] for r in rows)
        out[name] = {
            "queries": rows,
            "max_ms": ms[-1],
            "p95_ms": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
            "median_ms": statistics.median(ms),
            "max_gzip_bytes": max(r["gzip_bytes"] for r in rows),
        }
        if "cpu_ms" in rows[0]:
            cpu = sorted(r["cpu_ms"] for r in rows)
            out[name].update(max_cpu_ms=cpu[-1], median_cpu_ms=statistics.median(cpu))
    if len(runs) == 2:
        a, b = (out[name]["queries"] for name in runs)
        out["ratio_ms"] = statistics.median(y["ms"] / max(x["ms"], 1) for x, y in zip(a, b, strict=True))
        if "cpu_ms" in a[0]:
            out["ratio_cpu"] = statistics.median(
                y["cpu_ms"] / max(x["cpu_ms"], 0.1) for x, y in zip(a, b, strict=True)
            )
    return out


EVAL_SET = ROOT / "tests" / "fixtures" / "search" / "phone_queries.yaml"

# Records the detail of the header box's results event for one query (ids and tier).
_LISTEN = """q => {
  window.__evalSeen = null;
  const form = document.querySelector('form.cs-header');
  if (window.__evalListen) form.removeEventListener('cs:results', window.__evalListen);  // the query before's
  window.__evalListen = e => { if (e.detail.q === q && window.__evalSeen === null) window.__evalSeen = e.detail; };
  form.addEventListener('cs:results', window.__evalListen);
}"""


def typed_eval(site: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Type each entry's query into the header box; hit@1, hit@3, MRR@8 and exact no-answer results."""
    from tests.support.search_fixtures import shown_ids

    rows = []
    with _served_page(site) as page:
        box = page.locator("#cs-header-input")
        for e in entries:
            box.click()
            box.fill("")
            page.evaluate(_LISTEN, e["q"])
            page.keyboard.type(e["q"])
            page.wait_for_function("() => window.__evalSeen !== null")
            tier = page.evaluate("window.__evalSeen.tier")
            rows.append((e, shown_ids(page)[:8], tier))
    answered = [(e, ids, t) for e, ids, t in rows if e["expect"]]
    unanswered = [(e, ids, t) for e, ids, t in rows if not e["expect"]]

    def rank(e: dict[str, Any], ids: list[str]) -> int:
        return next((i + 1 for i, x in enumerate(ids) if x in e["expect"]), 0)

    by_kind: dict[str, list[int]] = {}
    misses = []
    for e, ids, t in answered:
        r = rank(e, ids)
        by_kind.setdefault(e["kind"], [0, 0])
        by_kind[e["kind"]][0] += 0 < r <= 3
        by_kind[e["kind"]][1] += 1
        if not 0 < r <= 3:
            misses.append(f"{e['kind']} {e['q']}: {ids[:3]} ({t})")
    exact_none = [f"{e['q']}: {ids[:3]}" for e, ids, t in unanswered if ids and t == "exact"]
    n = max(len(answered), 1)
    return {
        "queries": len(rows),
        "hit_at_1": round(sum(rank(e, ids) == 1 for e, ids, _ in answered) / n, 4),
        "hit_at_3": round(sum(0 < rank(e, ids) <= 3 for e, ids, _ in answered) / n, 4),
        "mrr_at_8": round(sum(1 / rank(e, ids) for e, ids, _ in answered if rank(e, ids)) / n, 4),
        "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
        "no_answer_exact": f"{len(exact_none)}/{len(unanswered)}",
        "no_answer_partial": sum(1 for _, ids, t in unanswered if ids and t != "exact"),
        "misses": misses,
        "exact_for_no_answer": exact_none,
    }


def main() -> None:
    """Run the benchmark; print a JSON report and a budget summary."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--throttle", type=float, default=4.0)
    ap.add_argument("--repeat", type=int, default=3, help="rounds per size; latency is the median")
    ap.add_argument("--queries", action="store_true", help="type the realistic query set on the real site")
    ap.add_argument(
        "--eval",
        nargs="?",
        const=str(EVAL_SET),
        help="type a phone query set on the real site (default: tests/fixtures/search/phone_queries.yaml)",
    )
    ap.add_argument("--site", type=Path, help="with --queries/--eval: a built site (default: build cases/)")
    ap.add_argument(
        "--typing",
        nargs="+",
        choices=TYPING_MODES,
        help="instead of the latency rounds: type the wide sample (the four phone sets, LONG_QUERIES and "
        "QUERIES) the way a phone reader does and report the bytes before each query's first result",
    )
    ap.add_argument("--key-ms", type=int, default=300, help="with --typing: ms between keys (fast: 120)")
    ap.add_argument(
        "--bench-site",
        help="where to keep the site of each size ({n}: the size), written by write_site if missing and "
        "reused with this working tree's search.js (default: a new one per run)",
    )
    ap.add_argument(
        "--compare", metavar="REV", help="latency: type each query into REV's search.js too, interleaved"
    )
    ap.add_argument(
        "--query", action="append", help="latency: type this query instead of the bench's (repeatable)"
    )
    ap.add_argument(
        "--long",
        action="store_true",
        help="latency: also type LONG_QUERIES; --typing: only the bench's and LONG_QUERIES",
    )
    ap.add_argument("--no-trace", action="store_true", help="latency: no trace (no main-thread CPU)")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="latency: the V8 sampling profiler too (self time per function)",
    )
    args = ap.parse_args()
    report: dict[str, Any] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(str(args.bench_site).format(n=n)) if args.bench_site else Path(tmp) / "site"
            t = time.perf_counter()
            if (site / "search" / "meta.json").is_file():
                sizes: dict[str, float] = {}
                js = site / "assets" / "search" / "search.js"
                js.unlink()  # maybe a hard link of a variant's data: write a new file
                js.write_bytes((ROOT / "theme" / "assets" / "search" / "search.js").read_bytes())
            else:
                site.mkdir(parents=True, exist_ok=True)
                sizes = write_site(site, n)
            sizes["build_s"] = round(time.perf_counter() - t, 2)
            if args.typing:
                sample = args.query or (QUERIES + LONG_QUERIES if args.long else wide_sample())
                variants = {"this": site}
                if args.compare:
                    variants = {
                        args.compare: variant_site(site, args.compare, Path(tmp) / "ref"),
                        "this": site,
                    }
                report[f"{n} typed"] = {
                    (mode if len(variants) == 1 else f"{mode}, {name}"): typed_summary(
                        typed_session_bytes(path, sample, mode, 120 if mode == "fast" else args.key_ms)
                    )
                    for mode in args.typing
                    for name, path in variants.items()
                }
                continue
            sites = {"this": site}
            if args.compare:
                sites = {args.compare: variant_site(site, args.compare, Path(tmp) / "ref"), "this": site}
            queries = args.query or QUERIES + (LONG_QUERIES if args.long else [])
            runs = measure(sites, args.throttle, queries, args.repeat, not args.no_trace, args.profile)
            report[str(n)] = {"data": sizes, **latency_summary(runs)}
    if args.queries or args.eval:
        with tempfile.TemporaryDirectory() as tmp:
            site = args.site
            if site is None:
                from tests.support.project import run_build

                site = Path(tmp) / "site"
                proc = run_build(ROOT / "mkdocs.yml", site)
                if proc.returncode:
                    sys.exit(proc.stderr)
            if args.queries:
                from site_builder.casefile.loader import load_cases
                from tests.support.search_queries import realistic_queries

                report["hit_at_3"] = typed_hit_at_3(
                    site, realistic_queries(load_cases([ROOT / "cases"]).published())
                )
            if args.eval:
                import yaml

                entries = yaml.safe_load(Path(args.eval).read_text(encoding="utf-8"))
                report["eval"] = typed_eval(site, entries)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(
        f"\nSearch budgets ({args.throttle:g}x CPU throttle): <= {BUDGET_BYTES // 1000} kB gzip, <= {BUDGET_MS} ms"
    )
    for n, r in report.items():
        if n.endswith(" typed"):
            for mode, t in r.items():
                print(
                    f"{n[:-6]:>6} cases typed ({mode}): {t['queries']} queries, max {t['max_gzip_bytes'] / 1000:.1f} kB, "
                    f"{t['over_budget']} over {BUDGET_BYTES // 1000} kB, tiers {t['tiers']}"
                )
            continue
        if n == "eval":
            print(
                f"phone set: hit@1 {r['hit_at_1']:.1%}, hit@3 {r['hit_at_3']:.1%}, MRR@8 {r['mrr_at_8']:.2f}, "
                f"exact for no-answer {r['no_answer_exact']} {r['by_kind']}"
            )
            continue
        if n == "hit_at_3":
            h = r
            print(f"hit@3 {h['hit_at_3']:.1%} {h['by_kind']} unrelated-first {h['unrelated_first']}")
            continue
        for name, v in r.items():
            if not isinstance(v, dict) or "queries" not in v:
                continue
            ok = v["max_gzip_bytes"] <= BUDGET_BYTES and v["max_ms"] <= BUDGET_MS
            cpu = (
                f", main-thread CPU median {v['median_cpu_ms']} ms, max {v['max_cpu_ms']} ms"
                if "max_cpu_ms" in v
                else ""
            )
            print(
                f"{n:>6} cases, {name}: max {v['max_gzip_bytes'] / 1000:.1f} kB, latency max {v['max_ms']} ms, "
                f"p95 {v['p95_ms']} ms, median {v['median_ms']} ms{cpu} ({'within budget' if ok else 'OVER BUDGET'})"
            )
            print(
                "    "
                + ", ".join(
                    f"{q['query']} {q['gzip_bytes'] / 1000:.0f}kB/{q['ms']:.0f}ms"
                    + (f"/cpu {q['cpu_ms']:.0f}" if "cpu_ms" in q else "")
                    + f"/{q['tier']}"
                    for q in v["queries"]
                )
            )
        if "ratio_ms" in r:
            print(
                f"    per-query ratio this / {args.compare}: latency {r['ratio_ms']:.2f}, CPU {r.get('ratio_cpu', 0):.2f}"
            )
        print(f"    load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
