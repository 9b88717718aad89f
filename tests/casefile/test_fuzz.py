"""Bounded fuzzing of the case loader: mutated real cases never crash, hang or speak English.

The inputs come from ``tests/support/fuzz.py``. Each run applies 1-3 random mutations (fixed
seed, so failures reproduce) to one of the real cases in ``cases/``: byte flips, deleted/duplicated/swapped lines, indentation changes, full-width
punctuation, deep nesting, huge and non-finite numbers, odd Unicode (bidi, fillers, controls,
emoji, line separators), truncation, CRLF/CR/BOM, YAML features (anchors, tags, documents),
and the attack round's kinds: a key indented into the block above, character references to
invisible characters, nested-bracket bombs, spreadsheet formulas, huge lists, links in text.
Every mutated file must give either a valid case or located Chinese errors (the loader's and the
lint errors the build also enforces); what is accepted must be whole: no
invisible character on the rendered page, no link, no cell a spreadsheet runs, no list or text
past its limit, and no Markdown link search per bracket. How long parsing takes is measured by
``benchmarks/bench_parse.py``, not asserted here (a busy machine would fail a time bound).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from markdown import inlinepatterns
from pydantic import BaseModel

from site_builder.casefile.loader import load_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import MAX_FILE_BYTES, parse_text
from site_builder.checks.lint import find_swallowed_keys, lint_errors
from site_builder.outputs.export import FORMULA_STARTS, csv_cell
from site_builder.pages.markup import render_markdown
from site_builder.textnorm import find_invisible
from tests.support.fuzz import ADVERSARIAL, BLOCK_KEYS, RUNS, SEED, mutated_cases

_ENGLISH = re.compile(r"found|expected|while |Node\(|<unicode|Traceback|Error\b|scanning|parsing")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_mutated_cases_never_crash_hang_or_speak_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    vocab = load_vocabularies()
    searches = [0]
    original = inlinepatterns.LinkInlineProcessor.handleMatch

    def counted(self: inlinepatterns.LinkInlineProcessor, m: re.Match[str], data: str) -> object:
        searches[0] += 1
        return original(self, m, data)

    monkeypatch.setattr(inlinepatterns.LinkInlineProcessor, "handleMatch", counted)
    outcomes = {"valid": 0, "refused": 0}
    for n, source, text in mutated_cases():
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        target = folder / source.name
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        result = load_cases([target.relative_to(tmp_path)], vocab=vocab, check_images=False, parallel=False)
        line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        errors = [e for e in result.errors if e.severity == "error" and "related" not in e.field]
        errors += lint_errors(result.cases, result.positions)  # validate, build and preview enforce these
        if not errors:
            outcomes["valid"] += 1
            for case in result.cases:
                for value in _strings(case.model_dump()):
                    assert value.strip(), f"run {n}: a blank value was accepted"
                    assert not find_invisible(value), f"run {n}: invisible characters accepted in {value!r}"
                    assert "\ufffd" not in value, f"run {n}: a lost character accepted in {value!r}"
                _assert_whole(n, case, searches)
            continue
        outcomes["refused"] += 1
        for e in errors:
            shown = e.format()
            assert "\n" not in shown, shown
            assert 1 <= e.location.line <= line_count, (n, shown)
            assert e.location.col >= 1, (n, shown)
            assert _CJK.search(e.message), (n, shown)
            assert not _ENGLISH.search(e.message), (n, shown)
            assert len(e.message) < 400, (n, shown)
    assert outcomes["refused"] > RUNS // 2
    assert outcomes["valid"] > 0


def _assert_whole(n: int, case: Case, searches: list[int]) -> None:
    """An accepted case is published as written: nothing hidden, linked, run, swallowed or unbounded."""
    for key in BLOCK_KEYS:
        text = getattr(case, key)
        if not text:
            continue
        assert not find_swallowed_keys(text), f"run {n}: a key was swallowed into {key}"
        before = searches[0]
        html = render_markdown(text)
        assert searches[0] - before <= text.count("]("), f"run {n}: {key} searched for links per bracket"
        assert not find_invisible(html) and "\ufffd" not in html, f"run {n}: {key} renders a hidden character"
        assert "<a " not in html, f"run {n}: {key} renders a link"
    for key, info in Case.model_fields.items():
        value = getattr(case, key)
        limit = next(
            (getattr(m, "max_length", None) for m in info.metadata if hasattr(m, "max_length")), None
        )
        if limit is not None and isinstance(value, str | list):
            assert len(value) <= limit, f"run {n}: {key} is longer than {limit}"
        cell = csv_cell(key, value)
        assert cell[:1] not in FORMULA_STARTS and cell.lstrip()[:1] not in FORMULA_STARTS, f"run {n}: {key}"
        for item in value if isinstance(value, list) else []:
            if isinstance(item, BaseModel):
                for sub in _strings(item.model_dump()):
                    assert len(sub) <= 1000, f"run {n}: a {key} value of {len(sub)} characters"


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_files_under_the_size_cap_are_refused_in_chinese(name: str) -> None:
    text = ADVERSARIAL[name]
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    doc, errors = parse_text(text, "cases/x.yaml")
    assert errors or doc is not None
    for e in errors:
        assert _CJK.search(e.message) and not _ENGLISH.search(e.message), e.format()


# --- photos: work bombs of random shapes are refused from their structure ------------------------


def _bomb(rng: random.Random) -> tuple[str, bytes]:
    from site_builder.media import photos
    from tests.support import bombs

    kind = rng.randrange(6)
    if kind == 0:
        size = (rng.choice([64, 300, 1200]), rng.choice([48, 200, 900]))
        return "scan.jpg", bombs.progressive_scan_repeat(size, photos.MAX_JPEG_SCANS + rng.randint(0, 400))
    if kind == 1:
        size = (rng.choice([64, 256]), rng.choice([64, 128]))
        repeats = photos.MAX_JPEG_SCANS + rng.randint(0, 200)
        return "dc-scan.jpg", bombs.progressive_scan_repeat(size, repeats, scan=0)
    if kind == 2:
        marker = rng.choice([0xFE, 0xE1, 0xE2, 0xEB, 0xEF])
        return "markers.jpg", bombs.jpeg_many_markers(
            photos.MAX_SEGMENTS + rng.randint(1, 5000), marker=marker
        )
    if kind == 3:
        chunk = rng.choice([b"prVt", b"tEXt", b"zTXt", b"iTXt", b"sPLT"])
        return "chunks.png", bombs.png_many_chunks(photos.MAX_SEGMENTS + rng.randint(1, 5000), chunk)
    if kind == 4:
        depth, colour = rng.choice([(16, 6), (16, 2), (16, 4)])
        channels = {6: 4, 2: 3, 4: 2}[colour]
        side = int((photos.MAX_DECODED_BYTES / (channels * 2)) ** 0.5) + rng.randint(10, 500)
        side = min(side, int(photos.MAX_PIXELS**0.5))
        return "inflate.png", bombs.png_inflate_bomb(side, side, depth, colour)
    return "chunks.webp", bombs.webp_many_chunks(photos.MAX_SEGMENTS + rng.randint(1, 5000))


def test_image_bombs_of_random_shapes_are_refused_before_decoding(tmp_path: Path) -> None:
    from site_builder.media import photos

    rng = random.Random(SEED)
    photos.stats.reset()
    photos.use_photo_cache(None)  # an in-process build earlier in the session may have set one
    for n in range(24):
        name, data = _bomb(rng)
        path = tmp_path / f"{n}-{name}"
        path.write_bytes(data)
        photos._check_cache.clear()
        reason = photos.check_image(path)
        if reason is None and name == "inflate.png":
            continue  # at the limit for its colour type: allowed, and its decode is bounded by the limit
        assert reason is not None and _CJK.search(reason) and not _ENGLISH.search(reason), (n, name, reason)
    assert photos.stats.decodes == 0
