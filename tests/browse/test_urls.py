"""The URL module."""

from __future__ import annotations

from pathlib import Path

from site_builder.browse.urls import base_for

ROOT = Path(__file__).resolve().parents[2]


def test_base_for() -> None:
    assert base_for("") == ""
    assert base_for("cases/") == "../"
    assert base_for("cases/x/") == "../../"
