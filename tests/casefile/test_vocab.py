"""Controlled vocabularies: aliases, former districts, slugs."""

from __future__ import annotations

from pathlib import Path

from site_builder.casefile.vocab import load_vocabularies

ROOT = Path(__file__).resolve().parents[2]


def test_district_aliases() -> None:
    v = load_vocabularies().districts
    for alias in ("浦东", "浦東新區", "pudong", "Pudong New Area", "浦东新区"):
        assert v.resolve(alias).term.name == "浦东新区"  # type: ignore[union-attr]
    hit = v.resolve("闸北区")
    assert hit is not None and hit.term.name == "静安区" and hit.former.name == "闸北区"  # type: ignore[union-attr]
    assert v.resolve("南汇").term.name == "浦东新区"  # type: ignore[union-attr]
    assert len([t for t in v.terms if t.name != "全市"]) == 16


def test_vocabulary_slugs_are_ascii_and_unique() -> None:
    vocab = load_vocabularies()
    for voc in (vocab.districts, vocab.fields, vocab.groups):
        slugs = [t.slug for t in voc.terms]
        assert len(set(slugs)) == len(slugs)
        assert all(s.isascii() and s == s.lower() and " " not in s for s in slugs)
    assert {
        "楼宇",
        "园区",
        "商圈与街区",
        "新就业群体",
        "互联网与新兴产业",
        "小微企业与个体工商户",
        "民营企业",
        "社会组织",
    } <= set(vocab.fields.names())
    assert {"外卖骑手", "快递员", "货车司机", "网约车司机", "楼宇白领", "个体工商户"} <= set(
        vocab.groups.names()
    )
