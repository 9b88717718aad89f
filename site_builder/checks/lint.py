"""Content lint for case files: style problems that are not schema errors.

Pure functions over already loaded cases (no MkDocs).  Each check yields a
:class:`~site_builder.errors.CaseError` with the file path, the field path (``sources[0].date``), a
message in Chinese and the line/column of the offending text.  Findings are
warnings unless ``strict=True`` (``site-builder validate --strict``) turns them
into errors.

Checks that are always errors (the site must never show them):

* pinyin in brackets after Chinese characters, e.g. ``楼宇（lóu yǔ）`` (copied from annotated pages);
* web addresses or links in any text field (only ``sources[n].url`` may hold one);
* mojibake, UTF-8 text read as Latin-1 (``ä¸Šæµ·`` for 上海).

Warnings (errors only with ``--strict``):

* traditional or variant characters in simplified text (``site_builder.textnorm``);
* half-width punctuation ``, : ; ( ) ? !`` inside Chinese sentences;
* full-width digits and letters (``２０２３``) in prose;
* a summary shorter than the title;
* duplicate or near-duplicate titles across cases;
* near-duplicate cases by content: a copy of a case under a new title (shingles of the body text).

Run through ``site-builder validate`` (``--strict`` turns warnings into errors).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel
from rapidfuzz import fuzz

from site_builder.casefile.fields import submodels
from site_builder.casefile.models import Case, field_meta, kind_of
from site_builder.casefile.yamlio import dotted_path
from site_builder.errors import CaseError, Location, Severity, display_path
from site_builder.textnorm import find_nonsimplified, fold

__all__ = [
    "DUPLICATE_BODY_SHARE",
    "DUPLICATE_TITLE_RATIO",
    "find_bracketed_pinyin",
    "find_halfwidth_punctuation",
    "find_links",
    "find_mojibake",
    "lint_bodies",
    "lint_case",
    "lint_cases",
    "lint_titles",
]

#: Two titles at least this similar (difflib ratio, after folding) are reported.
DUPLICATE_TITLE_RATIO = 0.85
#: Two cases sharing at least this share of the smaller one's body shingles are reported
#: (the 43 real cases share at most 14 % with each other).
DUPLICATE_BODY_SHARE = 0.4
SHINGLE = 5
"""Shingle length in characters: five characters are a short phrase in Chinese."""

WARNING: Severity = "warning"
ERROR: Severity = "error"

PathKey = tuple[str | int, ...]


class PositionsLike(Protocol):
    """What lint needs from ``site_builder.casefile.yamlio.Positions``."""

    path: str

    def locate(self, key: PathKey, *, prefer_key: bool = False) -> Location:
        """Return the closest known position of ``key``."""
        ...


# ---------------------------------------------------------------------------
# Character classes

_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
)
# Full-width / CJK punctuation, including the curly quotes used in Chinese text.
_CJK_PUNCT = set("，。、；：？！…—·「」『』《》〈〉【】〔〕（）“”‘’～")

_FULLWIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}


def _is_cjk(ch: str) -> bool:
    if not ch:
        return False
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def _is_cjkish(ch: str) -> bool:
    return _is_cjk(ch) or ch in _CJK_PUNCT


# Spans that are not prose: inline code, link targets, autolinks/HTML tags, bare URLs.
_NOT_PROSE = re.compile(
    r"```.*?```"  # fenced code (rare in cases)
    r"|`[^`\n]*`"  # inline code
    r"|\]\([^)\n]*\)"  # Markdown link target
    r"|<[^<>\n]+>"  # autolink or HTML tag
    r"|https?://[^\s）)」』，。]+",  # bare URL
    re.DOTALL,
)


def _mask_non_prose(text: str) -> str:
    """Replace code, link targets and URLs by spaces, keeping offsets."""
    return _NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def find_halfwidth_punctuation(text: str) -> list[tuple[int, str, str]]:
    """List half-width punctuation used inside Chinese sentences.

    Returns ``(offset, found, suggested_fullwidth)``.  A comma, colon or semicolon is reported
    between two Chinese characters (spaces around it ignored); ``?``/``!`` after a Chinese
    character at the end of a clause; a parenthesis when the text on both sides of it is
    Chinese.  Code spans, link targets and URLs are skipped, so ``1,000`` or ``a:b`` never match.
    """
    masked = _mask_non_prose(text)
    out: list[tuple[int, str, str]] = []
    n = len(masked)
    for i, ch in enumerate(masked):
        if ch not in _FULLWIDTH:
            continue
        before = masked[i - 1] if i > 0 else ""
        after = masked[i + 1] if i + 1 < n else ""
        j = i - 1
        while j >= 0 and masked[j] in " \u3000":
            j -= 1
        k = i + 1
        while k < n and masked[k] in " \u3000":
            k += 1
        prev_ns = masked[j] if j >= 0 else ""
        next_ns = masked[k] if k < n else ""
        if ch in ",:;":
            hit = _is_cjkish(prev_ns) and _is_cjkish(next_ns) and (_is_cjk(prev_ns) or _is_cjk(next_ns))
        elif ch in "?!":
            hit = _is_cjk(before) and (after in ("", "\n", " ", "\u3000") or _is_cjkish(after))
        elif ch == "(":
            hit = _is_cjk(after) and (before in ("", "\n") or _is_cjkish(before))
        else:  # ")"
            hit = _is_cjk(before) and (after in ("", "\n") or _is_cjkish(after))
        if hit:
            out.append((i, ch, _FULLWIDTH[ch]))
    return out


# ---------------------------------------------------------------------------
# Always errors: pinyin in brackets, links, mojibake

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")
_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_BRACKETED_LATIN = re.compile(
    rf"([{_CJK_CLASS}]+)[ \u3000]*([（(])[ \u3000]*"
    r"([A-Za-z\u00c0-\u024f\u1e3f]+(?:[ \u3000'’-]+[A-Za-z\u00c0-\u024f\u1e3f]+)*)[ \u3000]*[）)]"
)
_LINK = re.compile(
    r"https?://[^\s）)」』，。<>\]]*"
    r"|ftp://\S*"
    r"|www\.[^\s）)」』，。<>\]]+"
    r"|\[[^\]\n]*\]\([^)\n]*\)"
    r"|<a\s[^>]*>"
    r"|(?<![A-Za-z0-9.@_-])(?:[A-Za-z0-9-]+\.)+(?:com|cn|net|org|gov|edu|top|xyz|info|vip|cc|biz)(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_MOJIBAKE_RUN = re.compile(
    "[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)


@cache
def _all_syllables() -> frozenset[str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return frozenset(
        r.translate(_TONES).replace("ü", "v")
        for readings in pinyin_dict.values()
        for r in readings.split(",")
    )


def _syllables(ch: str) -> set[str]:
    from pypinyin import Style, pinyin

    return {s.replace("ü", "v") for s in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]}


def find_bracketed_pinyin(text: str) -> list[tuple[int, str]]:
    """``(offset, bracketed text)`` of pinyin put in brackets after the characters it spells.

    ``楼宇（lóu yǔ）`` and ``党建(dang jian)`` match; a Latin name that is not the characters'
    reading, like ``中央商务区（CBD）`` or ``B站（bilibili）``, does not.
    """
    out = []
    for m in _BRACKETED_LATIN.finditer(text):
        chars, latin = m.group(1), m.group(3)
        words = [w for w in re.split(r"[ \u3000'’-]+", latin.lower().translate(_TONES)) if w]
        toned = latin.lower() != latin.lower().translate(_TONES)
        spelled = len(words) <= len(chars) and all(
            w in _syllables(c) for w, c in zip(words, chars[len(chars) - len(words) :], strict=True)
        )
        readings = all(w in _all_syllables() for w in words)
        if (spelled and (toned or len(words) > 1 or latin.islower())) or (
            readings and (toned or (len(words) > 1 and latin.islower()))
        ):
            out.append((m.start(2), text[m.start(2) : m.end()]))
    return out


def find_links(text: str) -> list[tuple[int, str]]:
    """``(offset, text)`` of every web address, Markdown link or HTML link in ``text``."""
    return [(m.start(), m.group(0)) for m in _LINK.finditer(text)]


def find_mojibake(text: str) -> list[tuple[int, str, str]]:
    """``(offset, garbled, readable)`` where UTF-8 Chinese was decoded as Latin-1/Windows-1252."""
    out = []
    for m in _MOJIBAKE_RUN.finditer(text):
        for codec in ("cp1252", "latin-1"):
            try:
                fixed = m.group(0).encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if any(_is_cjk(ch) for ch in fixed):
                out.append((m.start(), m.group(0), fixed))
                break
    return out


_FULLWIDTH_ALNUM = re.compile("[０-９Ａ-Ｚａ-ｚ][０-９Ａ-Ｚａ-ｚ．％]*")
_TO_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


# ---------------------------------------------------------------------------
# Walking a case's text


def _not_prose() -> frozenset[str]:
    """Keys whose values are not prose (identifiers, paths, URLs, dates, numbers, choices), from the models."""
    models: list[type[BaseModel]] = [Case, *submodels().values()]
    return frozenset(
        key
        for model in models
        for key, info in model.model_fields.items()
        if kind_of(info) in ("date", "int", "number", "object", "choice", "choices")
        or field_meta(info).get("x-format") in ("url", "path", "id")
    )


# Values that are not prose: identifiers, paths, URLs, dates, numbers, choices.
_SKIP_KEYS = _not_prose()
# Verbatim titles of cited articles: punctuation is theirs, not ours.
_VERBATIM = {("sources", "title")}


def _case_data(case: Any) -> dict[str, Any]:
    if isinstance(case, Mapping):
        return dict(case)
    dump = getattr(case, "model_dump", None)
    if callable(dump):
        data = dump()
        if isinstance(data, dict):
            return data
    return {k: v for k, v in vars(case).items() if not k.startswith("_")}


def _texts(value: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, child in value.items():
            if key in _SKIP_KEYS:
                continue
            yield from _texts(child, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for i, child in enumerate(value):
            yield from _texts(child, (*path, i))


class _Locator:
    """Turn (field path, offset in the value) into a file line and column."""

    def __init__(self, shown: str, positions: PositionsLike | None, source: Path | None):
        self.shown = shown
        self.positions = positions
        self.source = source
        self._lines: list[str] | None = None

    def node(self, path: PathKey) -> tuple[int, int]:
        if self.positions is None:
            return (1, 1)
        loc = self.positions.locate(path)
        return (loc.line, loc.col)

    def lines(self) -> list[str]:
        if self._lines is None:
            try:
                self._lines = self.source.read_text(encoding="utf-8-sig").splitlines() if self.source else []
            except (OSError, UnicodeDecodeError):
                self._lines = []
        return self._lines

    def at(self, path: PathKey, value: str, offset: int) -> tuple[int, int]:
        """Best position of ``value[offset]``: find its line of text in the file near the node."""
        line, col = self.node(path)
        start = value.rfind("\n", 0, offset) + 1
        end = value.find("\n", offset)
        snippet = value[start : end if end != -1 else len(value)]
        within = offset - start
        lines = self.lines()
        if not snippet.strip() or not lines:
            return (line, col)
        # Values are cleaned (whitespace collapsed), so match on a short window around the char.
        lo = max(0, within - 8)
        window = snippet[lo : within + 8]
        first = max(0, line - 1)
        for idx in range(first, min(len(lines), first + 400)):
            hit = lines[idx].find(window, col - 1 if idx == first else 0)
            if hit != -1:
                return (idx + 1, hit + (within - lo) + 1)
        return (line, col)


def _shown_path(case: Any, positions: PositionsLike | None) -> tuple[str, Path | None]:
    source = getattr(case, "source_path", None)
    source_path = Path(source) if source else None
    if positions is not None and positions.path:
        return positions.path, source_path
    if source_path is not None:
        return display_path(source_path), source_path
    return f"cases/{getattr(case, 'id', '?')}.yaml", source_path


# ---------------------------------------------------------------------------
# Checks on one case


def lint_case(case: Any, positions: PositionsLike | None = None, *, strict: bool = False) -> list[CaseError]:
    """Lint one loaded case; ``positions`` (from ``LoadResult.positions[case.id]``) gives line/col.

    Returns findings sorted by position; severity is ``warning``, or ``error`` when ``strict``.
    """
    shown, source = _shown_path(case, positions)
    where = _Locator(shown, positions, source)
    data = _case_data(case)
    findings: list[CaseError] = []

    def add(path: PathKey, line_col: tuple[int, int], message: str, severity: Severity = WARNING) -> None:
        findings.append(
            CaseError(Location(shown, line_col[0], line_col[1]), dotted_path(path), message, severity)
        )

    for path, text in _texts(data):
        for offset, found in find_bracketed_pinyin(text):
            add(
                path,
                where.at(path, text, offset),
                f"汉字后面括号里的拼音「{found}」是从网页带进来的，请删掉",
                ERROR,
            )
        for offset, found in find_links(text):
            add(
                path,
                where.at(path, text, offset),
                f"这里不能有网址或链接「{found[:60]}」；出处的网址请写在 sources 的 url 字段里",
                ERROR,
            )
        for offset, found, readable in find_mojibake(text):
            add(
                path,
                where.at(path, text, offset),
                f"这段文字是乱码「{found[:30]}」（原文可能是「{readable[:20]}」），请从出处重新复制",
                ERROR,
            )
        for offset, found, suggestion in find_nonsimplified(text):
            add(
                path,
                where.at(path, text, offset),
                f"「{found}」是繁体字或异体字，请改为规范简体「{suggestion}」",
            )
        if tuple(p for p in path if isinstance(p, str)) in _VERBATIM:
            continue
        for m in _FULLWIDTH_ALNUM.finditer(text):
            half = m.group().translate(_TO_HALFWIDTH)
            add(
                path,
                where.at(path, text, m.start()),
                f"「{m.group()}」是全角数字或字母：请改成半角的「{half}」（切换到英文输入法再输入）",
            )
        for offset, found, suggestion in find_halfwidth_punctuation(text):
            context = text[max(0, offset - 4) : offset + 5].replace("\n", " ")
            add(
                path,
                where.at(path, text, offset),
                f"中文句子里用了半角标点「{found}」，请改为全角「{suggestion}」（…{context}…）",
            )

    title = data.get("title")
    summary = data.get("summary")
    if isinstance(title, str) and isinstance(summary, str) and len(summary) < len(title):
        add(
            ("summary",),
            where.node(("summary",)),
            f"摘要（{len(summary)} 个字）比标题（{len(title)} 个字）还短，请用一两句话完整介绍这个案例",
        )

    if strict:
        findings = [f.as_error() for f in findings]
    return sorted(findings)


# ---------------------------------------------------------------------------
# Checks across cases


def _title_key(title: str) -> str:
    folded = fold(title)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


def _similar_candidates(keys: Sequence[str], ratio: float) -> list[tuple[int, int]]:
    """Index pairs that may reach ``ratio``: a prefix filter instead of comparing every pair.

    difflib's ratio is at most its ``quick_ratio`` (character multiset overlap), so a pair that
    reaches ``ratio`` shares at least ``ceil(ratio * (la + lb) / 2)`` characters; with the length
    bound ``lb >= la * ratio / (2 - ratio)`` that is at least ``ceil(la * ratio / (2 - ratio))``.
    Two such titles must share one of the rarest ``la - that + 1`` characters of either (the
    classic prefix filter of set-similarity joins), so only titles sharing a rare character meet.
    """
    tokens = [[(ch, k) for ch, n in Counter(key).items() for k in range(n)] for key in keys]
    freq = Counter(t for toks in tokens for t in toks)
    index: dict[tuple[str, int], list[int]] = {}
    pairs: set[tuple[int, int]] = set()
    bound = ratio / (2 - ratio)
    for i, toks in enumerate(tokens):
        if not toks:
            continue
        toks.sort(key=lambda t: (freq[t], t))
        prefix = len(toks) - math.ceil(len(toks) * bound - 1e-9) + 1
        for t in toks[: max(prefix, 1)]:
            for j in index.get(t, ()):
                pairs.add((j, i))
            index.setdefault(t, []).append(i)
    return sorted(pairs)


def lint_titles(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    ratio: float = DUPLICATE_TITLE_RATIO,
    strict: bool = False,
) -> list[CaseError]:
    """Report duplicate or near-duplicate titles (similarity >= ``ratio`` after folding).

    Similarity is ``2 * LCS / (la + lb)`` (rapidfuzz's ratio, difflib's measure without its block
    heuristics). Each case with look-alikes gets one finding naming the most similar file (and how
    many more there are), so the annotation shows on whichever file a pull request touches and a
    large set of similar titles cannot flood the output.
    """
    positions = positions or {}
    keyed = []
    for case in cases:
        title = getattr(case, "title", None)
        if not isinstance(title, str):
            continue
        pos = positions.get(getattr(case, "id", ""))
        shown, _ = _shown_path(case, pos)
        keyed.append((case, _title_key(title), shown, pos))
    similar: dict[int, list[tuple[float, str, int]]] = {}
    for i, j in _similar_candidates([k for _, k, _, _ in keyed], ratio):
        score = fuzz.ratio(keyed[i][1], keyed[j][1]) / 100
        if score >= ratio - 1e-9:
            similar.setdefault(i, []).append((-score, keyed[j][2], j))
            similar.setdefault(j, []).append((-score, keyed[i][2], i))
    findings: list[CaseError] = []
    for i, matches in similar.items():
        case, key, shown, pos = keyed[i]
        matches.sort()
        neg_score, other_shown, j = matches[0]
        other = keyed[j][0]
        more = f"；另有 {len(matches) - 1} 个相似标题" if len(matches) > 1 else ""
        if key == keyed[j][1]:
            message = f"标题与 {other_shown} 的标题「{other.title}」重复，请换一个能区分的标题{more}"
        else:
            message = (
                f"标题与 {other_shown} 的标题「{other.title}」几乎相同"
                f"（相似度 {-neg_score:.0%}），请确认不是同一个案例{more}"
            )
        loc = pos.locate(("title",)) if pos is not None else Location(shown)
        findings.append(
            CaseError(Location(shown, loc.line, loc.col), "title", message, ERROR if strict else WARNING)
        )
    return sorted(findings)


def _body_shingles(case: Any) -> set[int]:
    data = _case_data(case)
    parts = [data.get("summary"), *[data.get(k) for k in _BODY_KEYS], *(data.get("highlights") or [])]
    text = "".join(ch for ch in fold("\n".join(p for p in parts if isinstance(p, str))) if ch.isalnum())
    return {hash(text[i : i + SHINGLE]) for i in range(len(text) - SHINGLE + 1)}


_BODY_KEYS = ("background", "practice", "results", "insights")


def lint_bodies(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    share: float = DUPLICATE_BODY_SHARE,
    strict: bool = False,
) -> list[CaseError]:
    """Report cases whose texts are largely the same (a case copied under a new title).

    Each case's summary, highlights and Markdown sections are cut into overlapping five-character
    shingles; two cases sharing at least ``share`` of the smaller set are reported on each title
    line. An inverted index over the shingles compares only cases that share some, and phrases
    common to many cases (boilerplate) are left out of it.
    """
    positions = positions or {}
    sets = [_body_shingles(c) for c in cases]
    index: dict[int, list[int]] = {}
    for i, shingles in enumerate(sets):
        for h in shingles:
            index.setdefault(h, []).append(i)
    common = min(max(5, len(cases) // 10), 30)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        if 1 < len(members) <= common:
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    shared[(members[a], members[b])] += 1
    best: dict[int, tuple[float, int]] = {}
    for (a, b), n in shared.items():
        smaller = min(len(sets[a]), len(sets[b]))
        if smaller < 20 or n / smaller < share:
            continue
        score = n / smaller
        for x, y in ((a, b), (b, a)):
            if x not in best or score > best[x][0]:
                best[x] = (score, y)
    findings = []
    for i, (score, j) in best.items():
        case, other = cases[i], cases[j]
        pos = positions.get(getattr(case, "id", ""))
        shown, _ = _shown_path(case, pos)
        other_shown, _ = _shown_path(other, positions.get(getattr(other, "id", "")))
        loc = pos.locate(("title",)) if pos is not None else Location(shown)
        message = (
            f"正文与 {other_shown}（「{getattr(other, 'title', '')}」）有 {score:.0%} 相同：请确认不是同一个案例换了标题。"
            "同一做法请合并成一个案例（把新内容补进原来的文件）；确是不同的案例，请用自己的话写出各自的内容"
        )
        findings.append(
            CaseError(Location(shown, loc.line, loc.col), "title", message, ERROR if strict else WARNING)
        )
    return sorted(findings)


def lint_cases(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    strict: bool = False,
) -> list[CaseError]:
    """Lint every case and compare titles across them; ``positions`` maps case id to positions."""
    positions = positions or {}
    findings: list[CaseError] = []
    for case in cases:
        findings.extend(lint_case(case, positions.get(getattr(case, "id", "")), strict=strict))
    findings.extend(lint_titles(cases, positions, strict=strict))
    findings.extend(lint_bodies(cases, positions, strict=strict))
    return sorted(findings)
