"""QR codes: the fast mask choice gives exactly the reference encoder's code (segno's own choice)."""

from __future__ import annotations

import random

import segno

from site_builder.pages.qr import make_qr_image, qr_matrix


def _addresses() -> list[str]:
    cases = [f"https://example.github.io/site_builder/cases/case-{i:04d}/" for i in range(40)]
    # lengths across versions 2-10 and beyond (version information from 7 on), Latin and Chinese
    grown = [f"https://x.org/{'a' * n}/案例" for n in range(1, 120, 7)]
    # and random ones, so that every mask wins somewhere and the penalty's rarer cases come up
    rng = random.Random(26)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-/案例党建"
    drawn = ["https://x.org/" + "".join(rng.choices(alphabet, k=rng.randint(1, 200))) for _ in range(120)]
    return [*cases, *grown, *drawn, "https://example.com/", "https://a.example/" + "长" * 120]


def test_qr_modules_equal_segnos_own_mask_choice() -> None:
    versions, masks = set(), set()
    for address in _addresses():
        reference = segno.make(address, error="m", micro=False)
        versions.add(reference.version)
        masks.add(reference.mask)
        assert [bytes(row) for row in qr_matrix(address)] == [bytes(row) for row in reference.matrix], address
    assert {2, 5, 7} <= versions  # with and without version information
    assert masks == set(range(8))


def test_qr_image_is_segnos_png() -> None:
    for address in _addresses()[::7]:
        uri = segno.make(address, error="m", micro=False).png_data_uri(scale=4, border=2)
        assert f'src="{uri}"' in make_qr_image(address), address
