"""A realistic query set derived from the case files (names, places, traditional script, colloquial
words, numbers, homophone typos, pinyin, several words, and queries no case answers).

Expectations come from case data, not from fixed sentences: a query derived from a phrase of a
case expects every case whose searchable text contains that phrase (so rewriting a case's prose
or adding cases keeps the set honest); phrases found in more than three cases are skipped because
"top 3" cannot judge them.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search.index import docs_from_cases, load_synonyms
from site_builder.outputs.search.tokens import normalize, readings
from site_builder.textnorm import nonsimplified_table
from tests.support.project import ROOT

MAX_EXPECTED = 3

#: Queries no case answers: nothing may be shown first as if it matched.
UNANSWERED = [
    "股票行情", "高考分数线", "地铁时刻表", "天气预报", "房价走势", "减肥食谱", "世界杯赛程", "驾照考试",
    "彩票开奖", "宠物医院", "考研复试", "电影票房", "汽车保险", "健身房年卡", "火锅外卖优惠券", "比特币",
    "股市", "英语四级", "相亲", "整容", "iphone价格", "美甲教程", "离婚律师", "旅游攻略", "nba季后赛",
    "gupiao", "tianqi yubao", "高铁票", "钢琴培训", "养猫",
    # a word of the cases next to one no case is about
    "浦东房价", "外卖优惠券", "快递单号查询", "静安寺门票", "上海迪士尼", "陆家嘴夜景", "B站番剧",
]  # fmt: skip

#: Words readers wrap around a name: the name must still win (an exact or a labelled partial match).
_WRAPPERS = ["{}在哪里", "{}怎么样", "{}是什么", "{}的做法", "关于{}的案例", "{} 经验"]

_HAN = re.compile("[\u4e00-\u9fff]")
_SPLIT = re.compile("[^\u4e00-\u9fff0-9A-Za-z]+")
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Query:
    """One query, its kind, and the cases that answer it (empty: none does)."""

    q: str
    kind: str
    expected: frozenset[str]


def chinese_number(n: int) -> str:
    """22 -> 二十二, 300 -> 三百, 15000 -> 一万五千 (as people write numbers in words)."""
    if n == 0:
        return "零"
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = chinese_number(low) if low else ""
        return chinese_number(high) + "万" + ("零" + rest if 0 < low < 1000 else rest)
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero and out:
                out += "零"
            out += ("" if (unit == 10 and d == 1 and not out) else _DIGITS[d]) + name
            zero = False
        elif out:
            zero = True
    return out


def _traditional() -> dict[str, str]:
    """simplified -> one traditional/variant form (the inverse of the lint table)."""
    out: dict[str, str] = {}
    for trad, simp in sorted(nonsimplified_table().items()):
        out.setdefault(simp, trad)
    return out


def _homophones() -> dict[str, list[str]]:
    """Common characters by reading: what a pinyin input method offers for a syllable."""
    raw = (ROOT / "site_builder" / "data" / "fold_table.json").read_text(encoding="utf-8")
    by_syl: dict[str, list[str]] = {}
    for ch in json.loads(raw)["common"]:
        by_syl.setdefault(readings(ch)[0], []).append(ch)
    return by_syl


def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.NORMAL))


def realistic_queries(cases: Sequence[Case], seed: int = 14) -> list[Query]:
    """Several hundred queries for ``cases`` with their expected case ids."""
    rng = random.Random(seed)
    docs = docs_from_cases(cases)
    haystack = {d.id: normalize(" ".join(d.texts.values())) for d in docs}
    trad = _traditional()
    homo = _homophones()
    vocab = load_vocabularies()
    out: list[Query] = []
    seen: set[str] = set()

    def answering(phrase: str) -> frozenset[str]:
        key = normalize(phrase)
        return frozenset(i for i, text in haystack.items() if key in text)

    def add(q: str, kind: str, expected: frozenset[str]) -> None:
        if q and q not in seen and 0 < len(expected) <= MAX_EXPECTED:
            seen.add(q)
            out.append(Query(q, kind, expected))

    def phrases(c: Case) -> list[str]:
        parts = [p for p in _SPLIT.split(c.title) if len(_HAN.findall(p)) >= 3]
        return list(dict.fromkeys([*parts, *(t for t in c.tags if len(t) >= 3)]))

    for c in sorted(cases, key=lambda c: c.id):
        names = phrases(c)
        for name in names:
            exp = answering(name)
            add(name, "name", exp)
            if any(ch in trad for ch in name):
                add("".join(trad.get(ch, ch) for ch in name), "traditional", exp)
            han = [i for i, ch in enumerate(name) if _HAN.match(ch)]
            if len(name) >= 3 and len(han) == len(name):
                i = rng.choice(han[1:] if len(han) > 2 else han)
                others = [
                    h for h in homo.get(readings(name[i])[0], []) if h != name[i] and normalize(h) != name[i]
                ]
                if others:
                    typo = name[:i] + rng.choice(others[:12]) + name[i + 1 :]
                    add(typo, "typo", exp)
                py = _pinyin(name)
                add(py if len(py) % 2 else " ".join(_pinyin(ch) for ch in name), "pinyin", exp)
            add(rng.choice(_WRAPPERS).format(name), "question", exp)
        if c.locality:
            add(c.locality, "place", answering(c.locality))
            short = re.sub("(街道|镇|路)$", "", c.locality)
            if len(short) >= 2:
                add(short, "place", answering(short))
        district = vocab.districts.resolve(c.district)
        short_district = min([c.district, *(district.term.aliases if district else [])], key=len)
        for g in c.groups:
            exp = frozenset(
                d.id for d in docs if g in d.facets["group"] and c.district in d.facets["district"]
            )
            add(f"{short_district}{g}", "multi-word", exp)
            add(f"{short_district} {g}", "multi-word", exp)
        if names:
            add(f"{short_district} {names[0]}", "multi-word", answering(names[0]))
        for m in c.metrics:
            if isinstance(m.value, int) and m.value >= 10 and m.unit:
                exp = frozenset(
                    d.id for d in docs if f"{m.value}{m.unit}" in normalize(d.texts["body"].replace(" ", ""))
                )
                add(f"{chinese_number(m.value)}{m.unit}{m.label}", "number", exp)
                add(f"{m.label}{m.value}{m.unit}", "number", exp)
                if m.value >= 1000 and m.value % 100 == 0 and m.value % 1000:
                    add(f"{m.value / 10000:g}万{m.unit}{m.label}", "number", exp)
                elif m.value >= 100 and m.value % 100 == 0:
                    add(f"{m.value // 100}百{m.unit}{m.label}", "number", exp)
        for g in c.groups:
            for group in load_synonyms():
                if g in group:
                    words = [
                        w for w in group if w != g and not any(normalize(w) in t for t in haystack.values())
                    ]
                    if words:
                        w = rng.choice(words)
                        add(w, "colloquial", frozenset(d.id for d in docs if g in d.facets["group"]))
    for group in load_synonyms():
        present = [w for w in group if answering(w)]
        absent = [w for w in group if not answering(w) and not w.isascii()]
        if present and absent:
            exp = frozenset().union(*(answering(w) for w in present))
            add(rng.choice(absent), "colloquial", exp)
    out += [Query(q, "unanswered", frozenset()) for q in UNANSWERED]
    return out
