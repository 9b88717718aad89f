"""The field registry mirrors the models, and every field reaches a reader somewhere."""

from __future__ import annotations

import datetime as dt

from site_builder.casefile.fields import case_fields, field_spec, field_texts
from site_builder.casefile.loader import validate_document
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import Positions


def test_registry_lists_every_model_field_with_a_chinese_label() -> None:
    specs = case_fields()
    assert [s.key for s in specs] == list(Case.model_fields)
    for spec in specs:
        assert spec.label and not spec.label.isascii(), spec.key
        assert spec.help, spec.key
        for child in spec.children:
            assert child.label and not child.label.isascii(), f"{spec.key}.{child.key}"


def test_registry_kinds_and_limits() -> None:
    assert field_spec("title").kind == "line" and field_spec("title").max_length == 40
    assert field_spec("practice").kind == "markdown" and field_spec("practice").required
    assert field_spec("district").kind == "choice" and "浦东新区" in (field_spec("district").choices or ())
    assert field_spec("fields").kind == "choices" and field_spec("fields").max_items == 3
    assert field_spec("year").kind == "int"
    assert field_spec("updated").kind == "date"
    assert field_spec("sources").kind == "objects" and field_spec("sources").child("date").kind == "date"
    assert field_spec("location").kind == "object"
    assert field_spec("status").choices == ("published", "draft")


def test_field_texts_reads_nested_values() -> None:
    vocab = load_vocabularies()
    data = {
        "title": "一个用于测试的案例",
        "summary": "这是一段足够长的摘要文字，用来说明这个测试案例的内容和做法，共三十多个字。",
        "district": "浦东新区",
        "fields": ["楼宇"],
        "year": 2023,
        "practice": "做法。\n",
        "metrics": [{"label": "驿站", "value": 12, "unit": "个"}],
        "sources": [
            {"title": "文章", "publisher": "报社", "date": "12-13", "date_note": "年份据文意推断为 2018 年"}
        ],
    }
    case, errors = validate_document(data, Positions("cases/t.yaml"), vocab)
    assert not errors and case is not None
    assert field_texts(case.metrics) == ["驿站", "12", "个"]
    assert "12-13" in field_texts(case.sources) and "年份据文意推断为 2018 年" in field_texts(case.sources)


def test_year_bound_follows_the_injected_day() -> None:
    vocab = load_vocabularies()
    data = {
        "title": "一个用于测试的案例",
        "summary": "这是一段足够长的摘要文字，用来说明这个测试案例的内容和做法，共三十多个字。",
        "district": "浦东新区",
        "fields": ["楼宇"],
        "year": 2028,
        "practice": "做法。\n",
        "sources": [{"title": "文章", "publisher": "报社"}],
    }
    _, errors = validate_document(data, Positions("cases/t.yaml"), vocab, today=dt.date(2026, 11, 30))
    assert [e.message for e in errors] == ["年份 2028 不在 1990 到 2027 之间"]
    case, errors = validate_document(data, Positions("cases/t.yaml"), vocab, today=dt.date(2027, 1, 1))
    assert case is not None and not errors


def test_the_guides_field_table_is_generated_from_the_models() -> None:
    from pathlib import Path

    from site_builder.casefile.fields import fill_guide_table, guide_field_table

    guide = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text(encoding="utf-8")
    assert guide == fill_guide_table(guide), (
        "docs/guide.md 的字段表过期了：运行 .venv/bin/site-builder schema 重新生成（表格由 models.py 的字段说明生成）"
    )
    table = guide_field_table()
    for key in Case.model_fields:
        assert f"| `{key}` |" in table, key
