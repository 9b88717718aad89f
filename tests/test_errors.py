"""Error output: one line per error, and no case value can forge a CI workflow command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from site_builder.errors import CaseError, Location, one_line

FORGED = "x\\n::error file=README.md,line=1::forged"


def test_format_is_always_one_line() -> None:
    e = CaseError(Location("cases/a.yaml", 2, 3), "title", "值「a\nb\r\u2028c\u202ed」不对")
    assert "\n" not in e.format() and "\r" not in e.format()
    assert "\\u000a" in e.format() and "\\u202e" in e.format()
    assert one_line("普通文字") == "普通文字"


def test_annotation_properties_and_data_are_escaped() -> None:
    e = CaseError(Location("cases/a,b:c%.yaml", 2, 3), "f", "100% 完成\n::warning::x")
    line = e.github_annotation()
    assert line.startswith("::error file=cases/a%2Cb%3Ac%25.yaml,line=2,col=3::")
    assert line.count("\n") == 0 and "100%25" in line


def test_forged_workflow_command_in_a_case_value_stays_in_its_line(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "forged.yaml").write_text(
        f'title: 测试标题\nsummary: 短\ndistrict: 浦东新区\nfields: [楼宇]\nyear: 2023\nstatus: "{FORGED}"\n'
        "practice: 做法\nsources:\n  - {title: 文章, publisher: 报社}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    proc = subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "validate", "cases"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = (proc.stdout + proc.stderr).splitlines()
    assert not [ln for ln in lines if ln.startswith("::") and "README.md" in ln.split("::")[1]]
    assert all(
        ln.startswith(("cases/forged.yaml:", "::error file=cases/forged.yaml,", "共 ")) for ln in lines if ln
    )
