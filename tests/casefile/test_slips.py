"""Every everyday slip, made on every line where it can happen in every real case, is reported
on exactly that line, with a message naming the slip (not only the handful of goldens)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.casefile.loader import validate_document
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import parse_text

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "cases").glob("*.yaml"))
KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[a-z_]+): (?P<value>\S.*)$")
INDENTED_KEY = re.compile(r"^(?P<indent> {2,})(?P<key>[a-z_]+): (?P<value>\S.*)$")
ITEM_LINE = re.compile(r"^(?P<indent> *)- (?P<value>[^\s\-].*)$")
PLAIN_VALUE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[a-z_]+): (?P<value>[^\s\"'\[{|>].*)$")
NUMBER_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>year|value|lat|lon): (?P<value>-?[0-9.]+)$")

Slip = Callable[[re.Match[str]], str]
SLIPS: dict[str, tuple[re.Pattern[str], Slip, str]] = {
    "full-width colon": (
        KEY_LINE,
        lambda m: f"{m['indent']}{m['dash'] or ''}{m['key']}：{m['value']}",
        "全角",
    ),
    "full-width colon and space": (
        KEY_LINE,
        lambda m: f"{m['indent']}{m['dash'] or ''}{m['key']}：　{m['value']}",
        "全角",
    ),
    "no space after the colon": (
        KEY_LINE,
        lambda m: f"{m['indent']}{m['dash'] or ''}{m['key']}:{m['value']}",
        "缺少一个空格",
    ),
    "full-width spaces as indentation": (
        INDENTED_KEY,
        lambda m: "\u3000" * (len(m["indent"]) // 2) + f"{m['key']}: {m['value']}",
        "全角空格",
    ),
    "no space after the list dash": (
        ITEM_LINE,
        lambda m: f"{m['indent']}-{m['value']}",
        "缺少一个空格",
    ),
    "unclosed quote": (
        PLAIN_VALUE,
        lambda m: f'{m["indent"]}{m["dash"] or ""}{m["key"]}: "{m["value"]}',
        "引号",
    ),
    "quotes around a number": (
        NUMBER_LINE,
        lambda m: f'{m["indent"]}{m["dash"] or ""}{m["key"]}: "{m["value"]}"',
        "不要加引号",
    ),
    "key moved to column one": (
        INDENTED_KEY,
        lambda m: f"{m['key']}: {m['value']}",
        "缩进",
    ),
    "colon left out": (
        PLAIN_VALUE,
        lambda m: f"{m['indent']}{m['dash'] or ''}{m['key']} {m['value']}",
        "「: 」",
    ),
    "one space too many": (
        INDENTED_KEY,
        lambda m: f"{m['indent']} {m['key']}: {m['value']}",
        "缩进",
    ),
    "one space too few": (
        INDENTED_KEY,
        lambda m: f"{m['indent'][1:]}{m['key']}: {m['value']}",
        "缩进",
    ),
}


def _block_lines(lines: list[str]) -> set[int]:
    """Line numbers of Markdown text under ``key: |`` (slips there are just text)."""
    inside: set[int] = set()
    parent = -1
    for n, line in enumerate(lines, 1):
        indent = len(line) - len(line.lstrip(" "))
        if parent >= 0 and (not line.strip() or indent > parent):
            inside.add(n)
            continue
        parent = -1
        m = re.match(r"^( *)(- )?[a-z_]+: [|>]", line)
        if m:
            parent = len(m.group(1))
    return inside


def _variants() -> list[tuple[str, Path, int]]:
    out = []
    for name, (pattern, _, _) in SLIPS.items():
        for path in CASES:
            lines = path.read_text(encoding="utf-8").split("\n")
            blocks = _block_lines(lines)
            for n, line in enumerate(lines, 1):
                if n in blocks:
                    continue
                m = pattern.match(line)
                if m and not m["value"].startswith(("|", ">")) and m.groupdict().get("key") != "url":
                    out.append((name, path, n))
    return out


VARIANTS = _variants()


def _apply(path: Path, lineno: int, slip: str) -> str:
    pattern, change, _ = SLIPS[slip]
    lines = path.read_text(encoding="utf-8").split("\n")
    m = pattern.match(lines[lineno - 1])
    assert m is not None
    lines[lineno - 1] = change(m)
    return "\n".join(lines)


def test_there_are_many_variants() -> None:
    assert len(VARIANTS) > 3000


@pytest.mark.parametrize("slip", list(SLIPS))
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_slip_is_reported_on_its_own_line(slip: str, ending: str) -> None:
    failures = []
    keyword = SLIPS[slip][2]
    vocab = load_vocabularies()
    chosen = [v for v in VARIANTS if v[0] == slip]
    chosen = chosen[:: 2 if ending == "\n" else 5]  # every other line (a fifth with CRLF+BOM): quick
    for _, path, lineno in chosen:
        text = _apply(path, lineno, slip)
        if ending != "\n":
            text = "\ufeff" + text.replace("\n", ending)
        doc, errors = parse_text(text.removeprefix("\ufeff"), path.name, repaired=True)
        if doc is not None:
            _, model_errors = validate_document(doc.data, doc.positions, vocab, doc.flagged)
            errors += [e for e in model_errors if e.location.line not in doc.repaired_lines]
        lines = {e.location.line for e in errors}
        if lines != {lineno} or keyword not in errors[0].message:
            failures.append(f"{path.name}:{lineno}: {[e.format() for e in errors][:2]}")
    assert not failures, f"{len(failures)} misplaced:\n" + "\n".join(failures[:10])


def _blocks() -> list[tuple[Path, int, list[int]]]:
    out = []
    for path in CASES:
        lines = path.read_text(encoding="utf-8").split("\n")
        inside = _block_lines(lines)
        n = 1
        while n <= len(lines):
            if n in inside:
                run = [
                    k
                    for k in range(n, len(lines) + 1)
                    if k in inside and all(j in inside for j in range(n, k + 1))
                ]
                out.append((path, n - 1, [k for k in run if lines[k - 1].strip()]))
                n = run[-1] + 1
            else:
                n += 1
    return out


BLOCKS = _blocks()


@pytest.mark.parametrize("which", ["all lines", "second line"])
def test_block_text_not_indented_is_reported_on_its_first_unindented_line(which: str) -> None:
    vocab = load_vocabularies()
    failures = []
    assert len(BLOCKS) > 60
    for path, _key_line, content in BLOCKS:
        targets = content if which == "all lines" else content[1:2]
        if not targets:
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for k in targets:
            lines[k - 1] = lines[k - 1].lstrip(" ")
        doc, errors = parse_text("\n".join(lines), path.name, repaired=True)
        if doc is not None:
            _, model_errors = validate_document(doc.data, doc.positions, vocab, doc.flagged)
            errors += [e for e in model_errors if e.location.line not in doc.repaired_lines]
        if [e.location.line for e in errors] != [targets[0]] or "缩进" not in errors[0].message:
            failures.append(f"{path.name}:{targets[0]}: {[e.format() for e in errors][:2]}")
    assert not failures, f"{len(failures)} misplaced:\n" + "\n".join(failures[:10])
