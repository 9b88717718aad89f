"""Build the static search files: sharded bigram and pinyin indexes plus small metadata files.

What is searchable comes from the field registry (:func:`site_builder.casefile.fields.case_fields`:
each field's ``search`` tier), the filters from the facet table
(:data:`site_builder.browse.facets.FACETS`, rows with ``filterable``) and case addresses from
:data:`site_builder.browse.urls.CASE_PATTERN`; ``search/meta.json`` hands the last two to
``search.js``, so the JS names no field, facet or URL itself.

Files (all JSON; what the header box fetches before its first result is kept small at any size):

* ``meta.json``: format, shard counts, facet table, case URL pattern, synonyms, colloquial
  words, filler words (fixed size);
* ``i/<k>.json``: bigram index shards ``{token: [doc delta, field mask, ...]}``; a synonym group
  is one token ``~<k>`` (the cases using any word of ``synonyms[k]``), so a query fetches one
  shard for it, not one per word of the group; a colloquial entry is ``~c<k>`` (the cases using a
  word it means); ``^<letters>`` are prefixes of the pinyin initials of names (titles, tags,
  places, synonym words: ``^jtk``); ``#<digits>:<first digit>`` hold numbers as
  ``[doc delta, three significant digits * 16 + field mask, ...]`` for approximate number queries;
* ``p/<k>.json`` + ``py.json``: pinyin index and the client's character → pinyin table, fetched
  only when the strict tiers find little;
* ``m/<k>.json``: per 8 documents, what a result shows (id, title, year, facet values);
* ``f.json``: every document's facet values and year (the ``/search/`` page's filters);
* ``s/<k>.json``: summaries and highlights for snippets; ``d/<n>.json``: body text;
* ``fold/<k>.json``: the fold table (character → simplified) in shards by code point; the
  invisible characters, and which characters of the common range have an entry at all, are in
  ``meta.json``.

Documents are numbered newest first (year, then id), so that order breaks ties in ranking
without any metadata.  Everything is deterministic: the same cases give byte-identical files.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from site_builder.browse.facets import FACETS, FacetSpec
from site_builder.browse.model import case_digest
from site_builder.browse.urls import CASE_PATTERN
from site_builder.cache import Store, cache_key, fingerprint
from site_builder.casefile.fields import case_fields, field_texts
from site_builder.casefile.models import Case, Metric
from site_builder.casefile.vocab import Vocabularies
from site_builder.outputs.search.tokens import (
    initials_tokens,
    key_tokens,
    normalize,
    number_tokens,
    pinyin_tokens,
    readings,
    runs,
)
from site_builder.outputs.search.vocabulary import (
    Colloquial,
    colloquial_groups,
    load_colloquial,
    load_search_words,
)
from site_builder.textnorm import INVISIBLE_CHARS, fold, fold_table, strip_invisible

__all__ = [
    "DOC_SHARD",
    "FIELD_BODY",
    "FIELD_META",
    "FIELD_SUMMARY",
    "FIELD_TITLE",
    "SUMMARY_SHARD",
    "DocPart",
    "SearchDoc",
    "WordTables",
    "assemble_search_files",
    "build_search_files",
    "doc_part",
    "doc_parts",
    "docs_from_cases",
    "facet_table",
    "facet_values_table",
    "fnv1a",
    "load_synonyms",
    "markdown_to_text",
    "shard_count",
    "stored_word_tables",
    "update_search_files",
    "word_tables",
]

TIERS = {"title": 1, "meta": 2, "summary": 4, "body": 8}
FIELD_TITLE, FIELD_META, FIELD_SUMMARY, FIELD_BODY = (TIERS[k] for k in ("title", "meta", "summary", "body"))
SUMMARY_SHARD = 8  # documents per summary file (snippets of the 8 results shown)
DOC_SHARD = 8  # documents per result-metadata file (the header box shows 8 results)
FOLD_SHARDS = 32  # fold table files, by code point
SHARD_TARGET = 12_000  # raw bytes per index shard, before gzip
MAX_SHARDS = 16_384  # a query fetches one shard per token: keep them small at 10,000 cases
FORMAT_VERSION = 3
_ADDRESS = re.compile(r"^(?:https?://|[\w./-]+\.(?:jpe?g|png|webp|gif|avif|heic)$)", re.IGNORECASE)


@dataclass(frozen=True)
class SearchDoc:
    """One searchable document, already reduced to plain text per search tier."""

    id: str
    title: str
    year: int
    former_district: str | None
    facets: dict[str, tuple[str, ...]]
    texts: dict[str, str]
    summary: str
    highlights: tuple[str, ...]


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


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _field_text(key: str, kind: str, value: Any) -> list[str]:
    """Searchable pieces of one field value (addresses and file names are not text)."""
    if kind == "markdown":
        return [markdown_to_text(value)] if value else []
    if key == "year":
        return [f"{value}年"]
    if isinstance(value, list) and value and isinstance(value[0], Metric):
        # a metric reads as one phrase, value and unit together: 党员骑手 120名
        return [f"{m.label} {_number(m.value)}{m.unit or ''} {m.note or ''}".strip() for m in value]
    return [_clean(t) for t in field_texts(value) if not _ADDRESS.match(t.strip())]


def docs_from_cases(cases: Iterable[Case]) -> list[SearchDoc]:
    """Reduce cases to :class:`SearchDoc`, newest first (then by id).

    The caller decides whether drafts are included (the plugin shows them in ``serve`` only).
    """
    specs = [s for s in case_fields() if s.search]
    filterable = [f for f in FACETS if f.filterable]
    out = []
    for c in cases:
        texts: dict[str, list[str]] = {tier: [] for tier in TIERS}
        for spec in specs:
            assert spec.search is not None
            texts[spec.search] += _field_text(spec.key, spec.kind, getattr(c, spec.key))
        if c.former_district:
            texts["meta"].append(c.former_district)
        out.append(
            SearchDoc(
                id=c.id,
                title=_clean(c.title),
                year=c.year,
                former_district=c.former_district,
                facets={f.key: tuple(f.values(c)) for f in filterable},
                texts={tier: " ".join(t for t in parts if t) for tier, parts in texts.items()},
                summary=_clean(c.summary),
                highlights=tuple(_clean(h) for h in c.highlights),
            )
        )
    out.sort(key=lambda d: (-d.year, d.id))
    return out


def facet_table(docs: Sequence[SearchDoc], vocab: Vocabularies | None) -> list[dict[str, Any]]:
    """The filterable facets with their values in display order and value slugs.

    ``search/meta.json`` and the ``/search/`` page's checkboxes both use this order (the
    checkboxes' ``data-index`` is an index into ``values``).
    """
    return facet_values_table([d.facets for d in docs], vocab)


def facet_values_table(
    per_doc: Sequence[Mapping[str, Sequence[str]]], vocab: Vocabularies | None
) -> list[dict[str, Any]]:
    """:func:`facet_table` from each document's facet values (key -> values)."""
    out = []
    for f in FACETS:
        if not f.filterable:
            continue
        seen = {v for d in per_doc for v in d.get(f.key, ())}
        values = _ordered(f, seen, vocab)
        slugs = _slugs(f, vocab)
        out.append(
            {
                "key": f.key,
                "label": f.label,
                "name": f.name,
                "values": [
                    [v, slugs.get(v) or (v if f.slug == "value" else f"x{i}")] for i, v in enumerate(values)
                ],
            }
        )
    return out


def _terms(f: FacetSpec, vocab: Vocabularies | None) -> list[Any]:
    return list(getattr(vocab, f.vocab).terms) if vocab is not None and f.vocab else []


def _ordered(f: FacetSpec, seen: set[str], vocab: Vocabularies | None) -> list[str]:
    if f.order == "newest":
        return sorted(seen, reverse=True)
    known = [t.name for t in _terms(f, vocab)]
    return known + sorted(v for v in seen if v not in known)


def _slugs(f: FacetSpec, vocab: Vocabularies | None) -> dict[str, str]:
    return {t.name: t.slug for t in _terms(f, vocab)}


def fnv1a(token: str) -> int:
    """32-bit FNV-1a over UTF-8 bytes (``search.js`` has the same function)."""
    h = 0x811C9DC5
    for b in token.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


@cache
def load_synonyms(path: Path | None = None) -> tuple[tuple[str, ...], ...]:
    """Read ``synonyms.yaml``: groups of interchangeable words (as written)."""
    if path is None:
        raw = resources.files("site_builder").joinpath("data/synonyms.yaml").read_text(encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    return tuple(tuple(str(w) for w in group) for group in data.get("groups", []) if group)


def _synonym_groups(vocab: Vocabularies | None, extra: Sequence[Sequence[str]]) -> list[list[str]]:
    """Normalized synonym groups from synonyms.yaml and vocabulary aliases, merged when they overlap.

    Pure-ASCII vocabulary aliases (slugs, pinyin such as "pudong") are kept: readers type them.
    """
    groups: list[set[str]] = []
    sources: list[Sequence[str]] = list(extra)
    if vocab is not None:
        for v in (vocab.districts, vocab.fields, vocab.groups):
            for t in v.terms:
                sources.append([t.name, *t.aliases])
    for words in sources:
        keys = {" ".join(normalize(w).split()) for w in words}
        keys.discard("")
        if len(keys) < 2:
            continue
        merged = [g for g in groups if g & keys]
        for g in merged:
            keys |= g
            groups.remove(g)
        groups.append(keys)
    return sorted(sorted(g) for g in groups)


def shard_count(total_bytes: int) -> int:
    """Number of index shards (a power of two) for an index of ``total_bytes`` raw bytes."""
    n = 1
    while n * SHARD_TARGET < total_bytes and n < MAX_SHARDS:
        n *= 2
    return n


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _encode(postings: dict[str, dict[int, int]]) -> dict[str, list[int]]:
    """Delta-encode postings: ``[doc delta, field mask, ...]`` per token."""
    encoded: dict[str, list[int]] = {}
    for tok, per in postings.items():
        flat: list[int] = []
        prev = 0
        for n in sorted(per):
            flat += [n - prev, per[n]]
            prev = n
        encoded[tok] = flat
    return encoded


def _encode_numbers(numbers: dict[str, dict[int, dict[int, int]]]) -> dict[str, list[int]]:
    """Number tokens: ``[doc delta, digits * 16 + field mask, ...]``, a document once per value."""
    encoded: dict[str, list[int]] = {}
    for tok, per in numbers.items():
        flat: list[int] = []
        prev = 0
        for n in sorted(per):
            for digits, mask in sorted(per[n].items()):
                flat += [n - prev, digits * 16 + mask]
                prev = n
        encoded[tok] = flat
    return encoded


def _token_bytes(tok: str, flat: Sequence[int]) -> int:
    """A token's estimated share of the raw index size (what :func:`shard_count` divides)."""
    return len(tok.encode()) + 4 + 3 * len(flat)


def _index_bytes(encoded: Mapping[str, Sequence[int]]) -> int:
    return sum(_token_bytes(tok, flat) for tok, flat in encoded.items())


def _width(nshards: int) -> int:
    """Hex digits of the shard file names."""
    return len(f"{nshards - 1:x}")


def _sharded(prefix: str, encoded: dict[str, list[int]]) -> tuple[dict[str, bytes], int, int]:
    """Split encoded postings into hash shards; return files, shard count, width."""
    nshards = shard_count(_index_bytes(encoded))
    shards: dict[int, dict[str, list[int]]] = {}
    for tok, flat in encoded.items():
        shards.setdefault(fnv1a(tok) % nshards, {})[tok] = flat
    width = _width(nshards)
    files = {f"{prefix}{k:0{width}x}.json": _dumps(shards.get(k, {})) for k in range(nshards)}
    return files, nshards, width


def _pinyin_table(indexed: set[str], store: Store | None = None) -> bytes:
    """``py.json``: the client table {syllable: characters} of the common characters and those of
    the indexed text (``indexed``: the characters of every part); with ``store``, kept by that set
    of characters, and each character's readings kept too, so an edit that adds or drops a
    character looks up the readings of the characters it added only (pypinyin's lookups of a few
    thousand characters are a tenth of an edit)."""
    raw = resources.files("site_builder").joinpath("data/fold_table.json").read_text(encoding="utf-8")
    chars = {ch for ch in set(json.loads(raw).get("common", "")) | indexed if "\u3400" <= ch <= "\u9fff"}
    if store is None:
        return _dumps(_readings_table(chars, {ch: readings(ch)[:3] for ch in chars}))
    name = f"py-{cache_key('search-docs', ''.join(sorted(chars)))}.json"
    found = store.get(name)
    if found is not None:
        return found
    known_name = f"readings-{cache_key('search-docs')}.json"
    known = _load(store.get(known_name))
    per_char: dict[str, Sequence[str]] = {}
    if isinstance(known, dict):
        per_char = {ch: r for ch, r in known.items() if ch in chars and isinstance(r, list)}
    missing = chars - per_char.keys()
    per_char.update((ch, list(readings(ch)[:3])) for ch in missing)
    if missing or not isinstance(known, dict) or len(known) != len(per_char):
        store.put(known_name, _dumps(dict(sorted(per_char.items()))))
    data = _dumps(_readings_table(chars, per_char))
    store.put(name, data)
    return data


def _readings_table(chars: set[str], per_char: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{syllable: characters} of ``chars`` from each one's readings (as many as pinyin_tokens indexes)."""
    table: dict[str, set[str]] = {}
    for ch in chars:
        for syl in per_char[ch]:
            if syl.isascii() and syl.isalpha():
                table.setdefault(syl, set()).add(ch)
    return {syl: "".join(sorted(cs)) for syl, cs in sorted(table.items())}


@dataclass(frozen=True)
class DocPart:
    """What one case adds to the index: its document, postings (token -> field mask), number
    postings (token -> three significant digits -> mask), pinyin postings and the characters of
    its names and summary (for ``py.json``). A function of the case and the word tables only, so
    it is cached per case content (:func:`doc_parts`) and the index is assembled from parts."""

    doc: SearchDoc
    postings: dict[str, int]
    numbers: dict[str, dict[int, int]]
    pinyin: dict[str, int]
    chars: str

    def to_json(self) -> bytes:
        """The part as a cache entry."""
        d = self.doc
        return _dumps(
            {
                "doc": [d.id, d.title, d.year, d.former_district, d.facets, d.texts, d.summary, d.highlights],
                "t": self.postings,
                "n": {tok: sorted(per.items()) for tok, per in self.numbers.items()},
                "p": self.pinyin,
                "c": self.chars,
            }
        )

    @classmethod
    def from_json(cls, data: bytes) -> DocPart | None:
        """A part as :meth:`to_json` stored it, or None if the entry is not one."""
        try:
            raw = json.loads(data)
            i, title, year, former, facets, texts, summary, highlights = raw["doc"]
            doc = SearchDoc(
                id=str(i),
                title=str(title),
                year=int(year),
                former_district=former if isinstance(former, str) else None,
                facets={str(k): tuple(str(x) for x in v) for k, v in facets.items()},
                texts={str(k): str(v) for k, v in texts.items()},
                summary=str(summary),
                highlights=tuple(str(h) for h in highlights),
            )
            numbers = {str(tok): {int(v): int(m) for v, m in per} for tok, per in raw["n"].items()}
            postings = {str(k): int(v) for k, v in raw["t"].items()}
            pinyin = {str(k): int(v) for k, v in raw["p"].items()}
            return cls(doc, postings, numbers, pinyin, str(raw["c"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class WordTables:
    """The site-wide word tables a document's tokens depend on (normalized synonym groups from
    synonyms.yaml and the vocabularies' aliases; colloquial entries)."""

    synonyms: list[list[str]]
    colloquial: list[tuple[list[str], list[str]]]

    @cached_property
    def digest(self) -> str:
        """A hash of both tables, for the per-case cache keys."""
        return fingerprint(self.synonyms, self.colloquial)


def word_tables(
    vocab: Vocabularies | None,
    synonyms: Sequence[Sequence[str]] | None = None,
    colloquial: Sequence[Colloquial] | None = None,
) -> WordTables:
    """The word tables of a build: ``synonyms`` defaults to ``site_builder/data/synonyms.yaml`` and
    ``colloquial`` to ``site_builder/data/colloquial.yaml``."""
    syn = _synonym_groups(vocab, load_synonyms() if synonyms is None else synonyms)
    coll = colloquial_groups(load_colloquial() if colloquial is None else colloquial)
    return WordTables(syn, [(list(says), list(means)) for says, means in coll])


def stored_word_tables(vocab: Vocabularies | None, store: Store) -> WordTables:
    """:func:`word_tables` of the package's synonyms and colloquial words, kept in ``store`` (the
    files are package data, so in the key through the code; parsing them is a tenth of an edit)."""
    aliases = [
        [[t.name, *t.aliases] for t in v.terms]
        for v in ((vocab.districts, vocab.fields, vocab.groups) if vocab is not None else ())
    ]
    name = f"tables-{cache_key('search-docs', aliases)}.json"
    raw = _load(store.get(name))
    if isinstance(raw, dict) and isinstance(raw.get("s"), list) and isinstance(raw.get("c"), list):
        return WordTables(raw["s"], [(list(says), list(means)) for says, means in raw["c"]])
    tables = word_tables(vocab)
    store.put(name, _dumps({"s": tables.synonyms, "c": tables.colloquial}))
    return tables


def _load(blob: bytes | None) -> Any:
    try:
        return json.loads(blob) if blob is not None else None
    except ValueError:
        return None


def doc_part(doc: SearchDoc, tables: WordTables, like: DocPart | None = None) -> DocPart:
    """Tokenize one document: every token of every tier with the tier's bit.

    A tier's tokens depend on its text alone, so with ``like`` (an earlier part of the same case,
    made with the same tables) a tier whose text is unchanged takes its tokens from there: an edit
    of the body reads no pinyin.
    """
    syn, coll = tables.synonyms, tables.colloquial
    words = {w for group in syn for w in group} | {w for _, means in coll for w in means}
    postings: dict[str, int] = {}
    numbers: dict[str, dict[int, int]] = {}
    pinyin: dict[str, int] = {}
    chars: set[str] = set()
    for tier, bit in TIERS.items():
        text = doc.texts[tier]
        if like is not None and like.doc.texts.get(tier) == text:
            _copy_tier(like, bit, postings, numbers, pinyin)
            if tier != "body":
                chars.update(u for run in runs(fold(text)) for u in run if len(u) == 1)
            continue
        key = normalize(text)
        flat = " ".join(key.split())
        toks = key_tokens(key, unigrams=tier in ("title", "meta"))
        # a synonym group is one token, "~<index in meta.synonyms>": cases using any of its words;
        # a colloquial entry "~c<index>": cases using any of the words it means
        found = {w for w in words if w in flat}  # each word looked for once, not once per group
        hits = [k for k, group in enumerate(syn) if not found.isdisjoint(group)]
        groups = [syn[k] for k in hits]
        toks.update(f"~{k}" for k in hits)
        toks.update(f"~c{k}" for k, (_, means) in enumerate(coll) if not found.isdisjoint(means))
        if tier in ("title", "meta"):
            names = [text, *(w for group in groups for w in group if len(w) >= 3)]
            toks.update(initials_tokens(names))
        for tok in toks:
            postings[tok] = postings.get(tok, 0) | bit
        for tok, values in number_tokens(key).items():
            per_doc = numbers.setdefault(tok, {})
            for v in values:
                per_doc[v] = per_doc.get(v, 0) | bit
        if tier != "body":
            for tok in pinyin_tokens(text):
                pinyin[tok] = pinyin.get(tok, 0) | bit
            chars.update(u for run in runs(fold(text)) for u in run if len(u) == 1)
    return DocPart(doc, postings, numbers, pinyin, "".join(sorted(chars)))


def _copy_tier(
    like: DocPart,
    bit: int,
    postings: dict[str, int],
    numbers: dict[str, dict[int, int]],
    pinyin: dict[str, int],
) -> None:
    """Add the tokens ``like`` has in the tier of ``bit``."""
    for tok, mask in like.postings.items():
        if mask & bit:
            postings[tok] = postings.get(tok, 0) | bit
    for tok, values in like.numbers.items():
        for v, mask in values.items():
            if mask & bit:
                per_doc = numbers.setdefault(tok, {})
                per_doc[v] = per_doc.get(v, 0) | bit
    for tok, mask in like.pinyin.items():
        if mask & bit:
            pinyin[tok] = pinyin.get(tok, 0) | bit


def part_name(case: Case, tables: WordTables, digests: Mapping[str, str] | None = None) -> str:
    """The ``search-docs`` entry of a case's part: its content (``digests``: case id -> digest of
    its values, else computed here) and the word tables."""
    digest = digests.get(case.id) if digests is not None else None
    return f"{cache_key('search-docs', digest or case_digest(case), tables.digest)}.json"


def _stored_part(
    case: Case, name: str, tables: WordTables, store: Store, like: DocPart | None = None
) -> DocPart:
    blob = store.get(name)
    part = DocPart.from_json(blob) if blob is not None else None
    if part is None:
        part = doc_part(docs_from_cases([case])[0], tables, like)
        store.put(name, part.to_json())
    return part


def doc_parts(
    cases: Iterable[Case],
    tables: WordTables,
    *,
    store: Store | None = None,
    digests: Mapping[str, str] | None = None,
) -> list[DocPart]:
    """Every case's part of the index, newest first (then by id), as :func:`docs_from_cases` orders.

    With ``store`` each part is cached under the case's content (:func:`part_name`) and the word
    tables, so an edit tokenizes one case.
    """
    if store is None:
        parts = [doc_part(d, tables) for d in docs_from_cases(cases)]
    else:
        parts = [_stored_part(case, part_name(case, tables, digests), tables, store) for case in cases]
    parts.sort(key=lambda p: (-p.doc.year, p.doc.id))
    return parts


def build_search_files(
    cases: Iterable[Case],
    vocab: Vocabularies | None = None,
    synonyms: Sequence[Sequence[str]] | None = None,
    colloquial: Sequence[Colloquial] | None = None,
    *,
    store: Store | None = None,
    digests: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Return ``{site-relative path: content}`` for every search data file.

    ``cases`` are the published ``Case`` models; ``vocab`` supplies facet order, slugs and alias
    synonyms; ``synonyms`` defaults to ``site_builder/data/synonyms.yaml`` and ``colloquial`` to
    ``site_builder/data/colloquial.yaml``. With ``store`` (the ``search-docs`` cache) each case's
    tokens come from the cache when its content and the word tables are unchanged.
    """
    if store is not None and synonyms is None and colloquial is None:
        tables = stored_word_tables(vocab, store)
    else:
        tables = word_tables(vocab, synonyms, colloquial)
    parts = doc_parts(cases, tables, store=store, digests=digests)
    return assemble_search_files(parts, vocab, tables, store)


def assemble_search_files(
    parts: Sequence[DocPart], vocab: Vocabularies | None, tables: WordTables, store: Store | None = None
) -> dict[str, bytes]:
    """The search files from every document's part, in document order (byte-identical to
    tokenizing every case here)."""
    return _assemble(parts, vocab, tables, store)[0]


def _assemble(
    parts: Sequence[DocPart], vocab: Vocabularies | None, tables: WordTables, store: Store | None
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """:func:`assemble_search_files`, and what :func:`update_search_files` needs to change it
    later (per document: facets, year and name characters; per index: shard count and size)."""
    docs = [p.doc for p in parts]

    postings: dict[str, dict[int, int]] = {}
    numbers: dict[str, dict[int, dict[int, int]]] = {}
    pinyin: dict[str, dict[int, int]] = {}
    for n, part in enumerate(parts):
        _gather(postings, n, part.postings)
        for tok, values in part.numbers.items():
            numbers.setdefault(tok, {})[n] = values
        _gather(pinyin, n, part.pinyin)

    encoded = _encode(postings)
    encoded.update(_encode_numbers(numbers))
    pencoded = _encode(pinyin)
    files, nshards, width = _sharded("search/i/", encoded)
    pfiles, pshards, pwidth = _sharded("search/p/", pencoded)
    files.update(pfiles)
    chars: dict[str, int] = {}
    for p in parts:
        for ch in p.chars:
            chars[ch] = chars.get(ch, 0) + 1
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "ids": [d.id for d in docs],
        "years": [d.year for d in docs],
        "facets": [d.facets for d in docs],
        "chars": chars,
        "i": [nshards, _index_bytes(encoded)],
        "p": [pshards, _index_bytes(pencoded)],
        "table": _value_index([d.facets for d in docs], vocab)[0],
    }
    files.update(_doc_files(docs, vocab, tables, nshards, width, pshards, pwidth, store, chars))
    _, index_of = _value_index(state["facets"], vocab)
    for k in range(0, max(len(docs), 1), DOC_SHARD):
        files[f"search/m/{k // DOC_SHARD}.json"] = _dumps(
            [_result_entry(d, index_of) for d in docs[k : k + DOC_SHARD]]
        )
    for k in range(0, max(len(docs), 1), SUMMARY_SHARD):
        files[f"search/s/{k // SUMMARY_SHARD}.json"] = _dumps(
            [_summary_entry(d) for d in docs[k : k + SUMMARY_SHARD]]
        )
    # Full body text per document, fetched only for snippets of results matched in the body.
    for n, d in enumerate(docs):
        files[f"search/d/{n}.json"] = _dumps(d.texts["body"])
    for i in range(FOLD_SHARDS):
        files[f"search/fold/{i}.json"] = _fold_shard(i)
    return files, state


STATE_VERSION = 1


def _gather(into: dict[str, dict[int, int]], n: int, masks: Mapping[str, int]) -> None:
    """Add document ``n``'s token masks to the postings ``into`` (token -> document -> mask)."""
    for tok, mask in masks.items():
        per = into.get(tok)
        if per is None:
            into[tok] = {n: mask}
        else:
            per[n] = mask


def _value_index(per_doc: Sequence[Mapping[str, Sequence[str]]], vocab: Vocabularies | None) -> Any:
    facets = facet_values_table(per_doc, vocab)
    return facets, {f["key"]: {v[0]: i for i, v in enumerate(f["values"])} for f in facets}


def _doc_files(
    docs: Sequence[SearchDoc] | None,
    vocab: Vocabularies | None,
    tables: WordTables,
    nshards: int,
    width: int,
    pshards: int,
    pwidth: int,
    store: Store | None,
    chars: Mapping[str, int],
    *,
    years: Sequence[int] | None = None,
    per_doc: Sequence[Mapping[str, Sequence[str]]] | None = None,
) -> dict[str, bytes]:
    """``meta.json``, ``f.json`` and ``py.json``: what depends on every document at once, made
    from each document's year and facet values (``docs``, or ``years`` and ``per_doc``)."""
    if docs is not None:
        years, per_doc = [d.year for d in docs], [d.facets for d in docs]
    assert years is not None and per_doc is not None
    facets, index_of = _value_index(per_doc, vocab)
    words = load_search_words()
    files = {
        "search/meta.json": _dumps(
            {
                "v": FORMAT_VERSION,
                "docs": len(years),
                "shards": nshards,
                "width": width,
                "pinyin": {"shards": pshards, "width": pwidth},
                "docShard": DOC_SHARD,
                "foldShards": FOLD_SHARDS,
                "foldKeys": _fold_keys(),
                "invisible": INVISIBLE_CHARS,
                "sumShard": SUMMARY_SHARD,
                "caseUrl": CASE_PATTERN,
                "facets": facets,
                "synonyms": tables.synonyms,
                "colloquial": [[says, means] for says, means in tables.colloquial],
                "fillers": list(words.fillers),
                "particles": words.particles,
                "verbs": words.verbs,
                "others": {
                    "before": list(words.others_before),
                    "after": list(words.others_after),
                    "around": [list(pair) for pair in words.others_around],
                },
            }
        ),
        # Every case's facet values and year, for the /search/ page's filters and counts.
        "search/f.json": _dumps(
            {
                "year": list(years),
                "facets": {
                    f["key"]: [[index_of[f["key"]][v] for v in d[f["key"]]] for d in per_doc] for f in facets
                },
            }
        ),
        "search/py.json": _pinyin_table({ch for ch, k in chars.items() if k > 0}, store),
    }
    return files


def _result_entry(d: SearchDoc, index_of: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "year": d.year,
        "former": d.former_district or "",
        "facets": {key: [index_of[key][v] for v in vals] for key, vals in d.facets.items()},
    }


def _summary_entry(d: SearchDoc) -> list[Any]:
    return [d.summary, list(d.highlights)]


FOLD_KEYS_RANGE = (0x3400, 0xA000)  # CJK Extension A and Unified Ideographs: nearly every character typed


@cache
def _fold_keys() -> str:
    """Which characters of ``FOLD_KEYS_RANGE`` the fold table changes, one bit each (base64, least
    significant bit first): a typed character outside it needs no fold shard, so the search of a
    keystroke does not wait for one (2.6 kB gzip in ``meta.json``, fetched when the box gets focus)."""
    lo, hi = FOLD_KEYS_RANGE
    bits = bytearray((hi - lo + 7) // 8)
    for c in fold_table():
        if lo <= ord(c) < hi:
            bits[(ord(c) - lo) >> 3] |= 1 << ((ord(c) - lo) & 7)
    return base64.b64encode(bytes(bits)).decode("ascii")


@cache
def _fold_shard(i: int) -> bytes:
    """The fold table in shards by code point: a query fetches the few its characters need."""
    return _dumps("".join(c + t for c, t in fold_table().items() if ord(c) % FOLD_SHARDS == i))


# Updating an earlier index ---------------------------------------------------------------------

MAX_UPDATED_SHARE = 8
"""An update changes at most one document in this many (and at least 8): beyond that, assembling
every part afresh costs less than decoding and patching shards."""

Read = Callable[[str], "bytes | None"]


def update_search_files(
    cases: Sequence[Case],
    vocab: Vocabularies | None,
    previous: Mapping[str, Any] | None,
    read: Read,
    *,
    store: Store,
    digests: Mapping[str, str] | None = None,
) -> tuple[dict[str, bytes], dict[str, Any], bool]:
    """The search files of ``cases`` by changing an earlier build's: ``(files, state, complete)``.

    ``previous`` is the state an earlier call returned and ``read`` gives that build's files by
    path. When the documents keep their numbers (same cases in the same order) and few changed,
    only the files those documents touch are made: the index shards holding a token whose postings
    changed, their result and summary groups, their body files and the files about every document
    (``meta.json``, ``f.json``, ``py.json``); ``complete`` is then False and ``files`` holds just
    those. Otherwise every file is assembled (``complete`` True). Either way the site gets the
    bytes :func:`build_search_files` makes, and ``state`` is what the next call needs.
    """
    tables = stored_word_tables(vocab, store)
    ordered = sorted(cases, key=lambda c: (-c.year, c.id))
    names = [part_name(c, tables, digests) for c in ordered]
    if previous is not None:
        patched = _patched(ordered, names, previous, read, vocab, tables, store)
        if patched is not None:
            return patched[0], patched[1], False
    parts = [_stored_part(c, name, tables, store) for c, name in zip(ordered, names, strict=True)]
    files, state = _assemble(parts, vocab, tables, store)
    return files, {**state, "parts": names, "tables": tables.digest}, True


def _patched(
    ordered: Sequence[Case],
    names: Sequence[str],
    previous: Mapping[str, Any],
    read: Read,
    vocab: Vocabularies | None,
    tables: WordTables,
    store: Store,
) -> tuple[dict[str, bytes], dict[str, Any]] | None:
    """The changed files and new state, or None when the earlier index cannot simply be changed."""
    try:
        before = list(previous["parts"])
        same_docs = previous["ids"] == [c.id for c in ordered]
        usable = previous["v"] == STATE_VERSION and previous["tables"] == tables.digest and same_docs
        state: dict[str, Any] = {
            **previous,
            "parts": list(names),
            "years": list(previous["years"]),
            "facets": list(previous["facets"]),
            "chars": dict(previous["chars"]),
        }
        (nshards, itotal), (pshards, ptotal) = previous["i"], previous["p"]
    except (KeyError, TypeError, ValueError):
        return None
    if not usable or len(before) != len(names):
        return None
    changed = [n for n, (a, b) in enumerate(zip(before, names, strict=True)) if a != b]
    if len(changed) > max(8, len(names) // MAX_UPDATED_SHARE):
        return None
    old: dict[int, DocPart] = {}
    new: dict[int, DocPart] = {}
    for n in changed:
        blob = store.get(before[n])
        part = DocPart.from_json(blob) if blob is not None else None
        if part is None:
            return None
        old[n], new[n] = part, _stored_part(ordered[n], names[n], tables, store, like=part)
    ichanges: dict[str, dict[int, Any]] = {}
    pchanges: dict[str, dict[int, Any]] = {}
    for n in changed:
        a, b = old[n], new[n]
        if any(t.startswith("#") for t in (*a.postings, *b.postings)) or not all(
            t.startswith("#") for t in (*a.numbers, *b.numbers)
        ):
            return None  # the two kinds of index token would collide
        for mine, theirs, into in (
            (a.postings, b.postings, ichanges),
            (a.numbers, b.numbers, ichanges),
            (a.pinyin, b.pinyin, pchanges),
        ):
            for tok in mine.keys() | theirs.keys():
                if mine.get(tok) != theirs.get(tok):
                    into.setdefault(tok, {})[n] = theirs.get(tok)
    files: dict[str, bytes] = {}
    for prefix, changes, shards, total, key in (
        ("search/i/", ichanges, nshards, itotal, "i"),
        ("search/p/", pchanges, pshards, ptotal, "p"),
    ):
        made = _patched_shards(prefix, changes, shards, total, read)
        if made is None or shard_count(made[1]) != shards:
            return None  # a shard file is gone, or the index grew or shrank past a shard boundary
        files.update(made[0])
        state[key] = [shards, made[1]]
    chars = state["chars"]
    for n in changed:
        for ch in old[n].chars:
            if chars.get(ch, 0) <= 1:
                chars.pop(ch, None)
            else:
                chars[ch] -= 1
        for ch in new[n].chars:
            chars[ch] = chars.get(ch, 0) + 1
        state["years"][n] = new[n].doc.year
        state["facets"][n] = {k: list(v) for k, v in new[n].doc.facets.items()}
    table, index_of = _value_index(state["facets"], vocab)
    if table != previous["table"]:
        return None  # a facet value came or went: every result's value numbers may move
    groups: dict[str, list[Any]] = {}
    for n in changed:
        doc = new[n].doc
        for path, at, entry in (
            (f"search/m/{n // DOC_SHARD}.json", n % DOC_SHARD, _result_entry(doc, index_of)),
            (f"search/s/{n // SUMMARY_SHARD}.json", n % SUMMARY_SHARD, _summary_entry(doc)),
        ):
            if path not in groups:
                blob = read(path)
                if blob is None:
                    return None
                groups[path] = json.loads(blob)
            groups[path][at] = entry
        files[f"search/d/{n}.json"] = _dumps(doc.texts["body"])
    files.update((path, _dumps(entries)) for path, entries in groups.items())
    files.update(
        _doc_files(
            None,
            vocab,
            tables,
            nshards,
            _width(nshards),
            pshards,
            _width(pshards),
            store,
            chars,
            years=state["years"],
            per_doc=state["facets"],
        )
    )
    return files, state


def _patched_shards(
    prefix: str, changes: Mapping[str, Mapping[int, Any]], nshards: int, total: int, read: Read
) -> tuple[dict[str, bytes], int] | None:
    """The shards of ``prefix`` holding a changed token, changed (token -> document -> its new
    postings, None: gone), and the index's new size; None if a shard cannot be read."""
    width = _width(nshards)
    by_shard: dict[int, dict[str, Mapping[int, Any]]] = {}
    for tok, per in changes.items():
        by_shard.setdefault(fnv1a(tok) % nshards, {})[tok] = per
    files: dict[str, bytes] = {}
    for k, toks in sorted(by_shard.items()):
        path = f"{prefix}{k:0{width}x}.json"
        blob = read(path)
        if blob is None:
            return None
        shard = json.loads(blob)
        for tok, per in toks.items():
            number = prefix == "search/i/" and tok.startswith("#")
            flat = shard.pop(tok, None)
            if flat is not None:
                total -= _token_bytes(tok, flat)
            encoded = _reencoded(tok, flat or [], per, number=number)
            if encoded:
                shard[tok] = encoded
                total += _token_bytes(tok, encoded)
        files[path] = _dumps(shard)
    return files, total


def _reencoded(tok: str, flat: Sequence[int], per: Mapping[int, Any], *, number: bool) -> list[int]:
    """One token's postings with ``per``'s documents changed (None: removed), encoded again."""
    if number:
        numbers = _changed(_decode_numbers(flat), per)
        return _encode_numbers({tok: numbers})[tok] if numbers else []
    postings = _changed(_decode(flat), per)
    return _encode({tok: postings})[tok] if postings else []


def _changed(postings: dict[int, Any], per: Mapping[int, Any]) -> dict[int, Any]:
    for n, value in per.items():
        if value is None:
            postings.pop(n, None)
        else:
            postings[n] = value
    return postings


def _decode(flat: Sequence[int]) -> dict[int, int]:
    """:func:`_encode`'s postings of one token back: document -> field mask."""
    out: dict[int, int] = {}
    n = 0
    for i in range(0, len(flat), 2):
        n += flat[i]
        out[n] = flat[i + 1]
    return out


def _decode_numbers(flat: Sequence[int]) -> dict[int, dict[int, int]]:
    """:func:`_encode_numbers`'s postings of one token back: document -> digits -> field mask."""
    out: dict[int, dict[int, int]] = {}
    n = 0
    for i in range(0, len(flat), 2):
        n += flat[i]
        digits, mask = divmod(flat[i + 1], 16)
        out.setdefault(n, {})[digits] = mask
    return out
