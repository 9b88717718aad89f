"""The fold table covers the variant characters seen in the source articles (issue 14, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_builder.textnorm import find_nonsimplified, fold, fold_table

ROOT = Path(__file__).resolve().parents[2]
SOURCES = next(
    (
        p / "shared" / "sources"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "sources").is_dir()
    ),
    None,
)


def test_lookalike_variants_fold() -> None:
    # 融郃 / 琯理 / 架搆 / 槼劃 / 躰驗 / 竝 / 曏 / 侷 / 鎋 / 麪 / 陞, as written in the dirty copies
    assert fold("郃琯搆槼躰竝曏侷鎋麪陞") == "合管构规体并向局辖面升"


def test_lookalikes_are_recorded_and_in_the_table() -> None:
    data = json.loads((ROOT / "site_builder" / "data" / "fold_table.json").read_text(encoding="utf-8"))
    assert {"郃": "合", "琯": "管"}.items() <= data["lookalike"].items()
    table = fold_table()
    assert all(table[k] == v for k, v in data["lookalike"].items())


def test_place_names_of_the_clean_cases_do_not_fold() -> None:
    assert fold("临汾路") == "临汾路"


@pytest.mark.skipif(SOURCES is None, reason="source articles not present")
def test_every_variant_in_the_sources_folds_to_a_simplified_character() -> None:
    assert SOURCES is not None
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(SOURCES.glob("*.md")))
    left = {ch for _, ch, _ in find_nonsimplified(fold(text))}
    assert left == set()
