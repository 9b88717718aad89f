"""Checks the docs promise as errors: pinyin in brackets, links in text fields, mojibake.

Run through ``site-builder validate`` as CI does: the file, line and column of the slip, exit code 1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.checks.lint import find_bracketed_pinyin, find_links, find_mojibake
from site_builder.cli import main
from tests.support.project import FIXTURE_CASES

BASE = (FIXTURE_CASES / "couriers-joint-meeting.yaml").read_text(encoding="utf-8")


def _validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir(exist_ok=True)
    (tmp_path / "cases" / "x.yaml").write_text(text, encoding="utf-8")
    code = main(["validate", "cases"])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    ("practice_line", "col", "needle"),
    [
        ("  建立楼宇（lóu yǔ）联席会议，定期会商。", 7, "括号里的拼音「（lóu yǔ）」"),
        ("  定期会商党建(dang jian)问题和诉求。", 9, "括号里的拼音「(dang jian)」"),
        ("  详见 http://spam.example/x 的报道内容。", 6, "网址或链接「http://spam.example/x」"),
        (
            "  会商机制[点此](https://casino.example/)查看。",
            7,
            "网址或链接「[点此](https://casino.example/)」",
        ),
        ("  联系方式见 www.example.com 页面说明。", 9, "网址或链接「www.example.com」"),
        ("  建立ä¸Šæµ·联席会议，定期会商问题。", 5, "乱码「ä¸Šæµ·」（原文可能是「上海」）"),
    ],
)
def test_errors_are_located_and_fail_validation(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    practice_line: str,
    col: int,
    needle: str,
) -> None:
    text = BASE.replace("  建立联席会议，定期会商骑手和快递员的急难愁盼问题。", practice_line)
    assert text != BASE
    line = text.splitlines().index(practice_line) + 1
    code, out = _validate(tmp_path, monkeypatch, capsys, text)
    assert code == 1, out
    (hit,) = [x for x in out.splitlines() if needle in x]
    assert hit.startswith(f"cases/x.yaml:{line}:{col}: 主要做法 (practice): "), out
    assert "警告" not in hit


def test_link_in_a_plain_field_is_an_error_but_not_in_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace('date: "2023-04"}', 'date: "2023-04", url: "https://wenhui.example.cn/a/1"}')
    code, out = _validate(tmp_path, monkeypatch, capsys, text)
    assert code == 0, out
    text = text.replace("title: 快递外卖行业党建联席会议", "title: 快递外卖联席会议 www.spam.cn")
    code, out = _validate(tmp_path, monkeypatch, capsys, text)
    assert (
        code == 1 and "cases/x.yaml:1:" in out and "标题 (title): 这里不能有网址或链接「www.spam.cn」" in out
    ), out


def test_traditional_characters_stay_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _validate(tmp_path, monkeypatch, capsys, BASE.replace("定期会商", "定期會商"))
    assert code == 0 and "警告：「會」是繁体字或异体字" in out, out


@pytest.mark.parametrize(
    "text",
    [
        "中央商务区（CBD）",
        "B站（bilibili）",
        "浦东新区（Pudong）",
        "小程序（mini program）",
        "饿了么（Ele.me）",
        "增长1.5万人，v2.0版本",
        "平台（app）",
        "咖啡（café）",
        "“引号”和——破折号…",
    ],
)
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert find_bracketed_pinyin(text) == []
    assert find_links(text) == []
    assert find_mojibake(text) == []


def test_repository_cases_pass(tmp_path: Path) -> None:
    """No committed case trips the new errors (a guard against false positives)."""
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "cases", tmp_path / "cases")
    for path in sorted((tmp_path / "cases").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert find_bracketed_pinyin(text) == [], path.name
        assert find_mojibake(text) == [], path.name
        links = [hit for _, hit in find_links(text) if not hit.startswith("http")]
        assert links == [], path.name
