"""The byte budget of a typing session (issue 22): a query typed character by character is searched
at every prefix, and everything those searches fetch counts before the query's own first result.
Python builds an index split into many small shards (as at 10,000 cases); the real ``search.js``
runs every prefix as the header box does (``run(q, true)``, one session) under node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search.index import build_search_files
from tests.outputs.test_search_phrasing import _case
from tests.outputs.test_search_tokens import _node, needs_node
from tests.support.synthetic import synthetic_cases

SENTENCE = "宝山区的货车司机在加油站旁边的驿站里休息喝水充电看书学习"

# Types each query one character at a time in one session with the given session budget (None:
# the default); per query, the bytes the session fetched, the files, the last prefix's first tier and
# hits, whether it carries a refinement, and the refined tier and hits.
_TYPED = """async (s, input) => { const [queries, budget] = input; const out = [];
  const f = global.fetch, seen = [];
  global.fetch = u => { seen.push(decodeURIComponent(new URL(u).pathname).split("/search/").pop()); return f(u); };
  if (budget !== null) s.state.budget.session = budget;
  for (const q of queries) {
    s.state.session = s.state.spent; seen.length = 0;
    const chars = Array.from(q); let h = null;
    for (let i = 1; i <= chars.length; i++) h = await s.run(chars.slice(0, i).join(""), true) || [];
    const spent = s.state.spent - s.state.session, files = seen.slice();
    const r = h.refine ? await h.refine() : h;
    out.push([spent, files, h.tier || "", h.map(x => x.n), !!h.refine, r.tier || "", r.map(x => x.n)]);
  }
  return out; }"""


def _typed(tmp: Path, files: dict[str, bytes], queries: list[str], budget: int | None) -> list[Any]:
    got = _node(tmp, files, [queries, budget], _TYPED)
    assert isinstance(got, list)
    return got


@needs_node
def test_a_typing_session_stays_within_its_byte_budget(tmp_path: Path) -> None:
    """Typed character by character, a long sentence's prefixes fetch at most the session's budget
    (each keystroke reusing what the ones before it fetched); past the budget the first results
    come from what is loaded, never an exact match that the whole search would not show; the
    refinement (the whole search, once the reader stops typing) finds the case exactly.  120
    synthetic cases beside it make shards of a realistic size."""
    cases = [
        _case("drivers", "宝山货车司机驿站", f"{SENTENCE}。", groups=["货车司机"]),
        _case("couriers", "快递员之家", "快递员在驿站里休息喝水，也在这里看书学习。", groups=["快递员"]),
        *synthetic_cases(120),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    (free,) = _typed(tmp_path / "free", files, [SENTENCE], 10**9)  # no limit: the whole search
    budget = free[0] // 3
    (spent, fetched, tier, found, refines, rtier, rfound), again = _typed(
        tmp_path / "capped", files, [SENTENCE, "货车司机驿站"], budget
    )
    largest = max(len(files["search/" + f]) for f in fetched if f.startswith(("i/", "p/")))
    assert 0 < spent <= budget + largest * 0.4, (spent, budget)  # 40 %: the estimate without Resource Timing
    assert len(fetched) == len(set(fetched))  # every file once in a session
    assert tier in ("exact", "partial") and ids[found[0]] == "drivers", (tier, found)  # the checked terms
    assert free[2] == "exact" and not free[4]
    assert set(found) <= set(free[3]) if tier == "exact" else True  # a capped exact list: a subset
    assert refines and rtier == "exact" and ids[rfound[0]] == "drivers"
    # the box emptied, a new session: the second query fetches only shards the first did not, within
    # its own budget, and finds its case (as an exact match, refined if need be)
    assert not set(again[1]) & set(fetched) and again[0] <= budget + largest * 0.4, again[:2]
    assert again[5] == "exact" and ids[again[6][0]] == "drivers"


@needs_node
def test_within_the_budget_nothing_changes(tmp_path: Path) -> None:
    """A short query in a fresh session is searched whole: no refinement, the same hits as the
    results page's uncapped search."""
    cases = [
        _case("drivers", "宝山货车司机驿站", "驿站设在加油站里，司机可以休息。", groups=["货车司机"]),
        _case("helmet", "浦东金头盔骑手", "骑手在街区里示范服务。", tags=["金头盔"], groups=["外卖骑手"]),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    got = _typed(tmp_path, files, ["货车司机", "金投盔"], None)
    assert got[0][2] == "exact" and [ids[n] for n in got[0][3]] == ["drivers"] and not got[0][4]
    assert got[1][2] == "pinyin" and [ids[n] for n in got[1][3]] == ["helmet"] and not got[1][4]
