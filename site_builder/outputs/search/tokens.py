"""Segmentation shared by the index builder and the browser (``search.js`` mirrors it).

Folded text (see :func:`site_builder.textnorm.fold`) is split into *runs* of *units*.  A unit
is one CJK/kana/hangul character or one maximal Latin/digit word; anything else separates
runs.  A run yields the bigrams of adjacent units (``"b站"``, ``"外卖"``, ``"卖骑"``) and, for
a one-unit run or a Latin/digit unit, the unit itself.  The same code path runs on documents
and queries, so both sides agree by construction; ``tests/test_search_tokens.py`` checks the JS
port against this module.
"""

from __future__ import annotations

import re

from site_builder.textnorm import fold

__all__ = ["UNIT_RE", "bigrams", "runs", "tokens"]

_CJK = "\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_WORD = "0-9a-z\u00df-\u00f6\u00f8-\u024f"
#: One unit: a CJK character, or a Latin/digit word.  Mirrored in search.js.
UNIT_RE = re.compile(f"[{_CJK}]|[{_WORD}]+|([^{_CJK}{_WORD}]+)")


def runs(folded: str) -> list[list[str]]:
    """Split already-folded text into runs of units."""
    out: list[list[str]] = []
    cur: list[str] = []
    for m in UNIT_RE.finditer(folded):
        if m.group(1) is not None:
            if cur:
                out.append(cur)
                cur = []
        else:
            cur.append(m.group(0))
    if cur:
        out.append(cur)
    return out


def is_word(unit: str) -> bool:
    """True for a Latin/digit unit (as opposed to one CJK character)."""
    return len(unit) > 1 or ("0" <= unit <= "9") or ("a" <= unit <= "z") or ("\u00df" <= unit <= "\u024f")


def bigrams(run: list[str]) -> list[str]:
    """Bigrams of adjacent units in one run."""
    return [run[i] + run[i + 1] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """All index tokens of ``text`` (folded first), in order, with repeats."""
    out: list[str] = []
    for run in runs(fold(text)):
        if len(run) == 1:
            out.append(run[0])
            continue
        for i, unit in enumerate(run):
            if is_word(unit):
                out.append(unit)
            if i + 1 < len(run):
                out.append(unit + run[i + 1])
    return out
