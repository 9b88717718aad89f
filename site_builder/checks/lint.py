"""Content lint for case files: style problems that are not schema errors.

Pure functions over already loaded cases (no MkDocs).  Each check yields a
:class:`~site_builder.errors.CaseError` with the file path, the field path (``sources[0].date``), a
message in Chinese and the line/column of the offending text.  Findings are
warnings unless ``strict=True`` (``site-builder validate --strict``) turns them
into errors.

Checks that are always errors (the site must never show them):

* pinyin in brackets after Chinese characters, e.g. ``楼宇（lóu yǔ）`` (copied from annotated pages);
* web addresses or links in any text field (only ``sources[n].url`` may hold one);
* mojibake, UTF-8 text read as Latin-1 (``ä¸Šæµ·`` for 上海);
* a line of a text block that is a field of the case file (``  quotes:`` indented one step too far
  under ``results: |``): YAML took it, and what follows, as text of the block.

:func:`lint_errors` is the always-error part: ``validate``, the build and the preview all enforce it.

Warnings (errors only with ``--strict``):

* traditional or variant characters in simplified text (``site_builder.textnorm``);
* half-width punctuation ``, : ; ( ) ? !`` inside Chinese sentences;
* full-width digits and letters (``２０２３``) in prose;
* a summary shorter than the title;
* duplicate or near-duplicate titles across cases;
* near-duplicate cases by content: a copy of a case under a new title (shingles of the body text).
* the same figure on the metric cards of two cases (one story per case: a figure belongs to one
  case's card, others mention it in their text and link that case);
* a case whose text names another case, or says "见…案例", without that case in ``related``;
* tags no other case uses (a hint: never an error, not even with ``--strict``), with the nearest tag
  other cases use; ``validate`` over the whole folder counts them in one line, the pull request
  summary and ``validate`` on named files show them per case.

Run through ``site-builder validate`` (``--strict`` turns warnings into errors).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from site_builder.casefile.fields import submodels
from site_builder.casefile.models import Case, field_meta, kind_of
from site_builder.casefile.yamlio import dotted_path
from site_builder.checks.tags import count_tags, one_case_tags
from site_builder.errors import CaseError, Location, Severity, display_path
from site_builder.textnorm import find_nonsimplified, fold, fold_table

__all__ = [
    "DUPLICATE_BODY_SHARE",
    "DUPLICATE_TITLE_RATIO",
    "count_tags",
    "find_bracketed_pinyin",
    "find_halfwidth_punctuation",
    "find_links",
    "find_mojibake",
    "find_swallowed_keys",
    "lint_bodies",
    "lint_case",
    "lint_cases",
    "lint_errors",
    "lint_metric_figures",
    "lint_related_mentions",
    "lint_tags",
    "lint_titles",
    "nearest_tag",
    "one_case_tags",
]

#: Two titles at least this similar (difflib ratio, after folding) are reported.
DUPLICATE_TITLE_RATIO = 0.85
#: Two cases sharing at least this share of the smaller one's body shingles are reported
#: (the 43 real cases share at most 14 % with each other).
DUPLICATE_BODY_SHARE = 0.4
SHINGLE = 5
"""Shingle length in characters: five characters are a short phrase in Chinese."""
MIN_BODY_SHINGLES = 80
"""Texts shorter than this (about 85 characters) are too short to call one a copy of another."""

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
    out: list[tuple[int, str]] = []
    if "(" not in text and "（" not in text:  # the pattern needs one; its search is slow on long CJK runs
        return out
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


_KEY_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_]+)[ \t]*:(?:[ \t]|$)", re.MULTILINE)


@cache
def _case_keys() -> frozenset[str]:
    from site_builder.casefile.messages import model_for
    from site_builder.casefile.models import Case

    keys = set(Case.model_fields)
    for key in Case.model_fields:
        keys |= set(model_for((key,)).model_fields)
    return frozenset(keys)


def find_swallowed_keys(text: str) -> list[tuple[int, str]]:
    """``(offset, key)`` of each line of a block that starts with a field name of the case file.

    Indenting ``quotes:`` two spaces too far under ``results: |`` makes YAML read it and the lines
    after it as text of ``results``: the quotes vanish without an error. No case's prose starts a
    line with an English field name and a colon.
    """
    if "\n" not in text.strip():
        return []
    return [(m.start(1), m.group(1)) for m in _KEY_LINE.finditer(text) if m.group(1) in _case_keys()]


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
        for offset, key in find_swallowed_keys(text)[:1]:  # the lines after it follow the first
            block = next((p for p in reversed(path) if isinstance(p, str)), "")
            add(
                path,
                where.at(path, text, offset),
                f"从这一行「{key}:」起的内容被当成了「{block}」正文的一部分（缩进多了一级，YAML 把它们"
                f"读成了文字，页面上会原样显示）：如果「{key}」是字段，请把这几行行首多余的两个空格删掉，"
                f"让「{key}:」和「{block}:」左边对齐",
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
    from rapidfuzz import fuzz  # not at import: `validate` of unchanged cases never compares

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


_BODY_KEYS = tuple(k for k, info in Case.model_fields.items() if kind_of(info) == "markdown")


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
        if smaller < MIN_BODY_SHINGLES or n / smaller < share:
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


def own_findings(
    case: Any,
    positions: Mapping[str, PositionsLike],
    known: Mapping[str, list[CaseError]] | None,
    *,
    strict: bool = False,
) -> list[CaseError]:
    """:func:`lint_case` of one case, taken from ``known`` (the loader's per-file cache,
    ``LoadResult.findings``) when the case is there: its findings depend on its file alone."""
    found = (known or {}).get(getattr(case, "id", ""))
    if found is None:
        return lint_case(case, positions.get(getattr(case, "id", "")), strict=strict)
    return [f.as_error() for f in found] if strict else list(found)


def lint_errors(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    known: Mapping[str, list[CaseError]] | None = None,
) -> list[CaseError]:
    """The findings that are always errors (links, pinyin, mojibake, swallowed keys) of every case.

    One rule set: ``site-builder validate`` reports them with the warnings, and the build and the
    preview refuse a case with any of them, so nothing ``validate`` refuses is ever published.
    """
    positions = positions or {}
    return sorted(f for case in cases for f in own_findings(case, positions, known) if f.severity == ERROR)


_NOT_WORD = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Matching key: folded (simplified, lower case), letters and digits only."""
    if unicodedata.is_normalized("NFKC", text):
        return _NOT_WORD.sub("", text.lower().translate(_fold_translation()))
    return _NOT_WORD.sub("", fold(text))


@cache
def _fold_translation() -> dict[int, str]:
    return str.maketrans(fold_table())


#: Two metric labels about the same thing share at least this many consecutive characters.
SHARED_LABEL_RUN = 4


def _grams(key: str, n: int = SHARED_LABEL_RUN) -> set[str]:
    return {key[i : i + n] for i in range(len(key) - n + 1)} or {key}


def _specific(value: float) -> bool:
    """A figure unlikely to recur by chance (1135, 107, 98.5): not a round or small number."""
    if not float(value).is_integer():
        return True
    return abs(value) >= 100 and int(abs(value)) % 10 != 0


def _metric_text(metric: Any) -> tuple[float, str, str, str] | None:
    """``(value, unit key, unit as written, label)`` of a metric, or None when it has no number."""
    data = metric if isinstance(metric, Mapping) else _case_data(metric)
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    unit, label = str(data.get("unit") or ""), str(data.get("label") or "")
    return float(value), _key(unit), unit, label


def _figure(value: float, unit: str) -> str:
    number = f"{int(value):,}" if value.is_integer() else f"{value:g}"
    return f"{number}{unit}"


def lint_metric_figures(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    strict: bool = False,
) -> list[CaseError]:
    """Report a figure that sits on the metric cards of two cases.

    Two metrics are the same figure when value and unit are equal and either their labels share
    :data:`SHARED_LABEL_RUN` consecutive characters (after folding, punctuation ignored) or the
    value is specific enough not to recur by chance (see :func:`_specific`). Each such metric gets
    one finding naming another case with that figure, so the work is linear in the number of
    metrics and a pull request sees the warning on whichever file it touches.
    """
    positions = positions or {}
    groups: dict[tuple[float, str], list[tuple[Any, int, str, set[str]]]] = {}
    for case in cases:
        for i, metric in enumerate(getattr(case, "metrics", None) or []):
            found = _metric_text(metric)
            if found is None:
                continue
            value, unit_key, unit, label = found
            groups.setdefault((value, unit_key), []).append(
                (case, i, f"{label}：{_figure(value, unit)}", _grams(_key(label)))
            )
    findings: list[CaseError] = []
    for (value, _unit), entries in groups.items():
        if len({getattr(c, "id", id(c)) for c, _, _, _ in entries}) < 2:
            continue
        first_two: dict[str, list[tuple[Any, int, str]]] = {}
        for case, i, label, grams in entries:
            for gram in grams | ({"*"} if _specific(value) else set()):
                seen = first_two.setdefault(gram, [])
                if len(seen) < 2 and all(
                    getattr(c, "id", None) != getattr(case, "id", None) for c, _, _ in seen
                ):
                    seen.append((case, i, label))
        for case, i, label, grams in entries:
            other = None
            for gram in sorted(grams | ({"*"} if _specific(value) else set())):
                other = next(
                    (o for o in first_two[gram] if getattr(o[0], "id", None) != getattr(case, "id", None)),
                    None,
                )
                if other is not None:
                    break
            if other is None:
                continue
            pos = positions.get(getattr(case, "id", ""))
            shown, _ = _shown_path(case, pos)
            other_shown, _ = _shown_path(other[0], positions.get(getattr(other[0], "id", "")))
            loc = pos.locate(("metrics", i, "value")) if pos is not None else Location(shown)
            message = (
                f"数据卡片「{label}」与 {other_shown} 的卡片「{other[2]}」是同一个数字：一个数字只放在"
                "一个案例的卡片上，请从其中一个案例删掉这张卡片，在正文里提到它，并把另一个案例加入相关案例（related）"
            )
            findings.append(
                CaseError(
                    Location(shown, loc.line, loc.col),
                    dotted_path(("metrics", i, "value")),
                    message,
                    ERROR if strict else WARNING,
                )
            )
    return sorted(findings)


# Sentences that point the reader to other cases.
_CASE_CUE = re.compile(r"相关案例|另有案例|本站[^。；！？\n]{0,60}案例|见[^。；！？\n]{0,40}案例|详见|相衔接")
# What is left of a pointing sentence once the pointer words are cut out: the names, one a piece.
_POINTER_WORDS = re.compile(r"相关案例|另有案例|本站另有|本站分别整理为|本站整理为|详见|等案例|案例|见|等")
_NAME_SEPARATORS = re.compile(r"[、，,和及与]")
# "本站据这篇报道整理的其他案例……": every case citing the same article must be linked.
_SAME_SOURCE_CUE = re.compile(r"(这篇|同一篇|该篇?)(报道|文章)[^。；！？\n]{0,6}整理的(其他|其余|另外)")
#: A name written loosely (杨浦区互联网企业党建) still points to a title this similar (rapidfuzz ratio).
LOOSE_NAME_RATIO = 70
#: A loosely written name that could be any of more titles than this is not matched at all.
MAX_LOOSE_CANDIDATES = 200
_SENTENCE = re.compile(r"[^。；！？\n]+")
# Where a sentence's words begin: after indentation, a list marker or bold markers.
_SENTENCE_LEAD = re.compile(r"(?:\s+|[-*+>](?=\s)|\*\*)*")
# Prose a reader sees as the case's own text (quotes, titles of sources, names are not prose).
_MENTION_FIELDS = (
    "summary",
    "highlights",
    "background",
    "practice",
    "results",
    "insights",
    "how_to",
    "year_note",
)


def _mention_texts(case: Any) -> Iterator[tuple[PathKey, str]]:
    """``(field path, text)`` of the case's own prose, read field by field (no full dump)."""
    for name in _MENTION_FIELDS:
        value = case.get(name) if isinstance(case, Mapping) else getattr(case, name, None)
        if isinstance(value, str):
            yield (name,), value
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (name, i), item


_QUOTED = re.compile(r"[“「‘『]([^”」’』]+)[”」’』]")


class _NameIndex:
    """Names that each identify one case, found in a text without comparing every name.

    A name is filed under its rarest run of ``gram`` characters (rarest among all the names); for a
    text, only the names filed under a run the text contains are looked for. A name that belongs
    to several cases identifies none of them and is left out.
    """

    def __init__(self, names: Mapping[str, set[str]], gram: int) -> None:
        self._gram = gram
        usable = {n: next(iter(ids)) for n, ids in names.items() if len(ids) == 1 and len(n) >= gram}
        freq = Counter(run for n in usable for run in self._runs(n))
        self._by_run: dict[str, list[tuple[str, str]]] = {}
        for name, case_id in usable.items():
            rarest = min(self._runs(name), key=lambda run: (freq[run], run))
            self._by_run.setdefault(rarest, []).append((name, case_id))

    def _runs(self, text: str) -> set[str]:
        return {text[i : i + self._gram] for i in range(len(text) - self._gram + 1)}

    def find(self, key: str) -> list[str]:
        """Ids of the cases whose names occur in ``key``, in order of first occurrence."""
        found: dict[str, int] = {}
        for run in self._runs(key) & self._by_run.keys():
            for name, case_id in self._by_run[run]:
                where = key.find(name)
                if where != -1 and where < found.get(case_id, len(key)):
                    found[case_id] = where
        return sorted(found, key=lambda case_id: (found[case_id], case_id))


def _case_names(cases: Sequence[Any]) -> tuple[_NameIndex, _NameIndex]:
    """Names that identify a case anywhere (its title, the parts of the title split at its colon)
    and names that identify it only next to a pointer such as "见相关案例" (a quoted phrase of the
    title, e.g. “畅享驿站”)."""
    strong: dict[str, set[str]] = {}
    weak: dict[str, set[str]] = {}
    for case in cases:
        cid, title = str(getattr(case, "id", "") or ""), getattr(case, "title", None)
        if not cid or not isinstance(title, str):
            continue
        whole = _key(title)
        parts = [_key(part) for part in re.split(r"[：:]", title)] if ("：" in title or ":" in title) else []
        for name in {whole, *(part for part in parts if len(part) >= 5)}:
            strong.setdefault(name, set()).add(cid)
        for m in _QUOTED.finditer(title):
            weak.setdefault(_key(m.group(1)), set()).add(cid)
    return _NameIndex(strong, 4), _NameIndex(weak, 3)


_NAMED = (
    "正文提到了案例「{title}」（{id}），但相关案例（related）里没有它：请把 {id} 加进 related，读者才能点过去"
)
_SAME_SOURCE = (
    "正文说据同一篇报道整理的其他案例都列在相关案例中，但缺了「{title}」（{id}）：请把 {id} 加进 related，"
    "或者改掉这句话"
)
_EMPTY_RELATED = "正文让读者去看相关案例，但相关案例（related）是空的：请在 related 里写上那个案例的编号（文件名去掉 .yaml）"


def _cases_sharing_a_source(cases: Sequence[Any]) -> dict[str, set[str]]:
    """Per case id, the other cases that cite an article of the same title."""
    by_title: dict[str, set[str]] = {}
    for case in cases:
        for source in getattr(case, "sources", None) or []:
            title = source.get("title") if isinstance(source, Mapping) else getattr(source, "title", None)
            cid = str(getattr(case, "id", "") or "")
            if isinstance(title, str) and cid:
                by_title.setdefault(_key(title), set()).add(cid)
    out: dict[str, set[str]] = {}
    for ids in by_title.values():
        for cid in ids:
            out.setdefault(cid, set()).update(ids - {cid})
    return out


class _LooseNames:
    """Titles matched against names written loosely in a pointing sentence (杨浦区互联网企业党建).

    A name is compared (rapidfuzz ratio) only with the titles sharing at least half of its
    two-character runs, found through an index of those runs, so a sentence costs about the same
    on a site of 40 cases as on one of 10,000.
    """

    def __init__(self, title_keys: Mapping[str, str]) -> None:
        self._titles = dict(title_keys)
        self._pairs = {cid: _pairs(key) for cid, key in title_keys.items()}
        self._by_pair: dict[str, set[str]] = {}
        for cid, pairs in self._pairs.items():
            for pair in pairs:
                self._by_pair.setdefault(pair, set()).add(cid)

    def named(self, sentence: str, own: str) -> list[str]:
        """Cases the sentence names: each name between 、 and 和 counts for its closest title when
        that is at least :data:`LOOSE_NAME_RATIO` similar."""
        from rapidfuzz import fuzz, process

        found: list[str] = []
        for part in _NAME_SEPARATORS.split(_POINTER_WORDS.sub("、", sentence)):
            key = _key(part)
            if len(key) < 4:
                continue
            pairs = sorted(_pairs(key), key=lambda pair: (len(self._by_pair.get(pair, ())), pair))
            need = math.ceil(len(pairs) / 2)
            # A title sharing `need` of the pairs shares one of the rarest len - need + 1 of them.
            candidates = set().union(
                *(self._by_pair.get(pair, set()) for pair in pairs[: len(pairs) - need + 1])
            )
            if len(candidates) > MAX_LOOSE_CANDIDATES:
                continue  # a name this common points to no case in particular
            choices = {
                cid: self._titles[cid]
                for cid in candidates
                if cid != own and len(self._pairs[cid].intersection(pairs)) >= need
            }
            best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=LOOSE_NAME_RATIO)
            if best is not None and best[2] not in found:
                found.append(best[2])
        return found


def _pairs(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)}


#: At most this many missing related cases are reported per case; the last says how many more.
MAX_MISSING_RELATED = 3


def lint_related_mentions(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    strict: bool = False,
) -> list[CaseError]:
    """Report a case whose text points to another case that its ``related`` list lacks.

    A case is pointed to when its title (or a part of the title before or after its colon) appears
    in the text, or when a sentence that sends the reader elsewhere ("见相关案例", "本站另有案例",
    "详见", "相衔接") holds a quoted phrase found in that case's title only. A pointer that names no
    case is reported when ``related`` is empty. A sentence saying the cases drawn from the same
    article are linked ("本站据这篇报道整理的其他案例") points to every case citing that article.
    """
    positions = positions or {}
    strong, weak = _case_names(cases)
    titles = {getattr(c, "id", ""): getattr(c, "title", "") for c in cases}
    loose = _LooseNames({cid: _key(t) for cid, t in titles.items() if cid and isinstance(t, str)})
    same_source = _cases_sharing_a_source(cases)
    findings: list[CaseError] = []
    for case in cases:
        cid = getattr(case, "id", "")
        texts = list(_mention_texts(case))
        whole = "\n".join(text for _, text in texts)
        if not _CASE_CUE.search(whole) and not [o for o in strong.find(_key(whole)) if o != cid]:
            continue  # the usual case: the text points nowhere, so no sentence needs a look
        related = set(getattr(case, "related", None) or [])
        pos = positions.get(cid)
        shown, source = _shown_path(case, pos)
        where = _Locator(shown, pos, source)
        reported: set[str] = set()
        severity = ERROR if strict else WARNING
        missing: list[CaseError] = []
        for path, text in texts:
            for sentence in _SENTENCE.finditer(text):
                words = sentence.group()
                key = _key(words)
                cue = _CASE_CUE.search(words) is not None
                named: dict[str, str] = {}
                for other in strong.find(key):
                    if other != cid:
                        named.setdefault(other, _NAMED)
                if cue and _SAME_SOURCE_CUE.search(words):
                    for other in sorted(same_source.get(cid, ())):
                        named.setdefault(other, _SAME_SOURCE)
                if cue:
                    for other in weak.find(key):
                        if other != cid:
                            named.setdefault(other, _NAMED)
                    for other in loose.named(words, cid):
                        named.setdefault(other, _NAMED)
                lead = _SENTENCE_LEAD.match(words)
                at = Location(shown, *where.at(path, text, sentence.start() + (lead.end() if lead else 0)))
                for other, template in named.items():
                    if other in related or other in reported:
                        continue
                    reported.add(other)
                    message = template.format(title=titles[other], id=other)
                    missing.append(CaseError(at, dotted_path(path), message, severity))
                if cue and not named and not related and "" not in reported:
                    reported.add("")
                    missing.append(CaseError(at, dotted_path(path), _EMPTY_RELATED, severity))
        if len(missing) > MAX_MISSING_RELATED:
            last = missing[MAX_MISSING_RELATED - 1]
            more = len(missing) - MAX_MISSING_RELATED
            missing[MAX_MISSING_RELATED - 1] = replace(
                last, message=f"{last.message}；本案例另有 {more} 处类似情况"
            )
        findings.extend(missing[:MAX_MISSING_RELATED])
    return sorted(findings)


TAG_SUGGEST_CUTOFF = 50
"""How alike an existing tag must be (0-100, :func:`tag_likeness`) to be suggested for a one-case tag."""


def tag_likeness(tag: str, other: str) -> float:
    """How alike two tags read, 0-100: the better of rapidfuzz's WRatio (a tag inside a longer one,
    楼宇全覆盖 → 全覆盖) and the share of ``tag``'s characters found in ``other`` (word order differs
    in Chinese: 楼宇党支部 → 支部建在楼上); under two shared characters it is 0."""
    from rapidfuzz import fuzz

    shared = len(set(tag) & set(other))
    if shared < 2:
        return 0.0
    return max(float(fuzz.WRatio(tag, other)), 100.0 * shared / len(set(tag)))


def nearest_tag(tag: str, used: Mapping[str, int]) -> str | None:
    """The tag other cases already use that reads most like ``tag`` (``None`` when none is close);
    ties go to the tag more cases use."""
    best: tuple[float, int, str] | None = None
    for other, n in used.items():
        if other == tag:
            continue
        score = tag_likeness(tag, other)
        if score >= TAG_SUGGEST_CUTOFF and (best is None or (score, n) > best[:2]):
            best = (score, n, other)
    return best[2] if best else None


def lint_tags(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    used: Mapping[str, int] | None = None,
    only: Collection[str] | None = None,
) -> list[CaseError]:
    """One hint per case naming its tags that no other case uses: a tag page with one case leads nowhere.

    Each such tag names the nearest tag other cases use, so the hint says what to write instead.
    ``used`` counts the tags of the whole collection when ``cases`` is part of it; ``only`` limits the
    hints to those case ids (``validate`` on named files, the pull request summary's changed cases),
    so a run over the whole folder is not a wall of hints about cases nobody touched.
    """
    counts = dict(used) if used is not None else count_tags(cases)
    if sum(1 for n in counts.values() if n) < 2 and len(cases) < 2:
        return []
    findings: list[CaseError] = []
    for case in cases:
        if only is not None and getattr(case, "id", "") not in only:
            continue
        alone = [t for t in getattr(case, "tags", None) or () if counts.get(t, 0) <= 1]
        if not alone:
            continue
        pos = (positions or {}).get(getattr(case, "id", ""))
        shown, _ = _shown_path(case, pos)
        loc = pos.locate(("tags",)) if pos is not None else Location(shown)
        others = {t: n for t, n in counts.items() if n >= 2 or (n == 1 and t not in alone)}
        parts = []
        for t in alone:
            near = nearest_tag(t, others)
            parts.append(f"「{t}」（可改用「{near}」，{others[near]} 个案例在用）" if near else f"「{t}」")
        message = (
            f"标签{'、'.join(parts)}没有别的案例使用，读者点开只能看到这一个案例；"
            "请改用意思相近的已有标签（见“按标签浏览”），确是新主题的可以保留"
        )
        findings.append(CaseError(Location(shown, loc.line, loc.col), "tags", message, WARNING))
    return findings


def lint_cases(
    cases: Sequence[Any],
    positions: Mapping[str, PositionsLike] | None = None,
    *,
    strict: bool = False,
    tag_hints: Collection[str] | None = None,
    tag_counts: Mapping[str, int] | None = None,
    known: Mapping[str, list[CaseError]] | None = None,
) -> list[CaseError]:
    """Lint every case and compare cases with each other (titles, figures on the metric cards,
    related lists); ``positions`` maps case id to positions. ``tag_hints`` limits the one-case tag
    hints to those ids (empty: none), ``tag_counts`` counts tags over the whole collection, ``known``
    maps case id to the case's own findings already made (:func:`own_findings`)."""
    positions = positions or {}
    findings: list[CaseError] = []
    for case in cases:
        findings.extend(own_findings(case, positions, known, strict=strict))
    findings.extend(lint_titles(cases, positions, strict=strict))
    findings.extend(lint_bodies(cases, positions, strict=strict))
    findings.extend(lint_metric_figures(cases, positions, strict=strict))
    findings.extend(lint_related_mentions(cases, positions, strict=strict))
    findings.extend(lint_tags(cases, positions, used=tag_counts, only=tag_hints))
    return sorted(findings)
