"""Two builds of the same cases are byte-identical, whatever day they run on."""

from __future__ import annotations

from pathlib import Path

from tests.support.showcase import build_showcase_site


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_builds_on_different_days_are_byte_identical(showcase_site: Path, tmp_path: Path) -> None:
    """The session's ``showcase_site`` is today's build; the other day's starts cold in a project of its own."""
    first = showcase_site
    # MkDocs takes "now" from SOURCE_DATE_EPOCH: 2001-01-01 stands for a build on another day.
    second = build_showcase_site(tmp_path, out_name="other-day", env={"SOURCE_DATE_EPOCH": "978307200"})
    a, b = _tree(first), _tree(second)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    for rel in (
        "data/cases.json",
        "data/cases.csv",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "sitemap.xml.gz",
    ):
        assert rel in a
