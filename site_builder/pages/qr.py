"""QR codes of page addresses, drawn at build time as inline SVG (printed case pages)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno


@lru_cache(maxsize=4096)
def qr_svg(address: str) -> str:
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
