"""Tests for the search index builder and the /search/ page (pure Python, no browser)."""

from __future__ import annotations

import json

import pytest

from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search import build_search_files, load_synonyms, render_search_page
from site_builder.outputs.search.index import (
    FIELD_BODY,
    FIELD_META,
    FIELD_SUMMARY,
    FIELD_TITLE,
    fnv1a,
    markdown_to_text,
    shard_count,
)
from tests.support.synthetic import FakeCase, synthetic_cases


def _case(**kw: object) -> FakeCase:
    base: dict[str, object] = {
        "id": "pudong-riders",
        "title": "浦东外卖骑手驿站",
        "summary": "为外卖骑手提供休息服务\u200b的驿站。",
        "district": "浦东新区",
        "fields": ["新就业群体"],
        "groups": ["外卖骑手"],
        "tags": ["B站"],
        "year": 2021,
        "practice": "- 在**陆家嘴**设立驿站，见[报道](https://example.com)。",
    }
    base.update(kw)
    return FakeCase(**base)  # type: ignore[arg-type]


def _postings(files: dict[str, bytes], token: str) -> dict[int, int]:
    meta = json.loads(files["search/meta.json"])
    name = f"search/i/{fnv1a(token) % meta['shards']:0{meta['width']}x}.json"
    flat = json.loads(files[name]).get(token, [])
    out, n = {}, 0
    for i in range(0, len(flat), 2):
        n += flat[i]
        out[n] = flat[i + 1]
    return out


def test_fields_and_tokens() -> None:
    files = build_search_files([_case()], load_vocabularies())
    assert _postings(files, "外卖") == {0: FIELD_TITLE | FIELD_META | FIELD_SUMMARY}
    assert _postings(files, "b站") == {0: FIELD_META}
    assert _postings(files, "陆家") == {0: FIELD_BODY}
    assert _postings(files, "浦") == {0: FIELD_TITLE | FIELD_META}  # CJK unigrams: title/meta only
    assert _postings(files, "报道") == {0: FIELD_BODY}
    assert _postings(files, "example") == {}  # link targets are not indexed
    assert _postings(files, "2021年") == {0: FIELD_META}


def test_no_zero_width_in_output() -> None:
    files = build_search_files([_case(title="浦东\u200b外卖骑手驿站")], load_vocabularies())
    for data in files.values():
        text = data.decode("utf-8")
        if '"invisible"' in text:
            continue
        assert "\u200b" not in text


def test_deterministic_bytes() -> None:
    cases = synthetic_cases(60, seed=3)
    a = build_search_files(cases, load_vocabularies())
    b = build_search_files(list(reversed(cases)), load_vocabularies())
    assert a == b


def test_shard_count_and_sizes() -> None:
    assert shard_count(0) == 1
    assert shard_count(5_000_000) >= 256
    files = build_search_files(synthetic_cases(200, seed=1), load_vocabularies())
    meta = json.loads(files["search/meta.json"])
    assert len([k for k in files if k.startswith("search/i/")]) == meta["shards"]


def test_synonyms_file_and_vocab_aliases() -> None:
    groups = load_synonyms()
    assert any("外卖小哥" in g and "外卖骑手" in g for g in groups)
    assert any("B站" in g and "哔哩哔哩" in g for g in groups)
    files = build_search_files([_case()], load_vocabularies())
    syn = json.loads(files["search/meta.json"])["synonyms"]
    flat = [set(g) for g in syn]
    assert any({"外卖小哥", "外卖骑手"} <= g for g in flat)
    assert any({"集卡司机", "货车司机"} <= g for g in flat)  # from synonyms.yaml and vocab aliases
    assert any({"b站", "哔哩哔哩", "bilibili"} <= g for g in flat)  # folded
    assert all(g == sorted(g) for g in syn)


def test_markdown_to_text() -> None:
    assert markdown_to_text("## 标题\n- 一、**加粗** [链接](http://x)\n> 引用") == "标题 一、加粗 链接 引用"
    assert markdown_to_text(None) == ""


def test_search_page_escapes_and_counts() -> None:
    html = render_search_page([_case(), _case(id="b", district="<b>全市</b>")], load_vocabularies())
    assert "<b>全市</b>" not in html and "&lt;b&gt;全市&lt;/b&gt;" in html
    assert 'value="pudong"' in html and 'data-root="../"' in html
    assert '<span class="cs-count">1</span>' in html


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_tiny(n: int) -> None:
    files = build_search_files(synthetic_cases(n), load_vocabularies())
    assert "search/meta.json" in files and "search/fold.json" in files
