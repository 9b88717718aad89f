"""Text normalization shared by search (Python and JS) and content checks.

``fold`` produces a *matching key*, not display text: NFKC (full-width -> half-width,
compatibility ideographs -> unified), lowercase, zero-width/format characters removed and
traditional / variant characters mapped to the simplified standard.  The character table is
generated from maintained data (OpenCC, char-converter, Unihan kTGH) by
``tools.foldgen`` into ``site_builder/data/fold_table.json``; the browser search
receives the same table, so both sides fold identically.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from functools import cache
from importlib import resources

__all__ = [
    "BIDI_CONTROLS",
    "INVISIBLE_CHARS",
    "INVISIBLE_RANGES",
    "describe_char",
    "find_hidden_references",
    "find_invisible",
    "find_lost_chars",
    "find_nonsimplified",
    "fold",
    "fold_table",
    "nonsimplified_table",
    "strip_invisible",
]

#: Code point ranges of characters a reader cannot see but that change what text means, how it
#: sorts or in which direction it runs: C0/C1 controls (not tab, line feed, carriage return),
#: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul and Khmer fillers,
#: Mongolian variation selectors and vowel separator, zero-width space/joiners, LRM/RLM,
#: line/paragraph separators, bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069),
#: word joiner and invisible operators, braille blank, variation selectors, BOM, interlinear
#: annotation controls, musical formatting, tag characters and ideographic variation selectors.
#: The single source for content validation (casefile.models) and for search (Python and JS).
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0008),
    (0x000B, 0x000C),
    (0x000E, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),
    (0xE0100, 0xE01EF),
)
#: The same set as one string of characters (exported verbatim to the JS side).
INVISIBLE_CHARS = "".join(chr(c) for lo, hi in INVISIBLE_RANGES for c in range(lo, hi + 1))
#: Bidi controls: they reorder the text around them (spoofing), named separately in messages.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
_INVISIBLE_RE = re.compile(
    "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in INVISIBLE_RANGES) + "]"
)
_COMPAT_IDEOGRAPH = re.compile("[\uf900-\ufaff\U0002f800-\U0002fa1f]")


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    raw = resources.files("site_builder").joinpath("data/fold_table.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return dict(data["fold"]), dict(data["nonsimplified"])


@cache
def _translation() -> dict[int, str]:
    return {ord(k): v for k, v in _tables()[0].items()}


def fold_table() -> dict[str, str]:
    """Return the character fold table (one code point -> one code point), sorted by key."""
    return dict(_tables()[0])


def nonsimplified_table() -> dict[str, str]:
    """Return {traditional/variant character: suggested simplified character}."""
    return dict(_tables()[1])


def strip_invisible(text: str) -> str:
    """Remove zero-width and other invisible format characters (use on display text too)."""
    return _INVISIBLE_RE.sub("", text)


CHINESE_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
"""Chinese digits as read in dates (models: 二〇二三年, with ○ added) and in counts (search: with 两)."""

REPLACEMENT_CHAR = "\ufffd"
"""What a decoder puts where it could not read a character: the original is lost."""
_CHAR_REFERENCE = re.compile(r"&(?:#[0-9]{1,10}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});?")


def find_lost_chars(text: str) -> list[int]:
    """Offsets of U+FFFD in ``text``: characters lost to an encoding error before the text got here."""
    return [m.start() for m in re.finditer(REPLACEMENT_CHAR, text)]


def find_hidden_references(text: str) -> list[tuple[int, str, str]]:
    """``(offset, reference, character)`` of each HTML character reference that decodes to an invisible
    or bidi character, a control character or U+FFFD.

    Markdown fields are HTML: ``&#x202e;`` there becomes a real U+202E on the page and in the
    search index, so the checks on characters must also see what the references decode to.
    """
    out = []
    for m in _CHAR_REFERENCE.finditer(text):
        decoded = html.unescape(m.group())
        if decoded == m.group():
            continue  # not a reference HTML knows: shown as typed
        bad = next((ch for ch in decoded if _INVISIBLE_RE.match(ch) or ch == REPLACEMENT_CHAR), None)
        if bad is not None:
            out.append((m.start(), m.group(), bad))
    return out


def _pictographic(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or ord(ch) >= 0x1F000


def find_invisible(text: str) -> list[tuple[int, str]]:
    """List ``(offset, char)`` of every invisible character in ``text``, for validation.

    Zero-width joiners and variation selectors that belong to an emoji sequence (after a
    pictograph, or a keycap) are part of a visible character and are not reported.
    """
    out: list[tuple[int, str]] = []
    for m in _INVISIBLE_RE.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _EMOJI_JOINERS and i > 0:
            prev = text[i - 1]
            if _pictographic(prev) or (
                prev in _EMOJI_JOINERS and any(_pictographic(c) for c in text[max(0, i - 3) : i])
            ):
                continue
            if ch != "\u200d" and prev in "0123456789#*" and text[i + 1 : i + 2] == "\u20e3":
                continue
        out.append((i, ch))
    return out


_CHAR_NAMES = {
    "\u00ad": "软连字符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
    "\u202a": "从左到右嵌入",
    "\u202b": "从右到左嵌入",
    "\u202c": "方向格式结束",
    "\u202d": "从左到右强制",
    "\u202e": "从右到左强制",
    "\u2060": "词连接符",
    "\u2066": "从左到右隔离",
    "\u2067": "从右到左隔离",
    "\u2068": "方向隔离",
    "\u2069": "方向隔离结束",
    "\u2800": "盲文空白",
    "\u3164": "韩文填充符",
    "\u115f": "韩文填充符",
    "\u1160": "韩文填充符",
    "\uffa0": "韩文填充符",
    "\ufeff": "字节顺序标记（BOM）",
    "\x00": "空字符",
    "\ufffd": "替换字符「\ufffd」，表示原来的字已丢失",
    "\x7f": "删除符",
}


def describe_char(ch: str) -> str:
    """Name a character for an editor: ``U+202E（从右到左强制）`` or ``U+0001（控制字符）``."""
    code = f"U+{ord(ch):04X}"
    name = _CHAR_NAMES.get(ch)
    if name is None:
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            name = "控制字符"
        elif 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF:
            name = "变体选择符"
        elif 0xE0000 <= ord(ch) <= 0xE007F:
            name = "标签字符"
        else:
            name = "不可见字符"
    return f"{code}（{name}）"


def fold(text: str) -> str:
    """Return the search/matching key of ``text``.

    Steps: strip invisible characters, NFKC, lowercase, map traditional and variant characters
    to simplified (e.g. ``"Ｂ站　體驗"`` -> ``"b站 体验"``).  Length-preserving for CJK text;
    NFKC may change the length of compatibility characters such as ``①`` or ``㎞``.
    """
    text = strip_invisible(text)
    if not unicodedata.is_normalized("NFKC", text):  # a quick check: most text is already NFKC
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    # NFKC can expose new invisible characters only in theory; strip again cheaply.
    return strip_invisible(text).translate(_translation())


def find_nonsimplified(text: str) -> list[tuple[int, str, str]]:
    """List traditional or variant characters in text meant to be simplified Chinese.

    Returns ``(offset, found_char, suggested_simplified)`` with ``offset`` an index into
    ``text``.  Conservative: a character is reported only if it is not itself a standard
    simplified character (通用规范汉字表 or an OpenCC ``STCharacters`` key) and not a valid
    simplified reading of itself, so 著, 乾, 於, 么, 干 are never reported.  CJK compatibility
    ideographs (U+F900..U+FAFF, U+2F800..U+2FA1F) are reported with their unified, folded form.
    """
    table = _tables()[1]
    reported = _reported_chars()
    if reported.isdisjoint(text):  # one pass in C: most texts have none
        return []
    out: list[tuple[int, str, str]] = []
    for i, ch in enumerate(text):
        if ch not in reported:
            continue
        if ch in table:
            out.append((i, ch, table[ch]))
        else:
            unified = unicodedata.normalize("NFKC", ch)
            out.append((i, ch, table.get(unified, unified)))
    return out


@cache
def _reported_chars() -> frozenset[str]:
    """Every character :func:`find_nonsimplified` reports: its table's keys and the compatibility ideographs."""
    compat = [chr(c) for lo, hi in ((0xF900, 0xFAFF), (0x2F800, 0x2FA1F)) for c in range(lo, hi + 1)]
    return frozenset(_tables()[1]) | frozenset(ch for ch in compat if _COMPAT_IDEOGRAPH.match(ch))
