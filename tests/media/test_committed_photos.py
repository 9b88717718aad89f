"""Photos safe before they are committed: validate refuses GPS and far-too-large photos, and
``site-builder photos fix`` rewrites them in place (site_builder/media/photos.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

from site_builder.casefile.loader import load_cases
from site_builder.media.photos import (
    COMMIT_MAX_SIDE,
    FIX_MAX_SIDE,
    MAX_FILE_BYTES,
    WEBP_WIDTHS,
    fix_photo,
    inspect_committed,
    photo_problems,
)
from tests.support.image_corpus import XMP_PACKET, exif_with_gps, two_tone
from tests.support.project import FIXTURE_CASES


def _phone_photo(path: Path, size: tuple[int, int] = (1200, 900), orientation: int = 6) -> Path:
    """Like a phone's original: EXIF orientation and a GPS block."""
    two_tone(size, "red", "blue").save(path, "JPEG", quality=90, exif=exif_with_gps(orientation))
    return path


def test_threshold_is_derived_from_what_the_site_makes() -> None:
    assert 2 * max(WEBP_WIDTHS) == COMMIT_MAX_SIDE
    assert max(WEBP_WIDTHS) <= FIX_MAX_SIDE < COMMIT_MAX_SIDE


def test_a_photo_with_gps_is_refused_with_the_fix_command(tmp_path: Path) -> None:
    photo = _phone_photo(tmp_path / "IMG_2031.JPG")
    message = photo_problems(photo, "cases/images/IMG_2031.JPG")
    assert message is not None
    assert "GPS" in message and "site-builder photos fix cases/images/IMG_2031.JPG" in message
    assert "大得多" not in message  # 1200×900 is not too large


def test_gps_only_in_xmp_counts_too(tmp_path: Path) -> None:
    photo = tmp_path / "x.jpg"
    Image.new("RGB", (200, 100), (10, 20, 30)).save(photo, "JPEG", xmp=XMP_PACKET)
    found = inspect_committed(photo)
    assert found is not None and found.gps


def test_fix_strips_metadata_and_keeps_orientation(tmp_path: Path) -> None:
    photo = _phone_photo(tmp_path / "IMG_2031.JPG", orientation=6)
    done = fix_photo(photo)
    assert done is not None and done.had_gps and done.after == (900, 1200)  # turned upright
    with Image.open(photo) as im:
        assert im.format == "JPEG" and dict(im.getexif()) == {} and "xmp" not in im.info
        left, right = (
            im.getpixel((450, 50)),
            im.getpixel((450, 1150)),
        )  # the two halves are now top and bottom
        assert left != right
    assert photo_problems(photo) is None
    assert fix_photo(photo) is None  # nothing left to do


def test_a_far_too_large_photo_is_refused_and_shrunk(tmp_path: Path) -> None:
    photo = tmp_path / "big.png"
    Image.new("RGB", (COMMIT_MAX_SIDE + 400, 1000), (0, 120, 0)).save(photo)
    message = photo_problems(photo)
    assert message is not None and "大得多" in message and f"{COMMIT_MAX_SIDE + 400}×1000" in message
    done = fix_photo(photo)
    assert done is not None and max(done.after) == FIX_MAX_SIDE and not done.had_gps
    with Image.open(photo) as im:
        assert im.format == "PNG" and max(im.size) == FIX_MAX_SIDE


def test_an_oversized_heic_hears_both_problems_at_once(tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.HEIC.jpg"
    with photo.open("wb") as fh:
        fh.write(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16)
        fh.truncate(MAX_FILE_BYTES + 1024)
    message = photo_problems(photo)
    assert message is not None and "过大" in message and "HEIC" in message


def test_validate_refuses_a_committed_phone_photo_on_its_line(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    shutil.copytree(FIXTURE_CASES, cases)
    _phone_photo(cases / "images" / "riders-station.jpg")
    result = load_cases([cases], cases_root=cases)
    (error,) = [e for e in result.errors if e.field == "images[0].file"]
    assert error.location.line == 25 and "GPS" in error.message and "photos fix" in error.message


def test_photos_fix_command_rewrites_every_photo_under_cases(tmp_path: Path) -> None:
    images = tmp_path / "cases" / "images"
    images.mkdir(parents=True)
    _phone_photo(images / "a.jpg")
    Image.new("RGB", (300, 200), (1, 2, 3)).save(images / "clean.png")
    code = "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "photos", "fix"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert proc.returncode == 0, proc.stderr
    assert "cases/images/a.jpg：已处理" in proc.stdout and "去掉了 GPS 定位" in proc.stdout
    assert "cases/images/clean.png：不需要处理" in proc.stdout
    assert photo_problems(images / "a.jpg") is None


def test_a_photo_no_case_uses_is_checked_too_and_each_photo_once(tmp_path: Path) -> None:
    """Committing publishes it, page or no page; a photo a case uses is reported on that case's line only."""
    cases = tmp_path / "cases"
    shutil.copytree(FIXTURE_CASES, cases)
    _phone_photo(cases / "images" / "riders-station.jpg")  # used by riders-golden-helmet.yaml
    _phone_photo(cases / "images" / "IMG_2031.JPG")  # used by no case
    code = "import sys; from site_builder.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "validate", "cases"], cwd=tmp_path, capture_output=True, text=True
    )
    gps = [line for line in proc.stderr.splitlines() if "GPS" in line]
    assert len(gps) == 2, proc.stderr
    assert any(line.startswith("cases/riders-golden-helmet.yaml:25:") for line in gps)
    assert any(line.startswith("cases/images/IMG_2031.JPG:1:1: 这张照片还没有案例用到") for line in gps)
