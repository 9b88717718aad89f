"""Locate a CJK (simplified Chinese) font for generated artwork.

The generated covers and social cards draw Chinese titles with Pillow.  A font
without CJK glyphs would silently draw "tofu" boxes, so this module only ever
returns a font that demonstrably contains real glyphs for Chinese text, and
raises :class:`CJKFontNotFoundError` with one clear Chinese line otherwise.

Search order:

1. ``SITE_BUILDER_CJK_FONT`` / ``SITE_BUILDER_CJK_FONT_BOLD`` environment
   variables (``/path/to/font.ttc`` or ``/path/to/font.ttc#INDEX``);
2. well-known install locations of Noto Sans CJK (Debian/Ubuntu, Fedora,
   Arch, Homebrew/macOS user fonts), then other common CJK system fonts;
3. ``fc-match`` (fontconfig), if available.
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from PIL import ImageFont

Weight = Literal["bold", "regular"]

INSTALL_HINT = (
    "未找到可用的中文字体（Noto Sans CJK）：请运行 sudo apt-get install fonts-noto-cjk"
    "（macOS 请安装 Noto Sans CJK SC 字体，例如 brew install --cask font-noto-sans-cjk-sc）后重新构建。"
)

# Characters every usable font must render as real glyphs.
_PROBE_TEXT = "上海党建新兴领域案例"

_NOTO_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian / Ubuntu fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk",  # Fedora
    "/usr/share/fonts/google-noto-sans-cjk-fonts",  # Fedora (newer)
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    str(Path.home() / "Library" / "Fonts"),
    str(Path.home() / ".local" / "share" / "fonts"),
    str(Path.home() / ".fonts"),
)

_NOTO_FILES: dict[Weight, tuple[str, ...]] = {
    "bold": (
        "NotoSansCJK-Bold.ttc",
        "NotoSansCJKsc-Bold.otf",
        "NotoSansSC-Bold.otf",
        "NotoSansSC-Bold.ttf",
        "NotoSansCJK-Medium.ttc",
        "NotoSansCJKsc-Medium.otf",
    ),
    "regular": (
        "NotoSansCJK-Regular.ttc",
        "NotoSansCJKsc-Regular.otf",
        "NotoSansSC-Regular.otf",
        "NotoSansSC-Regular.ttf",
    ),
}

# Non-Noto fallbacks that still contain simplified Chinese.
_OTHER_CJK_FILES = (
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/msyhbd.ttc",
)


class CJKFontNotFoundError(RuntimeError):
    """No font with simplified-Chinese glyphs could be found on this machine."""

    def __init__(self, message: str = INSTALL_HINT) -> None:
        super().__init__(message)


class MissingGlyphError(ValueError):
    """The chosen font lacks glyphs for some characters of a text to draw."""

    def __init__(self, chars: str) -> None:
        self.chars = chars
        super().__init__(f"字体缺少以下字符的字形，无法生成图片：{chars}（请改写标题或换用其他字体）")


@dataclass(frozen=True)
class FontSpec:
    """A font file plus the face index inside a TrueType/OpenType collection."""

    path: Path
    index: int = 0

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """Load this face at ``size`` pixels with the deterministic basic layout."""
        return _load(str(self.path), self.index, size)

    @property
    def identity(self) -> str:
        """A string that changes when the font file changes (for cache keys; read once per process)."""
        return _identity(self.path, self.index)


@functools.lru_cache(maxsize=16)
def _identity(path: Path, index: int) -> str:
    try:
        st = path.stat()
        return f"{path}#{index}:{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        return f"{path}#{index}"


@functools.lru_cache(maxsize=64)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont  # not at import: validate reads the fonts' signature without Pillow

    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=16)
def has_kern_table(path: str, index: int = 0) -> bool:
    """Whether face ``index`` of the font file at ``path`` has a ``kern`` table: the only kerning
    Pillow's basic layout applies (``FT_Get_Kerning``). Without one a text's width is the sum of its
    characters' advances. True when the file cannot be read as an sfnt (TrueType/OpenType)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            start = 0
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if not 0 <= index < count:
                    return True
                f.seek(12 + 4 * index)
                start = struct.unpack(">I", f.read(4))[0]
                f.seek(start)
                head = f.read(12)
            if len(head) < 12 or head[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
                return True
            tables = struct.unpack(">H", head[4:6])[0]
            records = f.read(16 * tables)
    except (OSError, struct.error):
        return True
    if len(records) < 16 * tables:
        return True
    return any(records[i : i + 4] == b"kern" for i in range(0, len(records), 16))


def _parse_env(value: str) -> FontSpec:
    path, _, index = value.partition("#")
    return FontSpec(Path(path), int(index) if index.isdigit() else 0)


def _face_count_candidates(path: Path) -> range:
    return range(0, 16) if path.suffix.lower() == ".ttc" else range(0, 1)


def _pick_face(path: Path, want_sc: bool = True) -> FontSpec | None:
    """Return the best face in ``path``: the simplified-Chinese one if it is a collection."""
    from PIL import ImageFont

    faces: list[tuple[int, str]] = []
    for index in _face_count_candidates(path):
        try:
            family, _style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        faces.append((index, family or ""))
    if not faces:
        return None
    if want_sc:
        for index, family in faces:
            if family.endswith(" SC") and "Mono" not in family:
                return FontSpec(path, index)
        for index, family in faces:
            if "SC" in family or "GB" in family or "PingFang" in family:
                return FontSpec(path, index)
    return FontSpec(path, faces[0][0])


def _fc_match(weight: Weight) -> FontSpec | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    pattern = "Noto Sans CJK SC:bold" if weight == "bold" else "Noto Sans CJK SC"
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.strip().partition("\t")
    if not path:
        return None
    return FontSpec(Path(path), int(index) if index.isdigit() else 0)


def _candidates(weight: Weight) -> list[FontSpec]:
    found: list[FontSpec] = []
    env = os.environ.get("SITE_BUILDER_CJK_FONT_BOLD" if weight == "bold" else "SITE_BUILDER_CJK_FONT")
    if env:
        found.append(_parse_env(env))
    for directory in _NOTO_DIRS:
        for name in _NOTO_FILES[weight]:
            path = Path(directory) / name
            if path.is_file():
                spec = _pick_face(path)
                if spec is not None:
                    found.append(spec)
    fc = _fc_match(weight)
    if fc is not None:
        found.append(fc)
    for name in _OTHER_CJK_FILES:
        path = Path(name)
        if path.is_file():
            spec = _pick_face(path)
            if spec is not None:
                found.append(spec)
    return found


@functools.cache
def font_files_signature() -> str | None:
    """The font files :func:`find_cjk_font` chooses from, by path, size and modification time,
    without loading them (None when only ``fc-match`` could name one): what decides whether a text
    is drawable, for the keys of remembered checks."""
    rows = [os.environ.get("SITE_BUILDER_CJK_FONT_BOLD", ""), os.environ.get("SITE_BUILDER_CJK_FONT", "")]
    paths = [Path(r.partition("#")[0]) for r in rows if r]
    paths += [Path(d) / name for d in _NOTO_DIRS for names in _NOTO_FILES.values() for name in names]
    paths += [Path(name) for name in _OTHER_CJK_FILES]
    found = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        found.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(rows + found) if found else None


def _notdef_signature(font: ImageFont.FreeTypeFont) -> tuple[object, bytes]:
    # U+10FFFF is a noncharacter: no font maps it, so it renders as .notdef.
    mask = font.getmask("\U0010ffff")
    return mask.getbbox(), bytes(mask)


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """Return the distinct characters of ``text`` that ``font`` would draw as .notdef (tofu).

    Whitespace and control characters are ignored.  A glyph counts as missing
    when its rendered mask is identical to the mask of the font's ``.notdef``
    glyph, or when it draws nothing although it is a visible character.
    """
    key = (getattr(font, "path", None), getattr(font, "index", 0), getattr(font, "size", 0))
    known = _GLYPHS.setdefault(key, {})
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isspace() or not ch.isprintable():
            continue
        if ch not in known:
            if "" not in known:
                known[""] = _notdef_signature(font)
            mask = font.getmask(ch)
            bbox = mask.getbbox()
            known[ch] = not (bbox is None or (bbox, bytes(mask)) == known[""])
        if not known[ch]:
            missing.append(ch)
    return "".join(missing)


_GLYPHS: dict[tuple[object, int, float], dict[str, object]] = {}
"""Per font face and size: whether each character has a glyph (checked once per process)."""


def ensure_glyphs(font: ImageFont.FreeTypeFont, text: str) -> None:
    """Raise :class:`MissingGlyphError` if ``font`` cannot draw every character of ``text``."""
    missing = missing_glyphs(font, text)
    if missing:
        raise MissingGlyphError(missing)


@functools.lru_cache(maxsize=4)
def find_cjk_font(weight: Weight = "bold") -> FontSpec:
    """Return a font able to draw simplified Chinese, preferring Noto Sans CJK SC.

    Raises :class:`CJKFontNotFoundError` (one Chinese line naming the package
    to install) when no usable font exists.  Results are cached per process.
    """
    for spec in _candidates(weight):
        try:
            font = spec.load(32)
        except OSError:
            continue
        if not missing_glyphs(font, _PROBE_TEXT):
            return spec
    if weight == "regular":
        # A bold-only installation is still better than failing.
        try:
            return find_cjk_font("bold")
        except CJKFontNotFoundError:
            pass
    raise CJKFontNotFoundError()
