"""An edit's search index changes only the files it touches, and the site gets the same bytes as
assembling every part (``update_search_files`` against ``build_search_files``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from site_builder.cache import Store
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search import build_search_files
from site_builder.outputs.search.index import doc_part, docs_from_cases, update_search_files, word_tables
from tests.support.synthetic import synthetic_cases

VOCAB = load_vocabularies()


def _edit(cases: list[Case], n: int, **changes: Any) -> list[Case]:
    return [c.model_copy(update=changes) if i == n else c for i, c in enumerate(cases)]


EDITS: dict[str, Callable[[list[Case]], list[Case]]] = {
    "title": lambda cs: _edit(cs, 3, title=cs[3].title + "（修订）"),
    "summary": lambda cs: _edit(cs, 5, summary=cs[5].summary + "新增的服务时间"),
    "body": lambda cs: _edit(cs, 7, background=(cs[7].background or "") + "\n\n补充说明驿站开放到夜里十点。"),
    "a number": lambda cs: _edit(cs, 9, background=(cs[9].background or "") + "\n\n服务骑手12345人次。"),
    "a tag other cases use": lambda cs: _edit(cs, 11, tags=[*cs[11].tags, cs[12].tags[0]]),
    "a new tag": lambda cs: _edit(cs, 11, tags=[*cs[11].tags, "从未用过的标签"]),
    "the district": lambda cs: _edit(
        cs, 13, district=next(t.name for t in VOCAB.districts.terms if t.name != cs[13].district)
    ),
    "the year": lambda cs: _edit(cs, 2, year=cs[2].year - 3),
    "two cases": lambda cs: _edit(_edit(cs, 1, title=cs[1].title + "甲"), 30, summary=cs[30].summary + "乙"),
    "a removed case": lambda cs: cs[:20] + cs[21:],
}


Base = tuple[Store, list[Case], dict[str, bytes], dict[str, Any]]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    """An index assembled once, with the parts cache every test's edit adds to."""
    store = Store(tmp_path_factory.mktemp("cache"), "search-docs")
    cases = synthetic_cases(40)
    files, state, complete = update_search_files(cases, VOCAB, None, lambda _: None, store=store)
    assert complete and files == build_search_files(cases, VOCAB)
    return store, cases, files, state


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_updated_index_is_the_assembled_index(base: Base, edit: str) -> None:
    store, cases, files, state = base
    edited = EDITS[edit](cases)
    read_paths: list[str] = []

    def read(path: str) -> bytes | None:
        read_paths.append(path)
        return files.get(path)

    changed, _, complete = update_search_files(edited, VOCAB, state, read, store=store)
    site = changed if complete else {**files, **changed}
    assert site == build_search_files(edited, VOCAB, store=store)  # the parts path, tested against none
    if edit in ("title", "summary", "body", "a number", "a tag other cases use", "two cases"):
        assert not complete, "the documents kept their numbers: only what changed is made"
        assert len(changed) < len(files) / 4 and len(read_paths) < len(files) / 4
        assert all(changed[p] != files[p] for p in changed if p.startswith(("search/i/", "search/p/")))


def test_a_damaged_state_or_missing_file_assembles_everything(base: Base) -> None:
    store, cases, files, state = base
    edited = EDITS["body"](cases)
    expected = build_search_files(edited, VOCAB, store=store)
    for previous, read in (
        ({**state, "ids": "x"}, files.get),
        ({"v": 0}, files.get),
        (state, lambda _: None),  # the earlier build's files are gone
    ):
        changed, _, complete = update_search_files(edited, VOCAB, previous, read, store=store)
        assert complete and changed == expected


def test_a_part_made_from_an_earlier_one_is_the_part_made_afresh() -> None:
    tables = word_tables(VOCAB)
    cases = synthetic_cases(12, seed=5)
    for case in cases:
        earlier = doc_part(docs_from_cases([case])[0], tables)
        for edited in (
            case.model_copy(update={"background": (case.background or "") + "\n\n新增2.5万名骑手的服务。"}),
            case.model_copy(update={"title": case.title + "驿站", "summary": case.summary + "金头盔"}),
            case.model_copy(update={"tags": [*case.tags, "暖心驿站"], "year": case.year + 1}),
            case,
        ):
            doc = docs_from_cases([edited])[0]
            assert doc_part(doc, tables, like=earlier) == doc_part(doc, tables)
