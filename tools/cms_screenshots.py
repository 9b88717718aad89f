"""Dev-only: retake the form-editor screenshots in docs/images/ (after upgrading the CMS).

    .venv/bin/python -m tools.cms_screenshots site   # a built site (make site)

Drives Debian's Chromium over the built /admin/ with a stand-in repository in the browser's
origin-private file system, and saves small palette PNGs.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from PIL import Image

from tests.support.cms import STAND_IN_REPOSITORY
from tests.support.project import CHROMIUM, CHROMIUM_ARGS, ROOT, serve

OUT = ROOT / "docs" / "images"


def _save(png: bytes, name: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    OUT.mkdir(parents=True, exist_ok=True)
    image.save(OUT / name, optimize=True)
    print(f"{OUT / name}: {(OUT / name).stat().st_size // 1024} KB")


def main(site: Path) -> None:
    """Take the screenshots the guide shows: token sign-in, a form with errors, a filled form."""
    from playwright.sync_api import sync_playwright

    url, server = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1100, "height": 720}, locale="zh-CN")
            context.add_init_script(STAND_IN_REPOSITORY)
            page = context.new_page()
            page.goto(url + "admin/")
            page.get_by_role("button", name="使用访问令牌登录").click()
            page.get_by_role("textbox").first.wait_for()
            _save(page.screenshot(), "cms-sign-in.png")
            page.goto(url + "admin/")
            page.reload()
            page.get_by_role("button", name="使用本地仓库").click()
            page.wait_for_url(re.compile(r"#/collections/cases$"))
            page.get_by_role("button", name="创建新条目").first.click()
            page.get_by_role("textbox", name="标题").fill("楼宇里的党群服务站")
            page.get_by_role("textbox", name="摘要").fill(
                "某街道在商务楼宇里设立党群服务站，为白领提供学习、议事和志愿服务的场所，全部通过表单填写。"
            )
            page.get_by_role("combobox", name="所在区").click()
            page.get_by_role("option", name="静安区", exact=True).click()
            page.get_by_role("combobox", name="领域").click()
            page.get_by_role("option", name="楼宇", exact=True).click()
            page.get_by_role("textbox", name="案例编号", exact=True).fill("jingan-building-service-station")
            _save(page.screenshot(), "cms-form.png")
            errors = context.new_page()  # the same stand-in repository, a fresh form
            errors.goto(url + "admin/#/collections/cases/new")
            errors.get_by_role("textbox", name="标题").fill("服务站")
            errors.get_by_role("button", name="保存", exact=True).click()
            errors.locator("[aria-invalid=true]").first.wait_for()
            _save(errors.screenshot(), "cms-errors.png")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "site"))
