"""QR codes of page addresses, drawn at build time as tiny inline PNGs (printed case pages)."""

from __future__ import annotations

from pathlib import Path

import segno

from site_builder.cache import Memo

QR_CODES = Memo("qr", lambda address: make_qr_image(address))
"""Address -> ``<img>``, made in this process or remembered from the last build."""


def remember_qr_codes(cache: Path) -> None:
    """Load the QR codes of the last build: encoding one costs ~3 ms, every case page has one."""
    QR_CODES.load(cache)


def save_qr_codes(cache: Path) -> None:
    """Keep the QR codes this process used for the next build (written only when they changed)."""
    QR_CODES.save(cache)


def qr_image(address: str) -> str:
    """An ``<img>`` of the QR code of ``address`` (remembered; see :func:`make_qr_image`)."""
    return QR_CODES(address)


QR_SCALE = 4
"""Pixels per module: sharp on screen (CSS scales it pixelated) and in print, a few hundred bytes."""


def make_qr_image(address: str) -> str:
    """An ``<img>`` of the QR code of ``address`` (a 1-bit PNG as a data URI), so a printed case or a
    desktop reader's phone leads back to the page.

    Medium error correction survives a smudged printout. A data URI keeps the page free of extra
    files and requests; the PNG is ~400 bytes where the same code as inline SVG took ~2.9 KB, twice
    per case page. Same input, same bytes.
    """
    code = segno.make(address, error="m", micro=False)
    width, height = code.symbol_size(scale=QR_SCALE, border=2)
    uri = code.png_data_uri(scale=QR_SCALE, border=2)
    return (
        f'<img class="sb-qr" src="{uri}" alt="本页地址的二维码" width="{width}" height="{height}"'
        ' decoding="async">'
    )
