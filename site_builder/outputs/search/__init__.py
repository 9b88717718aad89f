"""Chinese full-text search with filters: index builder and /search/ page (no mkdocs import)."""

from __future__ import annotations

from site_builder.outputs.search.index import build_search_files, docs_from_cases, load_synonyms
from site_builder.outputs.search.page import SEARCH_PAGE_DESCRIPTION, SEARCH_PAGE_TITLE, render_search_page
from site_builder.outputs.search.tokens import doc_tokens, normalize, runs

__all__ = [
    "SEARCH_PAGE_DESCRIPTION",
    "SEARCH_PAGE_TITLE",
    "build_search_files",
    "doc_tokens",
    "docs_from_cases",
    "load_synonyms",
    "normalize",
    "render_search_page",
    "runs",
]
