"""Write ``tests/fixtures/source_shingles.txt``: hashed 25-character windows of the source articles.

The articles (``../shared/sources`` beside the clone, or ``$SITE_BUILDER_SOURCES``) stay out of
the repository; their hashed windows go in, so the copy check (``tests/test_copying.py``) runs on
every clone and in CI. Run after an article is added or changed::

    .venv/bin/python tools/source_shingles.py           # write the file
    .venv/bin/python tools/source_shingles.py --check   # exit 1 if the file is out of date

``tests/test_copying.py`` runs the check wherever the articles are present.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.copycheck import SHINGLES_FILE, find_sources_dir, load_articles, render_shingles  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or with ``--check`` compare) the shipped file; 2 if the articles are not found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=None, help="folder of the articles (*.md)")
    parser.add_argument("--output", type=Path, default=SHINGLES_FILE)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if out of date")
    args = parser.parse_args(argv)
    sources = args.sources or find_sources_dir(ROOT)
    if sources is None:
        print(
            "找不到来源文章目录 ../shared/sources/（可用 --sources 或 SITE_BUILDER_SOURCES 指定）",
            file=sys.stderr,
        )
        return 2
    text = render_shingles(load_articles(sources))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} 已过期：请运行 .venv/bin/python tools/source_shingles.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {text.count(chr(10))} lines from {sources}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
