"""Chinese full-text search with filters: index builder and /search/ page (no mkdocs import)."""

from __future__ import annotations

from .build import build_search_files, docs_from_cases, load_synonyms
from .page import SEARCH_PAGE_DESCRIPTION, SEARCH_PAGE_TITLE, render_search_page
from .tokens import runs, tokens

__all__ = [
    "SEARCH_PAGE_DESCRIPTION",
    "SEARCH_PAGE_TITLE",
    "build_search_files",
    "docs_from_cases",
    "load_synonyms",
    "render_search_page",
    "runs",
    "tokens",
]
