"""The committed JSON Schema follows the models."""

from __future__ import annotations

import json
from pathlib import Path

from site_builder import cli
from site_builder.casefile.jsonschema import render_schema
from site_builder.casefile.models import Case

ROOT = Path(__file__).resolve().parents[2]


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


def test_cli_schema_check(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    assert cli.main(["schema", "--output", str(target), "--check"]) == 1
    assert cli.main(["schema", "--output", str(target)]) == 0
    assert cli.main(["schema", "--output", str(target), "--check"]) == 0
