"""Work bombs: small image files whose decoding costs far more than their size (made at test time).

Each writer returns the bytes of one hostile file; the photo tests and the fuzzer use them.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each segment of a JPEG, entropy-coded data included in its scan."""
    out, pos = [], 2
    while pos < len(data) and data[pos + 1] != 0xD9:
        marker = data[pos + 1]
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            while not (data[end] == 0xFF and data[end + 1] not in (0, *range(0xD0, 0xD8))):
                end += 1
        out.append((marker, pos, end))
        pos = end
    return out


def progressive_scan_repeat(size: tuple[int, int], repeats: int, *, scan: int = 1) -> bytes:
    """A flat grey progressive JPEG whose ``scan``-th scan is repeated ``repeats`` times (libjpeg decodes each)."""
    buf = io.BytesIO()
    Image.new("RGB", size, (128, 128, 128)).save(buf, "JPEG", progressive=True, quality=90)
    data = buf.getvalue()
    scans = [(s, e) for m, s, e in _jpeg_segments(data) if m == 0xDA]
    start, end = scans[scan]
    eoi = data.rfind(b"\xff\xd9")
    return data[:eoi] + data[start:end] * repeats + b"\xff\xd9"


def jpeg_many_markers(count: int, *, marker: int = 0xFE) -> bytes:
    """A small JPEG preceded by ``count`` empty COM (or APPn) segments, each parsed in Python."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buf, "JPEG")
    data = buf.getvalue()
    return data[:2] + bytes([0xFF, marker, 0, 2]) * count + data[2:]


def png_many_chunks(count: int, kind: bytes = b"prVt") -> bytes:
    """A small PNG with ``count`` empty ancillary chunks after IHDR."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(buf, "PNG")
    data = buf.getvalue()
    return data[:33] + _png_chunk(kind, b"") * count + data[33:]


def png_inflate_bomb(width: int, height: int, depth: int = 16, colour: int = 6) -> bytes:
    """A PNG header declaring a huge but allowed pixel count at 16 bits per channel, with a token IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _png_chunk(b"IEND", b"")
    )


def webp_many_chunks(count: int) -> bytes:
    """A small WebP with ``count`` unknown chunks appended inside its RIFF container."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (5, 6, 7)).save(buf, "WEBP", lossless=True)
    data = buf.getvalue()
    body = data[12:] + b"ZZZZ\x00\x00\x00\x00" * count
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
