"""Controlled vocabularies (districts, fields, groups) read from one editable data file."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from site_builder.errors import InternalError


@dataclass(frozen=True)
class Term:
    """One vocabulary value with its stable ASCII slug and accepted aliases."""

    name: str
    slug: str
    aliases: tuple[str, ...] = ()
    merged_into: str | None = None


@dataclass(frozen=True)
class Resolved:
    """The outcome of looking up what an editor wrote."""

    term: Term
    former: Term | None = None


@dataclass
class Vocabulary:
    """Terms of one kind with an alias index for lenient, normalized lookup."""

    kind: str
    terms: list[Term]
    former: list[Term] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.terms}
        self._index: dict[str, tuple[Term, Term | None]] = {}
        for t in self.terms:
            for key in (t.name, t.slug, *t.aliases):
                self._index.setdefault(_key(key), (t, None))
        for f in self.former:
            current = self.by_name[f.merged_into or ""]
            for key in (f.name, f.slug, *f.aliases):
                self._index.setdefault(_key(key), (current, f))

    def resolve(self, value: str) -> Resolved | None:
        """Map a name, alias, traditional form or pinyin to the canonical term."""
        hit = self._index.get(_key(value))
        return Resolved(*hit) if hit else None

    def suggest(self, value: str) -> str | None:
        """The closest canonical name, for a did-you-mean hint."""
        keys = list(self._index)
        match = difflib.get_close_matches(_key(value), keys, n=1, cutoff=0.4)
        if match:
            return self._index[match[0]][0].name
        for t in self.terms:
            if value and (value[0] in t.name or t.name[0] in value):
                return t.name
        return None

    def names(self) -> list[str]:
        """Canonical names in file order (the order pages list them)."""
        return [t.name for t in self.terms]


@dataclass
class Vocabularies:
    """All three vocabularies of the site."""

    districts: Vocabulary
    fields: Vocabulary
    groups: Vocabulary


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "").replace("’", "'")


def _terms(raw: list[dict[str, object]]) -> list[Term]:
    out = []
    for item in raw:
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list):
            raise InternalError(f"vocabulary aliases must be a list: {item}")
        merged = item.get("merged_into")
        out.append(
            Term(
                name=str(item["name"]),
                slug=str(item["slug"]),
                aliases=tuple(str(a) for a in aliases),
                merged_into=str(merged) if merged else None,
            )
        )
    return out


DEFAULT_PATH = Path(str(resources.files("site_builder") / "data" / "vocabularies.yaml"))

_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same data, ~6x faster


@lru_cache(maxsize=4)
def load_vocabularies(path: Path = DEFAULT_PATH) -> Vocabularies:
    """Read the vocabulary file; a malformed file is our bug, not an editor's case error."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        vocab = Vocabularies(
            districts=Vocabulary(
                "district", _terms(raw["districts"]), _terms(raw.get("former_districts", []))
            ),
            fields=Vocabulary("field", _terms(raw["fields"])),
            groups=Vocabulary("group", _terms(raw["groups"])),
        )
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise InternalError(f"cannot read vocabulary file {path}: {exc}") from exc
    for v in (vocab.districts, vocab.fields, vocab.groups):
        slugs = [t.slug for t in v.terms]
        if len(set(slugs)) != len(slugs):
            raise InternalError(f"duplicate {v.kind} slugs in {path}")
    return vocab
