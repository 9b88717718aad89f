"""The site's structure: which browse pages exist, their URLs, and which cases each lists."""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from site_builder.browse.facets import FACETS, FacetSpec
from site_builder.browse.urls import term_url
from site_builder.cache import Memo, Store, cache_key, fingerprint
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import Term as VocabTerm
from site_builder.casefile.vocab import Vocabularies

RELATED_LIMIT = 4


@dataclass
class Facet:
    """One browse dimension (its row of the facet table) and the values cases carry."""

    spec: FacetSpec
    terms: list[Term] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The facet's key in :data:`FACETS`."""
        return self.spec.key

    @property
    def label(self) -> str:
        """Title of the facet's index page."""
        return self.spec.label

    @property
    def url(self) -> str:
        """Address of the facet's index page."""
        return self.spec.prefix

    def term_for(self, name: str) -> Term:
        """The browse term with this display name."""
        return self._by_name[name]

    def terms_of(self, case: Case) -> list[Term]:
        """The terms a case carries, in the case's own order."""
        return [self._by_name[v] for v in self.spec.values(case)]

    @cached_property
    def _by_name(self) -> dict[str, Term]:
        return {t.name: t for t in self.terms}


@dataclass
class Term:
    """One browse page: a value of a facet and the cases carrying it, newest first."""

    name: str
    slug: str
    url: str
    cases: list[Case] = field(default_factory=list)
    label: str = ""
    title: str = ""


TAG_SLUGS = Memo("slugs", lambda text: _slugify_tag(text))
"""Tag -> slug, made in this process or remembered from the last build."""


def remember_slugs(cache: Path) -> None:
    """Load the tag slugs of earlier builds, so a warm build need not import pypinyin.

    Importing pypinyin trains its phrase segmenter (~0.3 s of CPU on every build) only to
    turn the same few hundred tags into the same slugs; the slugs are keyed by the pypinyin
    version and this module's code.
    """
    TAG_SLUGS.load(cache)


def save_slugs(cache: Path) -> None:
    """Store the slugs this process used for the next build, if they changed."""
    TAG_SLUGS.save(cache)


def slugify_tag(text: str) -> str:
    """A readable, stable ASCII slug for a free-text Chinese tag (pinyin, hyphen-joined)."""
    return TAG_SLUGS(text)


def _slugify_tag(text: str) -> str:
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(text, errors=lambda s: s)
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)
    slug = re.sub(r"-+", "-", slug).strip("-")
    return slug or "t-" + hashlib.sha1(text.encode()).hexdigest()[:8]


def _year_key(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (0, value)


def _pinyin_slugs(members: dict[str, list[Case]]) -> list[tuple[str, str]]:
    """Readable, unique ASCII slugs for free-text values (a short hash separates collisions)."""
    out: list[tuple[str, str]] = []
    used: dict[str, str] = {}
    for value in sorted(members, key=lambda t: (slugify_tag(t), t)):
        slug = slugify_tag(value)
        if slug in used and used[slug] != value:
            slug = f"{slug}-{hashlib.sha1(value.encode()).hexdigest()[:6]}"
        used[slug] = value
        out.append((value, slug))
    return out


def case_digest(case: Case) -> str:
    """A hash of a case's id and values: what is cached per case is keyed on it."""
    return fingerprint(case.id, case.model_dump(mode="json"))


def newest_first(cases: Iterable[Case]) -> list[Case]:
    """Order cases by year descending, then by id, so listings are deterministic."""
    return sorted(cases, key=lambda c: (-c.year, c.id))


class SiteModel:
    """Indexes over the published cases: facets, lookups and related cases."""

    def __init__(self, cases: list[Case], vocab: Vocabularies):
        self.cases = sorted(cases, key=lambda c: c.id)
        self.vocab = vocab
        self.by_id = {c.id: c for c in self.cases}
        self._related_table: dict[str, list[tuple[Case, bool]]] = {}
        self.facets = {spec.key: self._facet(spec) for spec in FACETS}

    def _facet(self, spec: FacetSpec) -> Facet:
        members: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            for v in spec.values(case):
                members[v].append(case)
        if spec.vocab is not None:
            vocab_terms: list[VocabTerm] = getattr(self.vocab, spec.vocab).terms
            named = [(t.name, t.slug) for t in vocab_terms if members.get(t.name)]
        elif spec.order == "newest":
            named = [(v, v) for v in sorted(members, key=_year_key, reverse=True)]
        else:
            named = _pinyin_slugs(members)
        facet = Facet(spec)
        for name, slug in named:
            facet.terms.append(
                Term(
                    name,
                    slug,
                    term_url(spec.prefix, slug),
                    newest_first(members[name]),
                    label=spec.value_label.format(name=name),
                    title=spec.term_title.format(name=name),
                )
            )
        if spec.order == "count":
            facet.terms.sort(key=lambda t: (-len(t.cases), t.slug))
        return facet

    @cached_property
    def case_digests(self) -> dict[str, str]:
        """Case id -> a hash of its id and values: the key of what is cached per case."""
        return {c.id: case_digest(c) for c in self.cases}

    @cached_property
    def digest(self) -> str:
        """A hash of every published case (id and values): what site-wide pages and files read."""
        return fingerprint(sorted(self.case_digests.items()))

    def newest(self, n: int) -> list[Case]:
        """The ``n`` newest cases for the home page."""
        return newest_first(self.cases)[:n]

    @cached_property
    def _key_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = defaultdict(list)
        for i, keys in enumerate(self._case_keys):
            for k in keys:
                index[k].append(i)
        return index

    @cached_property
    def _case_keys(self) -> list[list[str]]:
        return [_keys(c) for c in self.cases]

    @cached_property
    def _position(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.cases)}

    def prepare_related(self, cache: Path) -> None:
        """Every case's related cases, from the last build when nothing they depend on changed.

        Scoring grows with the square of the number of cases (0.7 s of CPU at 3,000); the table
        depends only on each case's id, year, district, fields, groups, tags and explicit
        ``related``, so an unchanged site loads it, and a changed one computes it here once,
        before the page workers fork (they inherit it).
        """
        inputs = [[c.id, c.year, c.district, c.fields, c.groups, c.tags, c.related] for c in self.cases]
        name = f"related-{cache_key('related', RELATED_LIMIT, inputs)}.json"
        store = Store(cache, "related")
        data = store.get(name)
        table = None
        if data is not None:
            try:
                table = json.loads(data)
            except ValueError:
                table = None
        if not isinstance(table, dict) or set(table) != set(self.by_id):
            table = {c.id: [[r.id, explicit] for r, explicit in self.related(c)] for c in self.cases}
            store.put(name, json.dumps(table, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        self._related_table = {
            k: [(self.by_id[r], bool(e)) for r, e in v if r in self.by_id] for k, v in table.items()
        }

    def related(self, case: Case, limit: int = RELATED_LIMIT) -> list[tuple[Case, bool]]:
        """Explicit related cases first, then the most similar ones; ``(case, explicit)`` pairs.

        Similarity weighs shared fields and groups over district over tags; ties go to the
        closest year, then the id, so the choice is deterministic.
        """
        known = self._related_table.get(case.id) if limit == RELATED_LIMIT else None
        if known is not None and self.by_id.get(case.id) is case:
            return list(known)
        out: list[tuple[Case, bool]] = [(self.by_id[r], True) for r in case.related if r in self.by_id]
        if len(out) >= limit:
            return out[:limit]
        me = self._position[case.id]
        taken = {me, *(self._position[c.id] for c, _ in out)}
        scores: Counter[int] = Counter()
        for k in self._case_keys[me]:
            scores.update(self._weighted_members[k])  # C-speed counting; weights are repetitions
        for i in taken:
            scores.pop(i, None)
        want = limit - len(out)
        best_values = heapq.nlargest(want, scores.values())
        if not best_values:
            return out
        threshold = max(best_values[-1], 2)
        candidates = [i for i, s in scores.items() if s >= threshold]
        year, years = case.year, self._years
        candidates.sort(key=lambda i: (-scores[i], abs(years[i] - year), i))
        out.extend((self.cases[i], False) for i in candidates[:want])
        return out

    @cached_property
    def _weighted_members(self) -> dict[str, list[int]]:
        return {k: members * _WEIGHTS[k[0]] for k, members in self._key_index.items()}

    @cached_property
    def _years(self) -> list[int]:
        return [c.year for c in self.cases]


_WEIGHTS = {"f": 3, "g": 3, "d": 2, "t": 1}


def _keys(case: Case) -> list[str]:
    return (
        [f"f:{x}" for x in case.fields]
        + [f"g:{x}" for x in case.groups]
        + [f"d:{case.district}"]
        + [f"t:{x}" for x in case.tags]
    )
