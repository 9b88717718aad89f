"""Unit tests of the plain core: YAML reading, vocabularies, Markdown sanitizing, CLI, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder import cli
from site_builder.browse.model import slugify_tag
from site_builder.browse.urls import base_for
from site_builder.casefile.jsonschema import render_schema
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import read_yaml
from site_builder.pages.markup import render_markdown
from site_builder.pages.render import GeneratedPage

ROOT = Path(__file__).resolve().parent.parent


def _read(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "x.yaml"
    p.write_text(text, encoding="utf-8")
    return read_yaml(p, "x.yaml")


def test_yaml_scalars_are_not_reinterpreted(tmp_path: Path) -> None:
    doc, errors = _read(
        tmp_path, "a: yes\nb: off\nc: 2023-04-13\nd: 2021\ne: 3.5\nf: '12'\ng: ~\nh: true\ni: 0x1F\n"
    )
    assert errors == []
    assert doc.data == {
        "a": "yes",
        "b": "off",
        "c": "2023-04-13",
        "d": 2021,
        "e": 3.5,
        "f": "12",
        "g": None,
        "h": True,
        "i": "0x1F",
    }


def test_positions_of_values_and_keys(tmp_path: Path) -> None:
    doc, _ = _read(tmp_path, "title: 标题\nsources:\n  - title: 文章\n    publisher: 报\n")
    assert doc.positions.values[("sources", 0, "publisher")] == (4, 16)
    assert doc.positions.keys[("sources", 0, "publisher")] == (4, 5)
    assert doc.positions.locate(("sources", 0, "date")).line == 3


def test_merge_key_and_bom(tmp_path: Path) -> None:
    _, errors = _read(tmp_path, "\ufeffa: 1\n<<: {b: 2}\n")
    assert [e.format() for e in errors] == ["x.yaml:2:1: 不支持 YAML 合并键「<<」，请直接写出各字段"]


def test_district_aliases() -> None:
    v = load_vocabularies().districts
    for alias in ("浦东", "浦東新區", "pudong", "Pudong New Area", "浦东新区"):
        assert v.resolve(alias).term.name == "浦东新区"  # type: ignore[union-attr]
    hit = v.resolve("闸北区")
    assert hit is not None and hit.term.name == "静安区" and hit.former.name == "闸北区"  # type: ignore[union-attr]
    assert v.resolve("南汇").term.name == "浦东新区"  # type: ignore[union-attr]
    assert len([t for t in v.terms if t.name != "全市"]) == 16


def test_vocabulary_slugs_are_ascii_and_unique() -> None:
    vocab = load_vocabularies()
    for voc in (vocab.districts, vocab.fields, vocab.groups):
        slugs = [t.slug for t in voc.terms]
        assert len(set(slugs)) == len(slugs)
        assert all(s.isascii() and s == s.lower() and " " not in s for s in slugs)
    assert {
        "楼宇",
        "园区",
        "商圈与街区",
        "新就业群体",
        "互联网与新兴产业",
        "小微企业与个体工商户",
        "民营企业",
        "社会组织",
    } <= set(vocab.fields.names())
    assert {"外卖骑手", "快递员", "货车司机", "网约车司机", "楼宇白领", "个体工商户"} <= set(
        vocab.groups.names()
    )


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


def test_front_matter_escapes_for_material() -> None:
    page = GeneratedPage("cases/x.md", "cases/x/", '<b>"A" & B</b>', "d", "")
    fm = page.front_matter()
    import yaml

    meta = yaml.safe_load(fm.strip("-\n"))
    assert meta["title"] == "&lt;b&gt;&quot;A&quot; &amp; B&lt;/b&gt;"


def test_base_for() -> None:
    assert base_for("") == ""
    assert base_for("cases/") == "../"
    assert base_for("cases/x/") == "../../"


def test_tag_slugs_are_readable_ascii() -> None:
    assert slugify_tag("金色头盔") == "jin-se-tou-kui"
    assert slugify_tag("B站") == "b-zhan"
    assert slugify_tag("1℃空间").isascii()


def test_schema_is_up_to_date() -> None:
    committed = (ROOT / "schema" / "case.schema.json").read_text(encoding="utf-8")
    assert committed == render_schema(), "运行 .venv/bin/site-builder schema 重新生成"
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {
        "title",
        "summary",
        "district",
        "fields",
        "year",
        "practice",
        "sources",
    }
    assert "浦东新区" in schema["properties"]["district"]["enum"]


def test_schema_covers_every_field() -> None:
    schema = json.loads(render_schema())
    assert set(schema["properties"]) == set(Case.model_fields)


def test_cli_new_writes_a_skeleton_that_validates_once_filled(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert (
        cli.main(
            [
                "new",
                "songjiang-test-case",
                "--title",
                "松江测试案例",
                "--district",
                "松江",
                "--field",
                "楼宇",
                "--year",
                "2022",
                "--no-input",
            ]
        )
        == 0
    )
    path = tmp_path / "cases" / "songjiang-test-case.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/case.schema.json\n")
    assert cli.main(["validate", "cases"]) == 1  # placeholders are still there
    err = capsys.readouterr().err
    assert "cases/songjiang-test-case.yaml:" in err and "summary" in err
    filled = (
        text.replace(
            "summary: ……",
            "summary: " + "松江区在商务楼宇里建立党群服务站，为楼宇白领和小微企业提供学习交流与办事服务。",
        )
        .replace("locality: ……", "locality: 岳阳街道")
        .replace("  - label: ……", "  - label: 服务站")
        .replace("  ……", "  内容。")
        .replace("  - title: ……\n    publisher: ……", "  - title: 报道\n    publisher: 松江报")
    )
    path.write_text(filled, encoding="utf-8")
    assert cli.main(["validate", "cases"]) == 0, capsys.readouterr().err
    assert cli.main(["new", "songjiang-test-case", "--no-input"]) == 2
    assert cli.main(["new", "Bad_Id", "--no-input"]) == 2


def test_cli_validate_prints_github_annotations(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "a-case.yaml").write_text("title: 标题很好\nyear: 二〇二一\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert cli.main(["validate"]) == 1
    out = capsys.readouterr()
    assert "::error file=cases/a-case.yaml,line=2,col=7::year: 应为整数年份" in out.out
    assert "cases/a-case.yaml:2:7: year: 应为整数年份" in out.err
    assert "Traceback" not in out.err


def test_cli_schema_check(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    assert cli.main(["schema", "--output", str(target), "--check"]) == 1
    assert cli.main(["schema", "--output", str(target)]) == 0
    assert cli.main(["schema", "--output", str(target), "--check"]) == 0
