"""Tests for the photo pipeline, driven by a corpus of hostile images generated at test time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from site_builder.cache import forget_used, prune_caches
from site_builder.media import photos as images
from site_builder.media.photos import (
    ImageRejectedError,
    check_image,
    process_image,
    render_picture_html,
)
from tests.support import bombs
from tests.support.image_corpus import CORPUS, GPS_LATITUDE, Sample, write_oversized, write_sample


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    images._check_cache.clear()
    images.stats.reset()
    images.use_photo_cache(None)  # an in-process build or validate earlier in the session set one


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("corpus")
    return {s.name: write_sample(s, directory) for s in CORPUS}


@pytest.mark.parametrize("sample", CORPUS, ids=[s.name for s in CORPUS])
def test_check_image_verdicts(sample: Sample, corpus: dict[str, Path]) -> None:
    reason = check_image(corpus[sample.name])
    if sample.reject is None:
        assert reason is None
    else:
        assert reason is not None and sample.reject in reason
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason)  # a Chinese sentence


def test_check_image_refuses_truncated_even_if_global_flag_set(corpus: dict[str, Path]) -> None:
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        assert "不完整" in (check_image(corpus["truncated_jpeg"]) or "")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_oversized_file_refused_without_reading(tmp_path: Path) -> None:
    reason = check_image(write_oversized(tmp_path))
    assert reason is not None and "15 MB" in reason
    assert images.stats.decodes == 0


def test_missing_file(tmp_path: Path) -> None:
    assert "找不到" in (check_image(tmp_path / "nope.jpg") or "")


def test_bomb_refused_before_decoding(corpus: dict[str, Path]) -> None:
    assert check_image(corpus["bomb_real"]) is not None
    assert check_image(corpus["bomb_declared"]) is not None
    assert images.stats.decodes == 0


def test_check_image_is_cached_by_content(corpus: dict[str, Path], tmp_path: Path) -> None:
    assert check_image(corpus["ok_jpeg"]) is None
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(corpus["ok_jpeg"].read_bytes())
    assert check_image(copy) is None
    assert images.stats.decodes == 1
    assert images.stats.check_cache_hits == 1


def test_process_rejects_bad_input(corpus: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ImageRejectedError, match="GIF"):
        process_image(corpus["gif_as_png"], cache_dir=tmp_path)


def _open_all(processed: images.ProcessedImage) -> list[Image.Image]:
    return [Image.open(p) for p in processed.files]


def _assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    im = Image.open(path)
    assert not im.getexif(), path
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp"):
        assert key not in im.info, (path, key)
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"ICC_PROFILE", b"ICCP", b"XMP ", b"SecretCam"):
        assert marker not in data, (path, marker)


@pytest.mark.parametrize("name", [s.name for s in CORPUS if s.reject is None])
def test_outputs_have_no_metadata(name: str, corpus: dict[str, Path], tmp_path: Path) -> None:
    processed = process_image(corpus[name], cache_dir=tmp_path)
    assert processed.files
    for path in processed.files:
        _assert_no_metadata(path)


def test_input_really_had_gps(corpus: dict[str, Path]) -> None:
    """Guard the test above: the source does carry GPS data."""
    gps = Image.open(corpus["exif_gps_jpeg"]).getexif().get_ifd(0x8825)
    assert tuple(float(v) for v in gps[2]) == GPS_LATITUDE


def _close(a: tuple[int, ...], b: tuple[int, ...], tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=False))


def test_exif_orientation_applied(corpus: dict[str, Path], tmp_path: Path) -> None:
    processed = process_image(corpus["exif_gps_jpeg"], cache_dir=tmp_path)
    # Stored 120×80 with orientation 6 (rotate 90° clockwise): shown 80×120, left half on top.
    assert (processed.width, processed.height) == (80, 120)
    for im in _open_all(processed):
        rgb = im.convert("RGB")
        assert _close(rgb.getpixel((40, 10)), (255, 0, 0))  # type: ignore[arg-type]
        assert _close(rgb.getpixel((40, 110)), (0, 0, 255))  # type: ignore[arg-type]


def test_cmyk_colours(corpus: dict[str, Path], tmp_path: Path) -> None:
    for im in _open_all(process_image(corpus["cmyk_jpeg"], cache_dir=tmp_path)):
        assert im.mode == "RGB"
        assert _close(im.getpixel((30, 20)), (255, 0, 0))  # type: ignore[arg-type]


def test_icc_profile_converted_to_srgb(corpus: dict[str, Path], tmp_path: Path) -> None:
    # The source pixels are (255, 0, 0) but the profile says they are blue.
    for im in _open_all(process_image(corpus["icc_swapped_jpeg"], cache_dir=tmp_path)):
        assert _close(im.convert("RGB").getpixel((30, 20)), (0, 0, 255), tol=20)  # type: ignore[arg-type]


def test_16bit_grey_keeps_its_levels(corpus: dict[str, Path], tmp_path: Path) -> None:
    for im in _open_all(process_image(corpus["gray16_png"], cache_dir=tmp_path)):
        rgb = im.convert("RGB")
        w = rgb.width
        left, mid, right = (rgb.getpixel((x, 16)) for x in (2, w // 2, w - 3))
        assert left[0] < 20 and right[0] > 235  # type: ignore[index]
        assert 100 < mid[0] < 156  # type: ignore[index]


def test_16bit_rgb(corpus: dict[str, Path], tmp_path: Path) -> None:
    for im in _open_all(process_image(corpus["rgb16_png"], cache_dir=tmp_path)):
        assert _close(im.convert("RGB").getpixel((10, 10)), (255, 128, 0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "opaque", "transparent_xy"),
    [("palette_transparent_png", (0, 128, 0), (50, 30)), ("alpha_png", (0, 0, 255), (50, 30))],
)
def test_alpha_kept_in_webp_flattened_on_white_in_jpeg(
    name: str,
    opaque: tuple[int, int, int],
    transparent_xy: tuple[int, int],
    corpus: dict[str, Path],
    tmp_path: Path,
) -> None:
    processed = process_image(corpus[name], cache_dir=tmp_path)
    assert processed.has_alpha
    webp = Image.open(processed.webp[0].path)
    assert webp.mode == "RGBA"
    assert webp.getpixel(transparent_xy)[3] == 0  # type: ignore[index]
    assert _close(webp.getpixel((10, 30))[:3], opaque)  # type: ignore[index]
    jpeg = Image.open(processed.jpeg.path)
    assert jpeg.mode == "RGB"
    assert _close(jpeg.getpixel(transparent_xy), (255, 255, 255))  # type: ignore[arg-type]
    assert _close(jpeg.getpixel((10, 30)), opaque)  # type: ignore[arg-type]


def test_variants_never_upscaled_and_widths(tmp_path: Path) -> None:
    src = tmp_path / "wide.jpg"
    Image.effect_noise((2000, 1000), 40).convert("RGB").save(src, quality=80)
    processed = process_image(src, cache_dir=tmp_path / "cache")
    assert [v.width for v in processed.webp] == [480, 960, 1600]
    assert [v.height for v in processed.webp] == [240, 480, 800]
    assert processed.jpeg.width == images.JPEG_FALLBACK_WIDTH
    small = tmp_path / "small.png"
    Image.new("RGB", (300, 200), "green").save(small)
    p2 = process_image(small, cache_dir=tmp_path / "cache")
    assert [v.width for v in p2.webp] == [300]
    assert p2.jpeg.width == 300
    for path in processed.files + p2.files:
        assert path.name.startswith(processed.key[:16]) or path.name.startswith(p2.key[:16])


def test_cache_hit_does_no_image_work(corpus: dict[str, Path], tmp_path: Path) -> None:
    first = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    assert images.stats.decodes == 1
    images.stats.reset()
    second = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    assert images.stats.decodes == 0 and images.stats.cache_hits == 1
    assert second.files == first.files
    assert [p.read_bytes() for p in second.files] == [p.read_bytes() for p in first.files]


def test_cache_entry_rebuilt_when_damaged(corpus: dict[str, Path], tmp_path: Path) -> None:
    first = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    first.webp[0].path.unlink()
    again = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    assert again.webp[0].path.is_file()
    assert images.stats.decodes == 2


def test_output_is_deterministic(corpus: dict[str, Path], tmp_path: Path) -> None:
    a = process_image(corpus["alpha_png"], cache_dir=tmp_path / "a")
    b = process_image(corpus["alpha_png"], cache_dir=tmp_path / "b")
    assert [p.read_bytes() for p in a.files] == [p.read_bytes() for p in b.files]


def test_the_pruner_drops_photos_the_last_build_did_not_use(corpus: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "cache"
    drop = process_image(corpus["alpha_png"], cache_dir=root / "images")
    forget_used()  # a new build, which uses one photo only
    keep = process_image(corpus["ok_jpeg"], cache_dir=root / "images")
    (root / "images" / ".tmp-stale").write_bytes(b"left by a killed build")
    assert prune_caches(root) == len(drop.files) + 2  # the dropped files, its meta, the temp file
    assert all(p.is_file() for p in keep.files)
    assert not any(p.exists() for p in drop.files)
    forget_used()
    assert prune_caches(tmp_path / "missing") == 0


def test_damaged_cache_entry_is_made_again_not_served(corpus: dict[str, Path], tmp_path: Path) -> None:
    first = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    victim = first.files[0]
    victim.write_bytes(victim.read_bytes()[:100])  # truncated, as by a full disk or a kill
    images.stats.reset()
    again = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    assert images.stats.decodes == 1
    assert again == first and len(victim.read_bytes()) > 100


def test_render_picture_html_escapes_everything(corpus: dict[str, Path], tmp_path: Path) -> None:
    processed = process_image(corpus["ok_jpeg"], cache_dir=tmp_path)
    out = render_picture_html(
        processed,
        "../media/",
        alt='党员"活动"<script>',
        caption="<b>志愿服务</b> & 宣讲",
        credit="静安区<委员会>",
        lazy=True,
    )
    assert out.startswith('<figure class="sb-figure"') and out.endswith("</figure>")
    assert '<picture><source type="image/webp" srcset="../media/' in out
    assert 'loading="lazy"' in out and 'decoding="async"' in out
    assert f'width="{processed.jpeg.width}" height="{processed.jpeg.height}"' in out
    assert "<script>" not in out and "<b>" not in out and "<委员会>" not in out
    assert "&lt;b&gt;志愿服务&lt;/b&gt; &amp; 宣讲 · 图片来源：静安区&lt;委员会&gt;" in out
    assert 'alt="党员&quot;活动&quot;&lt;script&gt;"' in out
    eager = render_picture_html(processed, "m", alt="a", caption=None, credit=None, lazy=False)
    assert "loading=" not in eager and "<figcaption>" not in eager and 'src="m/' in eager
    credit_only = render_picture_html(processed, "m/", alt="a", caption="", credit="新华社", lazy=True)
    assert "<figcaption>图片来源：新华社</figcaption>" in credit_only


def test_process_images_batch(corpus: dict[str, Path], tmp_path: Path) -> None:
    paths = [corpus["ok_jpeg"], corpus["alpha_png"], corpus["gif_as_png"]]
    results = images.process_images(paths, cache_dir=tmp_path, jobs=2)
    assert isinstance(results[corpus["ok_jpeg"]], images.ProcessedImage)
    assert isinstance(results[corpus["alpha_png"]], images.ProcessedImage)
    assert isinstance(results[corpus["gif_as_png"]], ImageRejectedError)
    images.stats.reset()
    again = images.process_images(paths[:2], cache_dir=tmp_path, jobs=2)
    assert images.stats.decodes == 0 and images.stats.cache_hits == 2
    assert again[corpus["ok_jpeg"]] == results[corpus["ok_jpeg"]]


def test_large_png_prereduced_keeps_orientation_and_icc(tmp_path: Path) -> None:
    from tests.support.image_corpus import exif_with_gps, icc_swapped_rgb, two_tone

    src = tmp_path / "big.png"
    # Stored 3400×2000 with orientation 6: shown 2000 wide, so no pre-reduction...
    # ...but stored 2000×3400 with orientation 6 is shown 3400 wide: reduced by 2 first.
    two_tone((2000, 3400)).save(src, exif=exif_with_gps(6).tobytes(), icc_profile=icc_swapped_rgb())
    processed = process_image(src, cache_dir=tmp_path / "cache")
    assert (processed.width, processed.height) == (1600, 941)
    top = Image.open(processed.largest.path).convert("RGB")
    # Left half (red in file, blue after the swapped-primaries profile) ends up on top.
    assert _close(top.getpixel((800, 100)), (0, 0, 255), tol=20)  # type: ignore[arg-type]
    assert _close(top.getpixel((800, 900)), (255, 0, 0), tol=20)  # type: ignore[arg-type]
    for path in processed.files:
        _assert_no_metadata(path)


# --- work bombs: refused from their structure, before any decoding -----------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("scan-repeat.jpg", bombs.progressive_scan_repeat((256, 256), images.MAX_JPEG_SCANS), "扫描段"),
        ("dc-scan-repeat.jpg", bombs.progressive_scan_repeat((64, 48), 200, scan=0), "扫描段"),
        ("com-markers.jpg", bombs.jpeg_many_markers(images.MAX_SEGMENTS + 1), "数据段"),
        ("app-markers.jpg", bombs.jpeg_many_markers(images.MAX_SEGMENTS + 1, marker=0xEB), "数据段"),
        ("chunks.png", bombs.png_many_chunks(images.MAX_SEGMENTS + 1), "数据段"),
        ("text-chunks.png", bombs.png_many_chunks(images.MAX_SEGMENTS + 1, b"tEXt"), "数据段"),
        ("inflate.png", bombs.png_inflate_bomb(4700, 4700), "解压后的数据量"),
        ("chunks.webp", bombs.webp_many_chunks(images.MAX_SEGMENTS + 1), "数据段"),
    ],
)
def test_work_bombs_refused_before_decoding(name: str, data: bytes, reason: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    verdict = check_image(path)
    assert verdict is not None and reason in verdict
    assert images.stats.decodes == 0
    with pytest.raises(ImageRejectedError):
        process_image(path, cache_dir=tmp_path / "cache")
    assert images.stats.decodes == 0


def test_ordinary_progressive_and_mpo_photos_pass_the_structure_walk(corpus: dict[str, Path]) -> None:
    progressive = io.BytesIO()
    Image.effect_noise((300, 200), 30).convert("RGB").save(progressive, "JPEG", progressive=True)
    assert images.structure_problem(progressive.getvalue()) is None
    assert images.structure_problem(bombs.progressive_scan_repeat((64, 64), 5)) is None
    for name in ("mpo_jpeg", "ok_jpeg", "alpha_png", "exif_gps_webp", "rgb16_png"):
        assert images.structure_problem(corpus[name].read_bytes()) is None, name


def test_one_decode_per_photo_across_checks_and_the_build(corpus: dict[str, Path], tmp_path: Path) -> None:
    """validate, the build's loader, the offline build and the summary each check; only the first decodes."""
    cache = tmp_path / "cache" / "images"
    images.use_photo_cache(cache)
    try:
        assert check_image(corpus["ok_jpeg"]) is None
        images._check_cache.clear()  # a later process of the same run
        assert check_image(corpus["ok_jpeg"]) is None
        assert "GIF" in (check_image(corpus["gif_as_png"]) or "")
    finally:
        images.use_photo_cache(None)
    results = images.process_images([corpus["ok_jpeg"]], cache_dir=cache)
    assert isinstance(results[corpus["ok_jpeg"]], images.ProcessedImage)
    assert images.stats.decodes == 1


def test_unwritable_photo_cache_still_checks(corpus: dict[str, Path], tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")  # writes fail as on a read-only disk
    images.use_photo_cache(blocked / "images")
    try:
        assert check_image(corpus["ok_jpeg"]) is None
        assert "不完整" in (check_image(corpus["truncated_jpeg"]) or "")
    finally:
        images.use_photo_cache(None)
    assert not blocked.with_name("images").exists()
