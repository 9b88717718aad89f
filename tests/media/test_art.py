"""Tests for generated covers and social cards (and the CJK font lookup behind them)."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from site_builder.casefile.loader import load_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.media import art, fonts
from site_builder.media.art import (
    cached_cover,
    cached_social_card,
    district_colour,
    field_pattern,
    render_cover,
    render_social_card,
    wrap_text,
)
from site_builder.media.fonts import CJKFontNotFoundError, MissingGlyphError, find_cjk_font, missing_glyphs
from site_builder.media.plan import build_media, field_of
from tests.support.synthetic import case_from_data, make_case

ROOT = Path(__file__).resolve().parents[2]
TITLE = "陆家嘴金融城楼宇党建：“楼事会”让白领找到组织"


@pytest.fixture(scope="module")
def bold() -> ImageFont.FreeTypeFont:
    try:
        return find_cjk_font("bold").load(60)
    except CJKFontNotFoundError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"no CJK font installed: {exc}")


def _img(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# --- fonts -----------------------------------------------------------------------


def test_font_is_simplified_chinese(bold: ImageFont.FreeTypeFont) -> None:
    family, _style = bold.getname()
    assert family is not None
    assert missing_glyphs(bold, TITLE) == ""


def test_missing_font_raises_one_clear_chinese_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_candidates", lambda weight: [])
    find_cjk_font.cache_clear()
    try:
        with pytest.raises(CJKFontNotFoundError) as info:
            find_cjk_font("bold")
    finally:
        find_cjk_font.cache_clear()
    message = str(info.value)
    assert "\n" not in message
    assert "sudo apt-get install fonts-noto-cjk" in message and "macOS" in message


def test_non_cjk_font_detected_as_missing_glyphs() -> None:
    latin = ImageFont.load_default(size=40)
    assert isinstance(latin, ImageFont.FreeTypeFont)
    assert missing_glyphs(latin, "党建 ABC") == "党建"


def test_env_override_with_non_cjk_font_is_ignored(
    monkeypatch: pytest.MonkeyPatch, bold: ImageFont.FreeTypeFont
) -> None:
    monkeypatch.setenv("SITE_BUILDER_CJK_FONT_BOLD", "/nonexistent/font.ttf")
    find_cjk_font.cache_clear()
    try:
        assert find_cjk_font("bold").path.exists()
    finally:
        find_cjk_font.cache_clear()


def test_missing_glyph_refuses_to_draw_tofu(bold: ImageFont.FreeTypeFont) -> None:
    with pytest.raises(MissingGlyphError) as info:
        render_social_card("党建\U0001f389活动\U0010fffd", None, "浦东新区", district_slug="pudong")
    assert "\U0001f389" in info.value.chars
    # Covers do not draw the title, so a title the font lacks still gets a cover.
    assert render_cover("浦东新区", "pudong", "楼宇", "buildings")


def test_title_glyphs_are_real_not_notdef(bold: ImageFont.FreeTypeFont) -> None:
    notdef = bold.getmask("\U0010ffff")
    notdef_sig = (notdef.getbbox(), bytes(notdef))
    sigs = []
    for ch in dict.fromkeys(TITLE):
        mask = bold.getmask(ch)
        sig = (mask.getbbox(), bytes(mask))
        assert mask.getbbox() is not None, ch
        assert sig != notdef_sig, ch
        sigs.append(sig)
    assert len(set(sigs)) == len(sigs)  # every distinct character draws a distinct glyph


# --- text wrapping ---------------------------------------------------------------------


def test_wrap_respects_width_and_lines(bold: ImageFont.FreeTypeFont) -> None:
    lines = wrap_text(TITLE * 3, bold, 600, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    for line in lines:
        # Hanging closing punctuation may overshoot by one glyph.
        assert bold.getlength(line) <= 600 + bold.size


def test_wrap_kinsoku_and_latin_words(bold: ImageFont.FreeTypeFont) -> None:
    text = "党建引领，服务（骑手）、白领与Bilibili公司员工的创新实践，共同建设美好城市。"
    for width in range(240, 900, 37):
        lines = wrap_text(text, bold, width, 10)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines[1:]:
            assert line[0] not in "，。、）"
        for line in lines:
            assert line[-1] not in "（"
        assert any("Bilibili" in line for line in lines)


def test_text_widths_add_up_exactly_as_pillow_measures_them(bold: ImageFont.FreeTypeFont) -> None:
    """Titles are measured from each character's advance (the basic layout adds them), exactly what
    Pillow measures the whole text as; a font with a ``kern`` table is measured by Pillow itself."""
    text = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "cases").glob("*.yaml")))
    chars = sorted(set(text) - set("\n\r\t"))
    rng = random.Random(5)
    assert not fonts.has_kern_table(str(bold.path), bold.index)
    for font in (bold, find_cjk_font("regular").load(34)):
        for _ in range(300):
            sample = "".join(rng.choice(chars) for _ in range(rng.randint(1, 40)))
            assert art._width(font, sample) == font.getlength(sample), sample
    kerning = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if kerning.is_file():  # Debian's fonts-dejavu-core: "AV" kerns, so it is measured whole
        latin = ImageFont.truetype(str(kerning), 76, layout_engine=ImageFont.Layout.BASIC)
        assert fonts.has_kern_table(str(kerning))
        assert art._width(latin, "AV") == latin.getlength("AV") != latin.getlength("A") + latin.getlength("V")
    assert fonts.has_kern_table(str(ROOT / "pyproject.toml"))  # not a font: measured whole


def test_wrap_short_text_is_one_line(bold: ImageFont.FreeTypeFont) -> None:
    assert wrap_text("  外卖骑手\n暖心驿站 ", bold, 1000, 3) == ["外卖骑手 暖心驿站"]
    assert wrap_text("", bold, 1000, 3) == []


def test_wrap_into_no_lines_is_empty(bold: ImageFont.FreeTypeFont) -> None:
    assert wrap_text(TITLE, bold, 600, 0) == []


def test_three_line_title_leaves_no_room_for_the_summary(bold: ImageFont.FreeTypeFont) -> None:
    """A 40-character title fills three lines: the card drops the summary (was an IndexError)."""
    title = ("静安区社会组织联合党委以枢纽型社会组织带动百余家小微社会组织规范运转" * 2)[:40]
    _font, lines = art._fit_title(title, art._fonts().bold, (76, 68, 60), 1200 - 2 * 72, 3)
    assert len(lines) == 3
    cards = [
        render_social_card(
            title,
            summary,
            "静安区",
            district_slug="jingan",
            field="社会组织",
            field_slug="social-organizations",
        )
        for summary in ("摘要" * 20, None)
    ]
    assert cards[0] == cards[1]


# --- identity ---------------------------------------------------------------------------


def test_district_colours_distinct_and_deterministic() -> None:
    colours = {slug: district_colour(slug) for slug in art.DISTRICT_COLOURS}
    assert len(set(colours.values())) == len(colours)
    assert district_colour("nowhere") == district_colour("nowhere")
    assert district_colour("nowhere") != district_colour("elsewhere")
    unknown = [district_colour(f"district-{i}") for i in range(200)]
    for colour in [*colours.values(), *unknown]:
        # White text must pass WCAG AA (4.5:1) on every tint a card or cover puts behind text: the
        # background, the pattern's tints and the pill (covers are drawn in the same colours).
        for tint in art.social_palette(colour)[: art.SOCIAL_TINTS]:
            assert _contrast_with_white(tint) >= 4.5, (colour, tint)


def _contrast_with_white(colour: tuple[int, int, int]) -> float:
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = sum(w * linear(c) for c, w in zip(colour, (0.2126, 0.7152, 0.0722), strict=True))
    return 1.05 / (lum + 0.05)


def test_field_patterns() -> None:
    assert field_pattern("buildings") == "skyline"
    assert field_pattern("unknown-field") == field_pattern("unknown-field")
    assert len(set(art.FIELD_PATTERNS.values())) == len(art.FIELD_PATTERNS)


# --- rendering ----------------------------------------------------------------------------


def test_cover_size_format_and_determinism(bold: ImageFont.FreeTypeFont) -> None:
    a = render_cover("浦东新区", "pudong", "楼宇", "buildings")
    b = render_cover("浦东新区", "pudong", "楼宇", "buildings")
    assert a == b
    im = _img(a)
    assert im.format == "WEBP" and im.size == art.COVER_SIZE == (400, 225)
    assert a[12:16] == b"VP8L"  # lossless: the flat colours stay exact, with no ringing around the text
    assert not im.info.get("icc_profile") and not im.info.get("exif")
    again = render_cover("浦东新区", "pudong", "楼宇", "buildings", fmt="PNG")
    assert again == render_cover("浦东新区", "pudong", "楼宇", "buildings", fmt="PNG")
    assert ImageChops.difference(_img(again).convert("RGB"), im.convert("RGB")).getbbox() is None


def test_covers_use_only_the_cards_colours(bold: ImageFont.FreeTypeFont) -> None:
    """Covers are flat: the card palette of their district, so white text keeps >= 4.5:1 on every tint.

    With ``test_district_colours_distinct_and_deterministic`` (each palette's tints pass 4.5:1), this
    proves the contrast of every cover, for every district colour and field pattern.
    """
    fields = [*art.FIELD_PATTERNS, "unknown-field"]
    for i, district_slug in enumerate([*art.DISTRICT_COLOURS, "unknown-district"]):
        field_slug = fields[i % len(fields)]
        cover = _img(render_cover("某区", district_slug, "领域", field_slug))
        used = cover.convert("RGB").getcolors()
        assert used is not None
        counts = {colour: n for n, colour in used}
        palette = art.social_palette(district_colour(district_slug))
        assert set(counts) <= set(palette), district_slug
        white, accent = palette[len(art.SOCIAL_LEVELS) - 1], palette[-1]
        assert counts.get(white, 0) > 1000 and counts.get(accent, 0) > 100, district_slug
        # the pattern shows in more than one tint (a stepped fade)
        assert sum(1 for tint in palette[1 : art.SOCIAL_TINTS] if tint in counts) >= 2, district_slug


def test_cover_shrinks_a_long_name_before_cutting_it(bold: ImageFont.FreeTypeFont) -> None:
    """Without a district the cover names the site (12 characters): smaller, but whole."""
    width = art.COVER_SIZE[0] - 2 * 24
    font, lines = art._fit_title(art.DEFAULT_SITE_NAME, art._fonts().bold, art.COVER_NAME_SIZES, width, 1)
    assert lines == [art.DEFAULT_SITE_NAME] and font.size < art.COVER_NAME_SIZES[0]
    font, lines = art._fit_title("浦东新区", art._fonts().bold, art.COVER_NAME_SIZES, width, 1)
    assert lines == ["浦东新区"] and font.size == art.COVER_NAME_SIZES[0]
    assert render_cover(None, None, None, None) != render_cover("全市", None, None, None)


@pytest.fixture(scope="module")
def real_art_inputs() -> list[tuple[Case, str | None, str | None]]:
    """Every real case with the field and slug its cover and card show."""
    result = load_cases([ROOT / "cases"], check_images=False, parallel=False)
    assert len(result.cases) >= 20
    vocab = load_vocabularies()
    return [(case, *field_of(case, vocab)) for case in result.cases]


def test_covers_fit_one_disk_block(
    bold: ImageFont.FreeTypeFont, real_art_inputs: list[tuple[Case, str | None, str | None]]
) -> None:
    """Every real case's cover is under 4,096 bytes (one 4 KB block on disk; lossy q82 took ~5 KB)."""
    sizes = {}
    for case, field, slug in real_art_inputs:
        cover = render_cover(case.district, case.district_slug, field, slug)
        sizes[case.id] = len(cover)
    assert max(sizes.values()) < 4096, sizes
    assert sum(sizes.values()) / len(sizes) < 2 * 1024, sizes  # ~1.2 KB: room for busier patterns
    # the busiest patterns (rings, wheels, network) with the longest names, for every district
    for district_slug in [*art.DISTRICT_COLOURS, "unknown-district"]:
        for field_slug in ("social-organizations", "new-employment", "internet"):
            cover = render_cover("浦东新区", district_slug, "新就业群体", field_slug)
            assert len(cover) < 4096, (district_slug, field_slug, len(cover))


def test_cover_shows_only_district_and_field(bold: ImageFont.FreeTypeFont) -> None:
    """Lists show the title beside the cover, so a cover is the district's and the field's alone: one
    file per pair, whatever the case; the district name is what is written, the field sets the pattern."""
    one = render_cover("浦东新区", "pudong", "楼宇", "buildings", fmt="PNG")
    assert one == render_cover("浦东新区", "pudong", "楼宇", "buildings", fmt="PNG")
    other_field = render_cover("浦东新区", "pudong", "园区", "parks", fmt="PNG")
    bbox = _diff_bbox(one, other_field)
    assert bbox is not None, "the field should change the pattern"
    other_district = render_cover("徐汇区", "xuhui", "楼宇", "buildings", fmt="PNG")
    text_area = (0, art.COVER_SIZE[1] // 2, art.COVER_SIZE[0] * 2 // 5, art.COVER_SIZE[1])
    a = _img(one).convert("L").crop(text_area).point(lambda v: 255 if v > 240 else 0)
    b = _img(other_district).convert("L").crop(text_area).point(lambda v: 255 if v > 240 else 0)
    assert ImageChops.difference(a, b).getbbox() is not None  # the district name is what is written


def test_cases_of_one_district_and_field_share_one_cover_file(tmp_path: Path) -> None:
    """The media plan points every case of a district and field at one cover file."""
    pairs_drawn = [("浦东新区", "楼宇"), ("浦东新区", "楼宇"), ("徐汇区", "楼宇"), ("浦东新区", "园区")]
    rng = random.Random(3)
    cases = [
        case_from_data(f"case-{i}", {**make_case(i, rng), "district": district, "fields": [field]})
        for i, (district, field) in enumerate([*pairs_drawn, ("徐汇区", "楼宇")])
    ]
    vocab = load_vocabularies()
    plan = build_media(cases, vocab, root=tmp_path, site_name="案例库", site_description="")
    pairs: dict[tuple[str | None, str | None], set[str]] = {}
    for case in cases:
        pairs.setdefault((case.district_slug, field_of(case, vocab)[1]), set()).add(plan.covers[case.id])
    assert all(len(covers) == 1 for covers in pairs.values()), pairs
    assert len({next(iter(c)) for c in pairs.values()}) == len(pairs) == 3
    covers = {uri for uri in plan.files if uri.startswith("assets/covers/")}
    assert covers == {next(iter(c)) for c in pairs.values()}


def test_social_card_size_format_and_determinism(bold: ImageFont.FreeTypeFont) -> None:
    a = render_social_card(
        TITLE, "摘要", "浦东新区", district_slug="pudong", field="楼宇", field_slug="buildings"
    )
    assert a == render_social_card(
        TITLE, "摘要", "浦东新区", district_slug="pudong", field="楼宇", field_slug="buildings"
    )
    im = _img(a)
    assert im.format == "PNG" and im.size == (1200, 630)
    assert not im.info.get("icc_profile") and not im.getexif()
    # a flat design: a few colours in a 4-bit palette (WeChat, Weibo and QQ read PNG and JPEG only)
    assert im.mode == "P" and a[24] == 4
    colours = im.convert("RGB").getcolors()
    assert colours is not None and len(colours) <= len(art.SOCIAL_LEVELS) + 1
    home = _img(render_social_card("上海新兴领域党建优秀案例", "首页", None, fmt="JPEG"))
    assert home.format == "JPEG" and home.size == (1200, 630)


def test_social_cards_stay_small(
    bold: ImageFont.FreeTypeFont, real_art_inputs: list[tuple[Case, str | None, str | None]]
) -> None:
    """Cards are most of a case's output: the real cases' cards average <= 16 KB (a JPEG was ~48 KB)."""
    sizes = {}
    for case, field, slug in real_art_inputs:
        card = render_social_card(
            case.title,
            case.summary,
            case.district,
            district_slug=case.district_slug,
            field=field,
            field_slug=slug,
        )
        sizes[case.id] = len(card)
    assert sum(sizes.values()) / len(sizes) <= 16 * 1024, sizes
    assert max(sizes.values()) < 24 * 1024, sizes  # the densest 40-character titles reach ~21 KB
    typical = render_social_card(
        TITLE,
        "浦东新区街头有一批戴“金头盔”的先锋骑手，走街串巷时自带身份标签。",
        "浦东新区",
        district_slug="pudong",
        field="新就业群体",
        field_slug="new-employment",
    )
    assert len(typical) < 20 * 1024
    assert _img(typical).size == (1200, 630)


def _diff_bbox(a: bytes, b: bytes) -> tuple[int, int, int, int] | None:
    return ImageChops.difference(_img(a).convert("RGB"), _img(b).convert("RGB")).getbbox()


def test_title_is_actually_drawn(bold: ImageFont.FreeTypeFont) -> None:
    kw = {"district_slug": "xuhui", "field": "园区", "field_slug": "parks"}
    one = render_social_card("张江科学城", None, "徐汇区", fmt="PNG", **kw)
    two = render_social_card("漕河泾园区", None, "徐汇区", fmt="PNG", **kw)
    bbox = _diff_bbox(one, two)
    assert bbox is not None
    # The difference lies in the title area, and covers a title-sized region.
    left, top, right, bottom = bbox
    assert top >= 150 and bottom <= 420 and right - left > 250
    # Different characters draw different shapes: the differing pixels are many.
    diff = ImageChops.difference(_img(one).convert("L"), _img(two).convert("L"))
    changed = diff.point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert changed > 2000


def test_cover_colour_follows_district(bold: ImageFont.FreeTypeFont) -> None:
    a = _img(render_cover("浦东新区", "pudong", "楼宇", "buildings", fmt="PNG")).convert("RGB")
    b = _img(render_cover("徐汇区", "xuhui", "楼宇", "buildings", fmt="PNG")).convert("RGB")
    pa, pb = a.getpixel((4, a.height - 4)), b.getpixel((4, b.height - 4))
    assert isinstance(pa, tuple) and isinstance(pb, tuple)
    assert pa[0] > pa[2]  # pudong: warm
    assert pb[2] > pb[0]  # xuhui: blue


def test_cached_art(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bold: ImageFont.FreeTypeFont) -> None:
    calls = {"n": 0}
    real = art.render_cover

    def counting(*args: object, **kwargs: object) -> bytes:
        calls["n"] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(art, "render_cover", counting)
    p1 = cached_cover(tmp_path, "浦东新区", "pudong", "楼宇", "buildings")
    p2 = cached_cover(tmp_path, "浦东新区", "pudong", "楼宇", "buildings")
    p3 = cached_cover(tmp_path, "浦东新区", "pudong", "园区", "parks")
    assert p1 == p2 != p3 and calls["n"] == 2
    assert p1 is not None and p1.name.startswith("cover-") and p1.suffix == ".webp"
    assert (
        cached_social_card(tmp_path, "案例一", "摘要", "浦东新区", district_slug="pudong", draw=False) is None
    )
    card = cached_social_card(tmp_path, "案例一", "摘要", "浦东新区", district_slug="pudong")
    assert card is not None and card.suffix == ".png" and _img(card.read_bytes()).size == (1200, 630)
    assert _img(card.read_bytes()).format == "PNG"
    assert (
        cached_social_card(tmp_path, "案例一", "摘要", "浦东新区", district_slug="pudong", draw=False) == card
    )
    assert p1.exists() and card.exists() and p3 is not None and p3.exists()


def _pudong_card(title: str, summary: str) -> bytes:
    return render_social_card(
        title, summary, "浦东新区", district_slug="pudong", field="楼宇", field_slug="buildings"
    )


def test_shared_card_background_is_never_drawn_on(bold: ImageFont.FreeTypeFont) -> None:
    """Cards reuse one pattern layer and one base (pill, site name) per district and field; drawing a
    card leaves both clean."""
    art._social_background.cache_clear()
    art._social_base.cache_clear()
    fresh = art._social_background("pudong", "buildings").tobytes()
    first = _pudong_card(TITLE, "摘要一")
    shared = art._social_base("pudong", "buildings", "浦东新区·楼宇", art.DEFAULT_SITE_NAME).indices.tobytes()
    _pudong_card("另一个标题", "摘要二")
    render_social_card(TITLE, "摘要", "静安区", district_slug="jingan", fmt="JPEG")
    assert _pudong_card(TITLE, "摘要一") == first
    assert art._social_background("pudong", "buildings").tobytes() == fresh
    assert (
        art._social_base("pudong", "buildings", "浦东新区·楼宇", art.DEFAULT_SITE_NAME).indices.tobytes()
        == shared
    )
    art._social_background.cache_clear()
    art._social_base.cache_clear()
    assert _pudong_card(TITLE, "摘要一") == first


def _idat(png: bytes) -> bytes:
    """The zlib stream of a PNG with one IDAT chunk."""
    at = png.index(b"IDAT")
    return png[at + 4 : at + 4 + int.from_bytes(png[at - 4 : at], "big")]


def test_cards_deflated_around_their_pairs_rows_decode_to_their_pixels(bold: ImageFont.FreeTypeFont) -> None:
    """A card deflates only its text rows and joins its pair's deflated rows above and below: a valid
    zlib stream (checksum included) of exactly its rows, about as small as deflating it whole."""
    base = art._social_base("pudong", "buildings", "浦东新区·楼宇", art.DEFAULT_SITE_NAME)
    for title, summary in ((TITLE, "摘要"), ("短", None), (TITLE * 3, "浦东新区街头有一批先锋骑手。" * 9)):
        card = _pudong_card(title, summary or "")
        im = _img(card)
        rows, _ = art._packed_rows(im)
        assert base.deflated.deflate(rows) is not None  # the shared rows were used
        assert zlib.decompress(_idat(card)) == rows
        whole = art._palette_png(im)
        assert zlib.decompress(_idat(whole)) == rows
        assert len(card) <= len(whole) + 32
    moved = base.indices.copy()
    moved.putpixel((5, 5), 1)  # outside the text rows: deflated whole
    assert base.deflated.deflate(art._packed_rows(moved)[0]) is None


def _brightest(im: Image.Image) -> int:
    top = im.getextrema()[1]
    assert isinstance(top, int)
    return top


def test_social_card_pattern_fades_in_steps(bold: ImageFont.FreeTypeFont) -> None:
    """The pattern sits on the right half, fading in over a few hard bands: none under the left text."""
    layer = art._social_background("xuhui", "parks")
    w, h = art.SOCIAL_SIZE
    assert _brightest(layer.crop((0, 0, w // 2, h))) == 0
    tints = [_brightest(layer.crop((x, 0, x + w // 8, h))) for x in range(w // 2, w, w // 8)]
    assert tints == sorted(tints) and tints[0] < tints[-1]  # brighter towards the right edge
    assert 2 < sum(1 for n in layer.histogram() if n) <= art.SOCIAL_TINTS  # a few tints, no ramp


def test_shared_art_cache_serves_every_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bold: ImageFont.FreeTypeFont
) -> None:
    """With SITE_BUILDER_SHARED_CACHE set, projects draw into and read from one art store."""
    from site_builder.cache import SHARED_ENV, namespace_root

    shared = tmp_path / "shared"
    monkeypatch.setenv(SHARED_ENV, str(shared))
    first, second = tmp_path / "a" / ".cache", tmp_path / "b" / ".cache"
    assert namespace_root(first, "art") == namespace_root(second, "art") == shared.resolve()
    assert namespace_root(first, "pages") == first  # only content-keyed namespaces are shared
    drawn = art.cached_cover(namespace_root(first, "art") / "art", "浦东新区", "pudong", "楼宇", "buildings")
    assert drawn is not None and drawn.parent == shared.resolve() / "art"
    found = art.cached_cover(
        namespace_root(second, "art") / "art", "浦东新区", "pudong", "楼宇", "buildings", draw=False
    )
    assert found == drawn
    monkeypatch.delenv(SHARED_ENV)
    assert namespace_root(first, "art") == first
