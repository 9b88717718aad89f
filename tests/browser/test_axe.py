"""The tests' accessibility check: skipping axe's minor and moderate rules changes nothing it reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.axe import SERIOUS, axe_violations
from tests.support.project import serve

pytestmark = pytest.mark.browser

FLAWED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>有问题的页面</title></head>
<body><h1>标题</h1><h4>跳过了两级的小标题</h4>
<p style="color:#bbb;background:#fff">对比度不够的文字</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"><a href="#"></a></body></html>"""
"""Serious and critical violations (contrast, an image and a field without a name, an empty link)
beside moderate ones (no main landmark, text outside landmarks, a skipped heading level)."""


def test_the_shortened_run_reports_what_the_full_run_reports(browser: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(FLAWED, encoding="utf-8")
    url, server = serve(tmp_path)
    page = browser.new_page()
    try:
        page.goto(url)
        shortened = axe_violations(page)
        full = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    finally:
        page.close()
        server.shutdown()

    def found(violations: list[dict[str, Any]]) -> list[tuple[str, str, list[Any]]]:
        return sorted((v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations)

    assert {"region", "landmark-one-main", "heading-order"} <= {v["id"] for v in full}
    assert {"color-contrast", "image-alt", "label", "link-name"} <= {v["id"] for v in shortened}
    assert found(shortened) == found([v for v in full if v["impact"] in SERIOUS])
