"""A defensive Pillow pipeline for photos attached to cases.

Photos come from editors, so every file is treated as hostile:

* only JPEG, PNG and WebP are accepted, identified by content, never by name;
* files over :data:`MAX_FILE_BYTES` and images over :data:`MAX_PIXELS` are
  refused *before* any pixel data is decoded (decompression bombs);
* the file's structure is walked before decoding, and work bombs are refused
  there: a progressive JPEG whose scans repeat (each scan is entropy-decoded
  over the whole image), tens of thousands of markers or chunks (each parsed
  in Python), or a PNG that inflates to more than :data:`MAX_DECODED_BYTES`;
* a full decode proves the file is complete (truncated files are errors,
  ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never honoured);
* EXIF orientation is applied, colours are converted to sRGB, and every
  metadata block (EXIF with GPS, XMP, ICC, text chunks) is dropped from the
  outputs.

Outputs are responsive WebP variants plus one JPEG fallback, stored in a cache
directory keyed by a hash of the input bytes and the pipeline settings, so an
unchanged photo is never decoded twice.  This module is pure (no MkDocs).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import math
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from site_builder.cache import Store
from site_builder.cache import cache_key as entry_key
from site_builder.parallel import map_chunks, should_split

# --- settings -----------------------------------------------------------------

ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 16
MAX_JPEG_SCANS = 64
"""Encoders write 1 (baseline) to about 12 (progressive) scans; each costs a pass over every block."""
MAX_SEGMENTS = 10_000
"""JPEG markers, PNG or WebP chunks: a 15 MB PNG in 8 KB IDAT chunks has under 2,000."""
MAX_DECODED_BYTES = 160 * 1024 * 1024
"""Bytes a PNG inflates to (rows and filter bytes): 40 megapixels of 8-bit RGBA."""
WEBP_WIDTHS: tuple[int, ...] = (480, 960, 1600)
JPEG_FALLBACK_WIDTH = 1280
WEBP_QUALITY = 78
JPEG_QUALITY = 82
BACKGROUND = (255, 255, 255)
DEFAULT_SIZES = "(max-width: 960px) 100vw, 800px"

# Bump when the output of the pipeline changes for the same input.
PIPELINE_VERSION = "1"

_SETTINGS_FINGERPRINT = json.dumps(
    {
        "v": PIPELINE_VERSION,
        "webp": WEBP_WIDTHS,
        "jpeg": JPEG_FALLBACK_WIDTH,
        "qw": WEBP_QUALITY,
        "qj": JPEG_QUALITY,
        "bg": BACKGROUND,
    },
    sort_keys=True,
).encode()

_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


# --- statistics (used by tests and the benchmark) ------------------------------


@dataclass
class PipelineStats:
    """Counters proving how much image work a build actually did."""

    decodes: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    check_cache_hits: int = 0

    def reset(self) -> None:
        """Zero every counter."""
        self.decodes = self.cache_hits = self.cache_misses = self.check_cache_hits = 0


stats = PipelineStats()


# --- errors --------------------------------------------------------------------


class ImageRejectedError(ValueError):
    """The file is not an acceptable photo; ``str(err)`` is a Chinese reason for editors."""


# --- content sniffing ---------------------------------------------------------


def _sniff_other_format(head: bytes) -> str | None:
    """Name a well-known non-accepted format from its magic bytes, for friendlier messages."""
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc"):
        return "HEIC"
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "AVIF"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    if head.startswith(b"8BPS"):
        return "PSD"
    stripped = head.lstrip()
    if stripped.startswith(b"<") and b"svg" in head.lower():
        return "SVG"
    if head.startswith((b"PK\x03\x04", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        return "压缩包"
    return None


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated data and turn Pillow's bomb warnings into errors while decoding."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_checked(data: bytes, *, max_width: int | None = None) -> Image.Image:
    """Identify, size-check and fully decode ``data``; raise :class:`ImageRejectedError`.

    The returned image is fully loaded (first frame only for animations).  With
    ``max_width``, JPEGs are decoded with DCT scaling to the smallest size that
    is still at least ``max_width`` wide once oriented; every byte of the
    entropy-coded data is still decoded, so truncation is still detected.
    """
    if len(data) > MAX_FILE_BYTES:
        mb = len(data) / (1024 * 1024)
        raise ImageRejectedError(
            f"图片文件过大（{mb:.1f} MB），上限为 {MAX_FILE_BYTES // (1024 * 1024)} MB，请压缩后再提交"
        )
    if not data:
        raise ImageRejectedError("图片文件是空的（0 字节）")
    problem = structure_problem(data)
    if problem:
        raise ImageRejectedError(problem)
    with _strict_decoding():
        try:
            im = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError:
            other = _sniff_other_format(data[:64])
            if other == "HEIC":
                raise ImageRejectedError(
                    "文件内容实际是 HEIC 格式（iPhone 默认照片格式），只接受 JPEG、PNG 或 WebP 图片："
                    "请导出为 JPEG，或在 iPhone“设置 > 相机 > 格式”中选择“兼容性最佳”后重新拍摄"
                ) from None
            if other:
                raise ImageRejectedError(
                    f"文件内容实际是 {other} 格式，只接受 JPEG、PNG 或 WebP 图片"
                    "（按文件内容识别，与扩展名无关）"
                ) from None
            raise ImageRejectedError(
                "无法识别为 JPEG、PNG 或 WebP 图片（按文件内容识别，与扩展名无关），文件可能已损坏或不是图片"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejectedError(_bomb_message(None)) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageRejectedError(_CORRUPT + f"（{_short(exc)}）") from None
        width, height = im.size
        if width * height > MAX_PIXELS:
            im.close()
            raise ImageRejectedError(_bomb_message((width, height)))
        if width < MIN_SIDE or height < MIN_SIDE:
            im.close()
            raise ImageRejectedError(f"图片尺寸过小（{width}×{height} 像素），宽和高至少 {MIN_SIDE} 像素")
        if max_width is not None and im.format in ("JPEG", "MPO"):
            _draft(im, max_width)
        try:
            im.load()  # a full decode: truncated or corrupt data raises here
            stats.decodes += 1
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejectedError(_bomb_message((width, height))) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejectedError(_decode_failure(exc)) from None
        if im.format == "PNG":
            # PNG pixels can be complete while the file is cut short: check every chunk's CRC up to IEND.
            try:
                Image.open(io.BytesIO(data), formats=["PNG"]).verify()
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                im.close()
                raise ImageRejectedError(_decode_failure(exc)) from None
    return im


_TRUNCATED = "图片文件不完整（可能上传或复制时被截断），请重新导出或重新上传原图"
_CORRUPT = "图片文件已损坏，无法读取，请重新导出或重新上传原图"


def _decode_failure(exc: BaseException) -> str:
    msg = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in msg or "eof" in msg:
        return _TRUNCATED
    if "broken" in msg or "checksum" in msg or "crc" in msg:
        return "图片数据已损坏或不完整（可能上传或复制时出错），请重新导出或重新上传原图"
    return _CORRUPT + f"（{_short(exc)}）"


def _draft(im: Image.Image, max_width: int) -> None:
    orientation = im.getexif().get(0x0112, 1)
    oriented_width = im.height if orientation in (5, 6, 7, 8) else im.width
    if oriented_width <= max_width:
        return
    scale = max_width / oriented_width
    requested = (math.ceil(im.width * scale), math.ceil(im.height * scale))
    im.draft(im.mode, requested)


def _bomb_message(size: tuple[int, int] | None) -> str:
    limit = MAX_PIXELS // 1_000_000
    if size is None:
        return f"图片像素数量异常巨大（疑似“解压炸弹”），上限为 {limit} 百万像素，已拒绝处理"
    w, h = size
    return (
        f"图片像素过多（{w}×{h}，约 {w * h / 1_000_000:.0f} 百万像素），上限为 {limit} 百万像素，"
        "请缩小尺寸后再提交（也可能是伪造的“解压炸弹”文件）"
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:80]


# --- structure (before any decoding) ---------------------------------------------

_JPEG_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
"""The next marker after entropy-coded data: skips stuffed 0xFF00, restart markers and fill bytes."""
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_REEXPORT = "请用常见的看图或修图软件重新导出（例如另存为普通 JPEG）后再提交"


def structure_problem(data: bytes) -> str | None:
    """Why decoding ``data`` would cost far more than its size suggests (a "work bomb"), or None.

    Walks the markers (JPEG) or chunks (PNG, WebP) without decoding anything and stops as soon as
    a bound is passed, so this costs at most :data:`MAX_SEGMENTS` steps whatever the file holds.
    Other formats and damaged structures are left to the decoder, which reports them.
    """
    if data.startswith(b"\xff\xd8"):
        return _jpeg_problem(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_problem(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _chunk_count_problem(_riff_chunks(data))
    return None


def _too_many_segments() -> str:
    return (
        f"图片文件内部的数据段超过 {MAX_SEGMENTS} 个，正常照片只有几十到几千个；"
        f"这样的文件读取时会耗费大量时间（疑似“解码炸弹”），{_REEXPORT}"
    )


def _jpeg_problem(data: bytes) -> str | None:
    pos, segments, scans, end = 2, 0, 0, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            found = _JPEG_MARKER.search(data, pos)
            if found is None:
                return None
            pos = found.start()
        marker = data[pos + 1]
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 1 if marker == 0xFF else 2
            continue
        if marker == 0xD9:  # end of the first image (an MPO's other images are never decoded)
            return None
        segments += 1
        if segments > MAX_SEGMENTS:
            return _too_many_segments()
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            scans += 1
            if scans > MAX_JPEG_SCANS:
                return (
                    f"JPEG 图片的扫描段超过 {MAX_JPEG_SCANS} 个（正常照片最多十几个），"
                    f"每一段都要把整张图重新解码一遍（疑似“解码炸弹”），{_REEXPORT}"
                )
            found = _JPEG_MARKER.search(data, pos)
            if found is None:
                return None
            pos = found.start()
    return None


def _png_problem(data: bytes) -> str | None:
    if data[12:16] == b"IHDR" and len(data) >= 29:
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        depth, colour = data[24], data[25]
        inflated = height * (1 + (width * _PNG_CHANNELS.get(colour, 4) * depth + 7) // 8)
        if width * height <= MAX_PIXELS and inflated > MAX_DECODED_BYTES:
            mb = MAX_DECODED_BYTES // (1024 * 1024)
            return (
                f"PNG 图片解压后的数据量过大（约 {inflated / (1024 * 1024):.0f} MB，上限为 {mb} MB，"
                f"{width}×{height} 像素、每通道 {depth} 位），请缩小尺寸或另存为 8 位 PNG 或 JPEG 后再提交"
            )
    return _chunk_count_problem(_png_chunks(data))


def _png_chunks(data: bytes) -> Iterator[bytes]:
    pos, end = 8, len(data)
    while pos + 8 <= end:
        kind = data[pos + 4 : pos + 8]
        yield kind
        if kind == b"IEND":
            return
        pos += 12 + int.from_bytes(data[pos : pos + 4], "big")


def _riff_chunks(data: bytes) -> Iterator[bytes]:
    pos, end = 12, len(data)
    while pos + 8 <= end:
        yield data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        pos += 8 + size + (size & 1)


def _chunk_count_problem(chunks: Iterator[bytes]) -> str | None:
    for count, _ in enumerate(chunks, 1):
        if count > MAX_SEGMENTS:
            return _too_many_segments()
    return None


# --- validation API -----------------------------------------------------------

_check_cache: dict[str, str | None] = {}
_check_lock = threading.Lock()
_PHOTO_CACHE: Path | None = None


def use_photo_cache(cache_dir: Path | None) -> None:
    """Check photos by processing them into ``cache_dir`` (the build's photo cache), or not (None).

    A pull request's run checks each photo in ``validate``, in the build's loader, in the offline
    build and in the job summary, then processes it: with the cache, the first check is the one
    decode (its outputs are kept) and every later check or build of the same bytes is a cache hit.
    """
    global _PHOTO_CACHE
    _PHOTO_CACHE = cache_dir


def check_image(path: Path) -> str | None:
    """Validate one photo; return a Chinese reason if it must be refused, else ``None``.

    Cheap enough for validation: results are cached per process by a hash of
    the file's bytes, and across processes through :func:`use_photo_cache`.
    The size limit is checked from ``stat`` before reading.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "找不到图片文件（请检查路径与大小写）"
    except OSError as exc:
        return f"无法读取图片文件（{_short(exc)}）"
    if not path.is_file():
        return "图片路径不是一个文件"
    if size > MAX_FILE_BYTES:
        return (
            f"图片文件过大（{size / (1024 * 1024):.1f} MB），上限为 {MAX_FILE_BYTES // (1024 * 1024)} MB，"
            "请压缩后再提交"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"无法读取图片文件（{_short(exc)}）"
    digest = hashlib.sha256(data).hexdigest()
    with _check_lock:
        if digest in _check_cache:
            stats.check_cache_hits += 1
            return _check_cache[digest]
    done, result = _processed_verdict(path, _PHOTO_CACHE) if _PHOTO_CACHE is not None else (False, None)
    if not done:
        try:
            # DCT scaling to 1/8 keeps validation fast while still decoding every byte.
            im = _open_checked(data, max_width=1)
            im.close()
            result = None
        except ImageRejectedError as exc:
            result = str(exc)
    with _check_lock:
        _check_cache[digest] = result
    return result


def _processed_verdict(path: Path, cache_dir: Path) -> tuple[bool, str | None]:
    """(done, reason) of processing ``path`` into the cache; not done when the cache cannot be written."""
    try:
        process_image(path, cache_dir=cache_dir)
    except ImageRejectedError as exc:
        return True, str(exc)
    except OSError:
        return False, None  # a read-only or full cache: check without keeping the outputs
    return True, None


# --- colour / mode normalisation ---------------------------------------------

_SRGB = ImageCms.createProfile("sRGB")


def _to_8bit(im: Image.Image) -> Image.Image:
    """Scale 16/32-bit greyscale and float images down to 8-bit ``L`` with correct levels."""
    if im.mode.startswith("I;16") or im.mode == "I":
        # 16-bit PNG greyscale (Pillow opens it as I;16, older versions as I) spans 0..65535.
        im32 = im.convert("I") if im.mode != "I" else im
        return im32.point(lambda v: v * (1 / 257)).convert("L")
    if im.mode == "F":
        hi = _extrema(im)[1]
        scale = 255.0 / hi if hi > 255 else 1.0
        return im.point(lambda v: v * scale).convert("L")
    return im


def _extrema(band: Image.Image) -> tuple[float, float]:
    lo, hi = band.getextrema()
    assert isinstance(lo, int | float) and isinstance(hi, int | float)
    return float(lo), float(hi)


def _apply_icc(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert ``im`` to sRGB using its embedded ICC profile (if any); return RGB or RGBA."""
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if im.mode == "P":
        im = im.convert("RGBA" if has_alpha else "RGB")
    elif im.mode == "PA":
        im = im.convert("RGBA")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode in ("YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if not _is_srgb(src):
                alpha = None
                base = im
                if im.mode in ("RGBA", "LA"):
                    alpha = im.getchannel("A")
                    base = im.convert("RGB" if im.mode == "RGBA" else "L")
                converted = ImageCms.profileToProfile(
                    base,
                    src,
                    _SRGB,
                    renderingIntent=ImageCms.Intent.PERCEPTUAL,
                    outputMode="RGB",
                )
                if converted is not None:
                    if alpha is not None:
                        converted.putalpha(alpha)
                    return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable profile: fall back to a plain conversion
    if im.mode in ("RGB", "RGBA"):
        return im
    if im.mode == "LA":
        return im.convert("RGBA")
    return im.convert("RGB")  # L, CMYK (Adobe inversion is handled by the decoder)


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        desc = (ImageCms.getProfileDescription(profile) or "").lower()
    except ImageCms.PyCMSError:
        return False
    return "srgb" in desc.replace(" ", "") and "linear" not in desc


def _normalise(im: Image.Image) -> Image.Image:
    """Orientation, bit depth and colour space: return an sRGB ``RGB``/``RGBA`` image with no metadata."""
    icc = im.info.get("icc_profile")
    if isinstance(im, Image.Image) and getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    oriented = ImageOps.exif_transpose(im) or im
    oriented = _to_8bit(oriented)
    out = _apply_icc(oriented, icc if isinstance(icc, bytes) else None)
    if out.mode == "RGBA" and _extrema(out.getchannel("A"))[0] == 255:
        out = out.convert("RGB")
    # A fresh image without any info dict: nothing can leak into the outputs.
    clean = out.copy() if out is im else out
    clean.info = {}
    return clean


def _prereduce(im: Image.Image, max_width: int) -> Image.Image:
    """Cheaply box-reduce a large non-palette image by an integer factor, keeping >= ``max_width``.

    Saves memory and time on huge PNG/WebP inputs (JPEGs are already DCT-scaled).
    The metadata needed later (EXIF orientation, ICC profile) is carried over.
    """
    if im.mode not in ("RGB", "RGBA", "L", "LA", "CMYK") or getattr(im, "n_frames", 1) > 1:
        return im
    orientation = im.getexif().get(0x0112, 1)
    oriented_width = im.height if orientation in (5, 6, 7, 8) else im.width
    factor = oriented_width // max_width
    if factor < 2:
        return im
    small = im.reduce(factor)
    small.info = dict(im.info)
    if "exif" not in small.info and orientation != 1:
        small.info["exif"] = im.getexif().tobytes()
    return small


def _resized(im: Image.Image, width: int) -> Image.Image:
    if width >= im.width:
        return im
    height = max(1, round(im.height * width / im.width))
    return im.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode != "RGBA":
        return im
    bg = Image.new("RGB", im.size, BACKGROUND)
    bg.paste(im, mask=im.getchannel("A"))
    return bg


def _target_widths(width: int) -> list[int]:
    widths = sorted({min(w, width) for w in WEBP_WIDTHS})
    return widths


# --- processing API ------------------------------------------------------------


@dataclass(frozen=True)
class ImageVariant:
    """One output file of the pipeline."""

    path: Path
    width: int
    height: int
    mime: str

    @property
    def name(self) -> str:
        """The file name (content-hashed)."""
        return self.path.name


@dataclass(frozen=True)
class ProcessedImage:
    """The outputs for one source photo, all inside one cache entry."""

    key: str
    width: int
    height: int
    webp: tuple[ImageVariant, ...]
    jpeg: ImageVariant
    has_alpha: bool = False

    @property
    def files(self) -> tuple[Path, ...]:
        """Every output file, to be copied into the site."""
        return (*(v.path for v in self.webp), self.jpeg.path)

    @property
    def largest(self) -> ImageVariant:
        """The largest WebP variant (used for the lightbox)."""
        return self.webp[-1]


def cache_key(data: bytes) -> str:
    """Return the cache key for image bytes under the current pipeline settings."""
    h = hashlib.sha256()
    h.update(entry_key("images", _SETTINGS_FINGERPRINT.decode()).encode())  # + Pillow, this code
    h.update(b"\x00")
    h.update(data)
    return h.hexdigest()[:32]


def _meta_from_json(store: Store, meta: dict[str, object]) -> ProcessedImage:
    def variant(d: object) -> ImageVariant:
        assert isinstance(d, dict)
        return ImageVariant(store.path(str(d["name"])), int(d["width"]), int(d["height"]), str(d["mime"]))

    webp = meta["webp"]
    assert isinstance(webp, list)
    return ProcessedImage(
        key=str(meta["key"]),
        width=int(str(meta["width"])),
        height=int(str(meta["height"])),
        webp=tuple(variant(d) for d in webp),
        jpeg=variant(meta["jpeg"]),
        has_alpha=bool(meta.get("has_alpha", False)),
    )


def _load_cached(store: Store, key: str) -> ProcessedImage | None:
    raw = store.get(f"{key}.json")
    if raw is None:
        return None
    try:
        processed = _meta_from_json(store, json.loads(raw))
    except (ValueError, KeyError, AssertionError, TypeError):
        return None
    if not all(store.has(p.name) for p in processed.files):
        return None
    return processed


def _encoded(im: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def process_image(src: Path, *, cache_dir: Path) -> ProcessedImage:
    """Validate and convert one photo into WebP variants and a JPEG fallback.

    Results are cached in ``cache_dir`` (a :class:`~site_builder.cache.Store`) under a key that
    hashes the input bytes and the pipeline settings; a cache hit reads the source bytes (to hash
    them) and checks the stored files' digests - no image is decoded. Output names are
    ``<key16>-<width>.webp`` / ``<key16>-<width>.jpg``; ``<key>.json`` describes them.

    Raises :class:`ImageRejectedError` (Chinese message) for unacceptable files.
    """
    store = Store(cache_dir.parent, cache_dir.name)
    data = src.read_bytes()
    key = cache_key(data)
    cached = _load_cached(store, key)
    if cached is not None:
        stats.cache_hits += 1
        return cached
    stats.cache_misses += 1

    im = _open_checked(data, max_width=max(WEBP_WIDTHS))
    try:
        base = _normalise(_prereduce(im, max(WEBP_WIDTHS)))
    finally:
        im.close()
    del data

    has_alpha = base.mode == "RGBA"
    top_width = max(_target_widths(base.width))
    # Downscale once to the largest output, then derive smaller ones from it.
    top = _resized(base, top_width)
    del base

    stem = key[:16]
    webp: list[ImageVariant] = []
    for width in _target_widths(top.width):
        out = _resized(top, width)
        name = f"{stem}-{out.width}.webp"
        store.put(
            name, _encoded(out, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=None, xmp="")
        )
        webp.append(ImageVariant(store.path(name), out.width, out.height, "image/webp"))
    fallback = _flatten(_resized(top, min(JPEG_FALLBACK_WIDTH, top.width)))
    jname = f"{stem}-{fallback.width}.jpg"
    store.put(
        jname,
        _encoded(
            fallback,
            "JPEG",
            quality=JPEG_QUALITY,
            optimize=True,
            progressive=True,
            exif=b"",
            icc_profile=None,
        ),
    )
    jpeg = ImageVariant(store.path(jname), fallback.width, fallback.height, "image/jpeg")
    processed = ProcessedImage(
        key=key, width=top.width, height=top.height, webp=tuple(webp), jpeg=jpeg, has_alpha=has_alpha
    )
    meta = {
        "key": key,
        "width": processed.width,
        "height": processed.height,
        "has_alpha": has_alpha,
        "webp": [{"name": v.name, "width": v.width, "height": v.height, "mime": v.mime} for v in webp],
        "jpeg": {"name": jpeg.name, "width": jpeg.width, "height": jpeg.height, "mime": jpeg.mime},
    }
    store.put(f"{key}.json", json.dumps(meta, sort_keys=True).encode())  # last: marks the entry complete
    return processed


def _process_chunk(srcs: list[Path], cache_dir: Path) -> list[ProcessedImage | ImageRejectedError]:
    out: list[ProcessedImage | ImageRejectedError] = []
    for src in srcs:
        try:
            out.append(process_image(src, cache_dir=cache_dir))
        except ImageRejectedError as exc:
            out.append(exc)
    return out


def process_images(
    srcs: list[Path], *, cache_dir: Path, jobs: int | None = None
) -> dict[Path, ProcessedImage | ImageRejectedError]:
    """Process many photos; the cache misses are spread over every core.

    Cache hits are resolved in this process without any decode. Rejected files map to their
    :class:`ImageRejectedError` instead of raising, so one bad photo does not hide the others.
    Other errors (e.g. a missing file) propagate.
    """
    store = Store(cache_dir.parent, cache_dir.name)
    results: dict[Path, ProcessedImage | ImageRejectedError] = {}
    misses: list[Path] = []
    for src in dict.fromkeys(srcs):
        cached = _load_cached(store, cache_key(src.read_bytes()))
        if cached is not None:
            stats.cache_hits += 1
            results[src] = cached
        else:
            misses.append(src)
    before = stats.decodes
    forked = should_split(len(misses), 2) and jobs != 1
    done = map_chunks(
        lambda chunk: _process_chunk(chunk, cache_dir), misses, jobs=jobs, threshold=2, allow=jobs != 1
    )
    for src, result in zip(misses, done, strict=True):
        results[src] = result
    stats.cache_misses += len(misses)
    if forked:  # children count their own decodes; report every miss that was decoded
        stats.decodes = before + sum(1 for s in misses if isinstance(results[s], ProcessedImage))
    return results


# --- HTML ---------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render_picture_html(
    processed: ProcessedImage,
    url_prefix: str,
    alt: str,
    caption: str | None = None,
    credit: str | None = None,
    lazy: bool = True,
    sizes: str = DEFAULT_SIZES,
) -> str:
    """Return a ``<figure><picture>…</picture><figcaption>…</figcaption></figure>`` snippet.

    ``url_prefix`` is the (relative or absolute) URL of the directory the
    output files are copied to.  Every text value is HTML-escaped.  The
    figure carries ``data-sb-full`` (largest WebP) and ``data-sb-fallback``
    (JPEG) for the optional lightbox script.
    """
    prefix = url_prefix if not url_prefix or url_prefix.endswith("/") else url_prefix + "/"
    srcset = ", ".join(f"{prefix}{v.name} {v.width}w" for v in processed.webp)
    jpeg = processed.jpeg
    loading = ' loading="lazy"' if lazy else ' fetchpriority="high"'
    parts = [
        f'<figure class="sb-figure" data-sb-full="{_esc(prefix + processed.largest.name)}"'
        f' data-sb-fallback="{_esc(prefix + jpeg.name)}">',
        "<picture>",
        f'<source type="image/webp" srcset="{_esc(srcset)}" sizes="{_esc(sizes)}">',
        f'<img src="{_esc(prefix + jpeg.name)}" width="{jpeg.width}" height="{jpeg.height}"'
        f' alt="{_esc(alt)}"{loading} decoding="async">',
        "</picture>",
    ]
    caption = (caption or "").strip()
    credit = (credit or "").strip()
    if caption or credit:
        text = _esc(caption)
        if credit:
            text += (" · " if caption else "") + "图片来源：" + _esc(credit)
        parts.append(f"<figcaption>{text}</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


# --- photos as committed: private data and size, and the one-command fix ------------------------
# The site strips metadata and resizes when it builds, but the repository is public: a phone's
# original (4032×3024, ~5 MB, location intact) would be published by the commit itself.

COMMIT_MAX_SIDE = 2 * max(WEBP_WIDTHS)
"""A committed photo's longest side may be at most twice the widest variant the site makes (3200)."""
COMMIT_MAX_BYTES = 3 * 1024 * 1024
"""... and its file at most 3 MB (a 2,400-pixel JPEG at quality 85 is well under 1 MB)."""
FIX_MAX_SIDE = 2400
"""``site-builder photos fix`` shrinks the longest side to this (1.5 × the widest variant, so a
portrait photo still gives the 1,600-pixel-wide variant)."""
FIX_QUALITY = 85
_GPS_IFD = 0x8825
_FIX_HINT = "site-builder photos fix {path}"


@dataclass(frozen=True)
class CommitCheck:
    """What a committed photo carries that it should not: a location, or far more pixels than needed."""

    gps: bool
    size: tuple[int, int]
    bytes: int

    @property
    def too_large(self) -> bool:
        """Far larger than the site needs (pixels or bytes)."""
        return max(self.size) > COMMIT_MAX_SIDE or self.bytes > COMMIT_MAX_BYTES

    @property
    def ok(self) -> bool:
        """Nothing to fix."""
        return not self.gps and not self.too_large


def _has_gps(im: Image.Image) -> bool:
    try:
        if im.getexif().get_ifd(_GPS_IFD):
            return True
    except Exception:  # a damaged EXIF block: Pillow raises many kinds; then there is no usable GPS
        pass
    xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    return isinstance(xmp, bytes) and b"GPSLatitude" in xmp


def inspect_committed(path: Path) -> CommitCheck | None:
    """Read a photo's header (no pixels decoded): its size, file size and whether it carries GPS.

    None when Pillow cannot identify it (:func:`check_image` explains why).
    """
    try:
        size = path.stat().st_size
        with Image.open(path, formats=list(ALLOWED_FORMATS)) as im:
            return CommitCheck(_has_gps(im), im.size, size)
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


def _oversize_with_format(path: Path, size: int) -> str:
    """One message for a file over the limit that also names its format problem (one round, not two)."""
    try:
        with path.open("rb") as fh:
            other = _sniff_other_format(fh.read(64))
    except OSError:
        other = None
    mb = size / (1024 * 1024)
    lead = f"图片文件过大（{mb:.1f} MB），上限为 {MAX_FILE_BYTES // (1024 * 1024)} MB"
    if other == "HEIC":
        return (
            f"{lead}；而且文件内容是 HEIC 格式（iPhone 默认照片格式），只接受 JPEG、PNG 或 WebP："
            "请在手机上把照片导出为 JPEG（iPhone“设置 > 相机 > 格式”选“兼容性最佳”），缩小到 2400 像素以内后再提交"
        )
    if other:
        return f"{lead}；而且文件内容是 {other} 格式，只接受 JPEG、PNG 或 WebP：请另存为 JPEG 并缩小后再提交"
    return f"{lead}：请缩小后再提交（{_FIX_HINT.format(path=path.as_posix())} 可以自动缩小）"


def photo_problems(path: Path, shown: str | None = None) -> str | None:
    """Everything wrong with one committed photo, in one message (None when it is fine).

    :func:`check_image` first (format, damage, bombs; a file over the size limit also gets its
    format named), then what the public repository must not hold: GPS, and far more pixels or
    bytes than the site uses. ``shown`` is the path as the editor should type it in the fix command.
    """
    shown = shown or path.as_posix()
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_FILE_BYTES:
        return _oversize_with_format(path, size)
    reason = check_image(path)
    if reason:
        return reason
    return commit_problems(path, shown)


def commit_problems(path: Path, shown: str | None = None) -> str | None:
    """What a readable photo carries that the public repository must not hold: a location, or far
    more pixels or bytes than the site uses (None when fine or not a readable image)."""
    shown = shown or path.as_posix()
    found = inspect_committed(path)
    if found is None or found.ok:
        return None
    problems = []
    if found.gps:
        problems.append("照片里还带着拍摄地点（GPS 定位），仓库是公开的，任何人都能看到")
    if found.too_large:
        w, h = found.size
        problems.append(
            f"照片比网站需要的大得多（{w}×{h} 像素，{found.bytes / (1024 * 1024):.1f} MB；"
            f"网站最宽只用到 {max(WEBP_WIDTHS)} 像素，提交的照片最长边不超过 {COMMIT_MAX_SIDE} 像素、"
            f"不超过 {COMMIT_MAX_BYTES // (1024 * 1024)} MB）"
        )
    return (
        "；".join(problems)
        + f"。请运行 {_FIX_HINT.format(path=shown)} 一次处理好（去掉定位等信息、缩小，方向不变）再提交；"
        "只用 GitHub 网页时，按投稿指南“照片”一节处理后重新上传"
    )


@dataclass(frozen=True)
class FixedPhoto:
    """What :func:`fix_photo` did to one file."""

    path: Path
    before: tuple[int, int]
    after: tuple[int, int]
    bytes_before: int
    bytes_after: int
    had_gps: bool


def fix_photo(path: Path, *, force: bool = False) -> FixedPhoto | None:
    """Rewrite a photo in place without metadata and at most :data:`FIX_MAX_SIDE` pixels long.

    Orientation is applied to the pixels (so it survives losing EXIF), the colour profile is kept,
    the format stays the same (the file name and the case's ``images`` entry stay valid). Returns
    None when the photo needed nothing (unless ``force``). Raises :class:`ImageRejectedError` for a
    file the site would refuse anyway (format, damage).
    """
    data = path.read_bytes()
    found = inspect_committed(path)
    if found is not None and found.ok and not force:
        return None
    im = _open_checked(data)
    try:
        fmt = im.format or "JPEG"
        icc = im.info.get("icc_profile")
        had_gps = _has_gps(im)
        before = im.size
        oriented = ImageOps.exif_transpose(im) or im
        oriented.thumbnail((FIX_MAX_SIDE, FIX_MAX_SIDE), Image.Resampling.LANCZOS)
        options: dict[str, Any] = {"icc_profile": icc} if isinstance(icc, bytes) else {}
        if fmt == "JPEG":
            if oriented.mode not in ("RGB", "L", "CMYK"):
                oriented = oriented.convert("RGB")
            options.update(quality=FIX_QUALITY, optimize=True, progressive=True)
        elif fmt == "WEBP":
            options.update(quality=FIX_QUALITY, method=4)
        else:
            options.update(optimize=True)
        oriented.info = {}
        out = _encoded(oriented, fmt, **options)
        after = oriented.size
    finally:
        im.close()
    tmp = path.with_name(f".{path.name}.fixing")
    tmp.write_bytes(out)
    tmp.replace(path)
    return FixedPhoto(path, before, after, len(data), len(out), had_gps)
