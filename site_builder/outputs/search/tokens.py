"""Segmentation shared by the index builder and the browser (``search.js`` mirrors every function).

A text becomes a *matching key* in two steps: :func:`site_builder.textnorm.fold` (width, case,
traditional and variant characters) and :func:`numerals` (Chinese numerals and digits written
alike: 二十二 → 22, 3百 → 300, 1.5万 → 15000, 12,000 → 12000).  The key is split into *runs* of
*units*: a unit is one CJK/kana/hangul character or one maximal Latin/digit word; anything else
separates runs.

Documents are indexed with :func:`doc_tokens` (bigrams of adjacent units, Latin/digit words,
one-unit runs, and in titles and metadata every CJK character).  Queries are planned by
``search.js`` ``plan()`` from the same :func:`normalize` and :func:`runs`;
``tests/outputs/test_search_tokens.py`` runs the JS on documents built by this module and checks
that every stretch of a document's own text finds it, and that both sides normalize alike.

Pinyin keys (:func:`pinyin_tokens`) index the toneless syllables of adjacent CJK characters, so
a homophone typo (金投盔) or a query typed in pinyin (jintoukui) reaches 金头盔.  ``search.js``
reads typed characters with the same readings (``search/py.json``) and keeps at most three.
"""

from __future__ import annotations

import re
from functools import cache

from site_builder.textnorm import CHINESE_DIGITS, fold

__all__ = [
    "MEASURES",
    "UNIT_RE",
    "doc_tokens",
    "initials",
    "initials_tokens",
    "is_word",
    "key_tokens",
    "normalize",
    "number_tokens",
    "numerals",
    "pinyin_tokens",
    "readings",
    "runs",
]

_CJK = "\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_WORD = "0-9a-z\u00df-\u00f6\u00f8-\u024f"
#: One unit: a CJK character, or a Latin/digit word.  Mirrored in search.js.
UNIT_RE = re.compile(f"[{_CJK}]|[{_WORD}]+|([^{_CJK}{_WORD}]+)")
_WORD_RE = re.compile(f"[{_WORD}]+")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")

_NUMERAL_RE = re.compile("(?:[0-9]+(?:\\.[0-9]+)?|[零〇一二两三四五六七八九十百千万亿])+")
_THOUSANDS_RE = re.compile("([0-9]),(?=[0-9]{3}(?![0-9]))")
_DECIMAL_RE = re.compile("([0-9]+)\\.([0-9]+)([十百千万亿]+)")
_PIECE_RE = re.compile("[0-9]+|.")
_DIGIT = {**CHINESE_DIGITS, "两": 2}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_LIMIT = 10**15


def _numeral(s: str) -> str | None:
    """The digits of one numeral (一万五 → 15000), or None when ``s`` is not one (千万, 万一)."""
    m = _DECIMAL_RE.fullmatch(s)
    if m:
        mult = 1
        for ch in m[3]:
            mult *= _SMALL.get(ch) or _BIG[ch]
        scale = 10 ** len(m[2])
        value = int(m[1] + m[2]) * mult
        return str(value // scale) if value % scale == 0 and value < _LIMIT * scale else None
    if "." in s:
        return None
    if not any(ch in _SMALL or ch in _BIG for ch in s):
        return "".join(str(_DIGIT[ch]) for ch in s) if all(ch in _DIGIT for ch in s) else None
    total = section = 0
    num: int | None = None
    last = 1
    small_last = big_last = _LIMIT
    zero = False
    for piece in _PIECE_RE.findall(s):
        if piece[0].isdigit() or (piece in _DIGIT and _DIGIT[piece] > 0):
            if num is not None:
                return None
            num = int(piece) if piece[0].isdigit() else _DIGIT[piece]
        elif piece in _DIGIT:  # 零: the next digit is a unit digit
            if num is not None:
                return None
            zero = True
        elif piece in _SMALL:
            unit = _SMALL[piece]
            if unit >= small_last or (num is None and piece != "十"):
                return None
            section += (1 if num is None else num) * unit
            num, last, small_last, zero = None, unit, unit, False
        else:
            unit = _BIG[piece]
            if unit >= big_last or (num is None and section == 0):
                return None
            total += (section + (num or 0)) * unit
            section, num, last, big_last, small_last, zero = 0, None, unit, unit, _LIMIT, False
    if num is not None:
        section += num * (1 if zero or last == 1 else last // 10)
    value = total + section
    return str(value) if value < _LIMIT else None


#: Characters that may follow a number's short tail (一万五 + 人): measure words and units.
MEASURES = "个名家人位元件次条座栋幢所项种年月天岁户间台辆套张只把块米里亩倍成届期批支"
_TAIL_RE = re.compile("[百千万亿]([一二两三四五六七八九])$")
_CJK_RE = re.compile(f"[{_CJK}]")


def _numeral_at(text: str, m: re.Match[str]) -> str:
    """One numeral match in digits; a short tail (一万五) is kept only before a measure word or the end.

    So a number never reads into the next word: 3万两新组织 is 30000 + 两新组织, not 32000 + 新组织
    (the tail is then read on its own, after a space, so two numbers never run together).
    """
    s = m[0]
    tail = _TAIL_RE.search(s)
    after = text[m.end() : m.end() + 1]
    if tail and after and _CJK_RE.match(after) and after not in MEASURES:
        head = _numeral(s[:-1])
        if head is not None:
            return head + " " + (_numeral(s[-1]) or s[-1])
    return _numeral(s) or s


def numerals(folded: str) -> str:
    """Write every number in digits: 三分钟 → 3分钟, 3百多家 → 300多家, 1.5万 → 15000."""
    text = _THOUSANDS_RE.sub("\\1", folded)
    return _NUMERAL_RE.sub(lambda m: _numeral_at(text, m), text)


def normalize(text: str) -> str:
    """The matching key of ``text``: folded, numbers in digits."""
    return numerals(fold(text))


_SEP_RE = re.compile(f"[^{_CJK}{_WORD}]+")
_UNITS_RE = re.compile(f"[{_CJK}]|[{_WORD}]+")


def runs(key: str) -> list[list[str]]:
    """Split a matching key into runs of units (the same as scanning it with :data:`UNIT_RE`)."""
    return [_UNITS_RE.findall(chunk) for chunk in _SEP_RE.split(key) if chunk]


def is_word(unit: str) -> bool:
    """True for a Latin/digit unit (as opposed to a CJK character or a bigram)."""
    return _WORD_RE.fullmatch(unit) is not None


def doc_tokens(text: str, *, unigrams: bool) -> set[str]:
    """Index tokens of a document field; ``unigrams`` adds every CJK character (titles, metadata)."""
    return key_tokens(normalize(text), unigrams=unigrams)


def key_tokens(key: str, *, unigrams: bool) -> set[str]:
    """:func:`doc_tokens` of an already normalized text."""
    out: set[str] = set()
    for run in runs(key):
        if len(run) == 1 or unigrams:
            out.update(run)
        else:  # a unit is a Latin/digit word when its first character is (all are below U+0250)
            out.update(u for u in run if u[0] < "\u0250")
        out.update(map(str.__add__, run, run[1:]))
    return out


@cache
def readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character (ü written v), most common first; () if none."""
    from pypinyin import Style, pinyin

    found = pinyin(ch, style=Style.NORMAL, heteronym=True, v_to_u=False, errors=lambda _: [])  # type: ignore[arg-type,return-value]
    return tuple(dict.fromkeys(r for r in (found[0] if found else []) if r.isascii() and r.isalpha()))


def pinyin_tokens(text: str) -> set[str]:
    """Syllable bigrams (``jin'tou``) of adjacent CJK characters, every reading of each.

    Every reading (up to three) rather than the one in context: the browser reads a typed
    character in all its readings too, and the index needs no word segmentation.  Numerals stay
    characters here (一分钟 is yi'fen, fen'zhong), unlike in the bigram index.
    """
    out: set[str] = set()
    for run in runs(fold(text)):
        prev: tuple[str, ...] = ()
        for unit in run:
            cur = readings(unit)[:3] if _HAN_RE.fullmatch(unit) else ()
            out.update(f"{a}'{b}" for a in prev for b in cur)
            prev = cur
    return out


_NUMBER_RE = re.compile("(?<![0-9a-z.])([0-9]+)(?:\\.([0-9]+))?(?![0-9a-z])(.?)")
_DATE_AFTER = "年月日号"
_JOINED_RE = re.compile("[-/][0-9]")
_JOINED_BEFORE_RE = re.compile("[0-9][-/]$")


def number_tokens(key: str) -> dict[str, set[int]]:
    """Numbers of a matching key by magnitude and first digit, for approximate number queries.

    ``{"#5:2": {220}}`` for 22000: the token names the number of integer digits and the first
    digit; the value is its first three significant digits, so ``search.js`` can test a range
    (两万多 = 20000-29999, 近千 = 800-1000) to three digits after fetching one token per first
    digit.  Numbers below 10, years and dates (2023年, 12月, 2021-06, 12-13) are left out.
    """
    out: dict[str, set[int]] = {}
    for m in _NUMBER_RE.finditer(key):
        whole = m[1].lstrip("0")
        if len(whole) < 2 or (m[3] and m[3] in _DATE_AFTER):
            continue
        joined = _JOINED_RE.match(key, m.end(2) if m[2] else m.end(1))
        if joined or _JOINED_BEFORE_RE.search(key, 0, m.start()):
            continue  # one part of a date or code (12-13, 6/3): not a count
        if len(whole) == 4 and 1900 <= int(whole) <= 2100 and not (m[3] and m[3] in MEASURES):
            continue  # a year (2021-06, 2010起), unless counted (近2000个)
        digits = (whole + (m[2] or "") + "00")[:3]
        out.setdefault(f"#{len(whole)}:{whole[0]}", set()).add(int(digits))
    return out


_NAME_SPLIT_RE = re.compile(f"[^{_CJK}]+|[的与和及在里为之对把从]")


@cache
def initials(name: str) -> tuple[str, ...]:
    """Pinyin initials of the Chinese characters of ``name`` (金头盔 → jtk), read in context first.

    The reading in context (pypinyin's phrases: 长宁 cn) and each character's most common reading
    (长 zhang) may differ; both spellings are kept. Remembered per name: tags, districts and brands
    repeat across cases, and pypinyin's phrase reading is the cost of a cold index.
    """
    from pypinyin import Style, lazy_pinyin

    han = "".join(_HAN_RE.findall(fold(name)))
    if not han:
        return ()
    context = "".join(
        x[0] for x in lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore") if x.isalpha()
    )
    common = "".join(r[0][0] if r else "?" for r in map(readings, han))
    return tuple(
        c for c in dict.fromkeys([context, common]) if len(c) == len(han) and c.isalpha() and c.isascii()
    )


_OPEN_QUOTE_RE = re.compile('[“「『‘"]')
_QUOTE_RE = re.compile('[“”「」『』‘’"]')


def _quoted_names(name: str) -> list[str]:
    """A quoted name read on into the words after it, quotes dropped: 骑手“一分钟”计划 gives 一分钟计划
    (a programme or brand is usually its quoted name plus a head noun, and readers type it whole)."""
    return [_QUOTE_RE.sub("", name[m.end() :]) for m in _OPEN_QUOTE_RE.finditer(name)]


def initials_tokens(names: list[str]) -> set[str]:
    """Index tokens ``^<prefix>`` for the pinyin initials of names (titles, tags, places, brands).

    Each name is cut at punctuation and linking characters (上海中心大厦里的陆家嘴… gives
    上海中心大厦里 and 陆家嘴…); every prefix of three to ten initials is a token, so jtk finds
    金头盔 and shzx 上海中心大厦.
    """
    out: set[str] = set()
    for name in [*names, *(q for whole in names for q in _quoted_names(whole))]:
        for part in _NAME_SPLIT_RE.split(fold(name)):
            for code in initials(part):
                out.update("^" + code[:k] for k in range(3, min(len(code), 10) + 1))
    return out
