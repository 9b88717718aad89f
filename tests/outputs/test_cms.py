"""The form editor at /admin/: generated configuration, pinned bundle, and what it writes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from site_builder.casefile.fields import case_fields
from site_builder.casefile.loader import load_cases
from site_builder.casefile.models import ID_MAX, ID_PATTERN, Case
from site_builder.casefile.skeleton import SKELETON
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import read_yaml
from site_builder.cms import admin
from site_builder.cms.config import (
    CONFIG_PATH,
    SLUG_PATTERN,
    build_cms_config,
    project_settings,
    render_cms_config,
)
from site_builder.errors import EnvironmentProblem
from tests.support.cms import ROOT, SAVE_OPTIONS, dump_like_cms, order_like_cms
from tests.support.project import FIXTURE_CASES, build_in_process, cli_in_process, make_project

FIELD_ORDER = [spec.key for spec in case_fields()]


def _collection() -> dict[str, Any]:
    config = build_cms_config(**project_settings(ROOT / "mkdocs.yml"))
    collection: dict[str, Any] = config["collections"][0]
    return collection


def _widgets() -> dict[str, dict[str, Any]]:
    return {w["name"]: w for w in _collection()["fields"]}


def _submodel(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _submodel(arg)
        if inner is not None:
            return inner
    return None


def _check_widgets(model: type[BaseModel], widgets: list[dict[str, Any]], where: str) -> list[str]:
    by_name = {w["name"]: w for w in widgets}
    problems = [f"{where}{k}: 表单里没有这个字段" for k in model.model_fields if k not in by_name]
    problems += [f"{where}{k}: 模型里没有这个字段" for k in by_name if k not in model.model_fields]
    for key, info in model.model_fields.items():
        sub = _submodel(info.annotation)
        if sub is not None and key in by_name:
            problems += _check_widgets(sub, by_name[key].get("fields", []), f"{where}{key}.")
    return problems


def test_every_model_field_has_a_widget_and_no_widget_is_stale() -> None:
    assert _check_widgets(Case, _collection()["fields"], "") == []


def test_widget_check_notices_a_missing_field() -> None:
    widgets = [w for w in _collection()["fields"] if w["name"] != "summary"]
    sources = next(w for w in widgets if w["name"] == "sources")
    sources["fields"] = [f for f in sources["fields"] if f["name"] != "publisher"]
    problems = _check_widgets(Case, widgets, "")
    assert "summary: 表单里没有这个字段" in problems
    assert "sources.publisher: 表单里没有这个字段" in problems


def test_committed_config_matches_a_fresh_one() -> None:
    committed = (ROOT / CONFIG_PATH).read_text(encoding="utf-8")
    assert committed == render_cms_config(**project_settings(ROOT / "mkdocs.yml")), (
        "schema/cms-config.yml 已过期：请运行 site-builder cms-config"
    )


def test_cms_config_check_fails_on_a_stale_copy(tmp_path: Path) -> None:
    stale = tmp_path / "cms.yml"
    stale.write_text(render_cms_config(repo="a/b").replace("标题", "题目"), encoding="utf-8")
    cmd = ["cms-config", "--check", "--output", str(stale)]
    proc = cli_in_process(cmd, ROOT)
    assert proc.returncode == 1
    assert "已过期" in proc.stderr
    fresh = cli_in_process(["cms-config", "--output", str(stale)], ROOT)
    assert fresh.returncode == 0
    check = cli_in_process(cmd, ROOT)
    assert check.returncode == 0, check.stderr


def test_widgets_carry_the_models_rules_in_chinese() -> None:
    w = _widgets()
    vocab = load_vocabularies()
    assert (w["title"]["widget"], w["title"]["minlength"], w["title"]["maxlength"]) == ("string", 4, 40)
    assert w["title"]["label"] == "标题" and w["title"]["required"] is True
    assert w["locality"]["required"] is False
    assert w["district"]["widget"] == "select" and w["district"]["options"] == vocab.districts.names()
    assert "multiple" not in w["district"]
    assert (w["fields"]["options"], w["fields"]["multiple"]) == (vocab.fields.names(), True)
    assert (w["fields"]["min"], w["fields"]["max"]) == (1, 3)
    assert w["groups"]["options"] == vocab.groups.names() and w["groups"]["multiple"] is True
    for key in ("background", "practice", "results", "insights"):
        assert w[key]["widget"] == "markdown", key
        assert w[key]["sanitize_preview"] is True, key  # the preview never runs case HTML
    assert w["practice"]["required"] is True
    for key in ("metrics", "quotes", "sources", "images"):
        assert w[key]["widget"] == "list" and w[key]["fields"], key
    assert w["sources"]["min"] == 1
    assert w["year"]["value_type"] == "int"
    metric_value = next(f for f in w["metrics"]["fields"] if f["name"] == "value")
    assert (metric_value["widget"], metric_value["value_type"]) == ("number", "float")
    image = next(f for f in w["images"]["fields"] if f["name"] == "file")
    assert image["widget"] == "image" and image["media_folder"] == "images"
    assert w["location"]["widget"] == "object"
    source_date = next(f for f in w["sources"]["fields"] if f["name"] == "date")
    assert re.match(source_date["pattern"][0], "12-13") and not re.match(source_date["pattern"][0], "2023/04")
    assert w["related"]["widget"] == "relation" and w["related"]["collection"] == "cases"
    assert w["tags"]["field"]["maxlength"] == 12
    assert [o["value"] for o in w["status"]["options"]] == ["published", "draft"]
    for widget in w.values():
        assert re.search(r"[\u4e00-\u9fff]", widget["label"]), widget


def test_form_order_is_the_template_order() -> None:
    names = [w["name"] for w in _collection()["fields"]]
    assert names == FIELD_ORDER
    template_keys = re.findall(r"^([a-z_]+):", SKELETON, re.MULTILINE)
    assert [k for k in names if k in template_keys] == template_keys


@pytest.mark.parametrize(
    ("slug", "ok"),
    [
        ("pudong-riders", True),
        ("a", True),
        ("x" * ID_MAX, True),
        ("x" * (ID_MAX + 1), False),
        ("Pudong-Riders", False),
        ("pudong--riders", False),
        ("-pudong", False),
        ("浦东骑手", False),
        ("pudong_riders", False),
    ],
)
def test_slug_rule_is_the_file_name_rule(slug: str, ok: bool) -> None:
    loader_ok = bool(re.match(ID_PATTERN, slug)) and len(slug) <= ID_MAX
    assert loader_ok == ok
    assert bool(re.match(SLUG_PATTERN, slug)) == ok
    assert _collection()["slug"]["pattern"][0] == SLUG_PATTERN


def test_backend_opens_pull_requests_with_a_token_only() -> None:
    config = build_cms_config(**project_settings(ROOT / "mkdocs.yml"))
    assert config["publish_mode"] == "editorial_workflow"
    assert config["backend"]["name"] == "github" and config["backend"]["auth_methods"] == ["token"]
    assert config["backend"]["repo"] == "owner/repository"  # the committed copy; builds fill in theirs
    assert build_cms_config(repo="someone/cases")["backend"]["repo"] == "someone/cases"
    assert config["output"]["omit_empty_optional_fields"] is True


def test_built_editor_saves_to_the_repository_and_branch_the_build_publishes(
    tmp_path: Path, small_project: Path, small_site: Path
) -> None:
    env = {
        "REPO_URL": "https://github.com/someone/fork-of-cases",
        "SITE_URL": "https://someone.github.io/fork-of-cases/",
    }
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    proc = build_in_process(config, tmp_path / "site", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    built = yaml.safe_load((tmp_path / "site" / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert built["backend"]["repo"] == "someone/fork-of-cases"
    assert built["backend"]["branch"] == "main"
    assert built["site_url"] == "https://someone.github.io/fork-of-cases"
    # the build's copy is the committed one plus the latest year the form accepts (this year + 1)
    assert built["collections"] == build_cms_config(repo="x/y", today=dt.date.today())["collections"]
    (year,) = [f for f in built["collections"][0]["fields"] if f["name"] == "year"]
    assert year["min"] == 1990 and year["max"] == dt.date.today().year + 1


def test_npm_pins_agree_with_the_copied_files() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = {**package["dependencies"], **package.get("devDependencies", {})}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pinned.values()), "package.json 中的版本必须写死"
    for item in admin.VENDORED:
        assert pinned[item.package] == item.version
        entry = lock["packages"][f"node_modules/{item.package}"]
        assert entry["version"] == item.version and entry["integrity"].startswith("sha512-")
    files = admin.load_vendored(ROOT)
    assert len(files) == len(admin.VENDORED)


def _fake_install(tmp_path: Path) -> Path:
    for item in admin.VENDORED:
        src = admin.find_package(ROOT, item.package)
        dest = tmp_path / "node_modules" / item.package
        (dest / item.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / "package.json", dest / "package.json")
        shutil.copyfile(src / item.file, dest / item.file)
    return tmp_path


def test_a_changed_bundle_is_refused(tmp_path: Path) -> None:
    root = _fake_install(tmp_path)
    bundle = root / "node_modules" / admin.PACKAGE / "dist" / "sveltia-cms.js"
    bundle.write_bytes(bundle.read_bytes() + b"\n;fetch('https://evil.example/')")
    with pytest.raises(EnvironmentProblem, match="校验值不对"):
        admin.load_vendored(root)


def test_another_version_is_refused(tmp_path: Path) -> None:
    root = _fake_install(tmp_path)
    meta = root / "node_modules" / admin.PACKAGE / "package.json"
    meta.write_text(json.dumps({"name": admin.PACKAGE, "version": "0.1.0"}), encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=re.escape(f"应为 {admin.VERSION}")):
        admin.load_vendored(root)


def test_localized_bundle_loads_nothing_from_other_hosts() -> None:
    script = admin.localize_bundle(admin.load_vendored(ROOT)[admin.VENDORED[0]].decode("utf-8"))
    for host in ("unpkg.com", "cdn.jsdelivr.net", admin.GITHUB_STATUS, "fonts.googleapis", "fonts.gstatic"):
        assert host not in script, host
    assert not re.search(r"url\(\s*['\"]?https?://", script), "字体或图标仍从外部加载"
    assert SAVE_OPTIONS in script, "CMS 的 YAML 输出选项变了：请同步 tests/support/cms_yaml_dump.mjs"


def test_admin_is_in_the_build_but_not_in_sitemap_or_search(small_site: Path) -> None:
    index = (small_site / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index and 'content="noindex, nofollow"' in index
    assert "Content-Security-Policy" in index
    assert (small_site / "admin" / "config.yml").is_file()
    for rel in ("sveltia-cms.js", "vendor/fonts/material-symbols-outlined-latin-wght-normal.woff2"):
        assert (small_site / "admin" / rel).stat().st_size > 1000, rel
    assert "/admin" not in (small_site / "sitemap.xml").read_text(encoding="utf-8")
    for path in small_site.rglob("*"):
        public = path.is_file() and "admin" not in path.relative_to(small_site).parts
        if public and (path.suffix in (".json", ".xml", ".txt") or "search" in path.parts):
            assert b"/admin/" not in path.read_bytes(), path


def _raw_cases(folder: Path) -> list[tuple[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        doc, errors = read_yaml(path, path.name)
        assert doc is not None and not errors, errors
        out.append((path.stem, doc.data))
    return out


def _validate(folder: Path) -> tuple[int, list[str]]:
    """Exit code and findings of ``site-builder validate cases`` in ``folder``, without line:col."""
    proc = cli_in_process(["validate", "cases"], folder)
    findings = [re.sub(r"^(\S+?):\d+:\d+:", r"\1:", line) for line in proc.stderr.splitlines()]
    return proc.returncode, sorted(findings)


@pytest.mark.parametrize("source", [ROOT / "cases", FIXTURE_CASES], ids=["real", "fixtures"])
def test_cases_written_as_the_cms_writes_them_still_validate(tmp_path: Path, source: Path) -> None:
    shutil.copytree(source, tmp_path / "original" / "cases")
    work = tmp_path / "rewritten"  # beside, not around, the original (a case-like copy elsewhere is an error)
    shutil.copytree(source, work / "cases")
    widgets = _collection()["fields"]
    originals = _raw_cases(source)
    for path in (work / "cases").glob("*.yaml"):
        path.unlink()
    dump_like_cms([(i, order_like_cms(d, widgets)) for i, d in originals], work / "cases")
    code, findings = _validate(work)
    if source == ROOT / "cases":
        assert code == 0, findings
    # The test fixtures are hostile on purpose: rewritten, they must get exactly the same findings.
    assert (code, findings) == _validate(tmp_path / "original")
    before = load_cases([source], cases_root=source)
    after = load_cases([work / "cases"], cases_root=work / "cases")
    assert [c.model_dump() for c in after.cases] == [c.model_dump() for c in before.cases]
    for case_id, data in originals:
        text = (work / "cases" / f"{case_id}.yaml").read_text(encoding="utf-8")
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            assert not isinstance(event, yaml.AliasEvent), case_id
            if isinstance(event, yaml.NodeEvent):
                assert event.anchor is None, case_id
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                assert event.tag in (None, "!"), (case_id, event.tag)
        assert "\\u" not in text, "中文被转义了"
        keys = re.findall(r"^([a-z_]+):", text, re.MULTILINE)
        assert keys == [k for k in FIELD_ORDER if k in keys], case_id
        if "updated" in data:
            rewritten = read_yaml(work / "cases" / f"{case_id}.yaml", "x")[0]
            assert rewritten is not None and rewritten.data["updated"] == data["updated"]


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in d.items():
        out.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
    return out


def test_added_chinese_strings_fill_gaps_only() -> None:
    package = admin.find_package(ROOT, admin.PACKAGE)
    original = _flat(json.loads((package / "locales" / "zh-CN.json").read_text(encoding="utf-8")))
    english = _flat(json.loads((package / "locales" / "en-US.json").read_text(encoding="utf-8")))
    added = _flat(admin.ZH_CN_ADDITIONS)
    assert not set(added) & set(original), "不要覆盖上游已有的译文"
    assert set(added) <= set(english), "多出了 CMS 没有的键"
    completed = _flat(json.loads(admin.complete_locale((package / "locales" / "zh-CN.json").read_bytes())))
    renamed = {k: v.replace("别名", "案例编号") if isinstance(v, str) else v for k, v in original.items()}
    assert completed == {**renamed, **added}
    assert not any("别名" in str(v) for v in completed.values())  # the id has one name: 案例编号
    assert completed["slug"] == "案例编号"


def test_every_string_an_editor_sees_is_chinese() -> None:
    """Every English string of the pinned version has a Chinese one, except configuration errors,
    which only a developer changing cms-config ever sees."""
    package = admin.find_package(ROOT, admin.PACKAGE)
    english = _flat(json.loads((package / "locales" / "en-US.json").read_text(encoding="utf-8")))
    completed = _flat(json.loads(admin.complete_locale((package / "locales" / "zh-CN.json").read_bytes())))
    missing = sorted(k for k in english if k not in completed and not k.startswith("config."))
    assert missing == []
