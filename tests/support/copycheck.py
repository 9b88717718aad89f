"""Copy check: runs of identical characters shared by a case's prose and the source articles.

Cases must be written anew (content brief, rule 1): no run of 25 or more identical characters
shared between any case text and any source article, ignoring spaces, punctuation and symbols,
in either script.  Both sides are folded with :func:`site_builder.textnorm.fold` (traditional and
variant characters -> simplified, full-width -> half-width), then every character that is not a
letter, digit or combining mark is dropped, so a copied sentence cannot hide behind changed
commas, quotation marks or a traditional-script source.

Every string in the case is checked (recursively, with its field path such as ``practice``,
``highlights[2]`` or ``metrics[0].note``) except ``quotes`` (exact words of a speaker by design)
and ``sources[].title`` (the article's title, cited verbatim).

The articles are not in the repository. ``tests/fixtures/source_shingles.txt`` holds a hash of every
25-character window of each normalized article, in article order (not the text), so the check
runs on every clone and in CI: :class:`ShingleIndex` finds the same maximal runs of 25 or more
characters as the articles themselves would, and its position in the article.
``tools/source_shingles.py`` regenerates the file from ``../shared/sources``.

Run as a script to look at runs while writing::

    python -m tests.support.copycheck [--min 15] [--sources DIR] cases/x.yaml ...
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from site_builder.textnorm import fold

__all__ = [
    "DEFAULT_MIN_RUN",
    "SHINGLES_FILE",
    "SHINGLE_SIZE",
    "Article",
    "SharedRun",
    "ShingleIndex",
    "case_text_fields",
    "check_case",
    "check_cases",
    "find_runs",
    "find_sources_dir",
    "load_articles",
    "longest_run",
    "normalize",
    "render_shingles",
]

DEFAULT_MIN_RUN = 25
"""The brief's limit: a shared run of this many characters or more is a copy."""

SHINGLE_SIZE = 25
"""Characters per hashed window in the shipped file: runs shorter than this cannot be found in it."""
SHINGLES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "source_shingles.txt"
"""The hashed windows of the source articles, committed so the copy check runs everywhere."""
_HASH_BYTES = 6  # 48 bits: at a million case windows, a false match about once in 10,000 runs
_HASH_PERSON = b"sb-copycheck-v1"
_PER_LINE = 10

_EXCLUDED_TOP_KEYS = frozenset({"quotes"})
_EXCLUDED_SOURCE_KEYS = frozenset({"title"})
_ROOT = Path(__file__).resolve().parents[2]
# Variants seen in the articles that the shared fold table leaves alone (郃 is also a rare
# character in its own right, so textnorm keeps it); the copy check folds them anyway.
_EXTRA_FOLD = str.maketrans({"郃": "合"})


@dataclass(frozen=True)
class Article:
    """A source article: its file name and its normalized text."""

    name: str
    text: str


@dataclass(frozen=True)
class SharedRun:
    """A maximal run of characters shared by one case field and one article."""

    case: str
    field: str
    article: str
    text: str
    field_offset: int
    article_offset: int
    raw_offset: int | None = None
    """Where the run starts in the field's own text (None where normalization moved characters)."""

    @property
    def length(self) -> int:
        """Number of characters in the run (after normalization)."""
        return len(self.text)

    def describe(self) -> str:
        """One line naming the file, the field and where in it, the article and where in it, the text."""
        start = self.raw_offset if self.raw_offset is not None else self.field_offset
        return (
            f"{self.case}: {self.field}（第 {start + 1} 个字起）: 与《{self.article}》"
            f"（去掉标点后第 {self.article_offset + 1} 个字起）相同的 {self.length} 个字：{self.text}"
        )


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def normalize(text: str) -> str:
    """Fold ``text`` to the matching key and drop spaces, punctuation and symbols.

    Why: a copied sentence must be found whatever script, width or punctuation it is written in.
    """
    return "".join(ch for ch in fold(text).translate(_EXTRA_FOLD) if _keep(ch))


def _raw_offsets(raw: str, text: str) -> list[int] | None:
    """For each character of ``text`` (``normalize(raw)``), its index in ``raw``; None if not 1:1."""
    offsets: list[int] = []
    pieces: list[str] = []
    for i, ch in enumerate(raw):
        kept = normalize(ch)
        pieces.append(kept)
        offsets.extend([i] * len(kept))
    return offsets if "".join(pieces) == text else None


def _shingle_hash(window: str) -> str:
    digest = hashlib.blake2b(window.encode("utf-8"), digest_size=_HASH_BYTES, person=_HASH_PERSON)
    return digest.hexdigest()


def _windows(text: str, size: int = SHINGLE_SIZE) -> list[str]:
    return [_shingle_hash(text[i : i + size]) for i in range(len(text) - size + 1)]


def render_shingles(articles: Iterable[Article]) -> str:
    """The shipped file's text: per article, its name and the hash of each window, in order."""
    lines = [
        "# Hashed 25-character windows of the normalized source articles (tests/support/copycheck.py),",
        "# not their text. Regenerate with: .venv/bin/python tools/source_shingles.py",
        f"# shingle {SHINGLE_SIZE} blake2b-{_HASH_BYTES * 8} {_HASH_PERSON.decode()}",
    ]
    for article in articles:
        hashes = _windows(article.text)
        lines.append(f"article {article.name} {len(hashes)}")
        lines += [" ".join(hashes[i : i + _PER_LINE]) for i in range(0, len(hashes), _PER_LINE)]
    return "\n".join(lines) + "\n"


class ShingleIndex:
    """The articles as hashed windows: finds maximal shared runs of ``SHINGLE_SIZE``+ characters.

    A window of the case matching window ``p`` of an article starts a run there; the run grows
    while the next windows match too, so its length and both offsets are those :func:`find_runs`
    gives on the text itself (barring a 48-bit hash collision).
    """

    def __init__(self, articles: dict[str, list[str]]) -> None:
        self.articles = articles
        self._where: dict[str, list[tuple[str, int]]] = {}
        for name, hashes in articles.items():
            for pos, h in enumerate(hashes):
                self._where.setdefault(h, []).append((name, pos))

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> ShingleIndex:
        """Hash real articles (what the shipped file holds)."""
        return cls({a.name: _windows(a.text) for a in articles})

    @classmethod
    def load(cls, path: Path = SHINGLES_FILE) -> ShingleIndex:
        """Read the shipped file written by :func:`render_shingles` (a truncated file is refused)."""
        articles: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        current: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith("article "):
                _, name, count = line.split(" ")
                current = articles.setdefault(name, [])
                counts[name] = int(count)
            else:
                current.extend(line.split())
        damaged = [name for name, hashes in articles.items() if len(hashes) != counts[name]]
        if damaged or not articles:
            raise ValueError(f"{path}: damaged or empty ({', '.join(damaged)}); run tools/source_shingles.py")
        return cls(articles)

    def runs(self, text: str, min_len: int) -> list[tuple[str, int, int, int]]:
        """``(article, offset in text, offset in article, length)`` of every maximal run >= ``min_len``."""
        if min_len < SHINGLE_SIZE:
            raise ValueError(f"hashed windows find runs of {SHINGLE_SIZE} characters or more")
        own = _windows(text)
        found: list[tuple[str, int, int, int]] = []
        for i, h in enumerate(own):
            for name, p in self._where.get(h, ()):
                theirs = self.articles[name]
                if i > 0 and p > 0 and own[i - 1] == theirs[p - 1]:
                    continue  # not left-maximal: found from an earlier start already
                k = 1
                while i + k < len(own) and p + k < len(theirs) and own[i + k] == theirs[p + k]:
                    k += 1
                if SHINGLE_SIZE + k - 1 >= min_len:
                    found.append((name, i, p, SHINGLE_SIZE + k - 1))
        return found


def case_text_fields(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(field path, string)`` for every string in a case, except quotes and source titles."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, Mapping):
        for key, value in data.items():
            key_s = str(key)
            if not path and key_s in _EXCLUDED_TOP_KEYS:
                continue
            if path.startswith("sources[") and path.count(".") == 0 and key_s in _EXCLUDED_SOURCE_KEYS:
                continue
            yield from case_text_fields(value, f"{path}.{key_s}" if path else key_s)
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from case_text_fields(value, f"{path}[{i}]")


def _grams(text: str, size: int) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i in range(len(text) - size + 1):
        index.setdefault(text[i : i + size], []).append(i)
    return index


@cache
def _article_index(text: str, size: int) -> dict[str, list[int]]:
    return _grams(text, size)


def find_runs(text: str, article: str, min_len: int) -> list[tuple[int, int, int]]:
    """Return every maximal shared run ``(offset in text, offset in article, length)`` >= ``min_len``.

    Both arguments must already be normalized.  A run is maximal: it cannot be extended left or
    right at the same alignment.  Runs at different alignments may overlap.
    """
    if min_len < 1:
        raise ValueError("min_len must be at least 1")
    if len(text) < min_len or len(article) < min_len:
        return []
    index = _article_index(article, min_len)
    runs: list[tuple[int, int, int]] = []
    for i in range(len(text) - min_len + 1):
        for p in index.get(text[i : i + min_len], ()):
            if i > 0 and p > 0 and text[i - 1] == article[p - 1]:
                continue  # not left-maximal: found from an earlier start already
            n = min_len
            while i + n < len(text) and p + n < len(article) and text[i + n] == article[p + n]:
                n += 1
            runs.append((i, p, n))
    return runs


def _article_paths(sources_dir: Path) -> list[Path]:
    return [p for p in sorted(sources_dir.glob("*.md")) if p.name.lower() != "readme.md"]


def load_articles(sources_dir: Path) -> list[Article]:
    """Read and normalize every article (``*.md`` except the README) in ``sources_dir``."""
    return [
        Article(path.name, normalize(path.read_text(encoding="utf-8")))
        for path in _article_paths(sources_dir)
    ]


def check_case(
    case_path: Path, articles: Iterable[Article] | ShingleIndex, min_len: int = DEFAULT_MIN_RUN
) -> list[SharedRun]:
    """Return every run of ``min_len``+ characters shared by a case's text fields and an article.

    ``articles`` are the articles' texts, or the shipped hashed windows (``min_len`` >= 25 then).
    """
    data = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    found: list[SharedRun] = []
    texts = None if isinstance(articles, ShingleIndex) else list(articles)
    for field, raw in case_text_fields(data):
        text = normalize(raw)
        if texts is None:
            assert isinstance(articles, ShingleIndex)
            runs = articles.runs(text, min_len)
        else:
            runs = [(a.name, *run) for a in texts for run in find_runs(text, a.text, min_len)]
        offsets = _raw_offsets(raw, text) if runs else None
        for name, start, a_start, length in runs:
            found.append(
                SharedRun(
                    case_path.name,
                    field,
                    name,
                    text[start : start + length],
                    start,
                    a_start,
                    offsets[start] if offsets else None,
                )
            )
    found.sort(key=lambda r: (-r.length, r.field, r.article, r.field_offset))
    return found


def check_cases(
    case_paths: Iterable[Path], articles: Iterable[Article] | ShingleIndex, min_len: int = DEFAULT_MIN_RUN
) -> list[SharedRun]:
    """Run :func:`check_case` over many case files."""
    index = articles if isinstance(articles, ShingleIndex) else list(articles)
    return [run for path in case_paths for run in check_case(path, index, min_len)]


def longest_run(case_path: Path, articles: Iterable[Article], floor: int = 4) -> SharedRun | None:
    """Return the longest shared run of a case (``floor`` characters or more), or None."""
    runs = check_case(case_path, articles, floor)
    return runs[0] if runs else None


def _main_checkout(root: Path) -> Path | None:
    """The main checkout when ``root`` is a linked git worktree (``.git`` is a file)."""
    dot_git = root / ".git"
    if not dot_git.is_file():
        return None
    line = dot_git.read_text(encoding="utf-8").strip()
    if not line.startswith("gitdir:"):
        return None
    gitdir = (root / line.split(":", 1)[1].strip()).resolve()
    commondir = gitdir / "commondir"
    common = (
        (gitdir / commondir.read_text(encoding="utf-8").strip()).resolve() if commondir.is_file() else gitdir
    )
    return common.parent


def find_sources_dir(root: Path = _ROOT) -> Path | None:
    """Locate the source articles: ``$SITE_BUILDER_SOURCES``, else ``../shared/sources`` of the clone.

    A linked git worktree also looks beside its main checkout, so worktrees check like the clone.
    """
    env = os.environ.get("SITE_BUILDER_SOURCES")
    candidates = [Path(env)] if env else []
    candidates.append(root.parent / "shared" / "sources")
    main = _main_checkout(root)
    if main is not None:
        candidates.append(main.parent / "shared" / "sources")
    for candidate in candidates:
        if candidate.is_dir() and _article_paths(candidate):
            return candidate
    return None


def main(argv: list[str] | None = None) -> int:
    """Print shared runs for the given case files; exit 1 if any run reaches ``--fail`` characters."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+", type=Path)
    parser.add_argument("--min", type=int, default=15, help="report runs of at least this many characters")
    parser.add_argument("--fail", type=int, default=DEFAULT_MIN_RUN, help="exit 1 at runs this long")
    parser.add_argument("--sources", type=Path, default=None)
    args = parser.parse_args(argv)
    sources = args.sources or find_sources_dir()
    if sources is None:
        print("source articles not found (set SITE_BUILDER_SOURCES)", file=sys.stderr)
        return 2
    articles = load_articles(sources)
    worst = 0
    for path in args.cases:
        runs = check_case(path, articles, min(args.min, args.fail))
        top = runs[0].length if runs else 0
        best = longest_run(path, articles)
        print(f"{path.name}: longest {best.length if best else 0}")
        for run in runs:
            if run.length >= args.min:
                print("  " + run.describe())
        worst = max(worst, top)
    return 1 if worst >= args.fail else 0


if __name__ == "__main__":
    raise SystemExit(main())
