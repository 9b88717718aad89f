"""The per-file check cache ("checked"): the same cases and findings as checking afresh, and a
change to the file, the vocabularies or the code checks the file again."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from site_builder import cache as cache_module
from site_builder.casefile import loader, yamlio
from site_builder.casefile.loader import LoadResult, load_cases, remembered_findings
from site_builder.casefile.vocab import Term, Vocabularies, Vocabulary, load_vocabularies
from site_builder.checks.lint import lint_case, lint_cases, lint_errors
from tests.support.project import FIXTURE_CASES, ROOT


@pytest.fixture
def cases(tmp_path: Path) -> Iterator[Path]:
    """A copy of the fixture and repository cases, with the check cache switched on beside it."""
    folder = tmp_path / "cases"
    shutil.copytree(FIXTURE_CASES, folder)
    for f in sorted((ROOT / "cases").glob("*.yaml"))[:6]:
        shutil.copy(f, folder / f.name)
    before = yamlio.parse_cache()
    yamlio.use_parse_cache(tmp_path / "cache")
    try:
        yield folder
    finally:
        yamlio.use_parse_cache(before)


def _load(folder: Path, **kwargs: object) -> LoadResult:
    return load_cases([folder], cases_root=folder, parallel=False, **kwargs)  # type: ignore[arg-type]


def _forbid_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    fail = lambda *a, **k: pytest.fail("checked again")  # noqa: E731
    monkeypatch.setattr(loader, "read_yaml", fail)
    monkeypatch.setattr("site_builder.casefile.models.check_by_kind", fail)
    monkeypatch.setattr("site_builder.checks.lint.lint_case", fail)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    real = yamlio.read_yaml

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "read_yaml", counted)
    return calls


def _packs(folder: Path) -> list[Path]:
    return sorted((folder.parent / "cache" / "checked").glob("[!.]*"))


def _stored(folder: Path) -> list[str]:
    """The digests of the files whose checks the packs hold."""
    return sorted(k for pack in _packs(folder) for k in yamlio.safe_loads(pack.read_bytes())[1])


def test_cached_checks_give_the_same_cases_and_findings(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = yamlio.parse_cache()
    yamlio.use_parse_cache(None)
    try:
        fresh = _load(cases)
    finally:
        yamlio.use_parse_cache(before)
    first = _load(cases)
    assert _stored(cases), "clean files are kept"
    expected_lint = lint_cases(fresh.cases, fresh.positions)
    expected_strict = lint_cases(fresh.cases, fresh.positions, strict=True)
    _forbid_checks(monkeypatch)
    second = _load(cases)
    assert len(second.findings) == len(_stored(cases)) > 0
    for result in (first, second):
        assert [c.model_dump() for c in result.cases] == [c.model_dump() for c in fresh.cases]
        assert [(c.id, c.source_path) for c in result.cases] == [(c.id, c.source_path) for c in fresh.cases]
        assert result.errors == fresh.errors
        assert result.positions.keys() == fresh.positions.keys()
        assert all(result.positions[k].values == fresh.positions[k].values for k in fresh.positions)
        assert lint_cases(result.cases, result.positions, known=result.findings) == expected_lint
        assert (
            lint_cases(result.cases, result.positions, strict=True, known=result.findings) == expected_strict
        )


def test_files_with_errors_are_never_kept(cases: Path) -> None:
    (cases / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    result = _load(cases)
    assert any(e.location.path.endswith("broken.yaml") for e in result.errors)
    assert "broken" not in result.findings
    assert len(_stored(cases)) == len(result.findings)


def test_an_edited_file_is_checked_again(cases: Path) -> None:
    _load(cases)
    target = cases / "luwan-building-branch.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("summary:", "summary: 详见 https://example.com/x 。", 1), encoding="utf-8")
    result = _load(cases)
    found = lint_errors(result.cases, result.positions, result.findings)
    assert any(f.location.path.endswith("luwan-building-branch.yaml") and "网址" in f.message for f in found)
    target.write_text(text.replace("title:", "title: 新", 1), encoding="utf-8")
    again = _load(cases)
    case = next(c for c in again.cases if c.id == "luwan-building-branch")
    assert case.title.startswith("新")


def test_a_changed_vocabulary_checks_every_file_again(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(cases)
    vocab = load_vocabularies()
    first = vocab.districts.terms[0]
    renamed = dataclasses.replace(first, aliases=(*first.aliases, "测试别名区"))
    changed = Vocabularies(
        Vocabulary("district", [renamed, *vocab.districts.terms[1:]], list(vocab.districts.former)),
        vocab.fields,
        vocab.groups,
    )
    assert isinstance(renamed, Term)
    calls = _count_reads(monkeypatch)
    _load(cases, vocab=changed)
    assert len(calls) == len(list(cases.glob("*.yaml")))


def test_a_code_change_checks_every_file_again(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(cases)
    calls = _count_reads(monkeypatch)
    _load(cases)
    assert calls == [a for a in calls if "broken" in str(a)], (
        "unchanged code and files: nothing checked again"
    )
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda *paths: "other code")
    _load(cases)
    assert len(calls) == len(list(cases.glob("*.yaml")))


def test_cross_case_lints_still_see_every_case(cases: Path) -> None:
    """Only a file's own findings are kept: a duplicate title made by a second file is found."""
    source = cases / "luwan-building-branch.yaml"
    _load(cases)
    shutil.copy(source, cases / "luwan-building-copy.yaml")
    result = _load(cases)
    found = lint_cases(result.cases, result.positions, known=result.findings)
    assert any(f.location.path.endswith("luwan-building-copy.yaml") and f.field == "title" for f in found)
    assert "luwan-building-branch" in result.findings


def test_a_damaged_entry_is_checked_again(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _load(cases)
    assert _packs(cases)
    for entry in _packs(cases):
        entry.write_bytes(entry.read_bytes()[:-5])
    monkeypatch.setattr(loader, "_PACKS", {})  # a new run reads the damaged pack
    calls = _count_reads(monkeypatch)
    again = _load(cases)
    assert len(calls) == len(list(cases.glob("*.yaml")))
    assert [c.model_dump() for c in again.cases] == [c.model_dump() for c in expected.cases]
    assert again.findings.keys() == expected.findings.keys()
    case = again.cases[0]
    assert again.findings[case.id] == lint_case(case, again.positions[case.id])


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the packs this process read, as a new run would."""
    monkeypatch.setattr(loader, "_PACKS", {})


def test_a_run_that_checks_nothing_afresh_writes_nothing(
    cases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(cases)
    (pack,) = _packs(cases)
    before = pack.stat()
    _new_process(monkeypatch)
    calls = _count_reads(monkeypatch)
    _load(cases)
    assert [a for a in calls if "broken" not in str(a)] == []
    after = pack.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    (cases / "new-case.yaml").write_bytes((cases / "luwan-building-branch.yaml").read_bytes() + b"# x\n")
    _new_process(monkeypatch)
    _load(cases)
    assert _packs(cases) == [pack], "still one file for the whole folder"
    assert len(_stored(cases)) == len(set(_stored(cases))) > 1


def test_checking_one_file_keeps_the_others(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(cases)
    every = _stored(cases)
    target = cases / "luwan-building-branch.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("title:", "title: 新", 1), encoding="utf-8")
    _new_process(monkeypatch)
    load_cases([target], cases_root=cases, parallel=False)
    assert set(every) < set(_stored(cases))


def test_a_pack_entry_naming_other_code_is_never_run(
    cases: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry is unpickled with only the case models allowed: one that names a function is
    refused (the file is checked afresh), so a tampered cache cannot run code."""
    _load(cases)
    (pack,) = _packs(cases)
    generation, entries = yamlio.safe_loads(pack.read_bytes())
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (marker.touch, ())

    evil = pickle.dumps(Payload())
    cache_module.Store(tmp_path / "cache", "checked").put(
        pack.name, pickle.dumps((generation, {k: (g, evil) for k, (g, _) in entries.items()}))
    )
    _new_process(monkeypatch)
    calls = _count_reads(monkeypatch)
    result = _load(cases)
    assert not marker.exists()
    assert len(calls) == len(list(cases.glob("*.yaml")))
    assert result.cases


def test_cross_case_findings_are_remembered_until_a_file_changes(
    cases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _load(cases)
    expected = lint_cases(result.cases, result.positions, known=result.findings)
    computed: list[int] = []

    def compute(found: LoadResult) -> list[Any]:
        computed.append(1)
        return lint_cases(found.cases, found.positions, known=found.findings)

    assert remembered_findings(result, "test", "options", lambda: compute(result)) == expected
    _new_process(monkeypatch)
    again = _load(cases)
    assert remembered_findings(again, "test", "options", lambda: compute(again)) == expected
    assert len(computed) == 1, "nothing changed: read back"
    assert remembered_findings(again, "test", "other options", lambda: compute(again)) == expected
    assert len(computed) == 2, "other options: computed"
    shutil.copy(cases / "luwan-building-branch.yaml", cases / "luwan-building-copy.yaml")
    _new_process(monkeypatch)
    copied = _load(cases)
    found = remembered_findings(copied, "test", "options", lambda: compute(copied))
    assert len(computed) == 3
    assert any(f.location.path.endswith("luwan-building-copy.yaml") and f.field == "title" for f in found)


def test_without_a_cache_nothing_is_remembered(cases: Path) -> None:
    before = yamlio.parse_cache()
    yamlio.use_parse_cache(None)
    try:
        result = _load(cases)
        calls: list[int] = []

        def compute() -> list[Any]:
            calls.append(1)
            return []

        for _ in range(2):
            remembered_findings(result, "test", "", compute)
    finally:
        yamlio.use_parse_cache(before)
    assert result.digests is None and len(calls) == 2
