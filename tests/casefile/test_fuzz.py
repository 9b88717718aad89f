"""Bounded fuzzing of the case loader: mutated real cases never crash, hang or speak English.

The inputs come from ``tests/support/fuzz.py``: 600 mutated copies of the real cases (fixed seed)
and pathological files just under the size cap. Every mutated file must give either a valid case
or located Chinese errors. How long parsing takes is measured by ``benchmarks/bench_parse.py``
(a test asserts no duration: a busy machine would fail it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import MAX_FILE_BYTES, parse_text
from site_builder.textnorm import find_invisible
from tests.support.fuzz import ADVERSARIAL, RUNS, mutated_cases

_ENGLISH = re.compile(r"found|expected|while |Node\(|<unicode|Traceback|Error\b|scanning|parsing")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_mutated_cases_never_crash_hang_or_speak_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    vocab = load_vocabularies()
    outcomes = {"valid": 0, "refused": 0}
    for n, source, text in mutated_cases():
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        target = folder / source.name
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        result = load_cases([target.relative_to(tmp_path)], vocab=vocab, check_images=False, parallel=False)
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


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_adversarial_files_under_the_size_cap_are_refused_in_chinese(name: str) -> None:
    text = ADVERSARIAL[name]
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    doc, errors = parse_text(text, "cases/x.yaml")
    assert errors or doc is not None
    for e in errors:
        assert _CJK.search(e.message) and not _ENGLISH.search(e.message), e.format()
