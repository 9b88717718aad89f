"""Generated artwork: case covers (400×225 WebP) and social cards (1200×630 PNG).

Every case gets a consistent visual identity without any photo:

* a colour per district (a curated palette keyed by the district's ASCII
  slug, with a deterministic hash-derived colour for unknown slugs);
* a pattern per field (skyline, grid, street map, ...), again with a
  deterministic fallback for unknown field slugs;
* covers drawn once per district and field: they carry nothing else, so every case of a pair
  shares one file (fewer files to draw, store and download);
* on social cards, the title drawn in a real CJK font (see :mod:`site_builder.media.fonts`),
  wrapped by pixel width with basic Chinese line-breaking rules and an ellipsis when
  too long.  Covers sit beside the title in lists, so they carry only the district and
  field, never the title.  Missing glyphs raise instead of drawing tofu.

Both are flat: the district colour, a few white tints for the pattern and text, a yellow
accent; covers are lossless WebP and cards palette PNG (see ``SOCIAL_LEVELS``).

Output is deterministic: the same input and font give the same bytes.  This
module is pure (no MkDocs).
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import random
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import PIL
from PIL import Image, ImageChops, ImageDraw, ImageFont

from site_builder.cache import Store, cache_key
from site_builder.media.fonts import (
    CJKFontNotFoundError,
    FontSpec,
    ensure_glyphs,
    find_cjk_font,
    has_kern_table,
)

ART_VERSION = "6"
COVER_SIZE = (400, 225)
SOCIAL_SIZE = (1200, 630)
DEFAULT_SITE_NAME = "上海新兴领域党建优秀案例"
ELLIPSIS = "…"

RGB = tuple[int, int, int]

# Deep colours: white text on each of them has a contrast ratio above 4.5:1.
DISTRICT_COLOURS: dict[str, str] = {
    "huangpu": "#A61B29",
    "xuhui": "#1F4E9A",
    "changning": "#0F6B63",
    "jingan": "#6B2A86",
    "putuo": "#2F5D50",
    "hongkou": "#9A4A0B",
    "yangpu": "#1E3A7A",
    "minhang": "#8E1A4B",
    "baoshan": "#155E75",
    "jiading": "#4A6B12",
    "pudong": "#B23A0E",
    "jinshan": "#7A4412",
    "songjiang": "#17613A",
    "qingpu": "#0B6480",
    "fengxian": "#5B2DB0",
    "chongming": "#3B5E16",
    "citywide": "#B0161E",
}

PatternName = Literal["skyline", "grid", "streets", "wheels", "network", "awnings", "chevrons", "rings"]
FIELD_PATTERNS: dict[str, PatternName] = {
    "buildings": "skyline",
    "parks": "grid",
    "street-blocks": "streets",
    "new-employment": "wheels",
    "internet": "network",
    "small-business": "awnings",
    "private-enterprise": "chevrons",
    "social-organizations": "rings",
}
_ALL_PATTERNS: tuple[PatternName, ...] = (
    "skyline",
    "grid",
    "streets",
    "wheels",
    "network",
    "awnings",
    "chevrons",
    "rings",
)


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def _hex(colour: str) -> RGB:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def district_colour(district_slug: str | None) -> RGB:
    """Return the identity colour of a district (deterministic for unknown slugs)."""
    slug = (district_slug or "citywide").strip().lower()
    if slug in DISTRICT_COLOURS:
        return _hex(DISTRICT_COLOURS[slug])
    hue = (_seed("district", slug) % 360) / 360.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.26, 0.60)
    return (round(r * 255), round(g * 255), round(b * 255))


def field_pattern(field_slug: str | None) -> PatternName:
    """Return the pattern drawn for a field (deterministic for unknown slugs)."""
    slug = (field_slug or "").strip().lower()
    if slug in FIELD_PATTERNS:
        return FIELD_PATTERNS[slug]
    return _ALL_PATTERNS[_seed("field", slug) % len(_ALL_PATTERNS)]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


# --- text layout ---------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+/&%'_]*|\s+|.", re.S)
# Characters that must not start a line (kinsoku) and must not end one.
_NO_LINE_START = set("，。、；：！？）》」』】〕〉”’…—·～%,.;:!?)]}")
_NO_LINE_END = set("（《「『【〔〈“‘([{")


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """``font.getlength(text)``, from each character's advance when the font does not kern.

    Fitting, wrapping and balancing a title measure ~80 prefixes of it (3 ms a card through Pillow);
    the basic layout adds the glyphs' advances (multiples of 1/64, so the sum is exact) and kerns only
    from a ``kern`` table, which Noto Sans CJK does not have.
    """
    advances = _advances(font)
    if advances is None:
        return _measured(font, text)
    width = 0.0
    for ch in text:
        advance = advances.get(ch)
        if advance is None:
            advance = advances[ch] = float(font.getlength(ch))
        width += advance
    return width


@functools.lru_cache(maxsize=64)
def _advances(font: ImageFont.FreeTypeFont) -> dict[str, float] | None:
    """A font's advance per character (filled as they are measured), or None when it may kern (a
    ``kern`` table, or a shaping layout engine)."""
    path = getattr(font, "path", None)
    if font.layout_engine != ImageFont.Layout.BASIC or not isinstance(path, str | Path):
        return None
    return None if has_kern_table(str(path), int(getattr(font, "index", 0))) else {}


@functools.lru_cache(maxsize=1 << 16)
def _measured(font: ImageFont.FreeTypeFont, text: str) -> float:
    # memoized: balancing and fitting a title re-measure the same prefixes many times
    return float(font.getlength(text))


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: int, max_lines: int) -> list[str]:
    """Wrap ``text`` into at most ``max_lines`` lines no wider than ``max_width`` pixels.

    Chinese has no spaces, so any CJK character may break; Latin words and
    numbers stay whole unless a single word is wider than a line.  Closing
    punctuation never starts a line (it hangs into the margin instead) and
    opening punctuation never ends one.  Overflow ends the last line with "…".
    """
    if max_lines <= 0:
        return []
    text = " ".join(text.split())
    tokens: list[str] = []
    for tok in _TOKEN.findall(text):
        if len(tok) > 1 and _width(font, tok) > max_width:
            tokens.extend(tok)  # a very long word: break anywhere
        else:
            tokens.append(tok)

    lines: list[str] = []
    cur = ""
    # the line's width so far, when widths add up (see _width): a line is measured as it grows
    cur_width: float | None = 0.0 if _advances(font) is not None else None
    for tok in tokens:
        if not cur and tok.isspace():
            continue
        if cur_width is None:
            fits = _width(font, cur + tok) <= max_width
        else:
            tok_width = _width(font, tok)
            fits = cur_width + tok_width <= max_width
        if not cur or fits or tok in _NO_LINE_START:
            cur += tok
            if cur_width is not None:
                cur_width += tok_width
            continue
        carry = ""
        while len(cur) > 1 and cur[-1] in _NO_LINE_END:
            carry = cur[-1] + carry
            cur = cur[:-1]
        lines.append(cur.rstrip())
        cur = (carry + tok).lstrip()
        if cur_width is not None:
            cur_width = _width(font, cur)
        if len(lines) > max_lines:
            break  # overflows: the rest of a long summary need not be measured
    if cur.strip():
        lines.append(cur.rstrip())

    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and _width(font, last + ELLIPSIS) > max_width:
        last = last[:-1]
    kept[-1] = last.rstrip(" ，。、；：,.;:-—") + ELLIPSIS
    return kept


@dataclass(frozen=True)
class _Fonts:
    bold: FontSpec
    regular: FontSpec


def _fonts() -> _Fonts:
    return _Fonts(find_cjk_font("bold"), find_cjk_font("regular"))


def _fit_title(
    title: str, spec: FontSpec, sizes: tuple[int, ...], max_width: int, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Pick the largest size at which ``title`` fits in ``max_lines`` lines (else ellipsize)."""
    font = spec.load(sizes[-1])
    for size in sizes:
        font = spec.load(size)
        lines = wrap_text(title, font, max_width, max_lines + 1)
        if len(lines) <= max_lines:
            return font, balance_lines(title, font, max_width, lines)
    return font, wrap_text(title, font, max_width, max_lines)


def balance_lines(text: str, font: ImageFont.FreeTypeFont, max_width: int, lines: list[str]) -> list[str]:
    """Narrow the wrap width while the line count stays the same, avoiding a lone last character."""
    if len(lines) < 2:
        return lines
    step = max(4, int(font.size) // 3)
    best = lines
    width = max_width
    while width > max_width // 3:
        width -= step
        trial = wrap_text(text, font, width, len(lines) + 1)
        if len(trial) != len(lines):
            break
        best = trial
    return best


def _draw_lines(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    fill: int | tuple[int, ...],
    line_height: float,
) -> int:
    """Draw ``lines`` from ``xy`` (top-left); return the y below the last line."""
    x, y = xy
    for i, line in enumerate(lines):
        dx = 0
        if line and line[0] in _NO_LINE_END:
            # Full-width opening punctuation has its ink in the right half: align the ink instead.
            ink = font.getmask(line[0]).getbbox()
            dx = min(int(ink[0]), int(font.size) // 2) if ink else 0
        draw.text((x - dx, round(y + i * line_height)), line, font=font, fill=fill, anchor="la")
    return round(y + len(lines) * line_height)


# --- backgrounds & patterns -----------------------------------------------------


def _pattern_layer(
    size: tuple[int, int],
    pattern: PatternName,
    seed: int,
    box: tuple[int, int, int, int],
    fade_steps: int = 0,
    strongest: Literal["left", "right"] = "left",
) -> Image.Image:
    """Draw ``pattern`` in white into ``box`` of a transparent layer (alpha is the intensity).

    The pattern fades out from the ``strongest`` edge of ``box`` to the other: smoothly, or in
    ``fade_steps`` hard bands.
    """
    layer = Image.new("L", size, 0)
    d = ImageDraw.Draw(layer)
    rnd = random.Random(seed)
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    unit = max(12, bh // 12)
    line = max(2, unit // 6)
    if pattern == "skyline":
        x = x0
        while x < x1:
            w = rnd.randint(unit * 2, unit * 4)
            top = y1 - rnd.randint(bh // 4, bh * 9 // 10)
            d.rectangle((x, top, x + w - line * 2, y1), fill=70)
            for wy in range(top + unit, y1 - unit, unit):
                for wx in range(x + unit // 2, x + w - line * 2 - unit // 2, unit):
                    if rnd.random() < 0.55:
                        d.rectangle((wx, wy, wx + unit // 3, wy + unit // 2), fill=150)
            x += w
    elif pattern == "grid":
        step = unit * 3
        for gx in range(x0, x1, step):
            for gy in range(y0, y1, step):
                if rnd.random() < 0.6:
                    d.rounded_rectangle(
                        (gx, gy, gx + step - line * 3, gy + step - line * 3),
                        radius=unit // 2,
                        fill=rnd.choice((50, 80, 110)),
                    )
    elif pattern == "streets":
        for _ in range(7):
            gx = rnd.randint(x0, x1)
            d.line((gx, y0, gx + rnd.randint(-bw // 4, bw // 4), y1), fill=110, width=line * 2)
        for _ in range(6):
            gy = rnd.randint(y0, y1)
            d.line((x0, gy, x1, gy + rnd.randint(-bh // 5, bh // 5)), fill=90, width=line * 2)
        for _ in range(5):
            cx, cy = rnd.randint(x0, x1), rnd.randint(y0, y1)
            d.ellipse((cx - unit // 2, cy - unit // 2, cx + unit // 2, cy + unit // 2), fill=170)
    elif pattern == "wheels":
        for _ in range(9):
            r = rnd.randint(unit, unit * 4)
            cx, cy = rnd.randint(x0, x1), rnd.randint(y0, y1)
            d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=110, width=line * 2)
            d.ellipse((cx - r // 4, cy - r // 4, cx + r // 4, cy + r // 4), fill=110)
        for gy in range(y0 + unit, y1, unit * 2):
            length = rnd.randint(bw // 5, bw // 2)
            gx = rnd.randint(x0, x1 - length)
            d.line((gx, gy, gx + length, gy), fill=60, width=line)
    elif pattern == "network":
        nodes = [(rnd.randint(x0, x1), rnd.randint(y0, y1)) for _ in range(16)]
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                if abs(a[0] - b[0]) + abs(a[1] - b[1]) < bw // 2:
                    d.line((a, b), fill=70, width=line)
        for cx, cy in nodes:
            r = rnd.randint(unit // 3, unit)
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=150)
    elif pattern == "awnings":
        stripe = unit
        for row, gy in enumerate(range(y0, y1, unit * 4)):
            for i, gx in enumerate(range(x0 + (row % 2) * stripe, x1, stripe * 2)):
                if rnd.random() < 0.8:
                    d.rectangle((gx, gy, gx + stripe - 1, gy + unit * 2), fill=90 if i % 2 else 120)
                    d.pieslice(
                        (gx, gy + unit * 2 - stripe // 2, gx + stripe - 1, gy + unit * 2 + stripe // 2),
                        0,
                        180,
                        fill=90 if i % 2 else 120,
                    )
    elif pattern == "chevrons":
        step = unit * 3
        for gy in range(y0, y1 + step, step):
            pts: list[tuple[int, int]] = []
            for k, gx in enumerate(range(x0, x1 + step, step)):
                pts.append((gx, gy + (unit if k % 2 else -unit)))
            d.line(pts, fill=rnd.choice((60, 90, 120)), width=line * 2, joint="curve")
    elif pattern == "rings":
        for _ in range(3):
            cx, cy = rnd.randint(x0 + bw // 4, x1), rnd.randint(y0, y1)
            for r in range(unit, unit * 10, unit * 2):
                d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=rnd.choice((50, 80, 110)), width=line)
    fade = Image.linear_gradient("L").rotate(90).resize((bw, bh))
    if strongest == "left":
        fade = fade.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if fade_steps:
        fade = fade.point([(v * fade_steps // 256 + 1) * 255 // fade_steps for v in range(256)])
    mask = Image.new("L", size, 0)
    mask.paste(fade, (x0, y0))
    return Image.composite(layer, Image.new("L", size, 0), mask)


# Social cards are flat so that they stay small (~14 KB instead of ~48 KB as a JPEG over a gradient):
# one district colour, darkened a little, and white laid over it at a few strengths (the pattern, the
# pill, antialiased text), plus the yellow accent bar.  Pixels are drawn as indices into that short
# list of colours and written as a 4-bit palette PNG, whose long flat runs compress well.
SOCIAL_DARKEN = 0.15  # the background: the district colour this much towards black
SOCIAL_PATTERN_SCALE = 2  # the pattern is drawn at half size and doubled: whole pixel pairs repeat
SOCIAL_FADE_STEPS = 4  # the pattern fades in across the right half in this many hard bands,
# faint beside the text and strongest at the card's right edge
SOCIAL_PATTERN_STRENGTH = 40  # % of the pattern layer's intensity that becomes white
# Whiteness (0-255) of each palette entry: the background, three tints for the pattern and the pill
# (white text keeps >= 4.5:1 on each), one antialiasing step for text edges, and white.
SOCIAL_LEVELS: tuple[int, ...] = (0, 16, 32, 46, 128, 255)
SOCIAL_TINTS = 4  # entries below this index are backgrounds; from it on, text
SOCIAL_PILL = 3  # the district·field pill's plate
ACCENT: RGB = (255, 214, 102)  # the last palette entry
SOCIAL_SUMMARY_WIDTH = 720  # the summary's measure: two short lines, clear of most of the pattern
# Covers are drawn the same way, in the same colours: under 2.3 KB as a lossless WebP (was ~5 KB
# as a lossy q82 WebP over a gradient), so each takes one 4 KB block on disk.
COVER_NAME_SIZES = (46, 40, 34, 28)  # the district name, large (smaller only when it is long)
COVER_FIELD_SIZE = 24  # the field below it
COVER_PATTERN_FROM = 40  # % of the width where the pattern starts (strongest at the right edge)


# Pattern intensities snap to the nearest tint.  Text coverage snaps to the background, the edge
# step or white, so a glyph's faint fringe never turns into a tint of its own; tints and text
# levels are in order, so text over the pattern is the lighter index of the two (white over a
# faint tint, snapped).
_TINT_SNAP = [min(range(SOCIAL_TINTS), key=lambda i: abs(SOCIAL_LEVELS[i] - v)) for v in range(256)]
_EDGE = SOCIAL_TINTS
_TEXT_SNAP = [
    0 if 2 * v < SOCIAL_LEVELS[_EDGE] else _EDGE if 2 * v < SOCIAL_LEVELS[_EDGE] + 255 else _EDGE + 1
    for v in range(256)
]


def social_palette(base: RGB) -> list[RGB]:
    """The colours of a card of district colour ``base``: one per whiteness level, then the accent."""
    ground = _mix(base, (0, 0, 0), SOCIAL_DARKEN)
    return [_mix(ground, (255, 255, 255), level / 255) for level in SOCIAL_LEVELS] + [ACCENT]


@functools.lru_cache(maxsize=8)
def _social_background(district_slug: str | None, field_slug: str | None) -> Image.Image:
    """The pattern of one district and field as palette indices (mode L; read-only, callers copy).

    Cards are drawn grouped by district and field (see ``media/plan.py``), so a few entries cover
    a whole run.
    """
    w, h = SOCIAL_SIZE[0] // SOCIAL_PATTERN_SCALE, SOCIAL_SIZE[1] // SOCIAL_PATTERN_SCALE
    seed = _seed("art", district_slug or "", field_slug or "")
    pattern = field_pattern(field_slug)
    box = (w // 2, 0, w, h)
    alpha = _pattern_layer((w, h), pattern, seed, box, fade_steps=SOCIAL_FADE_STEPS, strongest="right")
    alpha = alpha.point([_TINT_SNAP[v * SOCIAL_PATTERN_STRENGTH // 100] for v in range(256)])
    return alpha.resize(SOCIAL_SIZE, Image.Resampling.NEAREST)


def _pill(
    plate: ImageDraw.ImageDraw,
    ink: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont,
    pad: tuple[int, int],
) -> int:
    """Draw a rounded label: a light plate under white text; return its right edge."""
    x, y = xy
    _left, _top, right, _bottom = ink.textbbox((x + pad[0], y + pad[1]), text, font=font, anchor="la")
    ascent, descent = font.getmetrics()
    box = (x, y, round(right) + pad[0], y + ascent + descent + pad[1] * 2)
    plate.rounded_rectangle(box, radius=(box[3] - box[1]) // 2, fill=SOCIAL_PILL)
    ink.text((x + pad[0], y + pad[1]), text, font=font, fill=255, anchor="la")
    return box[2]


SOCIAL_MARGIN = 72
SOCIAL_PILL_TOP = SOCIAL_SIZE[1] - SOCIAL_MARGIN - 52  # the district·field pill's top edge


SOCIAL_TEXT_ROWS = (SOCIAL_MARGIN + 88 - 10, SOCIAL_PILL_TOP - 8)
"""The rows a card's title and summary may reach (the title starts at its top, the summary stops 16
pixels above the pill): the rest of a card is its district's and field's (:func:`_social_base`)."""


@dataclass(frozen=True)
class _CardBase:
    """What every card of one district and field shows (palette indices, mode L; read-only): the
    pattern, the pill, the site's name and the accent bar; and its rows outside
    :data:`SOCIAL_TEXT_ROWS`, deflated once for all those cards."""

    indices: Image.Image
    deflated: _Deflated


@functools.lru_cache(maxsize=8)
def _social_base(district_slug: str | None, field_slug: str | None, label: str, site_name: str) -> _CardBase:
    """The shared part of the cards of one district and field (see :class:`_CardBase`).

    Text layers never overlap (the summary stops above the pill), so the lighter of this and a card's
    own text is the card as drawn in one layer.
    """
    margin = SOCIAL_MARGIN
    fonts = _fonts()
    site_font = fonts.bold.load(32)
    label_font = fonts.regular.load(30)
    for font, text in ((site_font, site_name), (label_font, label)):
        ensure_glyphs(font, text)
    plate = _social_background(district_slug, field_slug).copy()
    ink = Image.new("L", SOCIAL_SIZE, 0)
    draw = ImageDraw.Draw(ink)
    draw.text((margin + 28, margin - 2), site_name, font=site_font, fill=255, anchor="la")
    if label:
        _pill(ImageDraw.Draw(plate), draw, (margin, SOCIAL_PILL_TOP), label, label_font, (22, 8))
    im = ImageChops.lighter(plate, ink.point(_TEXT_SNAP))
    im.paste(len(SOCIAL_LEVELS), (margin, margin, margin + 11, margin + 41))  # the accent bar
    rows, scanline = _packed_rows(im)
    top, bottom = SOCIAL_TEXT_ROWS
    return _CardBase(im, _Deflated.split(rows, _window(scanline), top * scanline, bottom * scanline))


def _label(district: str | None, field: str | None) -> str:
    return "·".join(p for p in ((district or "").strip(), (field or "").strip()) if p)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _packed_rows(im: Image.Image) -> tuple[bytes, int]:
    """The rows of an image of palette indices (mode P or L, at most 16) as PNG's unfiltered 4-bit
    scanlines, and the length of one.

    Two columns of index 0 in front of each row pack into one zero byte: PNG's filter byte ("none"),
    so the packed pixels are the filtered stream as they are (no per-row joining in Python).
    """
    w, h = im.size
    padded = Image.new("P", (w + 2, h), 0)
    padded.paste(im if im.mode == "P" else im.convert("P"), (2, 0))
    return padded.tobytes("raw", "P;4"), (w + 1) // 2 + 1


def _window(scanline: int) -> int:
    """A deflate window just longer than a row (the matches that matter: runs, and the row above)."""
    return min(15, max(9, scanline.bit_length()))


def _deflater(window: int, zdict: bytes = b"") -> zlib._Compress:
    # Level 9 with small hash tables: as small as level 9 with zlib's defaults, in 7 ms instead of
    # 32 ms (level 6: +12 %). Negative window bits: bare deflate, for streams joined from parts.
    if zdict:
        return zlib.compressobj(9, zlib.DEFLATED, -window, 6, zdict=zdict)
    return zlib.compressobj(9, zlib.DEFLATED, -window, 6)


@dataclass(frozen=True)
class _Deflated:
    """The packed rows of an image many cards share, its rows above ``top`` and from ``bottom`` on
    (byte offsets) already deflated: a card whose own drawing lies in between deflates only that.

    Deflate streams join at byte boundaries (a sync flush ends ``head``), and the middle and the tail
    start with the 1 KB window before them as their dictionary, so the joined stream matches as far
    back as one deflated whole: the same pixels, within a few bytes of the same size, in ~60 % of the
    time.
    """

    rows: bytes
    window: int
    top: int
    bottom: int
    head: bytes
    tail: bytes

    @classmethod
    def split(cls, rows: bytes, window: int, top: int, bottom: int) -> _Deflated:
        """Deflate the shared rows around ``[top, bottom)``."""
        head = _deflater(window)
        tail = _deflater(window, rows[bottom - (1 << window) : bottom])
        return cls(
            rows,
            window,
            top,
            bottom,
            head.compress(rows[:top]) + head.flush(zlib.Z_SYNC_FLUSH),
            tail.compress(rows[bottom:]) + tail.flush(),
        )

    def deflate(self, rows: bytes) -> bytes | None:
        """``rows`` deflated with the shared parts, or None unless they equal the shared rows outside
        ``[top, bottom)`` and in the window before ``bottom``."""
        top, bottom, before = self.top, self.bottom, self.bottom - (1 << self.window)
        if (
            len(rows) != len(self.rows)
            or rows[:top] != self.rows[:top]
            or rows[before:] != self.rows[before:]
        ):
            return None
        middle = _deflater(self.window, rows[max(0, top - (1 << self.window)) : top])
        return self.head + middle.compress(rows[top:bottom]) + middle.flush(zlib.Z_SYNC_FLUSH) + self.tail


def _palette_png(im: Image.Image, shared: _Deflated | None = None) -> bytes:
    """Encode a palette image of at most 16 colours as a 4-bit PNG with unfiltered rows.

    Pillow's writer picks a filter per row, which makes these flat cards ~12 % larger (for
    palette images no filter compresses best, as the PNG specification advises). ``shared``: rows
    deflated ahead of time, used where ``im`` has the same rows.
    """
    w, h = im.size
    palette = bytes(im.getpalette() or [])
    if im.mode != "P" or not 0 < len(palette) <= 16 * 3:
        raise ValueError(f"expected a palette image of at most 16 colours, got {im.mode}")
    rows, scanline = _packed_rows(im)
    window = _window(scanline)
    body = shared.deflate(rows) if shared is not None and shared.window == window else None
    if body is None:
        whole = _deflater(window)
        body = whole.compress(rows) + whole.flush()
    # zlib's header for this window at level 9, then the checksum of the rows
    header = zlib.compressobj(9, zlib.DEFLATED, window, 6).flush()[:2]
    idat = header + body + struct.pack(">I", zlib.adler32(rows))
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 4, 3, 0, 0, 0)),
            _png_chunk(b"PLTE", palette),
            _png_chunk(b"IDAT", idat),
            _png_chunk(b"IEND", b""),
        )
    )


def _encode(im: Image.Image, fmt: str) -> bytes:
    if fmt == "PNG" and im.mode == "P":
        return _palette_png(im)
    buf = io.BytesIO()
    rgb = im.convert("RGB")
    if fmt == "WEBP":
        # Lossless: a few flat colours (see ``_cover_indices``) take ~1.5 KB, a quarter of lossy q82's.
        # Method 1 at effort 0 is 8 % larger than method 4 at effort 100 in 60 % of its time (every
        # cover stays under one 4 KB block; benchmarks/README.md has the table).
        rgb.save(buf, "WEBP", lossless=True, quality=0, method=1, exif=b"", icc_profile=None)
    elif fmt == "JPEG":
        # 4:2:0 and q50: art is only seen scaled down, where flat colour and large type stay crisp
        rgb.save(
            buf,
            "JPEG",
            quality=50,
            subsampling=2,
            optimize=True,
            progressive=True,
            exif=b"",
            icc_profile=None,
        )
    else:
        rgb.save(buf, "PNG", optimize=True)
    return buf.getvalue()


# --- public renderers -------------------------------------------------------------


def render_cover(
    district: str | None,
    district_slug: str | None,
    field: str | None,
    field_slug: str | None,
    *,
    site_name: str = DEFAULT_SITE_NAME,
    fmt: Literal["WEBP", "PNG", "JPEG"] = "WEBP",
) -> bytes:
    """Render a 400×225 case-card cover (lossless WebP by default, ~1.5 KB) for a case without a photo.

    The district sets the colour and is written large; the field sets the pattern and is
    written below it.  The title is not drawn (lists show it right beside the cover), so every
    case of one district and field shares one cover: a list reads by the titles beside them.
    Raises :class:`~site_builder.media.fonts.CJKFontNotFoundError` when no CJK font exists and
    :class:`~site_builder.media.fonts.MissingGlyphError` for undrawable text.
    """
    return _encode(_cover_indices(district, district_slug, field, field_slug, site_name), fmt)


def _cover_indices(
    district: str | None,
    district_slug: str | None,
    field: str | None,
    field_slug: str | None,
    site_name: str,
) -> Image.Image:
    """Draw a cover as a palette image in the social cards' colours (see ``social_palette``).

    White text over the pattern's tints keeps >= 4.5:1 contrast, as on the cards.
    """
    w, h = COVER_SIZE
    margin = 24
    fonts = _fonts()
    field_font = fonts.regular.load(COVER_FIELD_SIZE)
    name = (district or "").strip() or site_name
    # a long name (the site's, when there is no district) shrinks to fit before it is cut short
    name_font, name_lines = _fit_title(name, fonts.bold, COVER_NAME_SIZES, w - margin * 2, 1)
    field_text = (field or "").strip()
    for font, text in ((name_font, "".join(name_lines)), (field_font, field_text)):
        ensure_glyphs(font, text)

    seed = _seed("art", district_slug or "", field_slug or "")
    # Like the cards' pattern: drawn at half size and doubled (half the edges to encode), a few tints.
    scale = SOCIAL_PATTERN_SCALE
    pw, ph = -(-w // scale), -(-h // scale)
    box = (pw * COVER_PATTERN_FROM // 100, 0, pw, ph)
    layer = _pattern_layer((pw, ph), field_pattern(field_slug), seed, box, SOCIAL_FADE_STEPS, "right")
    plate = layer.point([_TINT_SNAP[v * SOCIAL_PATTERN_STRENGTH // 100] for v in range(256)])
    plate = plate.resize((pw * scale, ph * scale), Image.Resampling.NEAREST).crop((0, 0, w, h))
    ink = Image.new("L", COVER_SIZE, 0)
    draw = ImageDraw.Draw(ink)
    name_height = name_font.size * 1.25
    top = h - margin - (name_height + (COVER_FIELD_SIZE * 1.5 if field_text else 0))
    bottom = _draw_lines(draw, (margin, round(top)), name_lines, name_font, 255, name_height)
    if field_text:
        draw.text((margin, bottom + 4), field_text, font=field_font, fill=255, anchor="la")
    im = ImageChops.lighter(plate, ink.point(_TEXT_SNAP))
    im.paste(len(SOCIAL_LEVELS), (margin, round(top) - 8, margin + 36, round(top) - 2))  # the accent bar
    im = im.convert("P")
    im.putpalette([c for rgb in social_palette(district_colour(district_slug)) for c in rgb])
    return im


def render_social_card(
    title: str,
    subtitle: str | None,
    district: str | None,
    *,
    district_slug: str | None = None,
    field: str | None = None,
    field_slug: str | None = None,
    site_name: str = DEFAULT_SITE_NAME,
    fmt: Literal["PNG", "JPEG"] = "PNG",
) -> bytes:
    """Render a 1200×630 social-sharing card (``og:image``) as PNG (default) or JPEG bytes.

    Used per case (title, summary, district, field) and for the home page
    (site title and description, no district: the citywide colour).  Text is
    wrapped by pixel width with an ellipsis when too long.  The PNG is a 4-bit palette
    image of about 14 KB (see ``SOCIAL_LEVELS``): WeChat, Weibo and QQ read PNG and JPEG
    only, and the same flat card as a JPEG is three times larger.  Raises like
    :func:`render_cover`.
    """
    w, _h = SOCIAL_SIZE
    margin = SOCIAL_MARGIN
    fonts = _fonts()
    sub_font = fonts.regular.load(34)
    label = _label(district, field)
    title_font, lines = _fit_title(title.strip() or site_name, fonts.bold, (76, 68, 60), w - margin * 2, 3)
    title_top = margin + 88
    title_line_height = int(title_font.size) * 1.28
    sub_line_height = 34 * 1.45
    sub_top = title_top + round(title_line_height * len(lines)) + 28
    sub_room = int((SOCIAL_PILL_TOP - 16 - sub_top) // sub_line_height) if label else 3
    sub_lines = wrap_text(subtitle or "", sub_font, SOCIAL_SUMMARY_WIDTH, max(0, min(2, sub_room)))
    for font, text in ((title_font, "".join(lines)), (sub_font, "".join(sub_lines))):
        ensure_glyphs(font, text)

    # White over the background: the text (antialiased, then snapped) in one layer, the lighter of it
    # and the card's shared parts (pattern, pill, site name, accent bar) winning.
    base = _social_base(district_slug, field_slug, label, site_name)
    ink = Image.new("L", SOCIAL_SIZE, 0)
    draw = ImageDraw.Draw(ink)
    _draw_lines(draw, (margin, title_top), lines, title_font, 255, title_line_height)
    if sub_lines:
        _draw_lines(draw, (margin, sub_top), sub_lines, sub_font, 255, sub_line_height)
    im = ImageChops.lighter(base.indices, ink.point(_TEXT_SNAP)).convert("P")
    im.putpalette([c for rgb in social_palette(district_colour(district_slug)) for c in rgb])
    return _palette_png(im, base.deflated) if fmt == "PNG" else _encode(im, fmt)


# --- caching ----------------------------------------------------------------------


def art_identity() -> list[str]:
    """The fonts and Pillow version every cached cover and card depends on (part of their keys)."""
    versions = [PIL.__version__, zlib.ZLIB_RUNTIME_VERSION]
    try:
        fonts = _fonts()
    except CJKFontNotFoundError:
        return versions
    return [*versions, fonts.bold.identity, fonts.regular.identity]


def _art_key(kind: str, args: dict[str, object]) -> str:
    fonts = _fonts()
    # Pillow and the drawing code are in every key of the namespace; zlib (social cards are deflated
    # by Python's zlib) and the system fonts are inputs of their own.
    identity = [ART_VERSION, zlib.ZLIB_RUNTIME_VERSION, fonts.bold.identity, fonts.regular.identity]
    return cache_key("art", kind, identity, args)[:20]


def _cached(
    cache_dir: Path, kind: str, ext: str, args: dict[str, object], render: Callable[[], bytes] | None
) -> Path | None:
    store = Store(cache_dir.parent, cache_dir.name)
    name = f"{kind}-{_art_key(kind, args)}.{ext}"
    if store.has(name):
        return store.path(name)
    return store.put(name, render()) if render is not None else None


def cached_cover(
    cache_dir: Path,
    district: str | None,
    district_slug: str | None,
    field: str | None,
    field_slug: str | None,
    *,
    site_name: str = DEFAULT_SITE_NAME,
    draw: bool = True,
) -> Path | None:
    """Like :func:`render_cover` but cached on disk; return the ``cover-<hash>.webp`` path.

    With ``draw=False`` only look: None when the cover is not cached yet.
    """
    args: dict[str, object] = {
        "district": district,
        "district_slug": district_slug,
        "field": field,
        "field_slug": field_slug,
        "site_name": site_name,
    }
    return _cached(
        cache_dir,
        "cover",
        "webp",
        args,
        (lambda: render_cover(district, district_slug, field, field_slug, site_name=site_name))
        if draw
        else None,
    )


def cached_social_card(
    cache_dir: Path,
    title: str,
    subtitle: str | None,
    district: str | None,
    *,
    district_slug: str | None = None,
    field: str | None = None,
    field_slug: str | None = None,
    site_name: str = DEFAULT_SITE_NAME,
    draw: bool = True,
) -> Path | None:
    """Like :func:`render_social_card` but cached on disk; return the ``social-<hash>.png`` path.

    With ``draw=False`` only look: None when the card is not cached yet.
    """
    args: dict[str, object] = {
        "title": title,
        "subtitle": subtitle,
        "district": district,
        "district_slug": district_slug,
        "field": field,
        "field_slug": field_slug,
        "site_name": site_name,
    }
    return _cached(
        cache_dir,
        "social",
        "png",
        args,
        (
            lambda: render_social_card(
                title,
                subtitle,
                district,
                district_slug=district_slug,
                field=field,
                field_slug=field_slug,
                site_name=site_name,
            )
        )
        if draw
        else None,
    )
