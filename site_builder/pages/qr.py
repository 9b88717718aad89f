"""QR codes of page addresses, drawn at build time as inline SVG (printed case pages)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import segno

from site_builder.cache import Store, code_fingerprint, fingerprint

_MEMO: dict[str, str] = {}
"""Address -> SVG, made in this process or loaded by :func:`remember_qr_codes`."""
_USED: set[str] = set()


def _store(cache: Path) -> tuple[Store, str]:
    return Store(cache, "qr"), f"qr-{fingerprint(segno.__version__, code_fingerprint('pages/qr.py'))}.json"


def remember_qr_codes(cache: Path) -> None:
    """Load the QR codes of the last build: encoding one costs ~3 ms, every case page has one."""
    store, name = _store(cache)
    data = store.get(name)
    try:
        loaded = json.loads(data) if data is not None else {}
    except ValueError:
        return
    if isinstance(loaded, dict):
        _MEMO.update({k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)})


def save_qr_codes(cache: Path) -> None:
    """Keep the QR codes this process used for the next build (written only when they changed)."""
    store, name = _store(cache)
    data = json.dumps({k: _MEMO[k] for k in sorted(_USED)}, ensure_ascii=False, sort_keys=True).encode()
    if store.get(name) != data:
        store.put(name, data)
        store.prune([name])


def qr_svg(address: str) -> str:
    """An inline ``<svg>`` QR code of ``address`` (remembered; see :func:`make_qr_svg`)."""
    svg = _MEMO.get(address)
    if svg is None:
        svg = _MEMO[address] = make_qr_svg(address)
    _USED.add(address)
    return svg


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
