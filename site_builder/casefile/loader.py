"""Load every case file, validate it, and collect every located error in one run."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from site_builder.cache import Store, cache_key
from site_builder.casefile import models
from site_builder.casefile.fields import keys_of_kind, submodels
from site_builder.casefile.messages import describe, example, field_title, format_help, label, model_for
from site_builder.casefile.models import (
    FULLWIDTH_DIGITS,
    ID_MAX,
    ID_PATTERN,
    BlankValueError,
    Case,
    InvisibleCharError,
    ItemErrors,
    LineError,
    field_meta,
    none_word,
)
from site_builder.casefile.vocab import Vocabularies, load_vocabularies
from site_builder.casefile.yamlio import (
    Document,
    Positions,
    capped,
    dotted_path,
    parse_cache,
    read_yaml,
    safe_loads,
)
from site_builder.errors import CaseError, CaseFileError, Location, display_path, shorten
from site_builder.textnorm import INVISIBLE_CHARS

CASE_SUFFIX = ".yaml"


@dataclass
class LoadResult:
    """Cases that validated, every error, and where each case's values sit in its file."""

    cases: list[Case] = field(default_factory=list)
    errors: list[CaseError] = field(default_factory=list)
    positions: dict[str, Positions] = field(default_factory=dict)
    findings: dict[str, list[CaseError]] = field(default_factory=dict)
    """Case id -> the case's own lint findings (:func:`site_builder.checks.lint.lint_case`, not
    strict), from the per-file cache; the lints read them instead of looking again."""
    digests: dict[str, str] | None = None
    """Case id -> the digest of its file's bytes, when a check cache is in use and every case has
    one (:func:`remembered_findings` is then keyed on them)."""
    inputs: tuple[Any, ...] = ()
    """What every file's checks read besides its bytes (:func:`pack_inputs`)."""

    @property
    def ok(self) -> bool:
        """True when no error (warnings allowed) was found."""
        return not any(e.severity == "error" for e in self.errors)

    def published(self) -> list[Case]:
        """Cases that appear on the public site."""
        return [c for c in self.cases if not c.is_draft]


_IMAGE_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".gif",
    ".heic",
    ".heif",
    ".tif",
    ".tiff",
    ".bmp",
    ".avif",
}
_LOOKS_LIKE_CASE = re.compile(r"\.(ya?ml)\b|\.(ya?ml)[\s~.]*$", re.IGNORECASE)


def discover_case_files(paths: Iterable[Path]) -> tuple[list[Path], list[CaseError]]:
    """Expand folders into their ``*.yaml`` files; flag every file that looks like a case but won't be read.

    A case is ``cases/<id>.yaml``. Files such as ``x.yml``, ``x.YAML``, ``x.yaml.txt``, ``x.yaml~``
    or a case saved in a subfolder (GitHub's web editor makes one when a name contains "/") would
    be skipped silently, so each is an error naming the file. Subfolders holding only photos and
    other non-case files (``images/``) are fine.
    """
    found: list[Path] = []
    errors: list[CaseError] = []
    for p in paths:
        if p.is_dir():
            with os.scandir(p) as listing:  # file types from the listing: no stat of each case file
                entries = sorted(listing, key=lambda e: e.name)
            for entry in entries:
                if entry.name.endswith(CASE_SUFFIX) and not entry.name.startswith(".") and not entry.is_dir():
                    found.append(p / entry.name)
                else:
                    _discover_child(p / entry.name, found, errors)
        elif p.name.endswith(CASE_SUFFIX) and (p.exists() or p.is_symlink()):
            found.append(p)
        elif p.exists() or p.is_symlink():
            errors.append(
                CaseError(
                    Location(display_path(p)),
                    "",
                    f"文件名「{p.name}」不会被当作案例读取：案例文件必须以小写的 .yaml 结尾，"
                    f"请改名为「{_suggest_name(p.name)}」",
                )
            )
        else:
            errors.append(CaseError(Location(display_path(p)), "", "找不到这个文件或文件夹"))
    return found, errors


def _discover_child(child: Path, found: list[Path], errors: list[CaseError]) -> None:
    name = child.name
    if child.is_dir() and not child.is_symlink():
        if name.startswith("."):
            return
        for inner in sorted(child.rglob("*")):
            if inner.is_file() and _LOOKS_LIKE_CASE.search(inner.name) and not inner.name.startswith("."):
                errors.append(
                    CaseError(
                        Location(display_path(inner)),
                        "",
                        f"案例文件不能放在子文件夹「{display_path(inner.parent)}」里，这样不会被读取："
                        f"请移到 {display_path(child.parent)}/ 下，文件名写成「{_suggest_name(inner.name)}」",
                    )
                )
        return
    if name.endswith(CASE_SUFFIX) and not name.startswith("."):
        found.append(child)
        return
    if name.startswith(".") and not name.lower().endswith((".yaml", ".yml")):
        return
    if _LOOKS_LIKE_CASE.search(name) or name.lower().endswith((".yaml", ".yml")):
        errors.append(
            CaseError(
                Location(display_path(child)),
                "",
                f"文件名「{name}」不会被当作案例读取：案例文件必须以小写的 .yaml 结尾，"
                f"请改名为「{_suggest_name(name)}」",
            )
        )
    elif (
        child.suffix.lower() not in _IMAGE_SUFFIXES
        and not child.suffix
        and child.is_file()
        and _looks_like_case_text(child)
    ):
        errors.append(
            CaseError(
                Location(display_path(child)),
                "",
                f"文件「{name}」看起来是案例，但没有扩展名，不会被读取：请改名为「{_suggest_name(name)}」",
            )
        )


def _suggest_name(name: str) -> str:
    stem = re.split(r"\.(?:ya?ml)", name.strip().lstrip("."), maxsplit=1, flags=re.IGNORECASE)[0]
    stem = re.sub(r"[^a-z0-9-]+", "-", stem.strip().lower()).strip("-") or "case-id"
    return f"{stem}{CASE_SUFFIX}"


def _looks_like_case_text(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return b"title:" in head or b"summary:" in head


def load_cases(
    paths: Iterable[Path] = (Path("cases"),),
    *,
    vocab: Vocabularies | None = None,
    cases_root: Path | None = None,
    check_images: bool = True,
    parallel: bool = True,
    today: dt.date | None = None,
    memo: FileMemo | None = None,
) -> LoadResult:
    """Read and validate case files, returning all cases that passed and all errors.

    ``cases_root`` is the folder images must stay inside (default: each file's folder). Large sets
    are read on every core unless ``parallel`` is false (e.g. beside a server's threads).
    ``today`` sets the latest accepted year (next year); tests fix it so messages never age.
    ``memo`` (the preview's, kept between its builds) skips files that have not changed.
    """
    vocab = vocab or load_vocabularies()
    files, errors = discover_case_files([Path(p) for p in paths])
    result = LoadResult(errors=errors)
    seen: dict[str, Path] = {}
    related: dict[str, Any] = {}
    titles: dict[str, str] = {}
    ctx = _Context(vocab, today or dt.date.today())
    digests: dict[str, str | None] = {}
    loaded = (
        memo.load(files, ctx, cases_root, check_images, parallel)
        if memo is not None
        else _load_files(files, ctx, cases_root, check_images, parallel)
    )
    for item in loaded:
        result.errors.extend(item.errors)
        if item.positions is None:
            continue
        result.positions.setdefault(item.case_id, item.positions)
        related.setdefault(item.case_id, item.related)
        if isinstance(item.title, str):
            titles.setdefault(item.case_id, item.title)
        if item.case is None:
            continue
        if item.case_id in seen:
            result.errors.append(
                CaseError(
                    Location(item.shown),
                    "",
                    f"案例编号「{item.case_id}」与 {display_path(seen[item.case_id])} 重复",
                )
            )
            continue
        seen[item.case_id] = item.path
        item.case.bind(item.case_id, item.path)
        result.cases.append(item.case)
        digests[item.case_id] = item.digest
        if item.findings is not None:
            result.findings[item.case_id] = item.findings
    known = set(related)
    if cases_root is not None and cases_root.is_dir():
        known |= {p.name[: -len(CASE_SUFFIX)] for p in cases_root.glob(f"*{CASE_SUFFIX}")}
    if cases_root is not None and cases_root.is_dir() and _has_non_id(related):
        for p in sorted(cases_root.glob(f"*{CASE_SUFFIX}")):
            if p.name[: -len(CASE_SUFFIX)] not in titles:
                title = _title_of(p)
                if title:
                    titles[p.name[: -len(CASE_SUFFIX)]] = title
    better = _related_by_title(related, result.positions, set(known) | set(titles), titles)
    replaced = {(e.location.path, e.field) for e in better}
    result.errors = [e for e in result.errors if (e.location.path, e.field) not in replaced] + better
    result.errors.extend(_check_related(related, result.positions, known))
    result.cases.sort(key=lambda c: c.id)
    result.errors.sort()
    if checked_pack(ctx) is not None and all(d is not None for d in digests.values()):
        result.digests = {k: d for k, d in digests.items() if d is not None}
        result.inputs = pack_inputs(ctx)
    return result


FINDINGS_NAMESPACE = "findings"


def remembered_findings(
    result: LoadResult, label: str, options: Any, compute: Callable[[], list[CaseError]]
) -> list[CaseError]:
    """``compute()`` (findings over the whole collection: the cross-case lints), or what it gave
    the last time every case's file, their paths and ``options`` were the same.

    One entry per ``label``, overwritten when anything changed (a run that changed nothing reads
    it back and compares its key, nothing else). The key holds each case's file digest and path, the
    inputs of every file's checks (:func:`pack_inputs`), ``options``, and through
    :func:`site_builder.cache.cache_key` the code and library versions.
    """
    cache = _CHECK_CACHE or parse_cache()
    if cache is None or result.digests is None:
        return compute()
    files = sorted((c.id, result.positions[c.id].path, result.digests.get(c.id)) for c in result.cases)
    key = cache_key(FINDINGS_NAMESPACE, label, options, result.inputs, files)
    store = Store(cache, FINDINGS_NAMESPACE)
    name = label  # one file, whatever the code: an old version's entry is overwritten, not left behind
    blob = store.get(name)
    if blob is not None:
        try:
            stored_key, rows = safe_loads(blob)
            if stored_key == key:
                return [
                    CaseError(Location(str(path), int(line), int(col)), str(fld), str(msg), severity)
                    for path, line, col, fld, msg, severity in rows
                    if severity in ("error", "warning")
                ]
        except (pickle.UnpicklingError, ValueError, TypeError, EOFError):
            pass
    found = compute()
    rows = [(f.location.path, f.location.line, f.location.col, f.field, f.message, f.severity) for f in found]
    with contextlib.suppress(OSError):  # a read-only cache: computed again next time
        store.put(name, pickle.dumps((key, rows), protocol=pickle.HIGHEST_PROTOCOL))
    return found


@dataclass
class _FileResult:
    path: Path
    shown: str
    case_id: str
    positions: Positions | None
    related: Any
    case: Case | None
    errors: list[CaseError]
    title: Any = None
    findings: list[CaseError] | None = None
    entry: bytes | None = None
    """The file's :class:`CheckedPack` entry, when it was checked now and is clean."""
    digest: str | None = None
    """The digest of the file's bytes (:func:`file_digest`), when a check cache is in use."""


@dataclass(frozen=True)
class _Context:
    vocab: Vocabularies
    today: dt.date

    @cached_property
    def inputs(self) -> tuple[str, int]:
        """What a file's checks read besides its bytes: the vocabularies and the year (the latest
        accepted year is next year)."""
        return vocabulary_digest(self.vocab), self.today.year


def vocabulary_digest(vocab: Vocabularies) -> str:
    """A hash of every term, alias and former name (a changed vocabulary re-checks every file)."""
    parts = [
        (v.kind, [dataclasses.astuple(t) for t in v.terms], [dataclasses.astuple(t) for t in v.former])
        for v in (vocab.districts, vocab.fields, vocab.groups)
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


CHECKED_NAMESPACE = "checked"
KEEP_RUNS = 10
"""A file's checks stay in the pack until this many runs that changed it have not used them (so
checking one file does not drop the others, and deleted files do not stay for ever)."""

_CASE_CLASSES = frozenset(
    (models.__name__, name)
    for name, obj in vars(models).items()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == models.__name__
)
"""What a pack entry may name: the case models (and nothing that runs code when unpickled)."""


class CheckedPack:
    """Every clean case file's checks, by the file's bytes, in one cache entry per project.

    An entry holds what the checks made of the file (its validated case, its positions, its own
    lint findings), so an unchanged file is neither parsed nor validated again: ``validate``,
    builds and the preview share it. It is read once and, when a file was checked afresh, written
    once per run (one file for the whole folder: writing one file per case cost a cold run more
    than it saved). The pack's name holds the vocabularies, the year and the fonts
    (:func:`pack_inputs`); the cache key adds the checking code and library versions. Only plain
    data and the case models are read back (:func:`safe_loads`).
    """

    def __init__(self, cache: Path, name: str, inputs: tuple[Any, ...]) -> None:
        self.store = Store(cache, CHECKED_NAMESPACE)
        self.name = name
        self.trusts_drawing = inputs[-1] is not None
        """The fonts are in the key: a remembered case's title was drawable with these fonts."""
        self._entries: dict[str, tuple[int, bytes]] | None = None
        self._generation = 0
        self.used: set[str] = set()
        self.added: dict[str, bytes] = {}

    def _stored(self) -> dict[str, tuple[int, bytes]]:
        if self._entries is None:
            self._entries = {}
            blob = self.store.get(self.name)
            try:
                generation, entries = safe_loads(blob) if blob is not None else (0, {})
                self._generation = int(generation)
                self._entries = {
                    str(k): (int(g), bytes(b)) for k, (g, b) in entries.items() if isinstance(b, bytes)
                }
            except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, EOFError):
                self._entries = {}
        return self._entries

    def get(self, digest: str) -> bytes | None:
        """The entry of the file whose bytes have this digest, if one was kept."""
        found = self.added.get(digest) or self._stored().get(digest, (0, None))[1]
        if found is not None:
            self.used.add(digest)
        return found

    def put(self, digest: str, entry: bytes) -> None:
        """Keep a file's entry (written by :meth:`save`)."""
        self.added[digest] = entry
        self.used.add(digest)

    def save(self) -> None:
        """Write the pack when this run added an entry; drop what :data:`KEEP_RUNS` runs did not use."""
        if not self.added:
            return
        stored = self._stored()
        generation = self._generation + 1
        kept = {k: v for k, v in stored.items() if generation - v[0] < KEEP_RUNS}
        kept.update({k: (generation, stored[k][1]) for k in self.used if k in stored})
        kept.update({k: (generation, v) for k, v in self.added.items()})
        data = pickle.dumps((generation, kept), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.store.put(self.name, data)
        except OSError:
            return  # a read-only cache: the next run checks afresh
        self._entries, self._generation, self.added = kept, generation, {}


_CHECK_CACHE: Path | None = None
_PACKS: dict[tuple[Path, str], CheckedPack] = {}


def use_check_cache(cache: Path | None) -> None:
    """Keep each clean file's checks under ``cache`` (``validate``); builds use their parse cache's
    folder (:func:`site_builder.casefile.yamlio.use_parse_cache`)."""
    global _CHECK_CACHE
    _CHECK_CACHE = cache


def check_cache() -> Path | None:
    """The folder :func:`use_check_cache` set (None: unset; builds then use their parse cache's)."""
    return _CHECK_CACHE


def pack_inputs(ctx: _Context) -> tuple[Any, ...]:
    """What a file's checks read besides its bytes and the code: the vocabularies, the year, and
    the fonts its title and summary must be drawable with (None: not known without loading them)."""
    from site_builder.media.fonts import font_files_signature

    return (*ctx.inputs, font_files_signature())


def checked_pack(ctx: _Context) -> CheckedPack | None:
    """The pack this process uses for ``ctx`` (None: no cache in use)."""
    cache = _CHECK_CACHE or parse_cache()
    if cache is None:
        return None
    inputs = pack_inputs(ctx)
    name = "pack-" + cache_key(CHECKED_NAMESPACE, *inputs)
    found = _PACKS.get((cache, name))
    if found is None:
        found = _PACKS[(cache, name)] = CheckedPack(cache, name, inputs)
    return found


def file_digest(raw: bytes) -> str:
    """The key of a case file's checks in the pack: its bytes alone, not its path (a build started
    in another folder, or a renamed file, finds them too; the path is attached when read back)."""
    return hashlib.sha256(raw).hexdigest()


_BOUND = ("_id", "_source_path")
"""Private values the loader sets after validation (:meth:`Case.bind`): not kept."""


def _entry(doc: Document, case: Case, findings: list[CaseError]) -> bytes | None:
    """A clean file's pack entry, or None when it cannot be kept faithfully."""
    if doc.flagged or doc.repaired_lines:
        return None
    portable = case.model_copy()
    if portable.__pydantic_private__ is None:
        return None
    portable.__pydantic_private__ = {
        k: v for k, v in portable.__pydantic_private__.items() if k not in _BOUND
    } | {"_id": "", "_source_path": None}
    data = doc.data
    kept = {k: data.get(k) for k in ("title", "related", "images")}
    lint = [(f.location.line, f.location.col, f.field, f.message, f.severity) for f in findings]
    try:
        return pickle.dumps((kept, doc.positions.pack(), portable, lint), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def _restored(
    entry: bytes, path: Path, shown: str, case_id: str
) -> tuple[dict[str, Any], Positions, Case, list[CaseError]] | None:
    """A pack entry read back for the file at ``path`` (None: damaged, checked afresh)."""
    try:
        kept, positions, case, lint = safe_loads(entry, _CASE_CLASSES)
        if not isinstance(case, Case) or not isinstance(kept, dict) or not isinstance(positions, bytes):
            return None
        findings = [
            CaseError(Location(shown, int(line), int(col)), str(fld), str(msg), severity)
            for line, col, fld, msg, severity in lint
            if severity in ("error", "warning")
        ]
    except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, EOFError, IndexError):
        return None
    return kept, Positions.packed(shown, positions), case.bind(case_id, path), findings


def _from_pack(
    entry: bytes, path: Path, ctx: _Context, cases_root: Path | None, check_images: bool, pack: CheckedPack
) -> _FileResult | None:
    """The result of a file whose bytes passed every check of their own before."""
    shown = display_path(path)
    case_id = path.name[: -len(CASE_SUFFIX)]
    restored = _restored(entry, path, shown, case_id)
    if restored is None:
        return None
    kept, positions, case, own = restored
    errors = _check_images(kept.get("images"), path, positions, cases_root or path.parent, check_images)
    if not pack.trusts_drawing:
        errors += _check_drawable(case, positions)
    return _FileResult(
        path, shown, case_id, positions, kept.get("related"), case, capped(errors), kept.get("title"), own
    )


def _load_file(path: Path, ctx: _Context, cases_root: Path | None, check_images: bool) -> _FileResult:
    shown = display_path(path)
    case_id = path.name[: -len(CASE_SUFFIX)] if path.name.endswith(CASE_SUFFIX) else path.stem
    id_errors = _check_id(case_id, shown)
    doc, read_errors = read_yaml(path, shown, repaired=True)
    errors = id_errors + read_errors
    if doc is None:
        return _FileResult(path, shown, case_id, None, None, None, errors)
    case, model_errors = validate_document(
        doc.data, doc.positions, ctx.vocab, doc.flagged, today=ctx.today, source=path
    )
    errors += [e for e in model_errors if e.location.line not in doc.repaired_lines]
    errors += _check_images(
        doc.data.get("images"), path, doc.positions, cases_root or path.parent, check_images
    )
    errors += _leftovers(path, doc.data, doc.positions, ctx.vocab)
    if case is not None:
        errors += _check_drawable(case, doc.positions)
    usable = case if not id_errors and not doc.repaired_lines else None
    findings = entry = None
    if usable is not None and not errors and (_CHECK_CACHE or parse_cache()) is not None:
        from site_builder.checks.lint import lint_case  # the lints import the models, not the loader

        findings = lint_case(usable.bind(case_id, path), doc.positions)
        entry = _entry(doc, usable, findings)
    return _FileResult(
        path,
        shown,
        case_id,
        doc.positions,
        doc.data.get("related"),
        usable,
        capped(errors),
        doc.data.get("title"),
        findings,
        entry,
    )


def _leftovers(path: Path, data: Any, positions: Positions, vocab: Vocabularies) -> list[CaseError]:
    from site_builder.casefile.skeleton import prefilled_left, template_leftovers

    names = vocab.fields.names()
    first = names[0] if names else ""
    if not prefilled_left(data, first):
        return []  # nothing to point at: no need to read the file again
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return template_leftovers(text, data, positions, first)


def _load_chunk(files: list[Path], ctx: _Context, cases_root: Path | None, check: bool) -> list[_FileResult]:
    return [_load_file(p, ctx, cases_root, check) for p in files]


def _load_files(
    files: list[Path], ctx: _Context, cases_root: Path | None, check: bool, parallel: bool
) -> list[_FileResult]:
    """Each file's result, in order: from the pack where its bytes were checked before, the rest
    checked now (forked over every core when there are many: a fork costs more than a pack hit)."""
    pack = checked_pack(ctx)
    results: dict[Path, _FileResult] = {}
    digests: dict[Path, str] = {}
    if pack is not None:
        for path in files:
            if path.is_symlink() or _check_id(path.name[: -len(CASE_SUFFIX)], ""):
                continue
            try:
                digests[path] = file_digest(path.read_bytes())
            except OSError:
                continue
            entry = pack.get(digests[path])
            found = _from_pack(entry, path, ctx, cases_root, check, pack) if entry is not None else None
            if found is not None:
                results[path] = found
    missing = [p for p in files if p not in results]
    checked: list[_FileResult] = []
    if missing:
        from site_builder.parallel import PARALLEL_FROM, map_chunks  # multiprocessing: only to check files

        Case.model_rebuild()  # the validators (deferred: reading a pack needs none), built before forking
        checked = map_chunks(
            lambda chunk: _load_chunk(chunk, ctx, cases_root, check),
            missing,
            threshold=PARALLEL_FROM,
            allow=parallel,
        )
    for path, item in zip(missing, checked, strict=True):
        results[path] = item
        if pack is not None and item.entry is not None and path in digests:
            pack.put(digests[path], item.entry)
    if pack is not None:
        pack.save()
    for path, digest in digests.items():
        results[path].digest = digest
    return [results[p] for p in files]


@dataclass
class FileMemo:
    """The per-file results of earlier loads of one folder, for a process that loads it again and
    again (the live preview reloads every case on each save).

    A file is validated again when its bytes change, or when anything else under the cases folder
    (a photo it names) or the date changes; otherwise its earlier result is reused as is.
    """

    entries: dict[Path, tuple[str, _FileResult]] = field(default_factory=dict)

    def load(
        self, files: list[Path], ctx: _Context, cases_root: Path | None, check: bool, parallel: bool
    ) -> list[_FileResult]:
        """Each file's result, in order: reused where its key is unchanged, else loaded now."""
        around = _folder_signature(cases_root, files)
        keys = {}
        for path in files:
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable"
            keys[path] = hashlib.sha256(data + around + str(ctx.today).encode()).hexdigest()
        missing = [p for p in files if self.entries.get(p, ("", None))[0] != keys[p]]
        for path, item in zip(missing, _load_files(missing, ctx, cases_root, check, parallel), strict=True):
            self.entries[path] = (keys[path], item)
        for gone in set(self.entries) - set(files):
            del self.entries[gone]
        return [self.entries[p][1] for p in files]


def _folder_signature(cases_root: Path | None, files: list[Path]) -> bytes:
    """What every case's checks may read besides its own file: the other files under the folders."""
    folders = {cases_root} if cases_root is not None else {p.parent for p in files}
    case_files = set(files)
    rows = []
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*")):
            if path in case_files or any(part.startswith(".") or part.endswith("~") for part in path.parts):
                continue  # an editor's swap and backup files change on every keystroke
            try:
                st = path.stat()
            except OSError:
                continue
            rows.append(f"{path}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}")
    return "\n".join(rows).encode("utf-8", "surrogateescape")


def require_cases(paths: Iterable[Path] = (Path("cases"),), **kwargs: Any) -> LoadResult:
    """Like :func:`load_cases`, but raise :class:`CaseFileError` when any error was found."""
    result = load_cases(paths, **kwargs)
    if not result.ok:
        raise CaseFileError([e for e in result.errors if e.severity == "error"])
    return result


def _check_id(case_id: str, shown: str) -> list[CaseError]:
    if re.match(ID_PATTERN, case_id) and len(case_id) <= ID_MAX:
        return []
    if len(case_id) > ID_MAX:
        why = f"太长（{len(case_id)} 个字符，最多 {ID_MAX} 个）"
    else:
        why = "只能由小写英文字母、数字和连字符「-」组成，例如 pudong-golden-helmet-riders.yaml"
    return [CaseError(Location(shown), "", f"文件名「{case_id}{CASE_SUFFIX}」不符合要求：{why}")]


def validate_document(
    data: dict[str, Any],
    positions: Positions,
    vocab: Vocabularies,
    flagged: set[Any] | None = None,
    *,
    today: dt.date | None = None,
    source: Path | None = None,
) -> tuple[Case | None, list[CaseError]]:
    """Validate one parsed document against the model, mapping each error to its line and column.

    Values in ``flagged`` were already reported while reading (and read as empty); errors about
    them or inside them are not repeated. With ``source`` (the file), an invisible character is
    pointed at on its own line and column.
    """
    try:
        return Case.model_validate(data, context={"vocab": vocab, "today": today or dt.date.today()}), []
    except ValidationError as exc:
        errors: dict[tuple[Any, ...], CaseError] = {}
        details = exc.errors(include_url=False)
        renamed = set()  # keys written under another name: the unknown key's message says so
        for err in details:
            if err["type"] == "extra_forbidden":
                meant = _meant_key(tuple(err["loc"]))
                if meant is not None:
                    renamed.add((*tuple(err["loc"])[:-1], meant))
        for err in details:
            raw_loc = tuple(err["loc"])
            if err["type"] == "missing" and raw_loc in renamed:
                continue
            if flagged and any(raw_loc[: len(f)] == f for f in flagged):
                continue
            inner = (err.get("ctx") or {}).get("error")
            for one in _item_errors(err, inner):
                loc, message = _explain(one, data, positions)
                at = positions.locate(loc, prefer_key=one["type"] == "extra_forbidden")
                cause = (one.get("ctx") or {}).get("error")
                if (
                    isinstance(cause, LineError) and loc in positions.quoted
                ):  # a "|" block: line n is n lines down
                    at = Location(at.path, at.line + cause.line, 1)
                if isinstance(cause, InvisibleCharError) and source is not None:
                    at = _find_char(source, cause.char, at)
                key = (loc, one["type"] in ("int_type", "float_type", "int_from_float"))
                errors.setdefault(key, CaseError(at, dotted_path(loc), message))
        return None, list(errors.values())


def _find_char(source: Path, char: str, near: Location) -> Location:
    """Where ``char`` first occurs at or after ``near`` in the file (``near`` itself if nowhere close)."""
    try:
        lines = source.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return near
    for n in range(max(near.line - 1, 0), min(len(lines), near.line + 500)):
        start = near.col - 1 if n == near.line - 1 else 0
        col = lines[n].find(char, start)
        if col >= 0:
            return Location(near.path, n + 1, col + 1)
    return near


def _item_errors(err: Any, inner: Any) -> list[Any]:
    """One pydantic error per problem item when a list's check found several (:class:`ItemErrors`)."""
    if not isinstance(inner, ItemErrors):
        return [err]
    return [
        {**err, "loc": (*tuple(err["loc"]), i), "ctx": {"error": problem}, "msg": str(problem)}
        for i, problem in inner.problems
    ]


def _walk(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], Any, bool]:
    """Follow ``loc`` into ``data``; return the part that exists, the value there, and if all of it did."""
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
            continue
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            continue
        return tuple(loc[:i]), node, False
    return tuple(loc), node, True


_NUMBER_TEXT = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$")


def _explain(err: Any, data: Any, positions: Positions | None = None) -> tuple[tuple[Any, ...], str]:
    """Turn one pydantic error into (where, Chinese message naming the field as the editor sees it)."""
    kind: str = err["type"]
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    found, value, complete = _walk(loc, data)
    if kind == "missing":
        return loc, _missing(loc)
    if kind == "extra_forbidden":
        return loc, _unknown_key(loc)
    loc = found if not complete else loc
    where = describe(loc)
    shown = _show(value)
    quoted = positions is not None and loc in positions.quoted
    if kind == "value_error":
        error = ctx.get("error")
        if isinstance(error, BlankValueError):
            return loc, _blank(loc, value)
        return loc, str(error if error is not None else err["msg"])
    if isinstance(value, str) and none_word(value) and kind != "string_type":
        return loc, _none_value(loc)
    if kind == "string_type":
        if value is None:
            return loc, f"{where}没有填写内容：请在冒号后面写上内容（不需要的可选字段请把整行删掉）"
        hint = "（数字、true/false 等请加引号）" if isinstance(value, int | float) else ""
        return loc, f"应为文本，而不是{shown}{hint}"
    if kind in ("int_type", "float_type", "int_parsing", "float_parsing", "int_from_float"):
        is_year = bool(loc) and loc[-1] == "year"
        if isinstance(value, str) and quoted and _NUMBER_TEXT.match(value) and value.isascii():
            what = "年份" if is_year else "数字"
            return (
                loc,
                f"{what}不要加引号：加了引号就成了文字。请去掉引号，直接写 {value.strip()}",
            )
        number_hint = _number_hint(value, is_year) if isinstance(value, str) else None
        if number_hint:
            return loc, number_hint
        if is_year:
            return loc, f"应为整数年份，例如 2021，而不是{shown}"
        return loc, f"应为数字（不加引号、不带单位），而不是{shown}"
    if kind == "list_type":
        hint = ""
        if isinstance(value, str) and value.strip().startswith(("［", "【")):
            hint = "；方括号要用半角的「[ ]」"
        elif isinstance(value, str) and value.strip() and value.strip()[0] in "－—–―・•·●":
            hint = f"；列表项开头要用半角减号加空格「- 」，不能用「{value.strip()[0]}」，并且每项单独一行"
        elif isinstance(value, str) and value.strip()[:1] in "（(「《":
            hint = f"；列表要用半角方括号，写成 [{shorten(value.strip()[1:-1], 20)}]，多项之间用英文逗号「,」分开"
        elif isinstance(value, str) and any(sep in value for sep in "，、"):
            hint = "；多项之间要用英文逗号「,」分开"
        if isinstance(value, dict) and len(loc) == 1 and loc[-1] in _LISTS_OF_OBJECTS:
            first = _first_key(str(loc[-1]))
            hint = f"：{describe(loc)}的每一项都要以「- 」开头，例如「  - {first}」，下面的字段再对齐缩进"
            return loc, f"应为列表，而不是{shown}{hint}"
        return loc, f"应为列表（例如 [甲, 乙]，或每行一个「- 」），而不是{shown}{hint}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        hint = ""
        if isinstance(value, str) and value.strip()[:1] in "｛【［（(":
            hint = "；要用半角大括号，写成 {lat: 31.23, lon: 121.47}（冒号、逗号也用半角，各加一个空格）"
        return loc, f"{where}应是一组「字段: 值」（每个字段一行，缩进对齐），而不是{shown}{hint}"
    if kind == "string_too_short":
        text = err.get("input")
        n = len(text) if isinstance(text, str) else 0
        if n == 0:
            return loc, _blank(loc, value)
        return loc, f"太短：至少 {ctx.get('min_length')} 个字，现在只有 {n} 个"
    if kind == "string_too_long":
        text = err.get("input")
        n = len(text) if isinstance(text, str) else 0
        return loc, f"太长：最多 {ctx.get('max_length')} 个字，现在有 {n} 个"
    if kind == "too_short":
        return loc, f"{where}至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return loc, f"{where}最多 {ctx.get('max_length')} 项，现在有 {ctx.get('actual_length')} 项"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " 或 ")
        return loc, f"只能是 {expected}，而不是{shown}"
    if kind == "string_pattern_mismatch":
        help_ = format_help(loc)
        if help_ is None:
            title = field_title(
                next((str(p) for p in reversed(loc) if isinstance(p, str)), ""), model_for(loc[:1])
            )
            help_ = f"不符合「{title or '这个字段'}」的格式（{ctx.get('pattern')}），请对照投稿指南的写法修改"
        return loc, f"{shown}格式不对：{help_}"
    return loc, f"{where}的值不符合要求，请对照模板检查"


def _blank(loc: tuple[Any, ...], value: Any) -> str:
    why = "（只有空格或看不见的字符）" if isinstance(value, str) and value else ""
    if loc and isinstance(loc[-1], int):
        return f"{describe(loc)}是空的{why}：请删除这一项，或者填上内容"
    return f"不能为空{why}：请填写内容；不需要的可选字段请把整行删掉"


_LISTS_OF_OBJECTS = keys_of_kind("objects")
_FULLWIDTH_DIGIT = re.compile("[０-９]")
_CHINESE_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_NUMBER_WITH_WORDS = re.compile(
    r"^\s*(?:约|近|超过|逾|共)?\s*([-+]?\d+(?:\.\d+)?)\s*(万|亿|千|百)?\s*(\S*?)\s*$"
)


def _first_key(list_key: str) -> str:
    sub = submodels()[list_key]
    key = next(k for k, info in sub.model_fields.items() if info.is_required())
    written = example(key, sub) or ""
    m = re.search(r"「([^」]+)」", written)
    return m.group(1).strip() if m else f"{key}: ……"


def _none_value(loc: tuple[Any, ...]) -> str:
    if loc and isinstance(loc[-1], int):
        return f"{describe(loc)}写的是「没有」：请删除这一项；一项都没有时把整个字段删掉"
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    info = model_for(loc[:-1]).model_fields.get(key)
    if info is not None and info.is_required():
        return "这是必填字段，不能写「无」「不详」之类：请填写真实内容"
    return "写的是「没有」：没有内容的可选字段请把这一行（连同下面属于它的行）整个删掉，不要写「无」「-」"


def _number_hint(value: str, is_year: bool) -> str | None:
    """Say how to write a number typed the way people write it in prose (２０２３, 2023年, 1.2万)."""
    what = "应为整数年份，" if is_year else "数值只写数字，"
    half = value.translate(FULLWIDTH_DIGITS).strip()
    if _FULLWIDTH_DIGIT.search(value) and _NUMBER_TEXT.match(half):
        return f"{what}「{shorten(value)}」用了全角数字：请改成半角数字 {half}（切换到英文输入法再输入），不加引号"
    spelled = half.translate(_CHINESE_DIGITS).removesuffix("年")
    if is_year and spelled != half.removesuffix("年") and spelled.isascii() and spelled.isdigit():
        return f"{what}用半角阿拉伯数字：「{shorten(value)}」请写成 {spelled}"
    m = _NUMBER_WITH_WORDS.match(half)
    if m is None:
        return None
    number, scale, rest = m.groups()
    if rest and re.fullmatch(r"(?:[,，]\d{3})+(?:\.\d+)?", rest):
        digits = number + re.sub(r"[,，]", "", rest)
        return f"{what}不要用逗号分隔千位：「{shorten(value)}」请写成 {digits}"
    if is_year:
        if not scale and (rest in ("年", "年度", "年起", "年初", "年底") or re.match(r"^[-./年]\d", rest)):
            return f"{what}只写四位半角数字：请写成 {number}"
        return None
    if scale:
        factor = {"万": 10_000, "亿": 100_000_000, "千": 1_000, "百": 100}[scale]
        full = float(number) * factor
        shown = str(int(full)) if full.is_integer() else str(full)
        unit = f"，「{rest}」写在 unit 里" if rest else ""
        return f"数值只写阿拉伯数字：「{shorten(value)}」请写成 {shown}{unit}"
    if rest:
        return f"数值只写数字，不带单位：请写成 {number}，把「{shorten(rest, 8)}」写在 unit 里"
    return None


def _missing(loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    written = example(key, model_for(loc[:-1]))
    hint = f"，{written}" if written else ""
    if len(loc) == 1:
        return f"缺少必填字段{label(key)}，请补上{hint}"
    return f"{describe(loc[:-1])}缺少必填字段{label(key)}，请补上{hint}"


def _meant_key(loc: tuple[Any, ...]) -> str | None:
    """The key an unknown key most likely stands for: its Chinese title, or a close spelling."""
    name = str(loc[-1])
    model = model_for(loc[:-1])
    allowed = list(model.model_fields)
    english = next((k for k in allowed if field_title(k, model) == name), None)
    if english is not None:
        return english
    guess = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.6)
    return guess[0] if guess else None


def _unknown_key(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1])
    model = model_for(loc[:-1])
    allowed = list(model.model_fields)
    where = describe(loc[:-1]) + "里" if len(loc) > 1 else ""
    meant = _meant_key(loc)
    if meant is not None and field_title(meant, model) == name:
        return f"字段名要用英文：「{shorten(name, 20)}」请写成「{meant}」"
    if meant is not None:
        return f"未知字段「{shorten(name, 20)}」，您是不是要写{label(meant, model)}？"
    if len(allowed) <= 8:
        names = "、".join(f"{k}（{field_title(k, model)}）" for k in allowed)
        return f"未知字段「{shorten(name, 20)}」：{where}只能写 {names}"
    return f"未知字段「{shorten(name, 20)}」：字段名要用模板里的英文名（例如 title、summary），完整的列表见投稿指南"


def _show(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {str(value).lower()}"
    if isinstance(value, dict):
        return "一组「字段: 值」"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, str):
        return f"「{shorten(value)}」"
    return f" {value}"


def _has_non_id(related: dict[str, Any]) -> bool:
    if any(isinstance(o, str) for o in related.values()):
        return True
    return any(
        isinstance(o, str) and not re.match(ID_PATTERN, o)
        for others in related.values()
        if isinstance(others, list)
        for o in others
    )


_TITLE_LINE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


def _title_of(path: Path) -> str | None:
    try:
        m = _TITLE_LINE.search(path.read_text(encoding="utf-8-sig")[:4000])
    except (OSError, UnicodeDecodeError):
        return None
    return m.group(1).strip("\"'") if m else None


def _title_key(text: str) -> str:
    return re.sub(r"[\s\"'“”‘’「」『』《》：:，,、。.（）()—\-]+", "", text).lower()


def _meant_case(value: str, ids: set[str], titles: dict[str, str]) -> tuple[str, str] | None:
    """(id, why) of the case an editor meant by a related entry that is not an id: a title, a file name or an address."""
    tail = re.split(r"[/\\]", value.strip().rstrip("/"))[-1]
    stem = (
        re.sub(r"\.(ya?ml|html?)$", "", tail, flags=re.IGNORECASE)
        .strip()
        .lower()
        .replace("_", "-")
        .replace(" ", "-")
    )
    if stem in ids:
        return stem, "相关案例只写编号（文件名去掉 .yaml，不带文件夹和网址）"
    key = _title_key(value)
    if not key:
        return None
    by_title = {_title_key(t): i for i, t in titles.items()}
    if key in by_title:
        return by_title[
            key
        ], f"「{shorten(value, 20)}」是案例的标题，相关案例要写编号（它的文件名去掉 .yaml）"
    best = difflib.get_close_matches(key, list(by_title), n=1, cutoff=0.5)
    if best:
        return (
            by_title[best[0]],
            f"「{shorten(value, 20)}」像是案例「{shorten(titles[by_title[best[0]]], 20)}」的标题，相关案例要写编号（它的文件名去掉 .yaml）",
        )
    return None


def _related_by_title(
    related: dict[str, Any], positions: dict[str, Positions], ids: set[str], titles: dict[str, str]
) -> list[CaseError]:
    errors = []
    for case_id, others in related.items():
        if isinstance(others, str) and others.strip():
            meant = _meant_case(others, ids - {case_id}, titles)
            if meant is None and re.match(ID_PATTERN, others.strip()):
                meant = (others.strip(), "相关案例")
            if meant is not None:
                at = positions[case_id].locate(("related",))
                errors.append(
                    CaseError(
                        at, "related", f"{meant[1]}，并写成列表（方括号）：请写成「related: [{meant[0]}]」"
                    )
                )
            continue
        if not isinstance(others, list):
            continue
        for i, other in enumerate(others):
            if not isinstance(other, str) or re.match(ID_PATTERN, other) or not other.strip():
                continue
            meant = _meant_case(other, ids - {case_id}, titles)
            if meant is None:
                continue
            at = positions[case_id].locate(("related", i))
            errors.append(CaseError(at, f"related[{i}]", f"{meant[1]}：请写成「{meant[0]}」"))
    return errors


def _check_related(
    related: dict[str, Any], positions: dict[str, Positions], ids: set[str]
) -> list[CaseError]:
    errors = []
    for case_id, others in related.items():
        if not isinstance(others, list):
            continue
        pos = positions[case_id]
        for i, other in enumerate(others):
            if not isinstance(other, str) or not re.match(ID_PATTERN, other):
                continue
            at = pos.locate(("related", i))
            if other == case_id:
                errors.append(
                    CaseError(at, f"related[{i}]", f"{describe(('related', i))}是这个案例自己，请删除")
                )
            elif other not in ids:
                guess = difflib.get_close_matches(other, sorted(ids - {case_id}), n=1, cutoff=0.6)
                hint = (
                    f"，您是不是要写「{guess[0]}」？" if guess else "，请检查拼写（编号即文件名去掉 .yaml）"
                )
                errors.append(CaseError(at, f"related[{i}]", f"找不到相关案例「{other}」{hint}"))
    return errors


def _check_images(images: Any, source: Path, pos: Positions, root: Path, deep: bool) -> list[CaseError]:
    """Check each ``images[n].file``: relative, inside ``cases/``, present with the exact case, a real image."""
    if not isinstance(images, list):
        return []
    errors = []
    base = source.parent
    root_real = root.resolve()
    for i, image in enumerate(images):
        if not isinstance(image, dict) or not isinstance(image.get("file"), str) or not image["file"].strip():
            continue
        if "\\" in image["file"] or any(ord(ch) < 0x20 or ch in INVISIBLE_CHARS for ch in image["file"]):
            continue  # refused by the model with its own message
        at = pos.locate(("images", i, "file"))
        field = f"images[{i}].file"
        rel = image["file"].strip()
        if re.match(r"^[a-z][a-z0-9+.-]*://", rel, re.IGNORECASE):
            errors.append(
                CaseError(
                    at,
                    field,
                    "这里不能写网址：请把照片上传到 cases/images/ 文件夹，再写它相对于案例文件的路径，例如 images/photo.jpg",
                )
            )
            continue
        better = _better_path(rel, base, root)
        if rel.startswith("/") or re.match(r"^[a-zA-Z]:", rel):
            fix = f"请写成「{better}」" if better else "例如 images/photo.jpg"
            errors.append(
                CaseError(at, field, f"图片路径要从案例文件所在的文件夹算起，不能以「/」或盘符开头：{fix}")
            )
            continue
        target = base / rel
        try:
            resolved = target.resolve()
        except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a symlink loop
            errors.append(
                CaseError(at, field, f"「{rel}」是循环的符号链接，指不到任何文件：请换成真正的图片文件")
            )
            continue
        if not resolved.is_relative_to(root_real):
            fix = f"；这张图片在 cases/ 里的路径请写成「{better}」" if better else ""
            errors.append(CaseError(at, field, f"图片必须放在 cases/ 文件夹之内{fix}"))
            continue
        problem = _exact_case_problem(base, rel)
        if problem and better and "大小写" not in problem:
            errors.append(CaseError(at, field, _path_hint(rel, better, base)))
            continue
        if problem:
            errors.append(CaseError(at, field, problem))
            continue
        if target.is_symlink() or not target.is_file():
            errors.append(CaseError(at, field, f"「{rel}」不是普通文件"))
            continue
        if deep:
            from site_builder.media.photos import photo_problems  # Pillow: only for files naming photos

            reason = photo_problems(target, display_path(target))
            if reason:
                errors.append(CaseError(at, field, reason))
    return errors


def _better_path(rel: str, base: Path, root: Path) -> str | None:
    """The path an editor meant: ``cases/images/x.jpg`` written from the repository, or the one file of that name."""
    parts = [p for p in re.split(r"[/\\]+", rel) if p not in ("", ".")]
    if not parts:
        return None
    for k in range(1, len(parts)):
        candidate = "/".join(parts[k:])
        if ".." not in parts[k:] and (base / candidate).is_file():
            return candidate
    try:
        hits = [p for p in root.rglob(parts[-1]) if p.is_file() and not p.is_symlink()][:2]
    except OSError:
        return None
    if len(hits) == 1:
        return os.path.relpath(hits[0], base).replace(os.sep, "/")
    return None


def _path_hint(rel: str, better: str, base: Path) -> str:
    folder = display_path(base) or "."
    if rel.replace("\\", "/").rstrip("/").endswith("/" + better):
        dropped = rel[: len(rel) - len(better)].rstrip("/\\")
        return (
            f"图片路径要从案例文件所在的文件夹（{folder}/）算起，不要带开头的「{dropped}/」："
            f"请写成「{better}」"
        )
    return f"找不到图片「{rel}」，但找到了同名文件：路径从案例文件所在的文件夹（{folder}/）算起，请写成「{better}」"


def _check_drawable(case: Case, positions: Positions) -> list[CaseError]:
    """Title and summary are drawn on covers and social cards: refuse what the build's font cannot draw."""
    errors = []
    for field_name in _DRAWN:
        missing = missing_glyphs(getattr(case, field_name))
        if missing:
            errors.append(
                CaseError(
                    positions.locate((field_name,)),
                    field_name,
                    f"「{missing}」无法画到封面和分享图片上（字体里没有这些字符，例如表情符号或生僻字）：请删除或换一种写法",
                )
            )
    return errors


_DRAWN = [k for k, info in Case.model_fields.items() if field_meta(info).get("x-drawn")]


def _exact_case_problem(base: Path, rel: str) -> str | None:
    current = base
    for part in [p for p in rel.split("/") if p not in ("", ".")]:
        if part == "..":
            current = current.parent
            continue
        try:
            names = os.listdir(current)
        except OSError:
            return (
                f"找不到图片「{rel}」：请把照片上传到 {display_path(current)}/ 文件夹"
                "（GitHub 网页上：点 Add file → Upload files），或改正这里的路径（相对于案例文件所在的文件夹）"
            )
        if part not in names:
            same = [n for n in names if n.lower() == part.lower()]
            if same:
                return f"找不到「{part}」：文件名大小写不一致，实际文件叫「{same[0]}」"
            alike = [
                n for n in names if unicodedata.normalize("NFC", n) == unicodedata.normalize("NFC", part)
            ]
            if alike:
                return (
                    f"找不到「{part}」：有一个文件名看起来完全一样，但其中的字用了另一种 Unicode 写法"
                    "（例如 macOS 保存的分解形式，或兼容汉字）：请在 YAML 里删掉文件名重新输入，"
                    "或者把图片改名后再提交"
                )
            return (
                f"找不到图片「{rel}」：请把照片上传到 {display_path(current)}/ 文件夹"
                "（GitHub 网页上：打开这个文件夹，点 Add file → Upload files），"
                "或改正这里的路径（相对于案例文件所在的文件夹）"
            )
        current = current / part
    return None


_GLYPHS: dict[str, bool] = {}


def missing_glyphs(text: str) -> str:
    """Characters of ``text`` the build's CJK fonts cannot draw ("" when no font is installed here)."""
    out = []
    for ch in dict.fromkeys(text):
        ok = _GLYPHS.get(ch)
        if ok is None:
            ok = _GLYPHS[ch] = _drawable_char(ch)
        if not ok:
            out.append(ch)
    return "".join(out)


def _drawable_char(ch: str) -> bool:
    from site_builder.media.fonts import CJKFontNotFoundError, find_cjk_font
    from site_builder.media.fonts import missing_glyphs as font_missing

    try:
        fonts = [find_cjk_font("bold").load(32), find_cjk_font("regular").load(32)]
    except (CJKFontNotFoundError, OSError):
        return True
    return not any(font_missing(font, ch) for font in fonts)
