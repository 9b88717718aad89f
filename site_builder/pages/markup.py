"""Editor-written Markdown to safe HTML.

Case files come from pull requests by people we do not vet, so Markdown is
rendered with a small extension set and the result is sanitized with nh3
(ammonia): no raw ``<script>``, no event handlers, no ``style``, links only to
http(s), headings shifted below the page's section headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "sup",
    "sub",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_SAFE_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_LONE_BRACKET = re.compile(r"\[(?![^\[\]\n]{0,300}\]\()")
"""A ``[`` that does not open a plain inline link: Python-Markdown searches ahead for its partner from
every one, which is quadratic in nested brackets (8,000 took a minute). It is set aside and put back
as text after rendering."""
_SET_ASIDE = "\ue000"


def _shift_heading(m: re.Match[str]) -> str:
    level = min(max(int(m.group(2)) + 1, 3), 5)
    return f"<{m.group(1)}h{level}"


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return value if _SAFE_URL.match(value.strip()) else None
    return value


@lru_cache(maxsize=1)
def _renderer() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "sane_lists", "nl2br"], output_format="html")


_RENDERED: dict[str, str] = {}
"""Text -> its sanitized HTML, for every text this process rendered or was handed (a pure function of
the text and this code): a case page and the open data's table show the same fields."""
_RENDERED_MAX = 1 << 15


def render_markdown(text: str | None) -> str:
    """Render one Markdown field to sanitized HTML ('' for empty input); each text once a process."""
    if not text or not text.strip():
        return ""
    html = _RENDERED.get(text)
    if html is None:
        if len(_RENDERED) >= _RENDERED_MAX:  # a long-lived preview server: start again
            _RENDERED.clear()
        html = _RENDERED[text] = _render(text)
    return html


def rendered_markdown(texts: Iterable[str | None]) -> dict[str, str]:
    """The HTML of those of ``texts`` this process has rendered: what a worker hands back to its parent."""
    return {text: _RENDERED[text] for text in texts if text and text in _RENDERED}


def remember_markdown(rendered: Mapping[str, str]) -> None:
    """Take HTML a worker rendered (:func:`rendered_markdown`), so that neither this process nor one it
    forks later renders those texts again."""
    for text, html in rendered.items():
        _RENDERED.setdefault(text, html)


def forget_markdown() -> None:
    """Start a build with no remembered HTML: the sanitizer or its settings may have changed since the
    last build of a long-lived process (the preview server, tests building in process)."""
    _RENDERED.clear()


def _render(text: str) -> str:
    md = _renderer()
    md.reset()
    html = md.convert(_LONE_BRACKET.sub(_SET_ASIDE, text.replace(_SET_ASIDE, "")))
    html = _HEADING.sub(_shift_heading, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    ).replace(_SET_ASIDE, "[")
