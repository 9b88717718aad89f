"""Incremental by construction: after an edit, a build from the cache equals a clean build byte for
byte, and does only the work of what the edit changed (one case tokenized, only the list pages that
show the edited part of the case rendered again).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from site_builder.cache import Store, cache_root, forget_stamps
from site_builder.casefile.loader import require_cases
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search import index as search_index
from site_builder.outputs.search.index import build_search_files
from site_builder.pages import render
from tests.support.project import FIXTURE_CASES, SMALL_SITE_ENV, build_in_process, make_project
from tests.support.synthetic import synthetic_cases

ART = ("art", "images", "qr")
"""Namespaces a clean build may share (drawings of covers and cards): nothing this test is about."""


def _tree(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _edit(path: Path, field: str, added: str) -> None:
    _set(path, field, str(_read(path)[field]).rstrip() + added)


def _read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _set(path: Path, field: str, value: object) -> None:
    data = _read(path)
    data[field] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _build(config: Path, out: Path) -> str:
    result = build_in_process(config, out, env=SMALL_SITE_ENV)
    assert result.returncode == 0, result.stderr
    return result.stderr


def _count(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Record which cases are tokenized and which list pages rendered from here on."""
    seen: dict[str, list[str]] = {"tokenized": [], "listed": []}
    tokenize = search_index.doc_part

    def counted_part(
        doc: search_index.SearchDoc, tables: search_index.WordTables, like: search_index.DocPart | None = None
    ) -> search_index.DocPart:
        seen["tokenized"].append(doc.id)
        return tokenize(doc, tables, like)

    draw = render.ListPage.render

    def counted_render(self: render.ListPage) -> str:
        seen["listed"].append(self.url)
        return draw(self)

    monkeypatch.setattr(search_index, "doc_part", counted_part)
    monkeypatch.setattr(render.ListPage, "render", counted_render)
    return seen


def test_an_edited_site_from_the_cache_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_project(tmp_path / "edited", FIXTURE_CASES)
    _build(config, tmp_path / "edited" / "site")
    files = sorted((tmp_path / "edited" / "cases").glob("*.yaml"))
    published = {
        c.id for c in require_cases([FIXTURE_CASES], cases_root=FIXTURE_CASES).cases if not c.is_draft
    }
    body_case, summary_case, moved_case = [f for f in files if f.stem in published][:3]

    seen = _count(monkeypatch)
    _edit(body_case, "practice", "补充一句：驿站每晚十点关门，节假日照常开放。")
    _build(config, tmp_path / "edited" / "site")
    assert seen["tokenized"] == [body_case.stem], "only the edited case is tokenized again"
    assert seen["listed"] == [], "no list page shows a case's practice text"

    seen["tokenized"].clear()
    _edit(summary_case, "summary", "另有夜间服务。")
    _build(config, tmp_path / "edited" / "site")
    assert seen["tokenized"] == [summary_case.stem]
    assert "cases/" in seen["listed"], "the all-cases list shows summaries"
    assert "stats/" not in seen["listed"], "the statistics count cases and show no summary"
    monkeypatch.undo()

    # Edits that move a case between lists: its title (every list showing it), a tag another case
    # has and a district another case is in (the case leaves one term page for another).
    _edit(body_case, "title", "（修订）")
    _build(config, tmp_path / "edited" / "site")
    others = [_read(f) for f in files if f.stem in published and f != moved_case]
    mine = _read(moved_case)
    tag = next(t for o in others for t in o.get("tags") or [] if t not in (mine.get("tags") or []))
    _set(moved_case, "tags", [*(mine.get("tags") or []), tag])
    _build(config, tmp_path / "edited" / "site")
    district = next(o["district"] for o in others if o["district"] != mine["district"])
    _set(moved_case, "district", district)
    _build(config, tmp_path / "edited" / "site")

    # A new case (in the lists, the related cases of others, the index's order), then a deleted one.
    seen = _count(monkeypatch)
    added = moved_case.with_name("zz-added-case.yaml")
    added.write_text(moved_case.read_text(encoding="utf-8"), encoding="utf-8")
    _set(added, "title", "新增的案例：楼宇党群服务站")
    _build(config, tmp_path / "edited" / "site")
    assert seen["tokenized"] == [added.stem], "only the new case is tokenized"
    monkeypatch.undo()
    summary_case.unlink()
    _build(config, tmp_path / "edited" / "site")

    clean = make_project(tmp_path / "clean", tmp_path / "edited" / "cases")
    for name in ART:
        art = cache_root(config.parent) / name
        if art.is_dir():
            shutil.copytree(art, cache_root(clean.parent) / name)
    forget_stamps()
    _build(clean, tmp_path / "clean" / "site")
    edited, fresh = _tree(tmp_path / "edited" / "site"), _tree(tmp_path / "clean" / "site")
    assert edited.keys() == fresh.keys()
    assert [rel for rel in fresh if edited[rel] != fresh[rel]] == []


def test_search_files_from_cached_parts_are_the_same_bytes(tmp_path: Path) -> None:
    cases = synthetic_cases(60, seed=3)
    vocab = load_vocabularies()
    expected = build_search_files(cases, vocab)
    store = Store(tmp_path, "search-docs")
    assert build_search_files(cases, vocab, store=store) == expected, "parts made and stored"
    assert build_search_files(cases, vocab, store=store) == expected, "parts read back"
    entries = [
        p
        for p in store.dir.iterdir()
        if p.suffix == ".json" and not p.name.startswith(("py-", "readings-", "tables-"))
    ]
    assert len(entries) == len(cases), "one part per case, beside py.json, its readings and the word tables"
    entries[0].write_text("{}", encoding="utf-8")  # damaged: fails its digest, made again
    forget_stamps()
    assert build_search_files(cases, vocab, store=store) == expected
    edited = [cases[0].model_copy(update={"background": "全新的背景：快递员议事会每月开一次。"}), *cases[1:]]
    assert build_search_files(edited, vocab, store=store) == build_search_files(edited, vocab)


def test_list_page_keys_hold_what_the_pages_show() -> None:
    cases = [c for c in require_cases([FIXTURE_CASES], cases_root=FIXTURE_CASES).cases if not c.is_draft]
    vocab = load_vocabularies()
    from site_builder.browse.model import SiteModel

    def keys(site_cases: list[Any]) -> dict[str, str]:
        memo: dict[int, str] = {}
        pages = render.list_pages(SiteModel(site_cases, vocab), site_title="测试")
        return {p.url: render.list_page_key(p, memo) for p in pages}

    base = keys(cases)
    first = cases[0]
    body = keys([first.model_copy(update={"practice": first.practice + "又一句。"}), *cases[1:]])
    assert body == base, "no list shows a case's practice text"
    titled = keys([first.model_copy(update={"title": first.title + "（新）"}), *cases[1:]])
    changed = {url for url in base if titled[url] != base[url]}
    assert "cases/" in changed and "stats/" not in changed
    facet_indexes = {f.url for f in render.listed_facets(SiteModel(cases, vocab))}
    assert not changed & facet_indexes, "the facet indexes count a term's cases, they show no title"
    district = render.listed_facets(SiteModel(cases, vocab))[0]
    assert district.key == "district"
    listing = {t.url: [c if isinstance(c, str) else c.id for c in t.cases] for t in district.terms}
    mine = next(url for url, ids in listing.items() if first.id in ids)
    others = [url for url, ids in listing.items() if first.id not in ids]
    assert mine in changed and not changed & set(others), "only the terms listing the case"


def test_a_case_pages_inputs_key_changes_whenever_its_body_key_does() -> None:
    """The last build's body entry is taken for a case whose inputs key is unchanged, without making
    its template context: so every change of the context (the body's key) must change that key."""
    from site_builder.browse.model import SiteModel

    vocab = load_vocabularies()
    cases = [c for c in require_cases([FIXTURE_CASES], cases_root=FIXTURE_CASES).cases if not c.is_draft]
    by_id = {c.id: c for c in cases}
    inputs = render.PageInputs(
        edit_base="https://example.org/edit/", site_name="站", site_url="https://x.org/"
    )

    def keys(site_cases: list[Any], page_inputs: render.PageInputs) -> tuple[dict[str, str], dict[str, str]]:
        site = SiteModel(site_cases, vocab)
        ids = [c.id for c in site.cases]
        body = {i: name for i, _context, name in render._case_contexts(site, ids, page_inputs)}
        return render.case_inputs_keys(site, ids, page_inputs), body

    def edited(case_id: str, **update: Any) -> list[Any]:
        return [c.model_copy(update=update) if c.id == case_id else c for c in cases]

    base_inputs, base_body = keys(cases, inputs)
    changes = {
        "a related case's title": (edited("couriers-joint-meeting", title="改过的标题"), inputs),
        "a review date (the citations' fallback date)": (
            edited("hostile-text", updated="2099-01-01"),
            inputs,
        ),
        "the site's address": (cases, dataclasses.replace(inputs, site_url="https://y.org/")),
        "a related case's cover": (
            cases,
            dataclasses.replace(inputs, covers={"couriers-joint-meeting": "assets/covers/x.webp"}),
        ),
        "a new case": (
            [*cases, by_id["luwan-building-branch"].model_copy().bind("zz-new", Path("zz-new.yaml"))],
            inputs,
        ),
        "the former district's label": (
            [_without_former(c) if c.former_district else c for c in cases],
            inputs,
        ),
    }
    assert by_id["luwan-building-branch"].former_district, "a fixture case names a former district"
    for what, (site_cases, page_inputs) in changes.items():
        after_inputs, after_body = keys(site_cases, page_inputs)
        moved = {i for i in base_body.keys() & after_body.keys() if base_body[i] != after_body[i]}
        assert moved, f"{what}: the change reaches some page"
        stale = {i for i in moved if base_inputs[i] == after_inputs[i]}
        assert stale == set(), f"{what}: a changed page would be taken from the last build"

    first = cases[0]
    after_inputs, _ = keys(edited(first.id, practice=first.practice + "又一句。"), inputs)
    assert {i for i in base_inputs if after_inputs[i] != base_inputs[i]} == {first.id}, (
        "a case's text reaches its own page only"
    )


def _without_former(case: Any) -> Any:
    """The case as if its file named the current district (same values, another label)."""
    copy = case.model_copy()
    copy._former_district = None
    return copy
