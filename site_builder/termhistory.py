"""Addresses that last, for browse pages: what became of every facet term page the site published.

Editors rename, merge and drop tags (and now and then a district, field, group or year changes), and
each time the page ``tags/<slug>/`` of a term no case carries any more would answer 404, though
readers bookmarked it and search engines list it. So the build leaves, at the address of every
facet term the cases once carried and no longer produce, a redirect page:

- to the current term that replaced it, when that is clear: the cases that carried the old term
  now carry it (most of them, and more of them than any other term), or they took it on in the same
  change that dropped the old one (a rename or merge);
- else to the facet's index page (``tags/``), saying in Chinese where the topic went.

The former terms come from git history: ``git log --first-parent --raw`` over the cases folder
names every version (blob) a case file had on the published branch (a pull request's own commits
count as the merge that brought them, so a tag renamed before merging never had a page), ``git cat-file --batch`` reads the ones not seen before, and
each blob's facet values are cached by its sha, so a new commit reads only its own blobs. The
history's summary is cached by the HEAD commit, as :mod:`site_builder.history` does for case ids.
Without git, or in a shallow clone, the record is incomplete and says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.browse import urls
from site_builder.browse.facets import FACET_BY_KEY, FACETS, FacetSpec
from site_builder.browse.model import SiteModel, slugify_tag
from site_builder.cache import Store, cache_key, cache_root
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import Vocabularies, load_vocabularies

_GIT_TIMEOUT = 120
"""Seconds ``git cat-file --batch`` may take (every version of every case file, once)."""
_NULL_SHA = "0" * 40

BlobTerms = dict[str, list[str]] | None
"""One case file version's values per facet key; None for a draft or a file that is not a case."""


@dataclass(frozen=True)
class TermRecord:
    """One facet value some version of some case carried."""

    facet: str
    name: str
    carriers: tuple[str, ...]
    """The ids (as they were then) of the cases that carried it."""
    gained: tuple[tuple[str, int], ...] = ()
    """Values of the same facet its carriers took on in the change that dropped it, with counts."""
    slug: str = ""
    """The pinyin slug of a free-text value (kept with the history: no pypinyin import on a warm build)."""


@dataclass(frozen=True)
class TermHistory:
    """Every facet value the case files carried in git history, and how complete that record is."""

    records: tuple[TermRecord, ...] = ()
    complete: bool = True
    note: str = ""


@dataclass(frozen=True)
class TermRedirect:
    """The page left at a former term's address."""

    facet: str
    name: str
    url: str
    target: str | None
    """The current term it leads to, or None: the facet's index page."""
    target_url: str
    related: tuple[tuple[str, str], ...] = ()
    """Without a clear target: the current terms its cases carry now, ``(name, url)``."""


def _read_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """The contents of ``shas`` in one ``git cat-file --batch`` (missing ones left out)."""
    if not shas:
        return {}
    try:
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=root,
            input=("\n".join(shas) + "\n").encode("ascii"),
            capture_output=True,
            timeout=_GIT_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    out, data, pos = {}, proc.stdout, 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].decode("ascii", "replace").split()
        pos = end + 1
        if len(header) != 3 or header[1] != "blob":
            continue
        size = int(header[2])
        out[header[0]] = data[pos : pos + size]
        pos += size + 1
    return out


def _as_cases(data: dict[str, Any], vocab: Vocabularies) -> list[Case]:
    """The case a historical file held: validated as today (what the site showed), then taken as
    written (an older format that no longer validates)."""
    import datetime as dt

    found = []
    with contextlib.suppress(Exception):  # any older or broken version still tells its terms
        found.append(Case.model_validate(data, context={"vocab": vocab, "today": dt.date.today()}))
    with contextlib.suppress(Exception):
        found.append(Case.model_construct(**{k: v for k, v in data.items() if isinstance(k, str)}))
    return found


def _values(spec: FacetSpec, case: Case) -> list[str]:
    try:
        return [str(v).strip() for v in spec.values(case) if v is not None and not isinstance(v, dict | list)]
    except Exception:  # a field an older format lacked or wrote otherwise
        return []


def blob_terms(text: bytes, vocab: Vocabularies) -> BlobTerms:
    """The facet values of one version of a case file (as :data:`FACETS` reads a case).

    Free-text values are the validated ones (as the site showed them) when the version still
    validates; vocabulary values are mapped to their terms as the site maps them.
    """
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status") == "draft":
        return None
    cases = _as_cases(data, vocab)
    if not cases:
        return None
    out: dict[str, list[str]] = {}
    for spec in FACETS:
        if spec.vocab is None:
            values = next((v for v in (_values(spec, c) for c in cases) if v), [])
        else:
            vocabulary = getattr(vocab, spec.vocab)
            values = []
            for v in (v for c in cases for v in _values(spec, c)):
                hit = vocabulary.resolve(v)
                values.append(hit.term.name if hit else v)
        if values := [v for v in dict.fromkeys(values) if v]:
            out[spec.key] = values
    return out


def _parse_raw(out: str, cases_dir: str) -> list[tuple[str, str | None, str]]:
    """``(case id, old blob or None, new blob)`` per change to a case file, oldest first."""
    from site_builder.history import _case_id

    changes = []
    for line in out.splitlines():
        if not line.startswith(":"):
            continue
        meta, _, paths = line.partition("\t")
        parts = meta.split()
        names = paths.split("\t")
        if len(parts) < 5 or not names:
            continue
        case_id = _case_id(names[-1], cases_dir)
        old, new = parts[2], parts[3]
        if case_id is None or new == _NULL_SHA:
            continue
        changes.append((case_id, None if old == _NULL_SHA else old, new))
    return changes


def _blob_table(root: Path, shas: Iterable[str], vocab: Vocabularies) -> dict[str, BlobTerms]:
    """Each blob's facet values: from the table of earlier builds, the rest read from git."""
    store = Store(cache_root(root), "terms")
    name = f"blobs-{cache_key('terms', 'blobs')}.json"
    table: dict[str, BlobTerms] = {}
    raw = store.get(name)
    if raw is not None:
        try:
            loaded = json.loads(raw)
            table = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            table = {}
    wanted = list(dict.fromkeys(shas))
    missing = [s for s in wanted if s not in table]
    if missing:
        for sha, text in _read_blobs(root, missing).items():
            table[sha] = blob_terms(text, vocab)
        store.put(name, json.dumps(table, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return {s: table.get(s) for s in wanted}


def _summarise(
    changes: list[tuple[str, str | None, str]], table: Mapping[str, BlobTerms]
) -> list[TermRecord]:
    carriers: dict[tuple[str, str], set[str]] = defaultdict(set)
    gained: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for case_id, old, new in changes:
        after = table.get(new) or {}
        for facet, values in after.items():
            for v in values:
                carriers[facet, v].add(case_id)
        before = table.get(old) if old else None
        if not before:
            continue
        for facet, values in before.items():
            now = set(after.get(facet, []))
            taken = [v for v in after.get(facet, []) if v not in values]
            for v in values:
                if v not in now:
                    gained[facet, v].update(taken)
    return [
        TermRecord(
            facet,
            value,
            tuple(sorted(ids)),
            tuple(sorted(gained[facet, value].items())),
            slugify_tag(value) if FACET_BY_KEY[facet].slug == "pinyin" else "",
        )
        for (facet, value), ids in sorted(carriers.items())
        if facet in FACET_BY_KEY
    ]


def read_term_history(root: Path, cases_dir: str = "cases", vocab: Vocabularies | None = None) -> TermHistory:
    """Every facet value the case files of ``root`` ever carried (cached by the HEAD commit)."""
    from site_builder.history import _git

    head = (_git(root, "rev-parse", "--verify", "-q", "HEAD") or "").strip()
    if not head:
        return TermHistory(complete=False, note="不是 git 仓库（或还没有提交），看不到标签等分类的历史")
    store = Store(cache_root(root), "terms")
    name = f"history-{cache_key('terms', head, cases_dir)}.json"
    raw = store.get(name)
    if raw is not None:
        try:
            data = json.loads(raw)
            records = tuple(
                TermRecord(r[0], r[1], tuple(r[2]), tuple((g, n) for g, n in r[3]), r[4])
                for r in data["records"]
            )
            return TermHistory(records, data["complete"], data["note"])
        except (ValueError, KeyError, TypeError, IndexError):
            pass
    out = _git(
        root,
        "log",
        "--first-parent",
        "-m",
        "--root",
        "--reverse",
        "--topo-order",
        "--no-color",
        "--format=%x1e%H",
        "--raw",
        "--no-abbrev",
        "-M",
        "--relative",
        "--diff-filter=ACMR",
        "--",
        cases_dir,
    )
    if out is None:
        return TermHistory(complete=False, note="无法读取 git 历史")
    changes = _parse_raw(out, cases_dir)
    table = _blob_table(
        root, [s for _, old, new in changes for s in (old, new) if s], vocab or load_vocabularies()
    )
    complete, note = True, ""
    if (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true":
        complete = False
        note = "这是浅克隆（git clone --depth），更早的标签等分类看不到；CI 需要 fetch-depth: 0"
    history = TermHistory(tuple(_summarise(changes, table)), complete, note)
    data = {
        "records": [
            [r.facet, r.name, list(r.carriers), [list(g) for g in r.gained], r.slug] for r in history.records
        ],
        "complete": complete,
        "note": note,
    }
    store.put(name, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    store.prune([name, f"blobs-{cache_key('terms', 'blobs')}.json"], older_than=7 * 24 * 3600)
    return history


def _vocab_slugs(spec: FacetSpec, vocab: Vocabularies) -> dict[str, str]:
    if spec.vocab is None:
        return {}
    vocabulary = getattr(vocab, spec.vocab)
    return {t.name: t.slug for t in [*vocabulary.terms, *vocabulary.former]}


def _hashed(slug: str, value: str) -> str:
    return f"{slug}-{hashlib.sha1(value.encode()).hexdigest()[:6]}"


def term_addresses(
    history: TermHistory, vocab: Vocabularies, current: Mapping[str, Iterable[str]] | None = None
) -> dict[tuple[str, str], list[str]]:
    """``(facet, value) -> [address, …]`` of every value history records: the page it had.

    A free-text value whose pinyin slug another value shares (``current``: the facets' values
    today) had either the plain slug or the hash-suffixed one, so it gets both.
    """
    names: dict[str, set[str]] = defaultdict(set)
    pinyin: dict[str, str] = {}
    for r in history.records:
        names[r.facet].add(r.name)
        if r.slug:
            pinyin[r.name] = r.slug
    for key, values in (current or {}).items():
        names[key].update(values)
    out: dict[tuple[str, str], list[str]] = {}
    for key, values in names.items():
        spec = FACET_BY_KEY.get(key)
        if spec is None:
            continue
        known = _vocab_slugs(spec, vocab)
        plain: dict[str, list[str]] = defaultdict(list)
        slugs: dict[str, str] = {}
        for value in sorted(values):
            slug = (
                known.get(value)
                if spec.vocab
                else value
                if spec.slug == "value"
                else pinyin.get(value) or slugify_tag(value)
            )
            if slug and "/" not in slug:
                slugs[value] = slug
                plain[slug].append(value)
        for value, slug in slugs.items():
            found = [urls.term_url(spec.prefix, slug)]
            if spec.slug == "pinyin" and len(plain[slug]) > 1:
                found.append(urls.term_url(spec.prefix, _hashed(slug, value)))
            out[key, value] = found
    return out


def former_term_addresses(history: TermHistory, vocab: Vocabularies | None = None) -> list[str]:
    """Every address a facet term of ``history`` had (current terms' included): each must keep a
    page, the term's own or a redirect (the link check proves it)."""
    found = term_addresses(history, vocab or load_vocabularies())
    return sorted({u for places in found.values() for u in places})


def _overlap(a: str, b: str) -> int:
    return len(set(a) & set(b))


def _choose(
    record: TermRecord, spec: FacetSpec, site: SiteModel, moved: Mapping[str, str]
) -> tuple[str | None, list[str]]:
    """The current term that replaced ``record`` when clear, and the current terms its cases carry."""
    live = {t.name for t in site.facets[spec.key].terms}
    now = sorted({moved.get(i, i) for i in record.carriers} & set(site.by_id))
    votes: Counter[str] = Counter(v for i in now for v in spec.values(site.by_id[i]) if v in live)
    gained = {g: n for g, n in record.gained if g in live}
    candidates = sorted(
        set(votes) | set(gained),
        key=lambda v: (-votes[v], -gained.get(v, 0), -_overlap(record.name, v), v),
    )
    if not candidates:
        return None, []
    best = candidates[0]

    def rank(v: str) -> tuple[int, int, int]:
        return (votes[v], gained.get(v, 0), _overlap(record.name, v))

    clear = len(candidates) == 1 or rank(best) > rank(candidates[1])
    if now and votes[best] * 2 <= len(now):
        clear = False  # most of its cases went elsewhere
    if not now and not gained.get(best):
        clear = False
    if len(now) == 1 and len(votes) > 1 and not _overlap(record.name, best):
        clear = False  # which of one case's several tags took over is a guess unless the names overlap
    return (best if clear else None), candidates


def term_redirects(
    history: TermHistory,
    site: SiteModel,
    *,
    moved: Mapping[str, str] | None = None,
    taken: Iterable[str] = (),
) -> list[TermRedirect]:
    """The redirect page of every former term address the current site no longer produces.

    ``moved`` maps former case ids to current ones (renamed cases still vote for their terms'
    successors); ``taken`` are site paths of hand-written pages (``tags/x/``), never redirected.
    """
    moved = moved or {}
    used = {urls.case_url(c.id) for c in site.cases} | {u.rstrip("/") + "/" for u in taken if u}
    current: dict[str, list[str]] = {}
    for spec in FACETS:
        facet = site.facets[spec.key]
        used |= {t.url for t in facet.terms} | {facet.url}
        current[spec.key] = [t.name for t in facet.terms]
    addresses = term_addresses(history, site.vocab, current)
    out: list[TermRedirect] = []
    seen: set[str] = set()
    for record in history.records:
        row = FACET_BY_KEY.get(record.facet)
        if row is None or record.name in current[row.key]:
            continue
        places = [u for u in addresses.get((row.key, record.name), []) if u not in used and u not in seen]
        if not places:
            continue
        target, candidates = _choose(record, row, site, moved)
        facet = site.facets[row.key]
        target_url = facet.term_for(target).url if target else facet.url
        related = tuple((c, facet.term_for(c).url) for c in candidates[:5]) if not target else ()
        for url in places:
            seen.add(url)
            out.append(TermRedirect(row.key, record.name, url, target, target_url, related))
    return sorted(out, key=lambda r: r.url)


def term_redirect_page(redirect: TermRedirect, *, site_name: str, site_url: str | None) -> bytes:
    """The page at a former term's address: on to its successor or to the facet's index, saying so
    (the same page shell as a renamed case's redirect)."""
    from site_builder.history import _document

    spec = FACET_BY_KEY[redirect.facet]
    base = urls.base_for(redirect.url)
    target = base + redirect.target_url
    canonical = urls.absolute(site_url, redirect.target_url) or target
    kind = html.escape(spec.name)
    old_label = spec.value_label.format(name=redirect.name)
    old = html.escape(old_label)
    link = f'<a href="{html.escape(target)}">'
    if redirect.target is not None:
        new_label = spec.value_label.format(name=redirect.target)
        heading = f"{spec.name}“{old_label}”已并入“{new_label}”"
        text = (
            f"原来归在{kind}“{old}”下的案例，现在归在{link}{html.escape(new_label)}</a>下。"
            "如果页面没有自动打开，请点这个链接；收藏过本页的读者请更新书签。"
        )
    else:
        heading = f"{spec.name}“{old_label}”已不再单独列出"
        text = f"这个{kind}下的案例已归入其他{kind}，请在{link}{html.escape(spec.label)}</a>中查找。"
        if redirect.related:
            items = "、".join(
                f'<a href="{html.escape(base + u)}">{html.escape(spec.value_label.format(name=n))}</a>'
                for n, u in redirect.related
            )
            text += f"原来的案例现在的{kind}有：{items}。"
    head = (
        f'<link rel="canonical" href="{html.escape(canonical)}">\n'
        f'<meta http-equiv="refresh" content="0; url={html.escape(target)}">\n'
    )
    title = f"{heading} - {site_name}" if site_name else heading
    return _document(title, head, f"<h1>{html.escape(heading)}</h1>\n<p>{text}</p>\n")


@dataclass(frozen=True)
class FormerTerms:
    """What a build needs to keep former term addresses: the history and the hand-written pages."""

    history: TermHistory = field(default_factory=TermHistory)
    taken: tuple[str, ...] = ()
    """Site addresses of hand-written pages (``docs/``), which a redirect must never replace."""


def docs_addresses(docs_dir: Path | None) -> tuple[str, ...]:
    """The directory-style addresses of the hand-written Markdown pages under ``docs_dir``."""
    if docs_dir is None or not docs_dir.is_dir():
        return ()
    found = []
    for path in docs_dir.rglob("*.md"):
        rel = path.relative_to(docs_dir).with_suffix("").as_posix()
        found.append(
            "" if rel == "index" else rel[: -len("/index")] + "/" if rel.endswith("/index") else rel + "/"
        )
    return tuple(sorted(found))


def term_address_files(
    former: FormerTerms,
    site: SiteModel,
    *,
    moved: Mapping[str, str],
    site_name: str,
    site_url: str | None,
) -> dict[str, bytes]:
    """``{site path: bytes}`` of the redirect pages at former term addresses."""
    return {
        r.url + "index.html": term_redirect_page(r, site_name=site_name, site_url=site_url)
        for r in term_redirects(former.history, site, moved=moved, taken=former.taken)
    }
