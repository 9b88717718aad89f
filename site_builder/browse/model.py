"""The site's structure: which browse pages exist, their URLs, and which cases each lists."""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from site_builder.casefile.models import Case
from site_builder.casefile.vocab import Term as VocabTerm
from site_builder.casefile.vocab import Vocabularies

RELATED_LIMIT = 4


@dataclass
class Facet:
    """One browse dimension (district, field, ...) and its values."""

    key: str
    label: str
    url: str
    terms: list[Term] = field(default_factory=list)

    def term_for(self, name: str) -> Term:
        """The browse term with this display name."""
        return self._by_name[name]

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


def slugify_tag(text: str) -> str:
    """A readable, stable ASCII slug for a free-text Chinese tag (pinyin, hyphen-joined)."""
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(text, errors=lambda s: s)
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)
    slug = re.sub(r"-+", "-", slug).strip("-")
    return slug or "t-" + hashlib.sha1(text.encode()).hexdigest()[:8]


def newest_first(cases: Iterable[Case]) -> list[Case]:
    """Order cases by year descending, then by id, so listings are deterministic."""
    return sorted(cases, key=lambda c: (-c.year, c.id))


class SiteModel:
    """Indexes over the published cases: facets, lookups and related cases."""

    def __init__(self, cases: list[Case], vocab: Vocabularies):
        self.cases = sorted(cases, key=lambda c: c.id)
        self.vocab = vocab
        self.by_id = {c.id: c for c in self.cases}
        self.facets = {
            "district": self._facet_from_vocab(
                "district", "按区浏览", "districts/", vocab.districts.terms, lambda c: [c.district]
            ),
            "field": self._facet_from_vocab(
                "field", "按领域浏览", "fields/", vocab.fields.terms, lambda c: c.fields
            ),
            "group": self._facet_from_vocab(
                "group", "按群体浏览", "groups/", vocab.groups.terms, lambda c: c.groups
            ),
            "year": self._year_facet(),
            "tag": self._tag_facet(),
        }

    def _facet_from_vocab(
        self, key: str, label: str, url: str, terms: list[VocabTerm], values: Callable[[Case], list[str]]
    ) -> Facet:
        members: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            for v in values(case):
                members[v].append(case)
        facet = Facet(key, label, url)
        for t in terms:
            if members.get(t.name):
                facet.terms.append(Term(t.name, t.slug, f"{url}{t.slug}/", newest_first(members[t.name])))
        return facet

    def _year_facet(self) -> Facet:
        members: dict[int, list[Case]] = defaultdict(list)
        for case in self.cases:
            members[case.year].append(case)
        facet = Facet("year", "按年份浏览", "years/")
        for year in sorted(members, reverse=True):
            facet.terms.append(Term(str(year), str(year), f"years/{year}/", newest_first(members[year])))
        return facet

    def _tag_facet(self) -> Facet:
        members: dict[str, list[Case]] = defaultdict(list)
        for case in self.cases:
            for tag in case.tags:
                members[tag].append(case)
        facet = Facet("tag", "按标签浏览", "tags/")
        used: dict[str, str] = {}
        for tag in sorted(members, key=lambda t: (slugify_tag(t), t)):
            slug = slugify_tag(tag)
            if slug in used and used[slug] != tag:
                slug = f"{slug}-{hashlib.sha1(tag.encode()).hexdigest()[:6]}"
            used[slug] = tag
            facet.terms.append(Term(tag, slug, f"tags/{slug}/", newest_first(members[tag])))
        facet.terms.sort(key=lambda t: (-len(t.cases), t.slug))
        return facet

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

    def related(self, case: Case, limit: int = RELATED_LIMIT) -> list[tuple[Case, bool]]:
        """Explicit related cases first, then the most similar ones; ``(case, explicit)`` pairs.

        Similarity weighs shared fields and groups over district over tags; ties go to the
        closest year, then the id, so the choice is deterministic.
        """
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
