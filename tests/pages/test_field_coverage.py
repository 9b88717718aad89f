"""Every case field reaches readers: on the case page or in the search index.

This is what keeps "a new optional field is the model plus the template" honest: add a field to
the models and forget to show it, and this test names it.
"""

from __future__ import annotations

import html
import json

from site_builder.browse.model import SiteModel
from site_builder.casefile.fields import case_fields, field_texts
from site_builder.casefile.loader import validate_document
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import Positions
from site_builder.outputs.search import build_search_files
from site_builder.pages.render import render_case

SHOWN_ELSEWHERE = {
    "images": "photos are rendered by the media plan into <figure>s (tests/test_build.py builds one)",
    "status": "drafts are left out of the public site (tests/test_build.py)",
}

FULL = {
    "title": "哨兵标题甲乙丙丁",
    "summary": "哨兵摘要：这是一段足够长的摘要文字，用来检查每个字段都能被读者看到或搜到。",
    "district": "浦东新区",
    "locality": "哨兵街道",
    "fields": ["楼宇"],
    "groups": ["外卖骑手"],
    "tags": ["哨兵标签"],
    "year": 2021,
    "year_note": "哨兵年份说明",
    "organizations": ["哨兵单位"],
    "awards": ["哨兵荣誉"],
    "highlights": ["哨兵亮点一条"],
    "metrics": [{"label": "哨兵指标", "value": 4321, "unit": "哨兵个", "note": "哨兵注释"}],
    "background": "哨兵背景。\n",
    "practice": "哨兵做法。\n",
    "results": "哨兵成效。\n",
    "insights": "哨兵启示。\n",
    "how_to": "哨兵怎么做。\n",
    "quotes": [{"text": "哨兵原话内容", "speaker": "哨兵某人", "role": "哨兵职务"}],
    "location": {"lat": 31.2345, "lon": 121.4567},
    "sources": [
        {
            "title": "哨兵文章",
            "publisher": "哨兵报社",
            "date": "12-13",
            "date_note": "哨兵日期说明",
            "url": "https://example.org/a",
        }
    ],
    "related": ["other-case"],
    "updated": "2026-11-30",
}
OTHER = {**FULL, "title": "另一个相关案例标题", "related": []}


def test_every_field_is_shown_on_the_page_or_searchable() -> None:
    vocab = load_vocabularies()
    case, errors = validate_document(FULL, Positions("cases/x.yaml"), vocab)
    other, _ = validate_document(OTHER, Positions("cases/other-case.yaml"), vocab)
    assert case is not None and other is not None, errors
    case.bind("full-case", None)  # type: ignore[arg-type]
    other.bind("other-case", None)  # type: ignore[arg-type]
    site = SiteModel([case, other], vocab)
    page = html.unescape(render_case(case, site))
    search = "".join(v.decode() for v in build_search_files([case], vocab).values())
    search = json.loads(json.dumps(search))
    missing = []
    for spec in case_fields():
        if spec.key in SHOWN_ELSEWHERE:
            continue
        if spec.key == "related":
            texts = [other.title]
        elif spec.key == "updated":
            texts = ["2026年11月30日"]
        elif spec.key == "sources":
            texts = [t for t in field_texts(case.sources) if t != "12-13"] + ["12月13日"]
        else:
            texts = field_texts(getattr(case, spec.key))
        assert texts, spec.key
        for text in texts:
            shown = {text, f"{int(text):,}"} if text.isdigit() else {text}
            if not any(t in page or t in search for t in shown):
                missing.append(f"{spec.key}: {text}")
    assert not missing, "fields shown nowhere: " + "; ".join(missing)
