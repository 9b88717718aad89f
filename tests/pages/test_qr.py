"""QR codes: the fast mask choice gives exactly the reference encoder's code (segno's own choice)."""

from __future__ import annotations

import segno

from site_builder.pages.qr import make_qr_image, qr_matrix


def _addresses() -> list[str]:
    cases = [f"https://example.github.io/site_builder/cases/case-{i:04d}/" for i in range(40)]
    # lengths across versions 2-10 and beyond (version information from 7 on), Latin and Chinese
    grown = [f"https://x.org/{'a' * n}/案例" for n in range(1, 120, 7)]
    return [*cases, *grown, "https://example.com/", "https://a.example/" + "长" * 120]


def test_qr_modules_equal_segnos_own_mask_choice() -> None:
    versions = set()
    for address in _addresses():
        reference = segno.make(address, error="m", micro=False)
        versions.add(reference.version)
        assert [bytes(row) for row in qr_matrix(address)] == [bytes(row) for row in reference.matrix], address
    assert {2, 5, 7} <= versions  # with and without version information


def test_qr_image_is_segnos_png() -> None:
    address = "https://example.github.io/site_builder/cases/pudong-golden-helmet-riders/"
    uri = segno.make(address, error="m", micro=False).png_data_uri(scale=4, border=2)
    assert f'src="{uri}"' in make_qr_image(address)
