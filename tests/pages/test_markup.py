"""Editor Markdown becomes sanitized HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markdown import inlinepatterns

from site_builder.pages.markup import render_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[a](javascript:alert(1))", "javascript:"),
        ("[a](data:text/html;base64,xx)", "data:"),
        ("[a](//evil.example/x)", "evil.example"),
        ('段落\n{: onclick="alert(1)" }', "<p onclick"),
        ('<a href="https://x.org" onclick="alert(1)">x</a>', "onclick"),
        ("<style>body{}</style>", "<style"),
        ("<iframe src='https://x.org'></iframe>", "<iframe"),
    ],
)
def test_markdown_is_sanitized(source: str, absent: str) -> None:
    assert absent not in render_markdown(source)


def test_markdown_keeps_useful_formatting() -> None:
    html = render_markdown("## 小标题\n\n**重点**和[链接](https://example.org/)\n\n1. 一\n2. 二\n")
    assert "<h3>小标题</h3>" in html
    assert "<strong>重点</strong>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">链接</a>' in html
    assert "<ol>" in html


@pytest.mark.parametrize(
    "bomb",
    ["[" * 5000, "[^" * 2500, "([" * 2500, "[a][" * 1250, "[[a]" * 1250, "[a]: [" * 800],
    ids=["brackets", "footnote-like", "paren-bracket", "reference-like", "closed-pairs", "definitions"],
)
def test_nested_brackets_are_kept_as_text(bomb: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unpaired ``[`` never reach Python-Markdown's link search (quadratic: 8,000 took a minute)."""
    searches = 0
    original = inlinepatterns.LinkInlineProcessor.handleMatch

    def counted(self: Any, m: Any, data: str) -> Any:
        nonlocal searches
        searches += 1
        return original(self, m, data)

    monkeypatch.setattr(inlinepatterns.LinkInlineProcessor, "handleMatch", counted)
    html = render_markdown(bomb)
    assert searches == 0
    assert html.count("[") == bomb.count("[")
    assert "\ue000" not in html


def test_links_and_code_keep_their_brackets() -> None:
    html = render_markdown("甲 [乙] [[丙]] `[丁]` [链接](https://example.org/)\n")
    assert "甲 [乙] [[丙]] <code>[丁]</code>" in html
    assert '<a href="https://example.org/"' in html


def test_a_text_is_rendered_once_and_a_workers_html_is_taken_as_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A case page and the open data's table show the same fields: each text is rendered once a
    process, and a worker's HTML handed to its parent (and to what the parent forks) is not rendered
    again."""
    from site_builder.outputs.export import markdown_text
    from site_builder.pages import markup
    from site_builder.pages.render import SECTIONS, case_markdown
    from tests.support.synthetic import synthetic_cases

    real = markup._render
    calls: list[str] = []

    def counted(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(markup, "_render", counted)
    monkeypatch.setattr(markup, "_RENDERED", {})
    case = synthetic_cases(1)[0]
    texts = [t for t in (getattr(case, key) for key, _ in SECTIONS) if t and t.strip()]
    assert texts
    pages = {t: render_markdown(t) for t in texts}
    assert sorted(calls) == sorted(set(texts))
    cells = [markdown_text(t) for t in texts]  # the table's plain text, from the same HTML
    assert sorted(calls) == sorted(set(texts))
    handed = case_markdown(case)
    assert handed == pages
    monkeypatch.setattr(markup, "_RENDERED", {})  # the parent, which rendered none of them
    markup.remember_markdown(handed)
    assert [render_markdown(t) for t in texts] == [pages[t] for t in texts]
    assert [markdown_text(t) for t in texts] == cells
    assert sorted(calls) == sorted(set(texts))
    assert markup.rendered_markdown(["从未渲染的文字", None, ""]) == {}
