"""Image paths that trip over the file system: link loops and look-alike Unicode names."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from site_builder.casefile.loader import load_cases

CASE = """\
title: 金色头盔党员骑手
summary: 浦东新区为党员外卖骑手配发金色头盔，让党员在配送一线亮明身份、带头服务，并参与社区治理。
district: 浦东新区
fields: [新就业群体]
year: 2021
practice: |
  为党员骑手配发金色头盔。
images:
  - file: {file}
    alt: 骑手驿站的照片
sources:
  - title: 新就业群体党建工作“上海案例”
    publisher: 文汇报
"""


def _load(tmp_path: Path, file: str) -> list[str]:
    cases = tmp_path / "cases"
    (cases / "case.yaml").write_text(CASE.format(file=file), encoding="utf-8")
    result = load_cases([cases / "case.yaml"], cases_root=cases)
    return [e.format() for e in result.errors]


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    (tmp_path / "cases" / "images").mkdir(parents=True)
    return tmp_path / "cases"


@pytest.mark.parametrize("file", ["images/loop", "images/loop/x.jpg", "images/a"])
def test_a_symlink_loop_is_a_located_error(file: str, cases: Path, tmp_path: Path) -> None:
    (cases / "images" / "loop").symlink_to("loop")
    (cases / "images" / "a").symlink_to("b")
    (cases / "images" / "b").symlink_to("a")
    errors = _load(tmp_path, file)
    assert len(errors) == 1 and ":9:11: images[0].file:" in errors[0], errors
    assert "循环的符号链接" in errors[0] or "不是普通文件" in errors[0]


@pytest.mark.parametrize(
    ("on_disk", "in_yaml"),
    [
        (unicodedata.normalize("NFD", "café-骑手.jpg"), unicodedata.normalize("NFC", "café-骑手.jpg")),
        (
            "\uf900-骑手.jpg",
            unicodedata.normalize("NFC", "\uf900") + "-骑手.jpg",
        ),  # a compatibility ideograph
    ],
    ids=["nfd-on-disk", "compatibility-ideograph"],
)
def test_look_alike_names_get_a_hint(on_disk: str, in_yaml: str, cases: Path, tmp_path: Path) -> None:
    assert on_disk != in_yaml
    Image.new("RGB", (64, 64), "red").save(cases / "images" / on_disk, "JPEG")
    errors = _load(tmp_path, f"images/{in_yaml}")
    assert len(errors) == 1 and "Unicode 写法" in errors[0] and ":9:11: images[0].file:" in errors[0]
