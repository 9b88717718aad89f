"""The form editor at /admin/ in Chromium: Chinese, nothing from other hosts, a new case end to end.

The repository is stood in for by Sveltia CMS's local-repository mode, fed a folder from the
browser's origin-private file system instead of the folder picker: what the form saves there is
read back, validated and built like any case in a pull request.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from site_builder.casefile.loader import load_cases
from tests.support.cms import ROOT, STAND_IN_REPOSITORY, seed_cases_script
from tests.support.project import PATIENCE_MS, build_in_process, cli_in_process, make_project

READ_CASE = """async ([name, needle]) => {
  // The case file's text once it is saved and contains ``needle``; null while it is being written.
  try {
    const root = await navigator.storage.getDirectory();
    const cases = await (await root.getDirectoryHandle("repo")).getDirectoryHandle("cases");
    const text = await (await (await cases.getFileHandle(name)).getFile()).text();
    return text.includes(needle) ? text : null;
  } catch (e) {
    if (e.name === "NotFoundError") return null;
    throw e;
  }
}"""


KEEP_READING = (
    "([name, needle]) => { window.__sbSaved = null; window.__sbReadErrors = []; const readCase = "
    + READ_CASE
    + "; const tick = async () => { let t = null;"
    " try { t = await readCase([name, needle]); } catch (e) { window.__sbReadErrors.push(String(e)); }"
    " if (t) window.__sbSaved = t; else setTimeout(tick, 50); }; tick(); }"
)
"""Read the case file every 50 ms until it holds ``needle``, whatever a read in between throws.

A ``File`` from ``getFile()`` cannot be read once the file changes under it (NotReadableError),
which happens when the form replaces the file between the two steps of a read; more often on a
busy machine. Such an error used to end the loop, and the test then waited minutes for a save
that had landed long before (the flaky failure of the edit test under load)."""


def _saved_case(page: Any, name: str, needle: str, timeout: int = PATIENCE_MS) -> str:
    """Wait until the form has written ``name`` into the stand-in repository; return its text.

    The file can vanish for a moment while the CMS replaces it, so read until a read succeeds.
    """
    # An async read resolves later than wait_for_function polls, so a page-side loop keeps reading
    # until one succeeds and keeps that text; the test waits for it (a condition, not a delay).
    page.evaluate(KEEP_READING, [name, needle])
    try:
        page.wait_for_function("() => window.__sbSaved !== null", timeout=timeout)
    except Exception as exc:  # say why the form did not save: its own error messages
        page.screenshot(path="/tmp/cms-not-saved.png")
        errors = page.evaluate(
            "() => [...document.querySelectorAll('[aria-invalid=true], [role=alert]')]"
            ".map((e) => (e.getAttribute('aria-labelledby') || '') + ' ' + e.textContent.trim()).slice(0, 10)"
        )
        read_errors = page.evaluate("() => (window.__sbReadErrors || []).slice(-3)")
        raise AssertionError(
            f"{name} 没有保存；表单提示：{errors}；读取错误：{read_errors}（截图 /tmp/cms-not-saved.png）"
        ) from exc
    text = page.evaluate("() => window.__sbSaved")
    if not isinstance(text, str):
        raise AssertionError(f"{name} 保存后读不出来")
    return text


NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"

MARKDOWN_READY = """(label) => [...document.querySelectorAll("[contenteditable=true][aria-labelledby]")].some(
  (e) => document.getElementById(e.getAttribute("aria-labelledby").split(" ")[0])?.textContent.trim() === label)"""

MARKDOWN_LABEL_ID = """(label) => [...document.querySelectorAll("[contenteditable=true][aria-labelledby]")].find(
  (e) => document.getElementById(e.getAttribute("aria-labelledby").split(" ")[0])?.textContent.trim() === label
).getAttribute("aria-labelledby")"""


@pytest.fixture(scope="module")
def admin_context(browser: Any) -> Iterator[Any]:
    """One browser context for the module's forms, each in a new tab with the site's storage cleared.

    A new context per form compiled the editor's 2.1 MB script again each time; one context keeps
    Chromium's HTTP and code caches. What the site stores (local storage, IndexedDB, the stand-in
    repository in the origin-private file system) is cleared after each form by
    :func:`_close_and_forget`, so every form starts as in a new context.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context
    context.close()


def _new_tab(context: Any, *scripts: str) -> Any:
    """A new tab of ``context`` running ``scripts`` before each document's own."""
    page = context.new_page()
    for script in scripts:
        page.add_init_script(script)
    return page


def _close_and_forget(page: Any) -> None:
    """Close the tab and clear everything its origin stored, as closing a context would."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    session = page.context.new_cdp_session(page)
    session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
    session.detach()
    page.close()


@pytest.fixture
def admin_page(
    admin_context: Any, small_site_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Any, list[str]]]:
    """A new tab at /admin/ with an empty stand-in repository; records off-site requests.

    Parametrize indirectly with a folder to start the repository with copies of its cases.
    """
    seed = getattr(request, "param", None)
    scripts = ([seed_cases_script(seed)] if seed is not None else []) + [STAND_IN_REPOSITORY]
    page = _new_tab(admin_context, *scripts)
    outside: list[str] = []
    local = ("http://127.0.0.1:", "blob:http://127.0.0.1:", "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto(small_site_url + "admin/")
    try:
        yield page, outside
    finally:
        _close_and_forget(page)


def _scroll_form_until(page: Any, ready: Any) -> None:
    for _ in range(60):
        if ready():
            return
        page.mouse.move(220, 500)
        page.mouse.wheel(0, 400)
        page.wait_for_function(NEXT_FRAME)
    raise AssertionError("表单中找不到要填写的字段")


def _markdown(page: Any, label: str) -> Any:
    _scroll_form_until(page, lambda: page.evaluate(MARKDOWN_READY, label))
    return page.locator(
        f'[contenteditable=true][aria-labelledby="{page.evaluate(MARKDOWN_LABEL_ID, label)}"]'
    )


def _pick(page: Any, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def _open_local_repository(page: Any) -> None:
    page.get_by_role("button", name="使用本地仓库").click()
    page.wait_for_url(re.compile(r"#/collections/cases$"))


def test_sign_in_page_is_chinese_and_loads_only_from_this_site(admin_page: tuple[Any, list[str]]) -> None:
    page, outside = admin_page
    page.get_by_role("button", name="使用访问令牌登录").wait_for()
    page.get_by_role("button", name="使用本地仓库").wait_for()
    # The icons are a font: served from this site, and really loaded (else buttons show words like "add").
    page.wait_for_function(
        "() => [...document.fonts].some((f) => f.family.includes('Material Symbols') && f.status === 'loaded')"
    )
    assert outside == []
    assert page.evaluate("window.__cspViolations") == []


def test_a_case_created_in_the_form_is_valid_and_builds(
    admin_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    page, outside = admin_page
    _open_local_repository(page)
    page.get_by_role("button", name="创建新条目").first.click()
    page.get_by_role("textbox", name="标题", exact=True).fill("表单新建：楼宇里的党群服务站")
    page.get_by_role("textbox", name="摘要").fill(
        "某街道在商务楼宇里设立党群服务站：为白领提供学习、议事和志愿服务的场所，"
        "这个案例完全通过表单编辑器填写。"
    )
    _pick(page, "所在区", "静安区")
    page.get_by_role("textbox", name="街道或镇").fill("南京西路街道")
    _pick(page, "领域", "楼宇")
    _pick(page, "服务群体", "楼宇白领")
    add_tag = page.get_by_role("button", name=re.compile("添加.*标签"))
    add_tag.click()
    page.get_by_role("textbox", name="标签", exact=True).fill("党群服务站")
    page.get_by_role("spinbutton", name=re.compile("年份")).fill("2022")
    add_metric = page.get_by_role("button", name=re.compile("添加.*数据"))
    _scroll_form_until(page, lambda: add_metric.count() > 0)
    add_metric.click()
    page.get_by_role("textbox", name="指标名称").fill("服务白领")
    page.get_by_role("spinbutton", name="数值").fill("1200.5")
    page.get_by_role("textbox", name="单位").fill("人次")
    _markdown(page, "主要做法").fill("在楼宇大堂设立服务站，每周开放议事厅。")
    add_source = page.get_by_role("button", name=re.compile("添加.*来源"))
    _scroll_form_until(page, lambda: add_source.count() > 0)
    add_source.click()
    page.get_by_role("textbox", name="文章标题").fill("楼宇党群服务站的故事：白领的“第二个家”")
    page.get_by_role("textbox", name="发布媒体").fill("某报")
    page.get_by_role("textbox", name="发布日期").fill("2022-05-01")
    page.get_by_role("textbox", name="案例编号", exact=True).fill("jingan-form-made-service-station")
    # The form can re-render right after it opens and drop what was typed first: make sure the
    # title (typed first) is still there, as an editor would see in the preview, before saving.
    title = page.get_by_role("textbox", name="标题", exact=True)
    if title.input_value() != "表单新建：楼宇里的党群服务站":
        title.fill("表单新建：楼宇里的党群服务站")
    # the preview looks like the case page: the title as its heading, the year as a year
    preview = page.frame_locator("iframe").first
    preview.get_by_role("heading", name="表单新建：楼宇里的党群服务站", level=1).wait_for()
    preview.get_by_text("2022", exact=True).wait_for()
    page.get_by_role("button", name="保存", exact=True).click()
    try:
        text = _saved_case(
            page, "jingan-form-made-service-station.yaml", "sources:", timeout=PATIENCE_MS // 3
        )
    except AssertionError:
        # As an editor would: look at the form again, put back what it dropped, save once more.
        if title.input_value() != "表单新建：楼宇里的党群服务站":
            title.fill("表单新建：楼宇里的党群服务站")
        page.get_by_role("button", name="保存", exact=True).click()
        text = _saved_case(page, "jingan-form-made-service-station.yaml", "sources:")
    assert outside == []
    assert page.evaluate("window.__cspViolations") == []

    assert "表单新建：楼宇里的党群服务站" in text  # Chinese as typed, not escaped
    assert "value: 1200.5" in text and "year: 2022" in text  # numbers stay numbers
    assert re.findall(r"^([a-z_]+):", text, re.MULTILINE) == [
        "title",
        "summary",
        "district",
        "locality",
        "fields",
        "groups",
        "tags",
        "year",
        "metrics",
        "practice",
        "sources",
    ]
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "jingan-form-made-service-station.yaml").write_text(text, encoding="utf-8")
    check = cli_in_process(["validate", "cases"], tmp_path)
    assert check.returncode == 0, check.stderr + "\n" + text
    config = make_project(tmp_path / "project", cases)
    build = build_in_process(config, tmp_path / "site")
    assert build.returncode == 0, build.stderr[-3000:]
    page_html = (tmp_path / "site" / "cases" / "jingan-form-made-service-station" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "表单新建：楼宇里的党群服务站" in page_html and "南京西路街道" in page_html
    assert "服务白领" in page_html and "人次" in page_html


def _longest_case(folder: Path) -> str:
    return max(sorted(folder.glob("*.yaml")), key=lambda p: len(p.read_text(encoding="utf-8"))).stem


@pytest.mark.parametrize("admin_page", [ROOT / "cases"], indirect=True)
def test_editing_a_case_in_the_form_changes_only_what_was_edited(
    admin_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    page, outside = admin_page
    case_id = _longest_case(ROOT / "cases")
    before = {c.id: c.model_dump() for c in load_cases([ROOT / "cases"], cases_root=ROOT / "cases").cases}
    original_title = before[case_id]["title"]
    _open_local_repository(page)
    page.get_by_text(original_title, exact=True).first.click()
    title = page.get_by_role("textbox", name="标题", exact=True)
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('input')].some((e) => e.value === t)", arg=original_title
    )
    title.fill(original_title + "（修订）")
    page.get_by_role("button", name="保存", exact=True).click()
    written = _saved_case(page, f"{case_id}.yaml", "（修订）")
    assert outside == []

    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    (tmp_path / "cases" / f"{case_id}.yaml").write_text(written, encoding="utf-8")
    check = cli_in_process(["validate", "cases"], tmp_path)
    assert check.returncode == 0, check.stderr + "\n" + written
    after = {
        c.id: c.model_dump() for c in load_cases([tmp_path / "cases"], cases_root=tmp_path / "cases").cases
    }
    assert after[case_id].pop("title") == original_title + "（修订）"
    before[case_id].pop("title")
    assert after == before  # Markdown sections, metrics, quotes, sources, dates: all as they were


# --- the form as strict as CI ---------------------------------------------------------------------

VALID_CASE: dict[str, Any] = {
    "title": "表单检查：楼宇里的党群服务站",
    "summary": "某街道在商务楼宇里设立党群服务站，为白领提供学习、议事和志愿服务的场所，这个案例用来检查表单。",
    "district": "静安区",
    "fields": ["楼宇"],
    "tags": ["党群服务站"],
    "year": 2022,
    "practice": "在楼宇大堂设立服务站，每周开放议事厅。\n",
    "sources": [{"title": "楼宇党群服务站的故事", "publisher": "某报", "url": "https://example.org/a"}],
}

REJECTED: list[tuple[str, str, str, Any]] = [
    # (what, form label, where in the case, the value CI rejects)
    ("不可能的年份（太晚）", "年份", "year", 2099),
    ("不可能的年份（太早）", "年份", "year", 1899),
    ("太短的标题", "标题", "title", "党建"),
    ("标题里的繁体字", "标题", "title", "表单檢查：樓宇裡的黨群服務站"),
    ("摘要里括号中的拼音", "摘要", "summary", VALID_CASE["summary"] + "楼宇（lóu yǔ）党建。"),
    ("正文里的网址", "主要做法", "practice", "详见 https://example.org/x 的报道。\n"),
    ("正文里的 Markdown 链接", "主要做法", "practice", "详见[这篇报道](https://example.org/x)。\n"),
    ("标签里的繁体字", "标签", "tags", ["黨群服務站"]),
    ("没有 http(s):// 的来源网址", "网址", "sources.0.url", "www.example.com/a"),
    ("javascript: 网址", "网址", "sources.0.url", "javascript:alert(1)"),
    ("中文写法的日期", "发布日期", "sources.0.date", "2023年4月13日"),
    ("街道名里的网址", "街道或镇", "locality", "见 xinhua.net"),
    ("重复的标签", "标签", "tags", ["党群服务站", "党群服务站"]),  # last: the form keeps a second tag box
]


def _with(case: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(case, ensure_ascii=False))
    target: Any = data
    *parents, last = where.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[last] = value
    return data


def _ci_findings(folder: Path, data: dict[str, Any]) -> list[str]:
    import yaml

    from site_builder.checks.lint import lint_cases

    folder.mkdir(parents=True)
    (folder / "form-check.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = load_cases([folder], cases_root=folder, check_images=False)
    return [f.format() for f in [*result.errors, *lint_cases(result.cases, result.positions)]]


def test_every_rejected_value_is_rejected_by_ci(tmp_path: Path) -> None:
    """The list the form is driven with holds only what ``site-builder validate`` reports."""
    assert _ci_findings(tmp_path / "valid", VALID_CASE) == []
    missed = [
        what
        for i, (what, _, where, value) in enumerate(REJECTED)
        if not _ci_findings(tmp_path / str(i), _with(VALID_CASE, where, value))
    ]
    assert missed == []


FIELD_STATE = """(label) => {
  // "invalid" when the field labelled ``label`` is marked invalid, "alert" when the form refused
  // to save with a message, "saved" when a case file was written; null while undecided.
  if ((window.__sbAlerts || []).length) return "alert";
  const named = [...document.querySelectorAll("[aria-labelledby]")].filter((e) =>
    e.getAttribute("aria-labelledby").split(" ").some((id) => document.getElementById(id)?.textContent.trim() === label));
  if (named.some((e) => e.getAttribute("aria-invalid") === "true" || e.querySelector("[aria-invalid=true]"))) return "invalid";
  return window.__sbFiles > 0 ? "saved" : null;
}"""

COUNT_FILES = """() => { window.__sbFiles = 0; const tick = async () => {
  // how many case files the stand-in repository holds, kept up to date until __sbStop
  try { const root = await navigator.storage.getDirectory();
        const cases = await (await root.getDirectoryHandle("repo")).getDirectoryHandle("cases");
        let n = 0; for await (const _ of cases.keys()) { n += 1; } window.__sbFiles = n; } catch (e) {}
  if (!window.__sbStop) setTimeout(tick, 50); }; tick(); }"""


def _fill_valid(page: Any) -> None:
    page.get_by_role("button", name="创建新条目").first.click()
    page.get_by_role("textbox", name="标题", exact=True).fill(VALID_CASE["title"])
    page.get_by_role("textbox", name="摘要").fill(VALID_CASE["summary"])
    _pick(page, "所在区", "静安区")
    _pick(page, "领域", "楼宇")
    page.get_by_role("button", name=re.compile("添加.*标签")).click()
    page.get_by_role("textbox", name="标签", exact=True).fill("党群服务站")
    page.get_by_role("spinbutton", name=re.compile("年份")).fill("2022")
    _markdown(page, "主要做法").fill("在楼宇大堂设立服务站，每周开放议事厅。")
    add_source = page.get_by_role("button", name=re.compile("添加.*来源"))
    _scroll_form_until(page, lambda: add_source.count() > 0)
    add_source.click()
    page.get_by_role("textbox", name="文章标题").fill("楼宇党群服务站的故事")
    page.get_by_role("textbox", name="发布媒体").fill("某报")
    page.get_by_role("textbox", name="网址").fill("https://example.org/a")


def _set(page: Any, label: str, value: Any) -> None:
    if label == "年份":
        page.get_by_role("spinbutton", name=re.compile("年份")).fill(str(value))
    elif label == "主要做法":
        _markdown(page, label).fill(str(value).strip())
    elif label == "标签":
        boxes = page.get_by_role("textbox", name="标签", exact=True)
        while boxes.count() < len(value):
            page.get_by_role("button", name=re.compile("添加.*标签")).click()
        for i, tag in enumerate(value):
            boxes.nth(i).fill(tag)
    else:
        page.get_by_role("textbox", name=label, exact=True).fill(str(value))


VALID_AT = {"sources.0.date": "", "locality": ""}
"""The valid value of each place a rejected value is tried (default: :data:`VALID_CASE`'s)."""


def _valid_value(where: str) -> Any:
    if where in VALID_AT:
        return VALID_AT[where]
    return eval_path(VALID_CASE, where)


def eval_path(data: Any, where: str) -> Any:
    for key in where.split("."):
        data = data[int(key)] if key.isdigit() else data[key]
    return data


def _new_form(context: Any, site_url: str, outside: list[str]) -> Any:
    """A new tab (empty stand-in repository, no draft backups) with a valid new case."""
    local = ("http://127.0.0.1:", "blob:http://127.0.0.1:", "data:")
    page = _new_tab(
        context,
        STAND_IN_REPOSITORY,
        "window.alert = (m) => { (window.__sbAlerts = window.__sbAlerts || []).push(m); };",
    )
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto(site_url + "admin/")
    _open_local_repository(page)
    page.evaluate(COUNT_FILES)
    _fill_valid(page)
    return page


def test_the_form_catches_what_ci_rejects(
    admin_context: Any, small_site_url: str, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each value CI rejects, saved through the form in Chromium: how many does the form catch first?

    One form, valid in every other field: each value is typed, saved, judged (the field marked
    invalid, or the save refused with a message, or the case written), then the valid value is put
    back and its mark must clear, so one value's error never counts for another's. A value the form
    lets through is written to the stand-in repository; the next one gets a fresh form. The
    案例编号 is proposed from the title in pinyin along the way.
    """
    caught: list[str] = []
    missed: list[str] = []
    outside: list[str] = []
    page = _new_form(admin_context, small_site_url, outside)
    try:
        slug = page.get_by_role("textbox", name="案例编号", exact=True)
        assert slug.input_value() == "biao-dan-jian-cha-lou-yu-li-de-dang-qun-fu-wu-zhan"
        for what, label, where, value in REJECTED:
            page.evaluate("window.__sbAlerts = []")
            _set(page, label, value)
            page.get_by_role("button", name="保存", exact=True).click()
            page.wait_for_function(f"() => ({FIELD_STATE})({json.dumps(label)}) !== null", timeout=20_000)
            outcome = page.evaluate(f"() => ({FIELD_STATE})({json.dumps(label)})")
            if outcome == "saved":
                missed.append(what)
                page.evaluate("window.__sbStop = true")
                _close_and_forget(page)
                page = _new_form(admin_context, small_site_url, outside)
                continue
            caught.append(what)
            page.evaluate("window.__sbAlerts = []")
            if where != "tags" or len(value) == 1:
                _set(page, label, _valid_value(where))
                page.wait_for_function(f"() => ({FIELD_STATE})({json.dumps(label)}) === null", timeout=20_000)
    finally:
        page.evaluate("window.__sbStop = true")
        _close_and_forget(page)
    assert outside == []
    summary = f"表单先于 CI 拦下 {len(caught)}/{len(REJECTED)} 个 CI 会拒绝的值；漏掉：{missed or '无'}"
    record_property("form_caught", f"{len(caught)}/{len(REJECTED)}")
    with capsys.disabled():
        print("\n" + summary)
    assert missed == [], summary
