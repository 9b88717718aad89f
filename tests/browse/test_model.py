"""The site model: facet values and slugs."""

from __future__ import annotations

from pathlib import Path

from site_builder.browse.model import slugify_tag

ROOT = Path(__file__).resolve().parents[2]


def test_tag_slugs_are_readable_ascii() -> None:
    assert slugify_tag("金色头盔") == "jin-se-tou-kui"
    assert slugify_tag("B站") == "b-zhan"
    assert slugify_tag("1℃空间").isascii()
