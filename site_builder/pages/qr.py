"""QR codes of page addresses, drawn at build time as tiny inline PNGs (printed case pages)."""

from __future__ import annotations

import base64
import functools
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from segno import encoder as _encoder

from site_builder.cache import Memo

# segno's internals (untyped; the version is pinned in requirements.lock and is in every cache key)
encoder: Any = _encoder

QR_CODES = Memo("qr", lambda address: make_qr_image(address))
"""Address -> ``<img>``, made in this process or remembered from the last build."""


def remember_qr_codes(cache: Path) -> None:
    """Load the QR codes of the last build: encoding one costs ~1 ms, every case page has one."""
    QR_CODES.load(cache)


def save_qr_codes(cache: Path) -> None:
    """Keep the QR codes this process used for the next build (written only when they changed)."""
    QR_CODES.save(cache)


def qr_image(address: str) -> str:
    """An ``<img>`` of the QR code of ``address`` (remembered; see :func:`make_qr_image`)."""
    return QR_CODES(address)


QR_SCALE = 4
"""Pixels per module: sharp on screen (CSS scales it pixelated) and in print, a few hundred bytes."""

QR_BORDER = 2
"""The quiet zone in modules (2, as segno's own default for this writer's callers here)."""

_GAP = 4
"""Light modules between two lines in the packed form (:func:`_pack`): as wide as the widest look
around of the penalty (four light modules beside a finder-like pattern), so no rule sees across."""


@dataclass(frozen=True)
class _Layout:
    """One version's matrix geometry as packed lines (see :func:`_pack`): bit ``line * stride + j``
    is module ``j`` of that line (dark = 1); rows in one integer, columns in another."""

    width: int
    stride: int
    info_rows: int
    """The format and version areas (cleared before the penalty, as segno evaluates its masks)."""
    mask_rows: tuple[int, ...]
    """Each of the eight data masks over the data modules, by rows ..."""
    mask_columns: tuple[int, ...]
    """... and by columns."""
    in_line: int
    """Bits of modules inside a line (not the gaps)."""
    run_starts: int
    """Bits ``j`` with ``j + 1`` in the same line (pairs of neighbours)."""
    block_starts: int
    """Bits ``j`` of rows but the last with ``j + 1`` in the line (2×2 blocks' top-left modules)."""
    finder_starts: int
    """Bits ``j`` with ``j + 6`` in the same line (where a 1:1:3:1:1 pattern can start)."""


def _pack(lines: Sequence[str], stride: int) -> int:
    """Lines of ``"0"``/``"1"`` (module ``j`` at index ``j``) as one integer, ``stride`` bits each."""
    gap = "0" * (stride - len(lines[0]))
    return int((gap.join(lines) + gap)[::-1], 2)


def _bits(rows: Sequence[Sequence[int]]) -> list[str]:
    return [bytes(row).translate(_TO_DIGITS).decode("ascii") for row in rows]


def _columns(lines: Sequence[str]) -> list[str]:
    return ["".join(column) for column in zip(*lines, strict=True)]


def _repeat(pattern: str, lines: int, stride: int) -> int:
    return _pack([pattern] * lines, stride)


@functools.cache
def _layout(version: int) -> _Layout:
    """The geometry of ``version`` from segno's own function patterns and data masks."""
    width = int(encoder.calc_matrix_size(version))
    stride = width + _GAP
    function = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(function, width, width)
    encoder.add_alignment_patterns(function, width, width)
    function[-8][8] = 0x1
    reserved = encoder.make_matrix(width, width)  # 0x0: format and version areas, light timing modules
    data = [[function[i][j] > 0x1 for j in range(width)] for i in range(width)]
    masks = []
    for pattern in encoder.get_data_mask_functions(False):
        masks.append(
            [
                "".join("1" if data[i][j] and pattern(i, j) else "0" for j in range(width))
                for i in range(width)
            ]
        )
    info = ["".join("1" if reserved[i][j] == 0x0 else "0" for j in range(width)) for i in range(width)]
    full = _repeat("1" * width, width, stride)
    return _Layout(
        width=width,
        stride=stride,
        info_rows=_pack(info, stride),
        mask_rows=tuple(_pack(m, stride) for m in masks),
        mask_columns=tuple(_pack(_columns(m), stride) for m in masks),
        in_line=full,
        run_starts=_repeat("1" * (width - 1) + "0", width, stride),
        block_starts=_pack(["1" * (width - 1) + "0"] * (width - 1) + ["0" * width], stride),
        finder_starts=_repeat("1" * (width - 6) + "000000", width, stride),
    )


def _runs_and_finders(lines: int, layout: _Layout) -> int:
    """ISO/IEC 18004 7.8.3.1 features 1 and 3 over every packed line at once, counted as segno counts.

    Feature 1: each run of five or more modules of one colour scores its length minus two. Feature 3:
    each 1:1:3:1:1 pattern with four light modules (or the symbol's edge) on either side scores 40;
    like segno's search, the next pattern is looked for 7 modules on after a counted one, 4 after one
    that is not.
    """
    same = ~(lines ^ (lines >> 1)) & layout.run_starts
    five = same & (same >> 1) & (same >> 2) & (same >> 3)
    score = five.bit_count() + 2 * (five & ~(five << 1)).bit_count()
    dark, light = lines, ~lines
    found = (
        dark & (light >> 1) & (dark >> 2) & (dark >> 3) & (dark >> 4) & (light >> 5) & (dark >> 6)
    ) & layout.finder_starts
    if not found:
        return score
    clear = ~((lines << 1) | (lines << 2) | (lines << 3) | (lines << 4)) | ~(
        (lines >> 7) | (lines >> 8) | (lines >> 9) | (lines >> 10)
    )
    resume = 0
    while found:
        low = found & -found
        at = low.bit_length() - 1
        found ^= low
        if at < resume:
            continue
        if clear >> at & 1:
            score += 40
            resume = at + 7
        else:
            resume = at + 4
    return score


def _penalty(rows: int, columns: int, layout: _Layout) -> int:
    """The mask penalty of ISO/IEC 18004 7.8.3.1 (N1 + N2 + N3 + N4) of packed rows and columns, equal
    to segno's ``encoder.evaluate_mask`` on the same modules."""
    width, stride = layout.width, layout.stride
    score = _runs_and_finders(rows, layout) + _runs_and_finders(columns, layout)
    below = rows >> stride
    same = ~(rows ^ below)
    score += 3 * (same & (same >> 1) & ~(rows ^ (rows >> 1)) & layout.block_starts).bit_count()
    dark = rows.bit_count()
    return score + 10 * int(abs(float(dark) / (width**2) * 100 - 50) / 5)


def qr_matrix(address: str) -> tuple[bytearray, ...]:
    """The modules of the QR code of ``address`` (medium error correction): segno's, with the mask
    chosen by :func:`_penalty` (the same choice as segno's own, in a small part of the time)."""
    code = segno.make(address, error="m", micro=False, mask=0)
    version = int(code.version)
    layout = _layout(version)
    stride = layout.stride
    lines = _bits(code.matrix)
    plain_rows = (_pack(lines, stride) ^ layout.mask_rows[0]) & ~layout.info_rows
    plain_columns = _pack(_columns(_bits(_unpack(plain_rows, layout))), stride)
    scores = [
        _penalty(plain_rows ^ rows, plain_columns ^ columns, layout)
        for rows, columns in zip(layout.mask_rows, layout.mask_columns, strict=True)
    ]
    best = scores.index(min(scores))
    if best == 0:
        return tuple(bytearray(line) for line in code.matrix)
    matrix = _unpack(plain_rows ^ layout.mask_rows[best], layout)
    encoder.add_format_info(matrix, version, encoder.normalize_errorlevel(code.error), best)
    encoder.add_version_info(matrix, version)
    return matrix


def _unpack(rows: int, layout: _Layout) -> tuple[bytearray, ...]:
    """Packed rows as segno's matrix (a ``bytearray`` of 0/1 per row)."""
    width, stride = layout.width, layout.stride
    text = format(rows, f"0{stride * width}b")[::-1]
    return tuple(
        bytearray(text[i * stride : i * stride + width].encode("ascii").translate(_TO_MODULES))
        for i in range(width)
    )


def qr_png(matrix: Sequence[Sequence[int]], *, scale: int = QR_SCALE, border: int = QR_BORDER) -> bytes:
    """A 1-bit greyscale PNG of ``matrix`` (dark modules black), byte for byte what segno's
    ``write_png`` makes of it: unfiltered module rows, each repeated by "Up" rows of zeros, level 9."""
    width = (len(matrix) + 2 * border) * scale
    stride = -(-width // 8)
    pad = stride * 8 - width
    light = "1" * (border * scale)

    def scanline(pixels: str) -> bytes:
        return b"\0" + (int(pixels, 2) << pad).to_bytes(stride, "big")

    quiet = scanline("1" * width) * (border * scale)
    up = (b"\2" + bytes(stride)) * (scale - 1)
    widen = {ord("0"): "1" * scale, ord("1"): "0" * scale}
    rows = [scanline(light + line.translate(widen) + light) + up for line in _bits(matrix)]
    idat = zlib.compress(b"".join((quiet, *rows, quiet)), 9)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">2I5B", width, width, 1, 0, 0, 0, 0)),
            _png_chunk(b"IDAT", idat),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_qr_image(address: str) -> str:
    """An ``<img>`` of the QR code of ``address`` (a 1-bit PNG as a data URI), so a printed case or a
    desktop reader's phone leads back to the page.

    Medium error correction survives a smudged printout. A data URI keeps the page free of extra
    files and requests; the PNG is ~400 bytes where the same code as inline SVG took ~2.9 KB, twice
    per case page. Same input, same bytes (the same as segno's own ``png_data_uri``).
    """
    matrix = qr_matrix(address)
    png = qr_png(matrix)
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    size = (len(matrix) + 2 * QR_BORDER) * QR_SCALE
    return (
        f'<img class="sb-qr" src="{uri}" alt="本页地址的二维码" width="{size}" height="{size}"'
        ' decoding="async">'
    )


_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_TO_MODULES = bytes.maketrans(b"01", b"\x00\x01")
