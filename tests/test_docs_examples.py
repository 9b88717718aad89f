"""Every example message in README.md and docs/guide.md is what the tool really prints.

The guide's own case template is saved as the file the examples name, the slips the guide describes
are made in it, and ``site-builder validate`` runs on it. Each example line (``cases/…:LINE:COL: …``
and the ``共 N 个错误`` count) must appear verbatim in the real output.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from site_builder.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "docs" / "guide.md"]
EXAMPLE_FILE = "pudong-courier-joint-meeting.yaml"

# The slips the guide's example outputs describe, one run each: (text in the template, text with the slip).
# Content checks run once a file has no format errors, so the guide shows two separate runs.
RUNS = [
    [("district: 浦东新区", "district: 浦江区")],
    [
        ("  - 这里写主要做法，可以用列表。", "  - 在楼宇（lóu yǔ）里写主要做法，可以用列表。"),
        ("  - **加粗**的小标题也可以用。", "  - **加粗**的小标题见 http://spam.example/x 也可以用。"),
        ("  这里写成效。", "  这里写成效，定期會商。"),
    ],
]

_MESSAGE = re.compile(r"^cases/[a-z0-9-]+\.yaml:\d+:\d+: ")
_COUNT = re.compile(r"^共 \d+ 个错误，涉及 \d+ 个文件。$")


def _code_lines(path: Path) -> list[str]:
    """Lines inside fenced code blocks that look like the tool's output."""
    out, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced and (_MESSAGE.match(line) or _COUNT.match(line)):
            out.append(line)
    return out


def _template() -> str:
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    (template,) = [str(b) for b in blocks if b.startswith("# yaml-language-server") and "\ntitle: " in b]
    return template


def _validate(base: Path, text: str) -> list[str]:
    """Run ``site-builder validate cases`` in ``base`` on the example file; return its output lines."""
    cases = base / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    (cases / EXAMPLE_FILE).write_text(text, encoding="utf-8")
    # the template names a related case; give it one with a different title and its own figure
    other = (
        _template()
        .replace("title: 浦东快递外卖群体党建工作联席会议", "title: 金头盔骑手先锋队伍建设")
        .replace("value: 107", "value: 12")
    )
    (cases / "pudong-golden-helmet-riders.yaml").write_text(
        other.replace("related: [pudong-golden-helmet-riders]", "related: []"), encoding="utf-8"
    )
    err, out = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    try:
        os.chdir(base)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            main(["validate", "cases"])
    finally:
        os.chdir(cwd)
    return (err.getvalue() + out.getvalue()).splitlines()


@pytest.fixture(scope="module")
def real_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    lines = []
    for i, slips in enumerate(RUNS):
        text = _template()
        for before, after in slips:
            assert text.count(before) == 1, before
            text = text.replace(before, after)
        lines += _validate(tmp_path_factory.mktemp(f"run{i}"), text)
    return lines


def test_the_template_itself_is_valid(tmp_path: Path) -> None:
    assert _validate(tmp_path, _template())[-1].startswith("检查通过：2 个案例，0 条提醒")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_examples_are_real_output(doc: Path, real_output: list[str]) -> None:
    examples = _code_lines(doc)
    assert examples, f"{doc.name} shows no example message"
    missing = [line for line in examples if line not in real_output]
    assert not missing, (
        "Not what the tool prints:\n" + "\n".join(missing) + "\n\nReal output:\n" + "\n".join(real_output)
    )
