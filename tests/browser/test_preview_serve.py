"""The live preview as an editor uses it: break a case, see the error in the page, fix it, watch it reload.

Runs the real ``site-builder serve`` (as ``make serve`` does) on a free loopback port
against a throwaway project, and waits on page conditions and server log lines, never on sleeps.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError

from tests.support.devserver import free_port, mkdocs_serve
from tests.support.project import FIXTURE_CASES, PATIENCE_MS, ROOT, make_project

pytestmark = pytest.mark.browser

RELOADED = "() => window.__sbBeforeEdit === undefined"
OVERLAY = "#sb-preview-errors"


def _project(tmp_path: Path) -> Path:
    config = make_project(tmp_path / "project", FIXTURE_CASES)
    theme = tmp_path / "project" / "theme"
    shutil.copytree(ROOT / "theme", theme)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["theme"]["custom_dir"] = str(theme)
    data.pop("site_url", None)  # serve at the root of the free port, as `make serve` does with SITE_URL
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def _edit_and_wait(page, edit, condition: str) -> None:  # type: ignore[no-untyped-def]
    """Mark the open page, make the edit, and wait until live reload has replaced the page.

    The previous edit's background build may still reload the page while it is being marked: then
    the reloaded page is marked instead.
    """
    for attempt in range(20):
        try:
            page.wait_for_load_state()
            page.evaluate("window.__sbBeforeEdit = true")
            break
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error) or attempt == 19:
                raise
    edit()
    # a page caught mid-reload has no <h1> yet: the condition is asked again, not failed
    page.wait_for_function(
        f"() => {{ try {{ return ({RELOADED})() && ({condition}); }} catch (e) {{ return false; }} }}",
        timeout=PATIENCE_MS,
    )


def test_preview_keeps_serving_and_shows_errors(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = _project(tmp_path)
    cases = config.parent / "cases"
    helmet = cases / "riders-golden-helmet.yaml"
    good = helmet.read_text(encoding="utf-8")
    year_line = next(i for i, line in enumerate(good.splitlines(), 1) if line.startswith("year:"))
    port = free_port()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    with mkdocs_serve(config, port=port) as server:
        page = context.new_page()
        page.goto(server.url + "cases/riders-golden-helmet/")
        assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"
        assert page.locator(OVERLAY).count() == 0

        # 0. An edit: the open page reloads with the new title.
        _edit_and_wait(
            page,
            lambda: helmet.write_text(
                good.replace("title: 金色头盔：骑手先锋在街区", "title: 金色头盔：改过"), encoding="utf-8"
            ),
            "document.querySelector('h1').innerText === '金色头盔：改过'",
        )
        _edit_and_wait(
            page,
            lambda: helmet.write_text(good, encoding="utf-8"),
            "document.querySelector('h1').innerText === '金色头盔：骑手先锋在街区'",
        )

        # 1. A mistake: the open page reloads with the located error, the case keeps its last good page.
        _edit_and_wait(
            page,
            lambda: helmet.write_text(good.replace("year: 2021", "year: 二〇二一年"), encoding="utf-8"),
            f"document.querySelector('{OVERLAY}') !== null",
        )
        overlay = page.locator(OVERLAY).inner_text()
        assert f"cases/riders-golden-helmet.yaml:{year_line}:" in overlay, overlay
        assert "年份 (year): 应为整数年份" in overlay and "上次正确的版本" in overlay, overlay
        assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"

        # 2. The rest of the site still answers (no hanging request), each page showing the banner.
        other = context.new_page()
        response = other.goto(server.url + "cases/couriers-joint-meeting/", timeout=PATIENCE_MS)
        assert response is not None and response.status == 200
        assert other.locator("h1").inner_text() == "快递外卖行业党建联席会议"
        assert "riders-golden-helmet.yaml" in other.locator(OVERLAY).inner_text()
        response = other.goto(server.url, timeout=PATIENCE_MS)
        assert response is not None and response.status == 200
        assert other.locator("h1").first.inner_text() == "上海新兴领域党建案例库"

        # 3. Fixing the file reloads the page without the banner.
        _edit_and_wait(
            page,
            lambda: helmet.write_text(good, encoding="utf-8"),
            f"document.querySelector('{OVERLAY}') === null",
        )
        assert page.locator("h1").inner_text() == "金色头盔：骑手先锋在街区"

        # 4. A fresh template from `site-builder new` shows up at once as a draft listing its gaps.
        def new_case() -> None:
            cmd = [sys.executable, "-m", "site_builder.cli", "new", "fresh-draft", "--no-input"]
            subprocess.run(cmd, cwd=config.parent, check=True, capture_output=True, timeout=60)

        _edit_and_wait(page, new_case, f"document.querySelector('{OVERLAY}') !== null")
        assert "cases/fresh-draft.yaml" in page.locator(OVERLAY).inner_text()
        page.locator(OVERLAY).get_by_role("link", name="打开页面").click()
        page.wait_for_url("**/cases/fresh-draft/")
        assert "草稿" in page.locator(".sb-draft").inner_text()
        gaps = page.locator(".sb-gaps li").all_inner_texts()
        assert gaps and all(g.startswith("cases/fresh-draft.yaml:") for g in gaps), gaps
        assert any("title" in g for g in gaps), gaps

        # 4b. Deleting the file: its open page reloads as "not found", and the banner goes.
        _edit_and_wait(
            page,
            lambda: (config.parent / "cases" / "fresh-draft.yaml").unlink(),
            "document.querySelector('.sb-gaps') === null",
        )
        assert page.locator(OVERLAY).count() == 0
        page.goto(server.url + "cases/riders-golden-helmet/")

        # 5. Edits under theme/ rebuild and reload too (the reloaded page serves the new stylesheet).
        css = config.parent / "theme" / "assets" / "stylesheets" / "site.css"
        _edit_and_wait(
            page,
            lambda: css.write_text(css.read_text(encoding="utf-8") + "\n.sb-probe{}\n", encoding="utf-8"),
            "true",
        )
        page.wait_for_function(
            "() => [...document.styleSheets].some(s => (s.href || '').includes('stylesheets/site.css')"
            " && [...s.cssRules].some(r => r.selectorText === '.sb-probe'))",
            timeout=PATIENCE_MS,
        )
        page.evaluate("window.__sbBeforeEdit = true")

    # 6. The server stops, the case changes meanwhile, the server starts again: the open page
    # reconnects by itself and reloads with the new title.
    helmet.write_text(
        good.replace("title: 金色头盔：骑手先锋在街区", "title: 金色头盔：重启后"), encoding="utf-8"
    )
    with mkdocs_serve(config, port=port):
        page.wait_for_function(
            f"() => {{ try {{ return ({RELOADED})() && document.querySelector('h1').innerText === '金色头盔：重启后'; }}"
            " catch (e) { return false; } }",
            timeout=PATIENCE_MS,
        )
    context.close()
