"""Generate hostile and awkward test images at test time (no binary fixtures in git).

Each generator writes one file into a directory and returns its path.  The
:data:`CORPUS` table lists every case with the expected verdict of
``check_image`` (``None`` = accepted, otherwise a substring of the Chinese
reason).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

# --- low-level writers ---------------------------------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR declares ``width``×``height`` with a token IDAT (a 'bomb')."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_rgb16(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """Encode a 16-bit-per-channel RGB PNG by hand (Pillow cannot write one)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw += struct.pack(">HHH", *pixel(x, y))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(bytes(raw)))
        + _png_chunk(b"IEND", b"")
    )


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def icc_swapped_rgb() -> bytes:
    """A valid ICC v2 RGB profile whose red and blue primaries are swapped.

    Pixel (255, 0, 0) tagged with this profile *means* sRGB blue, so a
    pipeline that really converts to sRGB must output blue.
    """
    srgb_d50 = {
        "r": (0.4361, 0.2225, 0.0139),
        "g": (0.3851, 0.7169, 0.0971),
        "b": (0.1431, 0.0606, 0.7141),
    }

    def xyz(v: tuple[float, float, float]) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + b"".join(_s15(c) for c in v)

    text = b"Swapped RGB test\x00"
    desc = (
        b"desc\x00\x00\x00\x00"
        + struct.pack(">I", len(text))
        + text
        + struct.pack(">II", 0, 0)
        + struct.pack(">HB", 0, 0)
        + b"\x00" * 67
    )
    curve = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 0x0233) + b"\x00\x00"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(srgb_d50["b"])),
        (b"gXYZ", xyz(srgb_d50["g"])),
        (b"bXYZ", xyz(srgb_d50["r"])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\x00\x00\x00\x00PD\x00\x00"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table = struct.pack(">I", len(tags))
    body = b""
    for sig, payload in tags:
        while len(payload) % 4:
            payload += b"\x00"
        table += sig + struct.pack(">II", offset + len(body), len(payload))
        body += payload
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"APPL"
        + b"\x00" * 4
        + b"\x00" * 8
        + b"\x00" * 8
        + struct.pack(">I", 0)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"lcms"
        + b"\x00" * 16
        + b"\x00" * 28
    )
    assert len(header) == 128, len(header)
    return header + table + body


def _jpeg(im: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def _png(im: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **kw)
    return buf.getvalue()


def two_tone(size: tuple[int, int] = (120, 80), left: str = "red", right: str = "blue") -> Image.Image:
    """An image whose left half is ``left`` and right half ``right`` (orientation probe)."""
    im = Image.new("RGB", size, right)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2 - 1, size[1] - 1), fill=left)
    return im


GPS_LATITUDE = (31.0, 14.0, 25.5)


def exif_with_gps(orientation: int = 6) -> Image.Exif:
    """EXIF with an orientation tag and a GPS block pointing at central Shanghai."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "TestSoftware"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 12.0)
    return exif


XMP_PACKET = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="31,14.42N"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


# --- corpus --------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One generated test file and the expected ``check_image`` verdict."""

    name: str
    filename: str
    make: Callable[[], bytes]
    reject: str | None  # substring of the reason, or None when accepted


def _bomb_declared() -> bytes:
    return png_header_only(100_000, 100_000)


def _bomb_real() -> bytes:
    # 8000×6000 = 48 MP: above our 40 MP limit, below Pillow's own warning threshold.
    return _png(Image.new("1", (8000, 6000)), optimize=False)


def _truncated_jpeg() -> bytes:
    im = Image.effect_noise((256, 256), 64).convert("RGB")
    data = _jpeg(im)
    return data[: len(data) // 2]


def _truncated_png() -> bytes:
    data = _png(Image.effect_noise((128, 128), 64).convert("RGB"))
    return data[: len(data) * 2 // 3]


def _png_missing_end() -> bytes:
    # Every pixel is present; only the last chunks are cut off.
    data = _png(Image.effect_noise((64, 64), 64).convert("RGB"))
    return data[:-20]


def _truncated_webp() -> bytes:
    buf = io.BytesIO()
    Image.effect_noise((128, 128), 64).convert("RGB").save(buf, "WEBP", quality=80)
    data = buf.getvalue()
    return data[: len(data) // 2]


def _text_as_jpg() -> bytes:
    return "这不是图片，只是一段文字。\n".encode() * 20


def _gif_as_png() -> bytes:
    buf = io.BytesIO()
    two_tone().convert("P").save(buf, "GIF")
    return buf.getvalue()


def _bmp_as_png() -> bytes:
    buf = io.BytesIO()
    two_tone().save(buf, "BMP")
    return buf.getvalue()


def _cmyk_jpeg() -> bytes:
    im = Image.new("CMYK", (64, 48), (0, 255, 255, 0))  # pure red in CMYK
    return _jpeg(im)


def _gray16_png() -> bytes:
    im = Image.new("I;16", (256, 32))
    im.putdata([x * 257 for _y in range(32) for x in range(256)])
    return _png(im)


def _rgb16_png() -> bytes:
    return png_rgb16(64, 32, lambda x, y: (65535, 32768, 0))


def _exif_gps_jpeg() -> bytes:
    return _jpeg(two_tone((120, 80)), exif=exif_with_gps(6).tobytes(), xmp=XMP_PACKET)


def _exif_gps_webp() -> bytes:
    buf = io.BytesIO()
    two_tone((120, 80)).save(buf, "WEBP", exif=exif_with_gps(1).tobytes(), xmp=XMP_PACKET, quality=90)
    return buf.getvalue()


def _palette_transparent_png() -> bytes:
    im = Image.new("P", (64, 64), 0)
    im.putpalette([255, 0, 0, 0, 128, 0] + [0] * (256 * 3 - 6))
    ImageDraw.Draw(im).rectangle((0, 0, 31, 63), fill=1)
    return _png(im, transparency=0)  # right half (index 0, red) is transparent


def _alpha_png() -> bytes:
    im = Image.new("RGBA", (64, 64), (0, 0, 255, 0))
    ImageDraw.Draw(im).rectangle((0, 0, 31, 63), fill=(0, 0, 255, 255))
    return _png(im)


def _icc_swapped_jpeg() -> bytes:
    return _jpeg(Image.new("RGB", (64, 48), (255, 0, 0)), icc_profile=icc_swapped_rgb())


def _ok_jpeg() -> bytes:
    return _jpeg(two_tone((200, 150)))


def _tiny_png() -> bytes:
    return _png(Image.new("RGB", (4, 4), "white"))


def _svg_as_png() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def _heic_as_jpg() -> bytes:
    # Just the ISO-BMFF header of an iPhone photo: enough to be sniffed, not decodable.
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def _mpo_jpeg() -> bytes:
    # Phones write multi-picture JPEGs (MPO); Pillow reports them as format "MPO".
    buf = io.BytesIO()
    two_tone((200, 100)).save(buf, "MPO", save_all=True, append_images=[Image.new("RGB", (200, 100))])
    return buf.getvalue()


def _empty() -> bytes:
    return b""


CORPUS: tuple[Sample, ...] = (
    Sample("bomb_declared", "bomb.png", _bomb_declared, "像素"),
    Sample("bomb_real", "big.png", _bomb_real, "百万像素"),
    Sample("truncated_jpeg", "cut.jpg", _truncated_jpeg, "不完整"),
    Sample("truncated_png", "cut.png", _truncated_png, "不完整"),
    Sample("png_missing_end", "cut-end.png", _png_missing_end, "不完整"),
    Sample("truncated_webp", "cut.webp", _truncated_webp, "损坏"),
    Sample("text_as_jpg", "notes.jpg", _text_as_jpg, "无法识别"),
    Sample("gif_as_png", "anim.png", _gif_as_png, "GIF"),
    Sample("bmp_as_png", "scan.png", _bmp_as_png, "BMP"),
    Sample("svg_as_png", "logo.png", _svg_as_png, "SVG"),
    Sample("heic_as_jpg", "IMG_0001.jpg", _heic_as_jpg, "HEIC"),
    Sample("empty", "empty.jpg", _empty, "空"),
    Sample("mpo_jpeg", "phone.jpg", _mpo_jpeg, None),
    Sample("tiny", "tiny.png", _tiny_png, "过小"),
    Sample("cmyk_jpeg", "cmyk.jpg", _cmyk_jpeg, None),
    Sample("gray16_png", "gray16.png", _gray16_png, None),
    Sample("rgb16_png", "rgb16.png", _rgb16_png, None),
    Sample("exif_gps_jpeg", "rotated.jpg", _exif_gps_jpeg, None),
    Sample("exif_gps_webp", "gps.webp", _exif_gps_webp, None),
    Sample("palette_transparent_png", "palette.png", _palette_transparent_png, None),
    Sample("alpha_png", "alpha.png", _alpha_png, None),
    Sample("icc_swapped_jpeg", "icc.jpg", _icc_swapped_jpeg, None),
    Sample("ok_jpeg", "photo.JPG", _ok_jpeg, None),
    Sample("ok_jpeg_named_png", "photo-really-jpeg.png", _ok_jpeg, None),
)


def write_sample(sample: Sample, directory: Path) -> Path:
    """Write ``sample`` into ``directory`` and return its path."""
    path = directory / sample.filename
    path.write_bytes(sample.make())
    return path


def write_oversized(directory: Path, size: int = 16 * 1024 * 1024) -> Path:
    """A sparse file over the 15 MB limit that starts like a JPEG."""
    path = directory / "huge.jpg"
    with path.open("wb") as fh:
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(size)
    return path


def write_corpus(directory: Path) -> dict[str, Path]:
    """Write every sample of :data:`CORPUS` into ``directory``; return name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    return {s.name: write_sample(s, directory) for s in CORPUS}
