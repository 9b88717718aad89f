"""Text normalization shared by search (Python and JS) and content checks.

``fold`` produces a *matching key*, not display text: NFKC (full-width -> half-width,
compatibility ideographs -> unified), lowercase, zero-width/format characters removed and
traditional / variant characters mapped to the simplified standard.  The character table is
generated from maintained data (OpenCC, char-converter, Unihan kTGH) by
``tools.foldgen`` into ``site_builder/data/fold_table.json``; the browser search
receives the same table, so both sides fold identically.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources

__all__ = [
    "INVISIBLE_CHARS",
    "find_nonsimplified",
    "fold",
    "fold_table",
    "nonsimplified_table",
    "strip_invisible",
]

#: Invisible characters removed before anything else (zero-width space/joiners, soft hyphen,
#: bidi controls, word joiner, BOM ...).  Exported verbatim to the JS side.
INVISIBLE_CHARS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d"
    "\ufe0e\ufe0f\ufeff\uffa0"
)
_INVISIBLE_RE = re.compile("[" + re.escape(INVISIBLE_CHARS) + "]")
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


def fold(text: str) -> str:
    """Return the search/matching key of ``text``.

    Steps: strip invisible characters, NFKC, lowercase, map traditional and variant characters
    to simplified (e.g. ``"Ｂ站　體驗"`` -> ``"b站 体验"``).  Length-preserving for CJK text;
    NFKC may change the length of compatibility characters such as ``①`` or ``㎞``.
    """
    text = unicodedata.normalize("NFKC", strip_invisible(text)).lower()
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
    out: list[tuple[int, str, str]] = []
    for i, ch in enumerate(text):
        if ch in table:
            out.append((i, ch, table[ch]))
        elif _COMPAT_IDEOGRAPH.match(ch):
            unified = unicodedata.normalize("NFKC", ch)
            out.append((i, ch, table.get(unified, unified)))
    return out
