"""Python and JS search normalization/segmentation must agree (runs search.js under node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.outputs.search.index import build_search_files, fnv1a
from site_builder.outputs.search.tokens import runs, tokens
from site_builder.textnorm import fold

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "theme" / "assets" / "search" / "search.js"

SAMPLES = [
    "B站",
    "ｂ站直播",
    "外賣騎手",
    "外卖骑手快递员",
    "浦东新区 外卖骑手",
    "快遞員、貨車司機與網約車司機",
    "躰驗竝曏",
    "bilibili公司2019年成立",
    "Party-building 2.0：新就业群体",
    "党",
    "党建\u200b引领\ufeff",
    "ＡＢＣ　１２３",
    "①号楼",
    "Café naïve Über",
    "“90后”员工",
    "",
    "   ",
    "\uf900\U00020000",
    "ｶﾀｶﾅ テスト 한국어",
]


def test_python_tokens_examples() -> None:
    assert tokens("B站") == ["b", "b站"]
    assert tokens("外賣騎手") == ["外卖", "卖骑", "骑手"]
    assert tokens("党") == ["党"]
    assert runs(fold("浦东 外卖")) == [["浦", "东"], ["外", "卖"]]
    assert tokens("2019年") == ["2019", "2019年"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_js_matches_python(tmp_path: Path) -> None:
    files = build_search_files([])
    (tmp_path / "fold.json").write_bytes(files["search/fold.json"])
    (tmp_path / "samples.json").write_text(json.dumps(SAMPLES), encoding="utf-8")
    script = f"""
const s = require({json.dumps(str(JS))});
const fs = require("fs");
s.setFold(JSON.parse(fs.readFileSync({json.dumps(str(tmp_path / "fold.json"))}, "utf8")));
const samples = JSON.parse(fs.readFileSync({json.dumps(str(tmp_path / "samples.json"))}, "utf8"));
process.stdout.write(JSON.stringify(samples.map(x => [s.fold(x), s.runs(s.fold(x)), s.tokens(x),
  s.tokens(x).map(s.fnv1a)])));
"""
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    got = json.loads(out)
    for sample, (jfold, jruns, jtokens, jhash) in zip(SAMPLES, got, strict=True):
        assert jfold == fold(sample), sample
        assert jruns == runs(fold(sample)), sample
        assert jtokens == tokens(sample), sample
        assert jhash == [fnv1a(t) for t in tokens(sample)], sample


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_js_fold_whole_table(tmp_path: Path) -> None:
    """Every table entry folds identically in JS (covers NFKC differences between engines)."""
    from site_builder.textnorm import fold_table

    files = build_search_files([])
    (tmp_path / "fold.json").write_bytes(files["search/fold.json"])
    keys = "".join(fold_table())
    (tmp_path / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    script = f"""
const s = require({json.dumps(str(JS))});
const fs = require("fs");
s.setFold(JSON.parse(fs.readFileSync({json.dumps(str(tmp_path / "fold.json"))}, "utf8")));
const keys = JSON.parse(fs.readFileSync({json.dumps(str(tmp_path / "keys.json"))}, "utf8"));
process.stdout.write(JSON.stringify(s.fold(keys)));
"""
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == fold(keys)
