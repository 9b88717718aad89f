"""The peers' search benchmark scores as bench_search does and gives the peers every case's text."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import peers_search  # noqa: E402


def test_every_case_reaches_the_peers_with_its_title_and_text() -> None:
    texts = peers_search.case_texts(ROOT / "cases")
    assert set(texts) == {p.stem for p in (ROOT / "cases").glob("*.yaml")}
    for cid, (title, paras) in texts.items():
        assert title and paras, cid
        assert not any(p.startswith(("http://", "https://")) for p in paras), cid


def test_result_links_fold_into_case_ids_in_first_seen_order() -> None:
    ids = {"a", "b", "c"}
    hrefs = ["b/#sec", "/b/", "a/index.html", "/pagefind/x", "c.html?q=1", "a/"]
    assert peers_search._page_ids(hrefs, ids) == ["b", "a", "c"]


def test_scores_count_ranks_and_no_answer_queries_shown_anything() -> None:
    entries = [
        {"q": "x", "expect": ["a"]},
        {"q": "y", "expect": ["b"]},
        {"q": "z", "expect": ["c"]},
        {"q": "w", "expect": []},
        {"q": "v", "expect": []},
    ]
    shown = [["a"], ["x", "y", "b"], ["x"], ["a"], []]
    assert peers_search.score(entries, shown) == {
        "hit_at_1": round(1 / 3, 4),
        "hit_at_3": round(2 / 3, 4),
        "mrr_at_8": round((1 + 1 / 3) / 3, 4),
        "no_answer_first": "1/2",
    }
