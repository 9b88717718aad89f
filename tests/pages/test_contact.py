"""The readers' contact address: set once in mkdocs.yml, shown on 关于本站 and in every footer."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from site_builder.pages.contact import contact_email, contact_problem, fill_contact
from tests.support.project import FIXTURE_CASES, build_in_process, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, small_project: Path, small_site: Path) -> Path:
    """One project for every address below, starting from small_site's caches: each build is warm."""
    return make_project(
        tmp_path_factory.mktemp("contact") / "project", FIXTURE_CASES, cache_from=small_project
    )


def _build(project: Path, out: Path, extra: dict[str, object] | None) -> tuple[Path, str]:
    data = yaml.safe_load(project.read_text(encoding="utf-8"))
    data.pop("extra", None)
    if extra is not None:
        data["extra"] = extra
    project.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = build_in_process(project, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout + proc.stderr


def test_address_on_about_page_and_in_every_footer(project: Path, tmp_path: Path) -> None:
    site, log = _build(project, tmp_path / "site", {"contact_email": "cases@example.org"})
    assert "contact_email" not in log
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert '<strong>发邮件</strong>到 <a href="mailto:cases@example.org">cases@example.org</a>' in about
    assert "{{ contact_email }}" not in about
    for page in ("index.html", "cases/riders-golden-helmet/index.html", "search/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert (
            'class="sb-contact">发现错误或想提供线索，请写信到 <a href="mailto:cases@example.org">' in html
        ), page
        assert "Made with" not in html
        assert "sb-preview-errors" not in html  # the preview banner never reaches a real build


@pytest.mark.parametrize("extra", [None, {"contact_email": ""}, {"contact_email": "not an address"}])
def test_missing_address_is_reported_by_the_build(
    project: Path, tmp_path: Path, extra: dict[str, object] | None
) -> None:
    site, log = _build(project, tmp_path / "site", extra)
    expected = contact_problem(extra)
    assert expected is not None and expected in log
    assert "mailto:" not in (site / "index.html").read_text(encoding="utf-8")
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert "本站暂未设置联系邮箱" in about and "{{ contact_email }}" not in about


def test_contact_helpers() -> None:
    assert contact_email({"contact_email": " a.b@example.org "}) == "a.b@example.org"
    assert contact_email({"contact_email": "javascript:alert(1)"}) is None
    assert contact_problem({"contact_email": "a@b.cn"}) is None
    assert "不是有效的邮箱地址" in (contact_problem({"contact_email": "<b>@x"}) or "")
    assert fill_contact("没有标记", {}) == "没有标记"
