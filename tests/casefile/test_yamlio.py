"""Strict YAML reading with positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.casefile import yamlio
from site_builder.casefile.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[2]


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


_EVENT_PASS_CASES = [
    "a: &x 1\n",
    "a: [1]\nb: *x\n",
    "a: &x [1]\nb: *x\n",
    "a: !!str 1\n",
    "a: !custom 1\n",
    "a:\n  - &q\n    k: v\n",
    "a: 1\n---\nb: 2\n",
    "a: [[[[[[[[[1]]]]]]]]]\n",
    "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g:\n              h:\n                i: 1\n",
    "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g:\n              h: 1\n",
    "practice: |\n  - **做法** &amp; 成效 !\n",
    "title: 标题\nsummary: " + "[" * 1200 + "\n",
    "%YAML 1.1\n---\ntitle: 标题\n",
    "? [a]\n: 1\n",
]


def test_one_pass_reading_says_exactly_what_the_event_pass_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files without slips are composed in one pass when the event pass could find nothing; every
    golden input, repository case and tricky text reads the same with and without that shortcut."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "cases").glob("*.yaml"))]
    for p in sorted((ROOT / "tests" / "casefile" / "golden").rglob("*.yaml")):
        try:
            texts.append(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    texts += _EVENT_PASS_CASES
    fast = [yamlio.parse_text(t, "x.yaml", repaired=True) for t in texts]
    assert sum(yamlio._compose_plain(t) is not None for t in texts) > len(texts) // 2
    monkeypatch.setattr(yamlio, "_compose_plain", lambda text: None)
    full = [yamlio.parse_text(t, "x.yaml", repaired=True) for t in texts]
    assert fast == full


@pytest.mark.parametrize("text", _EVENT_PASS_CASES[:9])
def test_anchors_aliases_tags_documents_and_depth_take_the_event_pass(text: str) -> None:
    assert yamlio._compose_plain(text) is None
