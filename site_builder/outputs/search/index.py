"""Build the static search files: a sharded bigram index plus small metadata files.

Everything is deterministic: documents are ordered by id, JSON is written with sorted keys
and no whitespace, so the same cases give byte-identical files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml

from site_builder.outputs.search.tokens import is_word, runs
from site_builder.textnorm import INVISIBLE_CHARS, fold, fold_table, strip_invisible

__all__ = [
    "FIELD_BODY",
    "FIELD_META",
    "FIELD_SUMMARY",
    "FIELD_TITLE",
    "SUMMARY_SHARD",
    "SearchDoc",
    "build_search_files",
    "docs_from_cases",
    "fnv1a",
    "load_synonyms",
    "markdown_to_text",
    "shard_count",
]

FIELD_TITLE = 1
FIELD_META = 2  # tags, district, locality, fields, groups
FIELD_SUMMARY = 4  # summary and highlights
FIELD_BODY = 8  # background, practice, results, insights, quotes, organizations, awards
SUMMARY_SHARD = 32  # documents per summary file
SHARD_TARGET = 12_000  # raw bytes per index shard, before gzip
FORMAT_VERSION = 1


class CaseLike(Protocol):
    """The attributes of ``site_builder.casefile.models.Case`` that search reads."""

    @property
    def id(self) -> str: ...

    title: str
    summary: str
    district: str
    locality: str | None
    fields: list[str]
    groups: list[str]
    tags: list[str]
    year: int
    organizations: list[str]
    awards: list[str]
    highlights: list[str]
    background: str | None
    practice: str
    results: str | None
    insights: str | None


class VocabLike(Protocol):
    """The part of ``site_builder.casefile.vocab.Vocabularies`` that search reads."""

    districts: Any
    fields: Any
    groups: Any


@dataclass(frozen=True)
class SearchDoc:
    """One searchable document, already reduced to plain text."""

    id: str
    title: str
    district: str
    district_slug: str
    former_district: str | None
    locality: str | None
    fields: tuple[str, ...]
    groups: tuple[str, ...]
    tags: tuple[str, ...]
    year: int
    summary: str
    highlights: tuple[str, ...]
    body: str


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(^|\n)\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)|[*_`~]+|<[^>]+>")


def markdown_to_text(md: str | None) -> str:
    """Very small Markdown -> plain text reduction for indexing (links keep their text)."""
    if not md:
        return ""
    text = _MD_LINK.sub(r"\1", md)
    text = _MD_MARK.sub(r"\1", text)
    return strip_invisible(" ".join(text.split()))


def _clean(s: str | None) -> str:
    return strip_invisible(" ".join((s or "").split()))


def docs_from_cases(cases: Iterable[Any]) -> list[SearchDoc]:
    """Reduce case models (duck-typed like ``Case``) to :class:`SearchDoc`, sorted by id.

    The caller decides whether drafts are included (the plugin shows them in ``serve`` only).
    """
    out = []
    for c in cases:
        quotes = " ".join(_clean(getattr(q, "text", "")) for q in getattr(c, "quotes", []) or [])
        body = " ".join(
            t
            for t in (
                markdown_to_text(c.background),
                markdown_to_text(c.practice),
                markdown_to_text(c.results),
                markdown_to_text(c.insights),
                quotes,
                " ".join(_clean(o) for o in c.organizations or []),
                " ".join(_clean(a) for a in c.awards or []),
            )
            if t
        )
        out.append(
            SearchDoc(
                id=c.id,
                title=_clean(c.title),
                district=_clean(c.district),
                district_slug=str(getattr(c, "district_slug", "") or ""),
                former_district=_clean(getattr(c, "former_district", None)) or None,
                locality=_clean(c.locality) or None,
                fields=tuple(_clean(f) for f in c.fields),
                groups=tuple(_clean(g) for g in c.groups),
                tags=tuple(_clean(t) for t in c.tags),
                year=int(c.year),
                summary=_clean(c.summary),
                highlights=tuple(_clean(h) for h in c.highlights or []),
                body=body,
            )
        )
    out.sort(key=lambda d: d.id)
    return out


def fnv1a(token: str) -> int:
    """32-bit FNV-1a over UTF-8 bytes (``search.js`` has the same function)."""
    h = 0x811C9DC5
    for b in token.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _doc_tokens(text: str, *, cjk_unigrams: bool) -> set[str]:
    out: set[str] = set()
    for run in runs(fold(text)):
        for i, unit in enumerate(run):
            if len(run) == 1 or is_word(unit) or cjk_unigrams:
                out.add(unit)
            if i + 1 < len(run):
                out.add(unit + run[i + 1])
    return out


def _doc_fields(d: SearchDoc) -> list[tuple[int, str]]:
    meta = [*d.tags, d.district, *d.fields, *d.groups, f"{d.year}年"]
    if d.former_district:
        meta.append(d.former_district)
    if d.locality:
        meta.append(d.locality)
    return [
        (FIELD_TITLE, d.title),
        (FIELD_META, " ".join(meta)),
        (FIELD_SUMMARY, " ".join([d.summary, *d.highlights])),
        (FIELD_BODY, d.body),
    ]


@cache
def load_synonyms(path: Path | None = None) -> tuple[tuple[str, ...], ...]:
    """Read ``synonyms.yaml``: groups of interchangeable words (as written)."""
    if path is None:
        raw = resources.files("site_builder").joinpath("data/synonyms.yaml").read_text(encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    return tuple(tuple(str(w) for w in group) for group in data.get("groups", []) if group)


def _synonym_groups(vocab: VocabLike | None, extra: Sequence[Sequence[str]]) -> list[list[str]]:
    """Folded synonym groups from synonyms.yaml and vocabulary aliases, merged when they overlap."""
    groups: list[set[str]] = []
    sources: list[Sequence[str]] = list(extra)
    if vocab is not None:
        for v in (vocab.districts, vocab.fields, vocab.groups):
            for t in v.terms:
                sources.append([t.name, *t.aliases])
    for words in sources:
        folded = {" ".join(fold(w).split()) for w in words}
        # Pure-ASCII aliases such as slugs or pinyin ("pudong") are too loose for synonyms,
        # except words editors listed explicitly in synonyms.yaml.
        folded = {w for w in folded if w}
        if len(folded) < 2:
            continue
        merged = [g for g in groups if g & folded]
        for g in merged:
            folded |= g
            groups.remove(g)
        groups.append(folded)
    return sorted(sorted(g) for g in groups)


def shard_count(total_bytes: int) -> int:
    """Number of index shards (a power of two) for an index of ``total_bytes`` raw bytes."""
    n = 1
    while n * SHARD_TARGET < total_bytes and n < 4096:
        n *= 2
    return n


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def build_search_files(
    cases: Iterable[Any], vocab: VocabLike | None = None, synonyms: Sequence[Sequence[str]] | None = None
) -> dict[str, bytes]:
    """Return ``{site-relative path: content}`` for every search data file.

    ``cases`` are ``Case`` models (as published by the caller); ``vocab`` supplies facet order, slugs
    and alias synonyms; ``synonyms`` defaults to ``site_builder/data/synonyms.yaml``.
    """
    docs = docs_from_cases(cases)
    syn = _synonym_groups(vocab, load_synonyms() if synonyms is None else synonyms)

    postings: dict[str, dict[int, int]] = {}
    for n, d in enumerate(docs):
        for field, text in _doc_fields(d):
            for tok in _doc_tokens(text, cjk_unigrams=field in (FIELD_TITLE, FIELD_META)):
                per = postings.setdefault(tok, {})
                per[n] = per.get(n, 0) | field

    encoded: dict[str, list[int]] = {}
    total = 0
    for tok, per in postings.items():
        flat: list[int] = []
        prev = 0
        for n in sorted(per):
            flat += [n - prev, per[n]]
            prev = n
        encoded[tok] = flat
        total += len(tok.encode()) + 4 + 3 * len(flat)
    nshards = shard_count(total)
    shards: dict[int, dict[str, list[int]]] = {}
    for tok, flat in encoded.items():
        shards.setdefault(fnv1a(tok) % nshards, {})[tok] = flat

    files: dict[str, bytes] = {}
    width = len(f"{nshards - 1:x}")
    for k in range(nshards):
        files[f"search/i/{k:0{width}x}.json"] = _dumps(shards.get(k, {}))

    def facet(values: Iterable[str], known: list[str]) -> list[str]:
        extra = sorted({v for v in values if v not in known})
        return known + extra

    def names(v: Any) -> list[str]:
        return [t.name for t in v.terms] if v is not None else []

    def slugs(v: Any) -> dict[str, str]:
        return {t.name: t.slug for t in v.terms} if v is not None else {}

    districts = facet((d.district for d in docs), names(vocab.districts if vocab else None))
    fields_ = facet((f for d in docs for f in d.fields), names(vocab.fields if vocab else None))
    groups_ = facet((g for d in docs for g in d.groups), names(vocab.groups if vocab else None))
    dslug = slugs(vocab.districts if vocab else None)
    fslug = slugs(vocab.fields if vocab else None)
    gslug = slugs(vocab.groups if vocab else None)

    def with_slugs(values: list[str], table: dict[str, str]) -> list[list[str]]:
        return [[v, table.get(v) or f"x{i}"] for i, v in enumerate(values)]

    meta = {
        "v": FORMAT_VERSION,
        "shards": nshards,
        "width": width,
        "sumShard": SUMMARY_SHARD,
        "districts": with_slugs(districts, dslug),
        "fields": with_slugs(fields_, fslug),
        "groups": with_slugs(groups_, gslug),
        "synonyms": syn,
        # [id, title, district index, year, field indexes, group indexes, tags, former district,
        #  folded title or 0, folded tags or 0]
        "docs": [
            [
                d.id,
                d.title,
                districts.index(d.district),
                d.year,
                [fields_.index(f) for f in d.fields],
                [groups_.index(g) for g in d.groups],
                list(d.tags),
                d.former_district or "",
                # folded title and tags, only when folding changes them (phrase ranking)
                fold(d.title) if fold(d.title) != d.title else 0,
                [fold(t) for t in d.tags] if any(fold(t) != t for t in d.tags) else 0,
            ]
            for d in docs
        ],
    }
    files["search/meta.json"] = _dumps(meta)
    for k in range(0, max(len(docs), 1), SUMMARY_SHARD):
        chunk = docs[k : k + SUMMARY_SHARD]
        files[f"search/s/{k // SUMMARY_SHARD}.json"] = _dumps(
            [[d.summary, list(d.highlights)] for d in chunk]
        )
    # Full body text per document, fetched only for snippets of results matched in the body.
    for n, d in enumerate(docs):
        files[f"search/d/{n}.json"] = _dumps(d.body)
    table = fold_table()
    files["search/fold.json"] = _dumps(
        {"invisible": INVISIBLE_CHARS, "map": "".join(k + v for k, v in table.items())}
    )
    return files
