"""Strict YAML reading with positions."""

from __future__ import annotations

from pathlib import Path

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
