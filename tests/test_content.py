"""Content checks over every case file in ``cases/``.

One test runs ``site-builder validate``'s rule set and the raw-text rules below over every case
and reports every problem at once. The raw-text rules look at each ``cases/*.yaml`` as text (so
they also catch dirt in comments and keys) with plain ``yaml.safe_load``, independent of the site
builder's own loader, so a bug in the loader cannot hide a problem in the content. Other tests
look at the parsed data (coverage counts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.casefile.loader import load_cases
from site_builder.checks.lint import lint_cases
from site_builder.textnorm import find_nonsimplified

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "cases"
VOCAB_FILE = ROOT / "site_builder" / "data" / "vocabularies.yaml"
CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))
FIXTURE_CASES = ROOT / "tests" / "fixtures" / "site" / "cases"

MIN_CASES = 20
MIN_PUBLISHED_CASES = 40
MIN_DISTRICTS = 8
MIN_FIELDS = 6
MIN_GROUPS = 6

# Pinyin machine-inserted after a CJK character, e.g. 党建(dǎng jiàn) or 楼宇（lou yu）.
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
LATIN_WORD = r"[a-zA-Z\u00c0-\u024f\u01cd-\u01dc]+"
PINYIN_IN_BRACKETS = re.compile(CJK + r"\s*[（(]\s*" + LATIN_WORD + r"(?:\s+" + LATIN_WORD + r")*\s*[）)]")

SPAM_KEYWORDS = ("博彩", "娱乐城", "成人", "赌场", "彩票", "百家乐", "六合彩", "色情")
URL_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
URL_FIELD_LINE = re.compile(r"^\s*(?:-\s+)?url:\s*['\"]?https?://\S+['\"]?\s*$")

# A hand-kept list of traditional and variant characters seen in the source
# articles (written as escapes so this file stays clean itself). It always
# runs, even if site_builder.textnorm is unavailable.
KNOWN_NONSIMPLIFIED = (
    "\u5340\u9ee8\u6a13\u8207\u70ba\u52d9\u54e1\u6703\u9a0e\u9ad4\u8c50\u83ef"
    "\u696d\u9109\u958b\u95dc\u9580\u9593\u6771\u8eca\u9054\u904b\u9032\u904e"
    "\u9084\u9019\u6a23\u5f8c\u5f9e\u5011\u4f86\u6642\u8aaa\u8a71\u8a9e\u8b80"
    "\u66f8\u8a18\u9304\u5e79\u7522\u5be6\u969b\u8655\u8077\u6b0a\u7e3d\u8fb2"
    "\u9ede\u64da\u61c9\u7576\u5354\u5834\u7d93\u6fdf\u767c\u7dda\u7d44\u7e54"
    "\u806f\u7db2\u5275\u8eb0\u90c3\u7add\u66cf\u4fb7\u742f\u938b\u9eaa\u9205"
    "\u69fc\u7e02\u6406\u88e1\u7d25\u64e7\u509a\u965e\u894d"
)


def _case_ids() -> list[str]:
    return [p.stem for p in CASE_FILES]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level is not a mapping"
    return data


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


# Rules on the raw text of a file (comments and keys included), independent of the site builder's
# loader; each returns "LINE:COL: message" findings. They overlap validate's lint on purpose.


def _safe_load_rule(text: str) -> list[str]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        return [f"{where}: yaml.safe_load 读不出来：{exc}"]
    return [] if isinstance(data, dict) else ["1:1: 顶层不是键值对（mapping）"]


def _nonsimplified_rule(text: str) -> list[str]:
    return [
        "{}:{}: 「{}」应改为「{}」".format(*_line_col(text, off), ch, sugg)
        for off, ch, sugg in find_nonsimplified(text)
    ]


def _known_variants_rule(text: str) -> list[str]:
    return [
        "{}:{}: 含繁体字或异体字「{}」".format(*_line_col(text, off), ch)
        for off, ch in enumerate(text)
        if ch in KNOWN_NONSIMPLIFIED
    ]


def _pinyin_rule(text: str) -> list[str]:
    return [
        "{}:{}: 括号中的拼音 {}".format(*_line_col(text, m.start()), m.group(0))
        for m in PINYIN_IN_BRACKETS.finditer(text)
    ]


def _spam_rule(text: str) -> list[str]:
    return [
        "{}:{}: 含可疑词「{}」".format(*_line_col(text, m.start()), m.group(0))
        for m in re.finditer("|".join(SPAM_KEYWORDS), text)
    ]


def _links_rule(text: str) -> list[str]:
    return [
        f"{n}:1: 链接只能出现在 sources 的 url 字段里：{line.strip()}"
        for n, line in enumerate(text.splitlines(), start=1)
        if URL_RE.search(line) and not URL_FIELD_LINE.match(line)
    ]


RAW_RULES: dict[str, Callable[[str], list[str]]] = {
    "safe_load": _safe_load_rule,
    "nonsimplified": _nonsimplified_rule,
    "known_variants": _known_variants_rule,
    "pinyin_in_brackets": _pinyin_rule,
    "spam_keywords": _spam_rule,
    "links_only_in_url_fields": _links_rule,
}


def content_findings(folder: Path) -> tuple[list[str], int]:
    """Every finding over ``folder/*.yaml``, and how many (rule, file) checks ran.

    ``site-builder validate``'s rule set (load, schema, vocabularies, lint; its errors), then each
    raw-text rule on each file. Findings read ``cases/x.yaml:LINE:COL: ...`` so one failure lists
    every problem of every case at once.
    """
    files = sorted(folder.glob("*.yaml"))
    result = load_cases([folder], cases_root=folder, parallel=False)
    errors = [*result.errors, *lint_cases(result.cases, result.positions)]
    findings = [f"validate: {e.format()}" for e in sorted(errors) if e.severity == "error"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for rule, check in RAW_RULES.items():
            findings += [f"{rule}: cases/{path.name}:{found}" for found in check(text)]
    return findings, len(files) * (len(RAW_RULES) + 1)


def test_every_case_passes_validate_and_the_content_rules() -> None:
    """One test for every case and rule (it used to be one test per case and rule: 258 tests)."""
    findings, checks = content_findings(CASES_DIR)
    assert checks == len(CASE_FILES) * 7 and len(CASE_FILES) >= MIN_CASES
    assert findings == [], f"{len(findings)} 处问题：\n" + "\n".join(findings)


def test_content_rules_report_every_problem_of_every_case(tmp_path: Path) -> None:
    """Each rule fires on a planted problem, and one run names every file, rule and line."""
    good = (FIXTURE_CASES / "riders-golden-helmet.yaml").read_text(encoding="utf-8")
    bad = good.replace("title: ", "# 區 www.example.org\ntitle: 党建（dang jian）博彩", 1)
    (tmp_path / "one.yaml").write_text(bad, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(
        bad.replace("related:", "related: [no-such-case]\nx_related:"), encoding="utf-8"
    )
    (tmp_path / "three.yaml").write_text("- 不是键值对\n", encoding="utf-8")
    findings, checks = content_findings(tmp_path)
    assert checks == 3 * 7
    fired = {(f.split(": ", 1)[0], f.split(": ", 2)[1].split(":", 1)[0]) for f in findings}
    for name in ("one.yaml", "two.yaml"):
        for rule in ("nonsimplified", "known_variants", "pinyin_in_brackets", "spam_keywords"):
            assert (rule, f"cases/{name}") in fired, (rule, name, findings)
        assert (
            f"links_only_in_url_fields: cases/{name}:1:1: 链接只能出现在 sources 的 url 字段里：# 區 www.example.org"
            in findings
        )
    assert ("safe_load", "cases/three.yaml") in fired
    assert any(f.startswith("validate: ") and "three.yaml" in f for f in findings), findings
    assert any(f.startswith("validate: ") and "two.yaml" in f and "no-such-case" in f for f in findings), (
        findings
    )


def test_pinyin_pattern_itself() -> None:
    assert PINYIN_IN_BRACKETS.search("党建（dang jian）")
    assert PINYIN_IN_BRACKETS.search("楼宇(lóu yǔ)")
    assert not PINYIN_IN_BRACKETS.search("陆家嘴（浦东新区）")
    assert not PINYIN_IN_BRACKETS.search("title: B站")


def test_coverage_counts() -> None:
    cases = [_load(p) for p in CASE_FILES]
    districts = Counter(c.get("district") for c in cases)
    fields = Counter(f for c in cases for f in c.get("fields") or [])
    groups = Counter(g for c in cases for g in c.get("groups") or [])
    real_districts = {d for d in districts if d and d != "全市"}

    assert len(cases) >= MIN_CASES, f"只有 {len(cases)} 个案例，至少需要 {MIN_CASES} 个"
    assert len(real_districts) >= MIN_DISTRICTS, f"只覆盖 {sorted(real_districts)}"
    assert len(fields) >= MIN_FIELDS, f"只覆盖领域 {sorted(fields)}"
    assert len(groups) >= MIN_GROUPS, f"只覆盖群体 {sorted(groups)}"


# Every district the five source articles name, under today's name (the 2007 article's 卢湾 and
# 闸北 count as 黄浦区 and 静安区). Written out so the check runs on a clone without the
# articles; test_article_districts_match_the_articles re-derives it when they are available.
ARTICLE_DISTRICTS = frozenset(
    {
        "浦东新区",
        "黄浦区",
        "徐汇区",
        "长宁区",
        "静安区",
        "普陀区",
        "虹口区",
        "杨浦区",
        "闵行区",
        "宝山区",
        "松江区",
    }
)
CITYWIDE = "全市"


def _current_district_names() -> dict[str, str]:
    """Map every district name and alias (former districts included) to today's district."""
    vocab = yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for entry in vocab["districts"]:
        for name in [entry["name"], *entry.get("aliases", [])]:
            names[str(name)] = entry["name"]
    for entry in vocab.get("former_districts", []):
        for name in [entry["name"], *entry.get("aliases", [])]:
            names[str(name)] = entry["merged_into"]
    return names


def _published(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cases if c.get("status", "published") != "draft"]


def test_enough_published_cases() -> None:
    published = _published([_load(p) for p in CASE_FILES])
    assert len(published) >= MIN_PUBLISHED_CASES, (
        f"只有 {len(published)} 个已发布案例，至少需要 {MIN_PUBLISHED_CASES} 个"
    )


def test_every_district_named_in_the_articles_has_a_case() -> None:
    names = _current_district_names()
    covered = {
        names.get(str(c.get("district")), c.get("district"))
        for c in _published([_load(p) for p in CASE_FILES])
    }
    missing = sorted(ARTICLE_DISTRICTS - covered)
    assert not missing, f"来源文章提到的这些区还没有已发布的案例：{'、'.join(missing)}"


def test_article_districts_match_the_articles() -> None:
    from tests.support.copycheck import find_sources_dir, load_articles, normalize

    sources = find_sources_dir(ROOT)
    if sources is None:
        pytest.skip("未找到来源文章目录 ../shared/sources/，跳过区名核对")
    text = "\n".join(article.text for article in load_articles(sources))
    cjk_name = re.compile(CJK + "{2,}")
    named = {
        district
        for name, district in _current_district_names().items()
        if district != CITYWIDE and cjk_name.fullmatch(name) and normalize(name) in text
    }
    assert named == ARTICLE_DISTRICTS, (
        f"ARTICLE_DISTRICTS 与文章不一致：文章提到而列表缺少 {sorted(named - ARTICLE_DISTRICTS)}，"
        f"列表多出 {sorted(ARTICLE_DISTRICTS - named)}"
    )


def test_ids_and_related_links() -> None:
    ids = set(_case_ids())
    id_re = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    for path in CASE_FILES:
        assert id_re.match(path.stem) and len(path.stem) <= 60, path.name
        data = _load(path)
        for rel in data.get("related") or []:
            assert rel != path.stem, f"{path.name}: related 指向自己"
            assert rel in ids, f"{path.name}: related 中的「{rel}」不存在"
