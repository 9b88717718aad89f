"""Tests for site_builder.textnorm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.textnorm import (
    INVISIBLE_CHARS,
    find_hidden_references,
    find_lost_chars,
    find_nonsimplified,
    fold,
    fold_table,
    nonsimplified_table,
    strip_invisible,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("外賣騎手", "外卖骑手"),
        ("快遞員", "快递员"),
        ("黨建", "党建"),
        ("躰驗", "体验"),  # variant 躰 -> 体
        ("竝且", "并且"),  # variant 竝 -> 并
        ("曏來", "向来"),
        ("裏", "里"),
        ("裡", "里"),
        ("綫上", "线上"),
        ("爲民", "为民"),
        ("為民", "为民"),
        ("Ｂ站", "b站"),
        ("ＡＢＣ１２３", "abc123"),
        ("B\u200b站", "b站"),
        ("\ufeff党\u200d建\u00ad", "党建"),
        ("全\u3000市", "全 市"),
        ("\uf900", "岂"),  # compatibility ideograph
        ("党建引领", "党建引领"),  # simplified text is unchanged
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_is_idempotent_and_length_preserving_for_cjk() -> None:
    text = "上海新興領域黨建：外賣騎手、快遞員與貨車司機"
    once = fold(text)
    assert fold(once) == once
    assert len(once) == len(text)


def test_table_is_single_codepoint_and_stable() -> None:
    table = fold_table()
    assert len(table) > 5000
    assert all(len(k) == 1 and len(v) == 1 for k, v in table.items())
    # Targets are fixed points: folding is idempotent character by character.
    assert all(v not in table for v in table.values())
    assert list(table) == sorted(table)


def test_simplified_standard_chars_not_flagged() -> None:
    for text in ("著名", "乾隆", "乾坤", "关于", "於是", "什么", "干部", "台", "机", "园", "捌"):
        assert find_nonsimplified(text) == [], text


def test_find_nonsimplified_offsets() -> None:
    text = "这是什麼體驗，B站躰"
    assert find_nonsimplified(text) == [(3, "麼", "么"), (4, "體", "体"), (5, "驗", "验"), (9, "躰", "体")]


def test_find_nonsimplified_compat_ideograph() -> None:
    assert find_nonsimplified("a\uf900") == [(1, "\uf900", "岂")]


def test_nonsimplified_is_subset_of_fold() -> None:
    table = fold_table()
    for k, v in nonsimplified_table().items():
        assert table[k] == v


def test_strip_invisible() -> None:
    assert strip_invisible("a\u200bb\u200cc\u200dd\u2060e\ufefff") == "abcdef"
    assert all(strip_invisible(ch) == "" for ch in INVISIBLE_CHARS)


def test_table_file_is_deterministic_json() -> None:
    path = Path(__file__).resolve().parent.parent / "site_builder" / "data" / "fold_table.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["fold"] == fold_table()


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("报道&#x202e;没有", "\u202e"),
        ("报道&#X202E;没有", "\u202e"),
        ("零宽&#8203;空格", "\u200b"),
        ("空&#0;字符", "\ufffd"),
        ("超出&#x110000;范围", "\ufffd"),
        ("代理&#55296;对", "\ufffd"),
        ("命名&ZeroWidthSpace;引用", "\u200b"),
        ("方向&rlm;标记", "\u200f"),
        ("软&shy;连字符", "\u00ad"),
        ("控制&#x85;字符", "\u2026"),
    ],
)
def test_character_references_are_seen_decoded(text: str, char: str) -> None:
    found = find_hidden_references(text)
    if char == "\u2026":  # HTML maps &#x85; to an ellipsis (Windows-1252): visible, not reported
        assert found == []
        return
    assert [c for _, _, c in found] == [char]
    assert text[found[0][0]] == "&"


def test_ordinary_references_and_ampersands_pass() -> None:
    assert find_hidden_references("A&amp;B &lt;b&gt; &nbsp; 3&4 &unknown; &#x4e2d;") == []
    assert find_lost_chars("骑手\ufffd驿站") == [2]
