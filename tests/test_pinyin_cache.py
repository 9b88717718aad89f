"""The form editor's pinyin table comes from the cache once made: the same bytes, no pypinyin work."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.cms import admin


def test_cached_pinyin_script_is_the_same_and_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = admin.pinyin_script()
    assert admin.cached_pinyin_script(tmp_path) == fresh
    monkeypatch.setattr(admin, "pinyin_script", lambda: pytest.fail("made again"))
    assert admin.cached_pinyin_script(tmp_path) == fresh
    (entry,) = [p for p in (tmp_path / ".cache/site_builder/pinyin").iterdir() if not p.name.startswith(".")]
    entry.write_bytes(b"window.__sbPinyin = {};\n")  # damaged: made again, never served
    monkeypatch.setattr(admin, "pinyin_script", lambda: fresh)
    assert admin.cached_pinyin_script(tmp_path) == fresh
