"""What makes a warm build cheap: cached outputs, linked media, one hash per case, cached templates, slugs.

Each cache must be invisible: the same bytes as without it, a damaged entry made again, and a
change to what it depends on seen at once.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from site_builder import build
from site_builder.browse import model as browse_model
from site_builder.browse.model import SiteModel
from site_builder.build import BuildSettings, cached_outputs, place_file, site_digest
from site_builder.cache import Memo, Store, cache_root
from site_builder.casefile.loader import require_cases
from site_builder.casefile.vocab import load_vocabularies
from site_builder.media.plan import MediaPlan, photo_paths
from site_builder.outputs.catalog import Output
from site_builder.pages.jinjacache import attach_bytecode_cache
from site_builder.pages.render import body_cache_key, case_context
from tests.support.project import FIXTURE_CASES, ROOT, SMALL_SITE_ENV, build_in_process, make_project


def _site(folder: Path = FIXTURE_CASES) -> SiteModel:
    cases = require_cases([folder], cases_root=folder).cases
    return SiteModel([c for c in cases if not c.is_draft], load_vocabularies())


def _settings(tmp_path: Path, **kw: object) -> BuildSettings:
    fields: dict[str, object] = {"site_dir": tmp_path / "site", "site_name": "测试", **kw}
    return BuildSettings(root=tmp_path, **fields)  # type: ignore[arg-type]


def test_outputs_are_cached_identical_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site()
    settings = _settings(tmp_path)
    calls: list[int] = []

    media = MediaPlan(covers={c.id: f"assets/covers/{c.id}.webp" for c in site.cases})

    def counted(s: SiteModel, st: BuildSettings, m: MediaPlan) -> dict[str, bytes]:
        calls.append(1)
        return {**build.search_outputs(s, st, m), **build.feed_outputs(s, st, m)}

    monkeypatch.setattr(build, "OUTPUTS", (Output("counted", counted, "计数", "测试用的输出"),))
    fresh = counted(site, settings, media)
    calls.clear()

    def read(files: dict[str, Path]) -> dict[str, bytes]:
        return {rel: path.read_bytes() for rel, path in files.items()}

    assert read(cached_outputs(site, settings, media)) == fresh
    first = cached_outputs(site, settings, media)
    assert read(first) == fresh
    assert len(calls) == 1, "the second build reuses the stored files"
    store = Store(cache_root(tmp_path), "outputs")
    assert all(path.parent == store.dir for path in first.values())
    biggest = max(first.values(), key=lambda p: p.stat().st_size)
    biggest.write_bytes(biggest.read_bytes()[:-10])  # truncated: fails its digest
    assert read(cached_outputs(site, settings, media)) == fresh
    assert len(calls) == 2
    (manifest,) = [p for p in store.dir.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
    manifest.write_text("{}", encoding="utf-8")  # edited: fails its digest
    assert read(cached_outputs(site, settings, media)) == fresh
    assert len(calls) == 3
    other = MediaPlan(covers={c.id: f"assets/photos/{c.id}.webp" for c in site.cases})
    assert read(cached_outputs(site, settings, other)) == counted(site, settings, other), (
        "addresses are inputs"
    )


def test_outputs_unchanged_by_a_build_are_linked_not_written_again(tmp_path: Path) -> None:
    """A second site built from the same cases links the same cache files: nothing is recreated."""
    site = _site()
    settings = _settings(tmp_path)
    first = build.write_outputs(site, MediaPlan(), settings)
    before = {
        p.relative_to(settings.site_dir): p.stat().st_ino for p in settings.site_dir.rglob("*") if p.is_file()
    }
    edited = site.cases[0].model_copy(update={"summary": site.cases[0].summary + "。"})
    other = BuildSettings(root=tmp_path, site_dir=tmp_path / "site2", site_name="测试")
    assert build.write_outputs(SiteModel([edited, *site.cases[1:]], site.vocab), MediaPlan(), other) == first
    after = {p.relative_to(other.site_dir): p.stat().st_ino for p in other.site_dir.rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    same = [rel for rel in before if before[rel] == after[rel]]
    assert len(same) > len(before) // 2, "files the edit did not change are the same cache entries"
    assert len(same) < len(before), "the edited case's files are new"
    assert all(os.stat(tmp_path / "site" / rel).st_nlink >= 2 for rel in same)


def test_site_digest_sees_every_input(tmp_path: Path) -> None:
    site = _site()
    media = MediaPlan()
    base = site_digest(site, _settings(tmp_path), media)
    assert site_digest(_site(), _settings(tmp_path), MediaPlan()) == base
    assert site_digest(site, _settings(tmp_path, site_url="https://example.org/x/"), media) != base
    assert site_digest(site, _settings(tmp_path, edit_base="https://example.org/edit/"), media) != base
    assert site_digest(site, _settings(tmp_path), MediaPlan(social={"index.md": "a.png"})) != base
    changed = site.cases[0].model_copy(update={"summary": site.cases[0].summary + "。"})
    edited = SiteModel([changed, *site.cases[1:]], site.vocab)
    assert site_digest(edited, _settings(tmp_path), media) != base


def test_build_digest_sees_every_input(tmp_path: Path) -> None:
    """A whole build is remembered under this digest: any input it reads must change it."""
    site = _site()
    base = build.build_digest(site, _settings(tmp_path))
    assert build.build_digest(_site(), _settings(tmp_path)) == base
    elsewhere = BuildSettings(
        root=tmp_path, site_dir=tmp_path / "elsewhere", site_name="测试", parallel=False
    )
    assert build.build_digest(site, elsewhere) == base
    for changed in (
        {"site_url": "https://example.org/x/"},
        {"edit_base": "https://example.org/edit/"},
        {"site_name": "另一个名字"},
        {"site_description": "另一段说明"},
        {"home": False},
    ):
        assert build.build_digest(site, _settings(tmp_path, **changed)) != base, changed
    edited = site.cases[0].model_copy(update={"title": site.cases[0].title + "二"})
    assert build.build_digest(SiteModel([edited, *site.cases[1:]], site.vocab), _settings(tmp_path)) != base
    copy = tmp_path / "cases"
    shutil.copytree(FIXTURE_CASES, copy)
    copied = _site(copy)
    assert build.build_digest(copied, _settings(tmp_path)) == base
    with_photo = [c for c in copied.cases if c.images]
    assert with_photo, "the fixture cases include a photo"
    photo = photo_paths(with_photo[0], tmp_path)[0]
    photo.write_bytes(photo.read_bytes() + b"\0")  # the same name, other bytes
    assert build.build_digest(_site(copy), _settings(tmp_path)) != base


def test_a_remembered_build_is_used_only_while_its_files_are_intact(tmp_path: Path) -> None:
    """The second build is served from memory; a lost cached cover makes the third one draw it again."""
    config = make_project(tmp_path / "project", FIXTURE_CASES)
    first = build_in_process(config, tmp_path / "one")
    assert first.returncode == 0, first.stderr
    memo = tmp_path / "project/.cache/site_builder/builds"
    assert len([p for p in memo.glob("*.json")]) == 1
    second = build_in_process(config, tmp_path / "two")
    assert second.returncode == 0, second.stderr
    assert next(memo.glob("*.json")).stat().st_size < 50_000, "names of cached parts, not their HTML"
    covers = sorted((tmp_path / "project/.cache/site_builder/art").glob("cover-*"))
    covers[0].unlink()
    bodies = sorted((tmp_path / "project/.cache/site_builder/pages").glob("*.html"))
    bodies[0].write_bytes(b"<p>edited</p>")  # fails its digest: rendered again, never served
    third = build_in_process(config, tmp_path / "three")
    assert third.returncode == 0, third.stderr
    assert covers[0].is_file(), "drawn again"
    assert b"<p>edited</p>" not in bodies[0].read_bytes()
    one, three = (
        {str(p.relative_to(tmp_path / d)): p.read_bytes() for p in (tmp_path / d).rglob("*") if p.is_file()}
        for d in ("one", "three")
    )
    assert one == three


def test_place_file_links_readable_and_falls_back_to_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = Store(tmp_path / "cache", "art").put("a.jpg", b"jpeg bytes")
    assert stat.S_IMODE(cached.stat().st_mode) & 0o044 != 0o044  # the store writes private files
    target = tmp_path / "site" / "a.jpg"
    target.parent.mkdir()
    target.write_bytes(b"old")
    place_file(cached, target)
    assert target.read_bytes() == b"jpeg bytes"
    assert os.path.samefile(cached, target)
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044, "the published file is world-readable"

    def no_links(*_: object) -> None:
        raise OSError("cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    other = tmp_path / "site" / "b.jpg"
    place_file(cached, other)
    assert other.read_bytes() == b"jpeg bytes" and not os.path.samefile(cached, other)


def test_body_key_memo_changes_nothing_but_speed() -> None:
    site = _site()
    memo: dict[int, str] = {}
    for case in site.cases:
        context = case_context(case, site, edit_url=None)
        assert body_cache_key(context, memo) == body_cache_key(context)
    case = site.cases[0]
    related = [c for c, _ in site.related(case)]
    assert related, "the fixture case has related cases"
    key = body_cache_key(case_context(case, site))
    renamed = related[0].model_copy(update={"title": related[0].title + "（新）"})
    edited = SiteModel([renamed if c.id == renamed.id else c for c in site.cases], site.vocab)
    assert body_cache_key(case_context(edited.by_id[case.id], edited)) != key, "a related title is shown"


def test_template_bytecode_cache_renders_the_same(tmp_path: Path) -> None:
    loader = jinja2.DictLoader({"t.html": "{% for x in xs %}<b>{{ x }}</b>{% endfor %}"})
    plain = jinja2.Environment(loader=loader, autoescape=True)
    expected = plain.get_template("t.html").render(xs=["<i>", "二"])
    for _ in range(2):  # first compiles and stores, second loads the stored code
        env = attach_bytecode_cache(jinja2.Environment(loader=loader, autoescape=True), tmp_path, "t")
        assert env.get_template("t.html").render(xs=["<i>", "二"]) == expected
    spaces = [p.name for p in tmp_path.iterdir()]
    assert len(spaces) == 1 and len([p for p in (tmp_path / spaces[0]).iterdir() if p.suffix == ".bc"]) == 1
    for entry in (tmp_path / spaces[0]).glob("*.bc"):
        entry.write_bytes(b"garbage")  # damaged: compiled again, never loaded
    env = attach_bytecode_cache(jinja2.Environment(loader=loader, autoescape=True), tmp_path, "t")
    assert env.get_template("t.html").render(xs=["<i>", "二"]) == expected
    # other settings compile to other code: a separate entry
    attach_bytecode_cache(jinja2.Environment(loader=loader, autoescape=False), tmp_path, "t").get_template(
        "t.html"
    )
    assert len(list(tmp_path.iterdir())) == 1 and len(list((tmp_path / "jinja").glob("*.bc"))) == 2


def test_remembered_slugs_are_the_same_and_skip_pypinyin(tmp_path: Path) -> None:
    tags = ["金色头盔", "B站", "1℃空间", "楼长制"]
    expected = {t: browse_model._slugify_tag(t) for t in tags}
    browse_model.TAG_SLUGS.used.clear()
    for t in tags:
        browse_model.slugify_tag(t)
    browse_model.save_slugs(tmp_path)
    script = (
        "import sys, json; from pathlib import Path; from site_builder.browse import model as m;"
        f"m.remember_slugs(Path({str(tmp_path)!r}));"
        f"print(json.dumps([{{t: m.slugify_tag(t) for t in {tags!r}}}, 'pypinyin' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    slugs, imported = json.loads(out.stdout)
    assert slugs == expected and not imported


def test_warm_build_is_byte_identical_to_cold(small_project: Path, small_site: Path, tmp_path: Path) -> None:
    """Every cache of a warm build (outputs, bodies, templates, slugs, linked media) is invisible.

    The cold build is the session's ``small_site``; the warm one rebuilds a copy of its project
    with its caches (``small_project`` is shared by every test and worker, so it stays read-only).
    """
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    proc = build_in_process(config, tmp_path / "warm", env=SMALL_SITE_ENV)
    assert proc.returncode == 0, proc.stderr
    cold, warm = (
        {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}
        for site in (small_site, tmp_path / "warm")
    )
    assert cold.keys() == warm.keys()
    assert [k for k in cold if cold[k] != warm[k]] == []
    assert (config.parent / ".cache/site_builder/outputs").is_dir()


def test_remembered_qr_codes_are_the_same_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder.pages import qr

    addresses = [f"https://example.org/site/cases/c-{i}/" for i in range(3)]
    expected = {a: qr.make_qr_image(a) for a in addresses}
    monkeypatch.setattr(qr, "QR_CODES", Memo("qr", lambda a: qr.make_qr_image(a)))
    assert [qr.qr_image(a) for a in addresses] == list(expected.values())
    qr.save_qr_codes(tmp_path)
    qr.QR_CODES.reset()
    monkeypatch.setattr(qr, "make_qr_image", lambda a: pytest.fail("encoded again"))
    qr.remember_qr_codes(tmp_path)
    assert [qr.qr_image(a) for a in addresses] == list(expected.values())
    (entry,) = (tmp_path / "qr").glob("qr-*.json")
    entry.write_text(entry.read_text().replace("img", "IMG"))  # edited: fails its digest, not loaded
    qr.QR_CODES.reset()
    qr.remember_qr_codes(tmp_path)
    assert qr.QR_CODES.values == {}


def test_related_table_is_remembered_and_follows_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _site()
    expected = {c.id: [(r.id, e) for r, e in fresh.related(c)] for c in fresh.cases}
    first = _site()
    first.prepare_related(tmp_path)
    assert {c.id: [(r.id, e) for r, e in first.related(c)] for c in first.cases} == expected

    def no_scoring(*_: object, **__: object) -> list[int]:
        raise AssertionError("scored again although nothing changed")

    with monkeypatch.context() as m:
        m.setattr("heapq.nlargest", no_scoring)
        second = _site()
        second.prepare_related(tmp_path)
        assert {c.id: [(r.id, e) for r, e in second.related(c)] for c in second.cases} == expected
    # a changed tag changes the inputs: scored again, and the result is the fresh one
    base = _site()
    edited_case = base.cases[0].model_copy(update={"tags": [*base.cases[0].tags, "新标签"]})
    edited_case.bind(base.cases[0].id, base.cases[0].source_path)  # type: ignore[arg-type]
    edited = SiteModel([edited_case, *base.cases[1:]], base.vocab)
    edited.prepare_related(tmp_path)
    plain = SiteModel([edited_case, *base.cases[1:]], base.vocab)
    assert {c.id: [(r.id, e) for r, e in edited.related(c)] for c in edited.cases} == {
        c.id: [(r.id, e) for r, e in plain.related(c)] for c in plain.cases
    }


def test_parse_cache_gives_the_same_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.casefile import yamlio

    files = sorted([*FIXTURE_CASES.glob("*.yaml"), *(ROOT / "cases").glob("*.yaml")])
    assert files
    monkeypatch.setattr(yamlio, "_PARSE_CACHE", None)
    expected = {f: yamlio.read_yaml(f, f.name) for f in files}
    yamlio.use_parse_cache(tmp_path)
    try:
        first = {f: yamlio.read_yaml(f, f.name) for f in files}
        monkeypatch.setattr(yamlio, "parse_text", lambda *a, **k: pytest.fail("parsed again"))
        clean = [f for f in files if expected[f][0] is not None and not expected[f][1]]
        second = {f: yamlio.read_yaml(f, f.name) for f in clean}
    finally:
        yamlio.use_parse_cache(None)
    assert first == expected
    assert second == {f: expected[f] for f in clean}
    stored = list((tmp_path / "parsed").glob("[!.]*"))
    assert len(stored) == len(clean), "files with any finding are never cached"


def test_parse_cache_entry_damaged_or_unfaithful_is_not_used(tmp_path: Path) -> None:
    from site_builder.casefile import yamlio

    case = tmp_path / "c.yaml"
    case.write_text("title: 标题\nyear: 2021\nlist:\n  - 1\n  - 二\n", encoding="utf-8")
    yamlio.use_parse_cache(tmp_path / "cache")
    try:
        doc, errors = yamlio.read_yaml(case, "c.yaml")
        (entry,) = (tmp_path / "cache" / "parsed").glob("[!.]*")
        entry.write_bytes(entry.read_bytes().replace("标题".encode(), "改了".encode()))
        again, _ = yamlio.read_yaml(case, "c.yaml")
    finally:
        yamlio.use_parse_cache(None)
    assert errors == [] and doc is not None and again == doc
    assert again.data["title"] == "标题"
    int_keys = yamlio.Document({1: "a"}, yamlio.Positions("x.yaml"))
    assert yamlio.document_to_json(int_keys) is None, "JSON would turn the key into a string"


def test_parse_cache_does_not_depend_on_the_folder_a_build_starts_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder.casefile import yamlio

    case = tmp_path / "c.yaml"
    case.write_text("title: 标题\nyear: 2021\n", encoding="utf-8")
    yamlio.use_parse_cache(tmp_path / "cache")
    try:
        first, _ = yamlio.read_yaml(case, "cases/c.yaml")
        monkeypatch.setattr(yamlio, "parse_text", lambda *a, **k: pytest.fail("parsed again"))
        assert yamlio.is_parse_cached(case, "../project/cases/c.yaml")
        second, _ = yamlio.read_yaml(case, "../project/cases/c.yaml")
    finally:
        yamlio.use_parse_cache(None)
    assert first is not None and second is not None and second.data == first.data
    assert second.positions.path == "../project/cases/c.yaml"
