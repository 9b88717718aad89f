"""Tests for the search index builder and the /search/ page (pure Python, no browser)."""

from __future__ import annotations

import json

import pytest

from site_builder.browse.facets import FACETS
from site_builder.casefile.models import Case
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
from tests.support.synthetic import case_from_data, synthetic_cases


def _case(case_id: str = "pudong-riders", **kw: object) -> Case:
    base: dict[str, object] = {
        "title": "浦东外卖骑手驿站",
        "summary": "为外卖骑手提供休息服务的驿站，骑手们可以在这里喝水、充电和歇脚。",
        "district": "浦东新区",
        "fields": ["新就业群体"],
        "groups": ["外卖骑手"],
        "tags": ["B站"],
        "year": 2021,
        "practice": "- 在**陆家嘴**设立驿站，见[报道](https://example.com)。",
        "metrics": [{"label": "党员骑手", "value": 1.5, "unit": "万名"}],
        "sources": [{"title": "骑手驿站报道", "publisher": "文汇报", "url": "https://example.org/a"}],
    }
    base.update(kw)
    return case_from_data(case_id, base)


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
    assert _postings(files, "example") == {}  # link targets and source addresses are not indexed
    assert _postings(files, "2021年") == {0: FIELD_META}
    assert _postings(files, "15000") == {0: FIELD_BODY}  # metric value and unit: 1.5万名 -> 15000名
    assert _postings(files, "15000名") == {0: FIELD_BODY}
    assert _postings(files, "驿站") == {0: FIELD_TITLE | FIELD_SUMMARY | FIELD_BODY}  # source title: body


def test_pinyin_keys_and_client_table() -> None:
    files = build_search_files([_case()], load_vocabularies())
    meta = json.loads(files["search/meta.json"])
    token = "wai'mai"
    name = f"search/p/{fnv1a(token) % meta['pinyin']['shards']:0{meta['pinyin']['width']}x}.json"
    assert json.loads(files[name])[token] == [0, FIELD_TITLE | FIELD_META | FIELD_SUMMARY]
    table = json.loads(files["search/py.json"])
    assert "卖" in table["mai"] and "麦" in table["mai"]  # common homophones reach the client table
    assert "行" in table["xing"] and "行" in table["hang"]  # every reading of a character


def test_meta_carries_facets_and_url_pattern_and_docs_are_split() -> None:
    cases = [_case("a", year=2019), _case("b", year=2023, district="宝山区", groups=["货车司机"])]
    files = build_search_files(cases, load_vocabularies())
    meta = json.loads(files["search/meta.json"])
    assert meta["caseUrl"] == "cases/{id}/"
    assert [f["key"] for f in meta["facets"]] == [f.key for f in FACETS if f.filterable]
    assert [f["key"] for f in meta["facets"]][:4] == ["district", "field", "group", "year"]
    district = meta["facets"][0]
    assert ["宝山区", "baoshan"] in district["values"]
    docs = json.loads(files["search/m/0.json"])
    assert [d["id"] for d in docs] == ["b", "a"]  # newest first: ties in ranking break by number
    assert district["values"][docs[0]["facets"]["district"][0]][0] == "宝山区"
    rows = json.loads(files["search/f.json"])
    assert rows["year"] == [2023, 2019]
    assert "docs" not in meta or isinstance(meta["docs"], int)  # no per-case list in meta.json


def test_no_zero_width_in_output() -> None:
    # validation rejects invisible characters; search strips them anyway (defence in depth)
    case = _case().model_copy(update={"title": "浦东\u200b外卖骑手驿站"})
    case.bind("pudong-riders", None)  # type: ignore[arg-type]
    files = build_search_files([case], load_vocabularies())
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
    assert any({"外卖小哥", "外卖骑手", "跑腿小哥"} <= g for g in flat)
    assert any({"发廊", "美发"} <= g for g in flat) and any({"重卡", "货车"} <= g for g in flat)
    assert any({"集卡司机", "货车司机"} <= g for g in flat)  # from synonyms.yaml and vocab aliases
    assert any({"b站", "哔哩哔哩", "bilibili"} <= g for g in flat)  # folded
    assert all(g == sorted(g) for g in syn)


def test_markdown_to_text() -> None:
    assert markdown_to_text("## 标题\n- 一、**加粗** [链接](http://x)\n> 引用") == "标题 一、加粗 链接 引用"
    assert markdown_to_text(None) == ""


def test_search_page_escapes_and_counts() -> None:
    html = render_search_page(
        [_case(), _case("b", tags=["<b>标签</b>"], district="宝山区")], load_vocabularies()
    )
    assert "<b>" not in html
    assert 'value="pudong"' in html and 'data-root="../"' in html
    assert '<span class="cs-count">1</span>' in html


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_tiny(n: int) -> None:
    files = build_search_files(synthetic_cases(n), load_vocabularies())
    meta = json.loads(files["search/meta.json"])
    assert meta["docs"] == n
    assert len([k for k in files if k.startswith("search/m/")]) == 1
    assert len([k for k in files if k.startswith("search/d/")]) == n
    assert json.loads(files["search/f.json"])["year"] == [c.year for c in synthetic_cases(n)]


def test_an_added_synonym_group_is_indexed_as_one_token() -> None:
    """What an editor's pull request to synonyms.yaml does: the group becomes one searchable token."""
    files = build_search_files([_case()], load_vocabularies(), synonyms=[["驿站", "歇脚点", "落脚点"]])
    syn = json.loads(files["search/meta.json"])["synonyms"]
    k = next(i for i, g in enumerate(syn) if "歇脚点" in g)
    assert syn[k] == ["歇脚点", "落脚点", "驿站"]
    assert _postings(files, f"~{k}") == {0: FIELD_TITLE | FIELD_SUMMARY | FIELD_BODY}
