"""Bounded fuzzing of the case loader: mutated real cases never crash, hang or speak English.

Each run applies 1-3 random mutations (fixed seed, so failures reproduce) to one of the real
cases in ``cases/``: byte flips, deleted/duplicated/swapped lines, indentation changes, full-width
punctuation, deep nesting, huge and non-finite numbers, odd Unicode (bidi, fillers, controls,
emoji, line separators), truncation, CRLF/CR/BOM, YAML features (anchors, tags, documents).
Every mutated file must give either a valid case or located Chinese errors, within a time bound.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import MAX_FILE_BYTES, parse_text
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


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    op = rng.randrange(20)
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
        if not errors:
            outcomes["valid"] += 1
            for case in result.cases:
                for value in _strings(case.model_dump()):
                    assert value.strip(), f"run {n}: a blank value was accepted"
                    assert not find_invisible(value), f"run {n}: invisible characters accepted in {value!r}"
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
