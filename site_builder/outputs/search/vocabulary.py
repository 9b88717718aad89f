"""The search's word lists, read by Python and handed to ``search.js`` in ``search/meta.json``.

* ``data/search_words.yaml``: question and filler words (哪个, 请问, 有没有…) and particles that
  need not match; one list for both languages (the JS reads it from ``meta.json``).
* ``data/colloquial.yaml``: everyday ways readers name a case's group, place or service
  (送外卖的, 货车师傅, 歇脚) and the words the cases use for it.  Unlike a synonym group it works
  one way: typing 歇脚 finds cases that write 驿站 or 休息, but typing 驿站 does not find every
  case that writes 休息.  Editors add an entry by pull request; :func:`check_colloquial` (run by
  ``site-builder validate``) refuses an entry whose words no case uses, with its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from site_builder.casefile.models import Case
from site_builder.errors import CaseError, Location, display_path, shorten
from site_builder.outputs.search.tokens import normalize

__all__ = [
    "COLLOQUIAL_KINDS",
    "Colloquial",
    "SearchWords",
    "check_colloquial",
    "check_colloquial_cases",
    "colloquial_groups",
    "colloquial_path",
    "load_colloquial",
    "load_search_words",
]

COLLOQUIAL_KINDS = ("群体", "场所", "服务", "单位")


@dataclass(frozen=True)
class SearchWords:
    """Filler words (matched as whole words), particles and light verbs (single characters) of
    queries, and the words that set a named case aside (除了…, …之外): before and after its name."""

    fillers: tuple[str, ...]
    particles: str
    verbs: str = ""
    others_before: tuple[str, ...] = ()
    others_after: tuple[str, ...] = ()
    others_around: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Colloquial:
    """One entry of ``colloquial.yaml``: what readers say, what the cases write, and where."""

    says: tuple[str, ...]
    means: tuple[str, ...]
    kind: str
    line: int = 0
    col: int = 0


def _data(name: str) -> str:
    return resources.files("site_builder").joinpath(f"data/{name}").read_text(encoding="utf-8")


@cache
def load_search_words() -> SearchWords:
    """Read ``search_words.yaml`` (normalized like queries, longest words first)."""
    data = yaml.safe_load(_data("search_words.yaml")) or {}
    words = {normalize(str(w)).strip() for w in data.get("fillers", [])}
    words.discard("")
    others = data.get("others") or {}
    return SearchWords(
        tuple(sorted(words, key=lambda w: (-len(w), w))),
        str(data.get("particles", "")),
        str(data.get("verbs", "")),
        tuple(normalize(str(w)).strip() for w in others.get("before", [])),
        tuple(normalize(str(w)).strip() for w in others.get("after", [])),
        tuple((normalize(str(a)), normalize(str(b))) for a, b in others.get("around", [])),
    )


def colloquial_path() -> Path:
    """Where the colloquial table lives (package data, edited by pull request)."""
    return Path(str(resources.files("site_builder").joinpath("data/colloquial.yaml")))


def _words(node: yaml.Node | None) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode):
        return ()
    return tuple(str(n.value).strip() for n in node.value if isinstance(n, yaml.ScalarNode))


def _parse(text: str) -> tuple[list[Colloquial], list[tuple[int, int, str, str]]]:
    """Entries with their positions, and structural problems as (line, col, field, message)."""
    problems: list[tuple[int, int, str, str]] = []
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [], [
            (line, col, "", f"YAML 格式有误：{getattr(exc, 'problem', exc)}。请对照其他条目的写法修改")
        ]
    entries_node = None
    if isinstance(root, yaml.MappingNode):
        entries_node = next((v for k, v in root.value if k.value == "entries"), None)
    if not isinstance(entries_node, yaml.SequenceNode):
        return [], [(1, 1, "entries", "文件里要有一个 entries: 列表，每一项写 says、means 和 kind")]
    out = []
    for i, item in enumerate(entries_node.value):
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        field = f"entries[{i}]"
        if not isinstance(item, yaml.MappingNode):
            problems.append((line, col, field, "每一项要写成 says: […]、means: […]、kind: … 三行"))
            continue
        keys = {k.value: v for k, v in item.value}
        unknown = sorted(set(keys) - {"says", "means", "kind"})
        if unknown:
            problems.append(
                (line, col, field, f"不认识的键「{'、'.join(unknown)}」：只能写 says、means、kind")
            )
        says, means = _words(keys.get("says")), _words(keys.get("means"))
        kind_node = keys.get("kind")
        kind = str(kind_node.value) if isinstance(kind_node, yaml.ScalarNode) else ""
        if not says or not means:
            problems.append(
                (line, col, field, "says（读者的说法）和 means（案例里的写法）都要写，至少各一个词")
            )
            continue
        if kind not in COLLOQUIAL_KINDS:
            problems.append((line, col, f"{field}.kind", f"kind 只能是 {'、'.join(COLLOQUIAL_KINDS)} 之一"))
        out.append(Colloquial(says, means, kind, line, col))
    return out, problems


@cache
def load_colloquial(path: Path | None = None) -> tuple[Colloquial, ...]:
    """Read ``colloquial.yaml`` (entries with a problem are left out; see :func:`check_colloquial`)."""
    text = (path or colloquial_path()).read_text(encoding="utf-8")
    return tuple(_parse(text)[0])


def colloquial_groups(entries: Sequence[Colloquial]) -> list[tuple[list[str], list[str]]]:
    """Normalized (says, means) per entry, in file order: what the index and ``meta.json`` use."""
    out = []
    for e in entries:
        says = sorted({" ".join(normalize(w).split()) for w in e.says} - {""})
        means = sorted({" ".join(normalize(w).split()) for w in e.means} - {""})
        out.append((says, means))
    return out


def check_colloquial(texts: Iterable[str], path: Path | None = None) -> list[CaseError]:
    """Problems of ``colloquial.yaml`` against the published cases' searchable ``texts``.

    An entry whose ``means`` words appear in no case finds nothing, and a ``says`` word that is a
    filler word (请问, 哪里…) is ignored by the search: both are errors, located on their line.
    """
    path = path or colloquial_path()
    shown = display_path(path)
    text = path.read_text(encoding="utf-8")
    entries, problems = _parse(text)
    errors = [CaseError(Location(shown, ln, col), field, msg) for ln, col, field, msg in problems]
    haystack = [" ".join(normalize(t).split()) for t in texts]
    fillers = set(load_search_words().fillers)
    seen: dict[str, int] = {}
    for i, e in enumerate(entries):
        where = Location(shown, e.line, e.col)
        found = [w for w in e.means if any(" ".join(normalize(w).split()) in h for h in haystack)]
        if not found:
            errors.append(
                CaseError(
                    where,
                    f"entries[{i}].means",
                    f"「{shorten('、'.join(e.means))}」在已发布的案例里一个也找不到，这一条搜不到任何案例："
                    "请把 means 改成案例正文里的原词（例如标题、标签或摘要里的词），或删去这一条",
                )
            )
        for w in e.says:
            key = " ".join(normalize(w).split())
            if key in fillers:
                errors.append(
                    CaseError(
                        where, f"entries[{i}].says", f"「{w}」是搜索时会忽略的问句词，请换成有意思的说法"
                    )
                )
            elif key in seen and seen[key] != i:
                errors.append(
                    CaseError(
                        where,
                        f"entries[{i}].says",
                        f"「{w}」已经写在第 {entries[seen[key]].line} 行的条目里了，同一个说法只写一次",
                    )
                )
            seen.setdefault(key, i)
    return sorted(errors)


def check_colloquial_cases(cases: Iterable[Case], paths: Iterable[Path]) -> list[CaseError]:
    """:func:`check_colloquial` for ``site-builder validate``: when ``paths`` include the whole
    ``cases/`` folder of the repository that holds the table (CI's ``validate cases``), the table
    is checked against its published cases; any other project or selection of files is left alone.
    """
    from site_builder.outputs.search.index import docs_from_cases

    home = Path(__file__).resolve().parents[3] / "cases"  # beside the site_builder package
    if home not in {p.resolve() for p in paths}:
        return []
    docs = docs_from_cases(c for c in cases if not c.is_draft)
    return check_colloquial(" ".join(d.texts.values()) for d in docs)
