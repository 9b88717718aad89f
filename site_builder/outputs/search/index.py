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
  invisible characters are in ``meta.json``.

Documents are numbered newest first (year, then id), so that order breaks ties in ranking
without any metadata.  Everything is deterministic: the same cases give byte-identical files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from site_builder.browse.facets import FACETS, FacetSpec
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


def _sharded(prefix: str, encoded: dict[str, list[int]]) -> tuple[dict[str, bytes], int, int]:
    """Split encoded postings into hash shards; return files, shard count, width."""
    total = sum(len(tok.encode()) + 4 + 3 * len(flat) for tok, flat in encoded.items())
    nshards = shard_count(total)
    shards: dict[int, dict[str, list[int]]] = {}
    for tok, flat in encoded.items():
        shards.setdefault(fnv1a(tok) % nshards, {})[tok] = flat
    width = len(f"{nshards - 1:x}")
    files = {f"{prefix}{k:0{width}x}.json": _dumps(shards.get(k, {})) for k in range(nshards)}
    return files, nshards, width


def _pinyin_table(parts: Sequence[DocPart], store: Store | None = None) -> bytes:
    """``py.json``: the client table {syllable: characters} of the common characters and those of
    the indexed text; with ``store``, kept by that set of characters (an edit seldom adds one, and
    the readings of a few thousand characters are pypinyin lookups)."""
    raw = resources.files("site_builder").joinpath("data/fold_table.json").read_text(encoding="utf-8")
    chars = set(json.loads(raw).get("common", ""))
    for p in parts:
        chars.update(p.chars)
    name = f"py-{cache_key('search-docs', ''.join(sorted(chars)))}.json" if store is not None else ""
    found = store.get(name) if store is not None else None
    if found is not None:
        return found
    data = _dumps(_readings_table(chars))
    if store is not None:
        store.put(name, data)
    return data


def _readings_table(chars: set[str]) -> dict[str, str]:
    table: dict[str, set[str]] = {}
    for ch in chars:
        if not ("\u3400" <= ch <= "\u9fff"):
            continue
        for syl in readings(ch)[:3]:  # as many as pinyin_tokens indexes
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


def doc_part(doc: SearchDoc, tables: WordTables) -> DocPart:
    """Tokenize one document: every token of every tier with the tier's bit."""
    syn, coll = tables.synonyms, tables.colloquial
    postings: dict[str, int] = {}
    numbers: dict[str, dict[int, int]] = {}
    pinyin: dict[str, int] = {}
    chars: set[str] = set()
    for tier, bit in TIERS.items():
        text = doc.texts[tier]
        key = normalize(text)
        flat = " ".join(key.split())
        toks = key_tokens(key, unigrams=tier in ("title", "meta"))
        # a synonym group is one token, "~<index in meta.synonyms>": cases using any of its words;
        # a colloquial entry "~c<index>": cases using any of the words it means
        groups = [group for group in syn if any(w in flat for w in group)]
        toks.update(f"~{k}" for k, group in enumerate(syn) if any(w in flat for w in group))
        toks.update(f"~c{k}" for k, (_, means) in enumerate(coll) if any(w in flat for w in means))
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


def doc_parts(
    cases: Iterable[Case],
    tables: WordTables,
    *,
    store: Store | None = None,
    digests: Mapping[str, str] | None = None,
) -> list[DocPart]:
    """Every case's part of the index, newest first (then by id), as :func:`docs_from_cases` orders.

    With ``store`` each part is cached under the case's content (``digests``: case id -> digest
    of its values, else computed here) and the word tables, so an edit tokenizes one case.
    """
    if store is None:
        parts = [doc_part(d, tables) for d in docs_from_cases(cases)]
    else:
        parts = []
        for case in cases:
            digest = digests.get(case.id) if digests is not None else None
            if digest is None:
                digest = fingerprint(case.id, case.model_dump(mode="json"))
            name = f"{cache_key('search-docs', digest, tables.digest)}.json"
            blob = store.get(name)
            part = DocPart.from_json(blob) if blob is not None else None
            if part is None:
                part = doc_part(docs_from_cases([case])[0], tables)
                store.put(name, part.to_json())
            parts.append(part)
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
    docs = [p.doc for p in parts]
    syn, coll = tables.synonyms, tables.colloquial
    words = load_search_words()

    postings: dict[str, dict[int, int]] = {}
    numbers: dict[str, dict[int, dict[int, int]]] = {}
    pinyin: dict[str, dict[int, int]] = {}
    for n, part in enumerate(parts):
        for tok, mask in part.postings.items():
            per = postings.get(tok)
            if per is None:
                postings[tok] = {n: mask}
            else:
                per[n] = mask
        for tok, values in part.numbers.items():
            numbers.setdefault(tok, {})[n] = values
        for tok, mask in part.pinyin.items():
            per = pinyin.get(tok)
            if per is None:
                pinyin[tok] = {n: mask}
            else:
                per[n] = mask

    encoded = _encode(postings)
    encoded.update(_encode_numbers(numbers))
    files, nshards, width = _sharded("search/i/", encoded)
    pfiles, pshards, pwidth = _sharded("search/p/", _encode(pinyin))
    files.update(pfiles)
    facets = facet_table(docs, vocab)
    index_of = {f["key"]: {v[0]: i for i, v in enumerate(f["values"])} for f in facets}

    files["search/meta.json"] = _dumps(
        {
            "v": FORMAT_VERSION,
            "docs": len(docs),
            "shards": nshards,
            "width": width,
            "pinyin": {"shards": pshards, "width": pwidth},
            "docShard": DOC_SHARD,
            "foldShards": FOLD_SHARDS,
            "invisible": INVISIBLE_CHARS,
            "sumShard": SUMMARY_SHARD,
            "caseUrl": CASE_PATTERN,
            "facets": facets,
            "synonyms": syn,
            "colloquial": [[says, means] for says, means in coll],
            "fillers": list(words.fillers),
            "particles": words.particles,
            "verbs": words.verbs,
        }
    )
    for k in range(0, max(len(docs), 1), DOC_SHARD):
        files[f"search/m/{k // DOC_SHARD}.json"] = _dumps(
            [
                {
                    "id": d.id,
                    "title": d.title,
                    "year": d.year,
                    "former": d.former_district or "",
                    "facets": {key: [index_of[key][v] for v in vals] for key, vals in d.facets.items()},
                }
                for d in docs[k : k + DOC_SHARD]
            ]
        )
    # Every case's facet values and year, for the /search/ page's filters and counts.
    files["search/f.json"] = _dumps(
        {
            "year": [d.year for d in docs],
            "facets": {
                f["key"]: [[index_of[f["key"]][v] for v in d.facets[f["key"]]] for d in docs] for f in facets
            },
        }
    )
    for k in range(0, max(len(docs), 1), SUMMARY_SHARD):
        files[f"search/s/{k // SUMMARY_SHARD}.json"] = _dumps(
            [[d.summary, list(d.highlights)] for d in docs[k : k + SUMMARY_SHARD]]
        )
    # Full body text per document, fetched only for snippets of results matched in the body.
    for n, d in enumerate(docs):
        files[f"search/d/{n}.json"] = _dumps(d.texts["body"])
    files["search/py.json"] = _pinyin_table(parts, store)
    # The fold table in shards by code point: a query fetches the few its characters need.
    shards_of: dict[int, list[str]] = {}
    for char, target in fold_table().items():
        shards_of.setdefault(ord(char) % FOLD_SHARDS, []).append(char + target)
    for i in range(FOLD_SHARDS):
        files[f"search/fold/{i}.json"] = _dumps("".join(shards_of.get(i, [])))
    return files
