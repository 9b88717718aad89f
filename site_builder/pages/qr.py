"""QR codes of page addresses, drawn at build time as inline SVG (printed case pages)."""

from __future__ import annotations

import io
from pathlib import Path

import segno

from site_builder.cache import Memo, code_fingerprint, fingerprint

QR_CODES = Memo("qr", lambda address: make_qr_svg(address))
"""Address -> SVG, made in this process or remembered from the last build."""


def _version() -> str:
    return fingerprint(segno.__version__, code_fingerprint("pages/qr.py"))


def remember_qr_codes(cache: Path) -> None:
    """Load the QR codes of the last build: encoding one costs ~3 ms, every case page has one."""
    QR_CODES.load(cache, _version())


def save_qr_codes(cache: Path) -> None:
    """Keep the QR codes this process used for the next build (written only when they changed)."""
    QR_CODES.save(cache, _version())


def qr_svg(address: str) -> str:
    """An inline ``<svg>`` QR code of ``address`` (remembered; see :func:`make_qr_svg`)."""
    return QR_CODES(address)


def make_qr_svg(address: str) -> str:
    """An inline ``<svg>`` QR code of ``address``, so a printed case leads back to its page.

    Medium error correction survives a smudged printout; the SVG scales with CSS and carries
    ``role="img"`` and a Chinese label. Same input, same bytes.
    """
    code = segno.make(address, error="m", micro=False)
    buf = io.BytesIO()
    code.save(
        buf,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        border=2,
        svgclass="sb-qr",
        lineclass=None,
        title=None,
    )
    svg = buf.getvalue().decode("utf-8")
    return svg.replace("<svg ", '<svg role="img" aria-label="本页地址的二维码" ', 1)
