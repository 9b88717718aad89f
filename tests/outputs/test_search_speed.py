"""The header box's speed work (issue 22 item 5) changes no list: ``search.js`` under node, as in
``test_search_tokens.py``.  A query typed a key at a time, with the search of every superseded
prefix stopped, ends with the list a fresh search gives; the ranking's numeric sort and the
scores summed token by token equal the comparator sort and the per-document scores; a character
the fold table does not have fetches no fold shard; pauses after every key (every refinement run)
keep a typing session within its hard cap of bytes.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml

from site_builder.casefile.loader import load_cases
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search.index import FOLD_KEYS_RANGE, build_search_files
from site_builder.textnorm import fold_table
from tests.outputs.test_search_budget import SENTENCE
from tests.outputs.test_search_tokens import JS, _node, needs_node
from tests.support.project import ROOT
from tests.support.synthetic import synthetic_cases


def _sample() -> list[str]:
    """Every eighth query of the phone sets in ``tests/fixtures/search/``: every kind of query
    (numbers, initials, pinyin, typos, sentences, no answer)."""
    queries: list[str] = []
    for path in sorted((ROOT / "tests" / "fixtures" / "search").glob("*.yaml")):
        queries += [e["q"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return list(dict.fromkeys(queries))[::8]


# Per query: typed a character at a time in one session, each prefix's search started and then
# superseded by the next key (its `current` says so once the next key is in), the last one
# searched to the end and refined; beside it, a fresh module's whole search of the query.
_TYPED_AND_FRESH = """async (s, input) => {
  const [queries, js] = input, out = [];
  for (const q of queries) {
    s.state.session = s.state.spent;
    const chars = Array.from(q); let h = null, stopped = 0;
    for (let i = 1; i <= chars.length; i++) {
      let superseded = false;
      const search = s.run(chars.slice(0, i).join(""), true, () => !superseded || i === chars.length);
      if (i < chars.length) { superseded = true; stopped += (await search) === null ? 1 : 0; }
      else h = (await search) || [];
    }
    const r = h.refine ? await h.refine() : h;
    delete require.cache[require.resolve(js)];
    const f = require(js); await f.init("."); await f.loadFold(q);
    const fresh = (await f.run(q)) || [];
    out.push([q, stopped, r.tier || "", r.map(x => x.n), fresh.tier || "", fresh.map(x => x.n)]);
  }
  return out; }"""


@needs_node
def test_superseded_prefixes_stop_and_the_typed_list_is_the_fresh_one(tmp_path: Path) -> None:
    cases = load_cases([ROOT / "cases"]).published()
    queries = _sample()
    got = _node(
        tmp_path, build_search_files(cases, load_vocabularies()), [queries, str(JS)], _TYPED_AND_FRESH
    )
    assert isinstance(got, list) and len(got) == len(queries)
    for q, stopped, tier, hits, fresh_tier, fresh in got:
        assert stopped == len(q) - 1, q  # every superseded prefix's search stopped (resolved to null)
        assert (tier, hits) == (fresh_tier, fresh), q


_RANK = """(s, input) => {
  let seed = 7; const rnd = k => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
  const out = [];
  for (const [n, covers, scores] of input) {
    const hits = [];
    for (let i = 0; i < n; i++) hits.push({ n: (i * 7919) % 100000, cover: covers ? rnd(covers) : undefined, score: rnd(scores) });
    const want = hits.slice().sort((a, b) => (b.cover || 0) - (a.cover || 0) || b.score - a.score || a.n - b.n);
    out.push(s.rank(hits.slice()).map(h => h.n).join() === want.map(h => h.n).join());
  }
  return out; }"""


@needs_node
def test_the_numeric_sort_ranks_like_the_comparator(tmp_path: Path) -> None:
    """Many ties (few covers, few scores), none, more than 64 hits and fewer: the same order."""
    got = _node(
        tmp_path, build_search_files([]), [[5000, 3, 40], [3000, 0, 5], [200, 100, 10**6], [50, 2, 3]], _RANK
    )
    assert got == [True, True, True, True]


_SCORES = """async (s, qs) => {
  const out = [];
  for (const q of qs) {
    const h = await s.run(q); if (!h || !h.length) { out.push(null); continue; }
    const p = h.plan, masks = {};
    // the masks the search used (every token of the plan, and the ranges)
    p.tokens.forEach(t => { const sh = s.state.data[Object.keys(s.state.data).find(k => k.startsWith("search/i/") && s.state.data[k][t]) || ""];
      const a = new Uint8Array(s.state.meta.docs), list = [];
      if (sh) for (let i = 0, n = 0; i < sh[t].length; i += 2) { n += sh[t][i]; a[n] = sh[t][i + 1]; list.push(n); }
      masks[t] = { a, list }; });
    if (Object.keys(p.ranges).length) { out.push(null); continue; }
    const nums = h.map(x => x.n).sort((a, b) => a - b), all = s.scoresOf(nums, p.scored, masks, p.phrases);
    const postings = p.scored.reduce((k, t) => k + masks[t].list.length, 0);
    out.push([postings < nums.length * p.scored.length, nums.every(n => all[n] === s.scoreOf(n, p.scored, masks, p.phrases))]);
  }
  return out; }"""


@needs_node
def test_scores_summed_token_by_token_equal_each_documents_score(tmp_path: Path) -> None:
    """150 synthetic cases: common words match most of them (token by token), rare ones few
    (document by document)."""
    queries = ["党建", "外卖骑手", "楼宇党建服务", "快递小哥", "党群服务中心", "浦东 骑手"]
    got = _node(tmp_path, build_search_files(synthetic_cases(150), load_vocabularies()), queries, _SCORES)
    assert isinstance(got, list)
    checked = [x for x in got if x is not None]
    assert {by_token for by_token, _ in checked} == {True, False}, got  # both ways were taken
    assert all(same for _, same in checked), got


_FOLD = """async (s, input) => {
  const seen = [], f = global.fetch;
  global.fetch = u => { seen.push(new URL(u).pathname.split("/search/").pop()); return f(u); };
  const out = [];
  for (const q of input) { seen.length = 0; await s.loadFold(q); out.push([seen.filter(p => p.startsWith("fold/")).length, s.fold(q)]); }
  return out; }"""


@needs_node
def test_only_characters_the_fold_table_has_fetch_a_fold_shard(tmp_path: Path) -> None:
    lo, hi = FOLD_KEYS_RANGE
    files = build_search_files([])
    bits = base64.b64decode(json.loads(files["search/meta.json"])["foldKeys"])
    have = {chr(lo + i) for i in range(hi - lo) if bits[i >> 3] >> (i & 7) & 1}
    assert have == {c for c in fold_table() if lo <= ord(c) < hi}
    assert "賣" in have and "卖" not in have
    # the harness loads the fold shards of its input first: queries not in it
    got: Any = _node(tmp_path, files, [], f"async (s) => ({_FOLD})(s, ['外卖骑手', '外賣騎手', '𠀀'])")
    assert got[0] == [0, "外卖骑手"]  # simplified: nothing to fetch
    assert got[1][0] >= 1 and got[1][1] == "外卖骑手"  # traditional: its shards, folded as before
    assert got[2][0] == 1  # outside the range: fetched as before


# A reader who stops after every key long enough for the refinement (under load, keys a second
# apart): every prefix's refinement runs before the next key.  Per query: the bytes the session
# fetched, and the largest file it fetched.
_PAUSED = """async (s, input) => { const [q, session, hard] = input;
  const f = global.fetch, sizes = [];
  global.fetch = u => f(u).then(r => ({ ok: r.ok, status: r.status,
    text: () => r.text().then(t => { sizes.push(Math.round(t.length * 0.4)); return t; }) }));
  s.state.budget.session = session; s.state.budget.hard = hard; s.state.session = s.state.spent;
  const chars = Array.from(q); let refined = 0;
  for (let i = 1; i <= chars.length; i++) {
    const h = await s.run(chars.slice(0, i).join(""), true) || [];
    if (h.refine) { refined++; await h.refine(); }
  }
  return [s.state.spent - s.state.session, Math.max(...sizes), refined]; }"""


@needs_node
def test_pauses_after_every_key_keep_the_session_within_its_hard_cap(tmp_path: Path) -> None:
    """However long the pauses, the refinements of the prefixes spend at most the hard cap (one file
    beyond the estimate at most), where they used to fetch every prefix's whole search."""
    files = build_search_files(synthetic_cases(200), load_vocabularies())
    free: Any = _node(
        tmp_path / "free", files, [SENTENCE, 10**9, 10**9], f"async (s, i) => ({_PAUSED})(s, i)"
    )
    session, hard = free[0] // 4, free[0] // 3
    got: Any = _node(
        tmp_path / "capped", files, [SENTENCE, session, hard], f"async (s, i) => ({_PAUSED})(s, i)"
    )
    spent, largest, refined = got
    assert refined > 0  # the bounded first searches were refined
    assert spent <= hard + largest, (spent, hard, free[0])
    assert spent < free[0]
