"""QR codes of page addresses, drawn at build time as tiny inline PNGs (printed case pages)."""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from typing import Any

import segno
from segno import encoder as _encoder
from segno import writers as _writers

from site_builder.cache import Memo

# segno's internals (untyped; the version is pinned in requirements.lock and is in every cache key)
encoder: Any = _encoder
writers: Any = _writers

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

_RUNS = re.compile(rb"\x00{5,}|\x01{5,}")
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))
_TO_MODULES = bytes.maketrans(b"01", b"\x00\x01")


@functools.cache
def _layout(version: int) -> tuple[int, list[int], list[list[int]]]:
    """Per row, as bit masks (bit j = column j): the format and version areas, and each of the eight
    data masks over the data modules (from segno's own function patterns)."""
    width = int(encoder.calc_matrix_size(version))
    function = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    function[-8][8] = 0x1
    reserved = encoder.make_matrix(width, width)  # 0x0: format and version areas, light timing modules
    data = [sum(1 << j for j in range(width) if function[i][j] > 0x1) for i in range(width)]
    info = [sum(1 << j for j in range(width) if reserved[i][j] == 0x0) for i in range(width)]
    masks = [
        [sum(1 << j for j in range(width) if pattern(i, j)) & data[i] for i in range(width)]
        for pattern in encoder.get_data_mask_functions(False)
    ]
    return width, info, masks


def _n3(seq: bytes, size: int) -> int:
    # ISO/IEC 18004 7.8.3.1 feature 3, counted exactly as segno counts it
    count = 0
    idx = seq.find(_N3)
    while idx != -1:
        offset = idx + 7
        if idx in (0, size - 7) or not any(seq[max(idx - 4, 0) : idx]) or not any(seq[offset : offset + 4]):
            count += 40
        else:
            offset = idx + 4
        idx = seq.find(_N3, offset)
    return count


def _penalty(rows: list[int], width: int) -> int:
    """The mask penalty of ISO/IEC 18004 7.8.3.1 (N1 + N2 + N3 + N4), equal to segno's
    ``encoder.evaluate_mask`` on the same modules, computed on whole rows and columns at a time."""
    lines = [format(r, f"0{width}b")[::-1].encode("ascii").translate(_TO_MODULES) for r in rows]
    columns = [bytes(col) for col in zip(*lines, strict=True)]
    score = 0
    full = (1 << width) - 1
    for seq in (*lines, *columns):
        score += sum(m.end() - m.start() - 2 for m in _RUNS.finditer(seq)) + _n3(seq, width)
    for above, row in itertools.pairwise(rows):
        same = ~(above ^ row) & full
        score += 3 * (same & (same << 1) & ~(row ^ (row << 1)) & full & ~1).bit_count()
    dark = sum(r.bit_count() for r in rows)
    return score + 10 * int(abs(float(dark) / (width**2) * 100 - 50) / 5)


def qr_matrix(address: str) -> tuple[bytearray, ...]:
    """The modules of the QR code of ``address`` (medium error correction): segno's, with the mask
    chosen by :func:`_penalty` (the same choice as segno's own, in a tenth of the time)."""
    code = segno.make(address, error="m", micro=False, mask=0)
    version = int(code.version)
    width, info, masks = _layout(version)
    plain = [sum(v << j for j, v in enumerate(line)) ^ masks[0][i] for i, line in enumerate(code.matrix)]
    plain = [row & ~info[i] for i, row in enumerate(plain)]
    scores = [_penalty([row ^ mask[i] for i, row in enumerate(plain)], width) for mask in masks]
    best = scores.index(min(scores))
    if best == 0:
        return tuple(bytearray(line) for line in code.matrix)
    matrix = tuple(
        bytearray((row ^ masks[best][i]) >> j & 1 for j in range(width)) for i, row in enumerate(plain)
    )
    encoder.add_format_info(matrix, version, encoder.normalize_errorlevel(code.error), best)
    encoder.add_version_info(matrix, version)
    return matrix


def make_qr_image(address: str) -> str:
    """An ``<img>`` of the QR code of ``address`` (a 1-bit PNG as a data URI), so a printed case or a
    desktop reader's phone leads back to the page.

    Medium error correction survives a smudged printout. A data URI keeps the page free of extra
    files and requests; the PNG is ~400 bytes where the same code as inline SVG took ~2.9 KB, twice
    per case page. Same input, same bytes (the same as segno's own ``png_data_uri``).
    """
    matrix = qr_matrix(address)
    width = len(matrix)
    uri = writers.as_png_data_uri(matrix, (width, width), scale=QR_SCALE, border=2)
    size = (width + 4) * QR_SCALE
    return (
        f'<img class="sb-qr" src="{uri}" alt="本页地址的二维码" width="{size}" height="{size}"'
        ' decoding="async">'
    )
