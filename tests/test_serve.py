"""The editor's loop: ``make serve``'s server picks up a saved case, and a save redoes only what changed.

The server tests run the real ``site-builder serve`` (as ``make serve`` does; the server is the
point) and read pages over HTTP; the others check the watcher's hand-over, the HTTP side and the
preview's reuse of unchanged work in process.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.preview import PreviewState
from site_builder.serve import _WS_GUID, Changes, PreviewHTTPServer, Reloads
from tests.support.devserver import free_port, mkdocs_serve
from tests.support.project import FIXTURE_CASES, make_project

CASE = "riders-golden-helmet"
TITLE = "金色头盔：骑手先锋在街区"


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return ""


def _served(url: str, text: str, patience: float = 300) -> str:
    """The page at ``url`` once it contains ``text`` (polled; fails after ``patience`` seconds)."""
    deadline = time.monotonic() + patience
    page = _get(url)
    while text not in page and time.monotonic() < deadline:
        time.sleep(0.1)
        page = _get(url)
    return page


@pytest.mark.parametrize("parallel_from", ["2", "100000"], ids=["forked", "serial"])
def test_saved_case_is_served_with_its_new_text(
    tmp_path: Path, small_project: Path, monkeypatch: pytest.MonkeyPatch, parallel_from: str
) -> None:
    # As a large site: the start forks, and each save's outputs are written by a forked child.
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_FROM", parallel_from)
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    case_file = config.parent / "cases" / f"{CASE}.yaml"
    text = case_file.read_text(encoding="utf-8")
    with mkdocs_serve(config) as server:
        url = server.url + f"cases/{CASE}/"
        assert TITLE in _get(url)
        assert "案例编辑器" in _get(server.url + "admin/")

        case_file.write_text(text.replace(f"title: {TITLE}", "title: 金色头盔：改过的标题"), encoding="utf-8")
        page = _served(url, "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in page and TITLE not in page
        listing = _served(server.url + "cases/", "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in listing  # the pages listing the case follow it
        data = _served(server.url + "data/cases.json", "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in data  # the outputs, written after the page, follow too

        # A second save after the first: the form editor, written once per session, is still there.
        case_file.write_text(text, encoding="utf-8")
        assert TITLE in _served(url, TITLE)
        assert "案例编辑器" in _get(server.url + "admin/")


def test_broken_new_and_deleted_files_while_serving(tmp_path: Path, small_project: Path) -> None:
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    cases_dir = config.parent / "cases"
    helmet = cases_dir / f"{CASE}.yaml"
    good = helmet.read_text(encoding="utf-8")
    year_line = next(i for i, line in enumerate(good.splitlines(), 1) if line.startswith("year:"))
    with mkdocs_serve(config) as server:
        url = server.url + f"cases/{CASE}/"
        other = server.url + "cases/couriers-joint-meeting/"
        assert TITLE in _get(url) and "sb-preview-errors" not in _get(other)

        # A mistake: the saved case's page keeps its last good version and shows the located error
        # at once; every other page shows it after the background build; the terminal lists it.
        since = len(server.lines)
        helmet.write_text(good.replace("year: 2021", "year: 二〇二一年"), encoding="utf-8")
        page = _served(url, "sb-preview-errors")
        assert TITLE in page and f"cases/{CASE}.yaml:{year_line}:" in page and "上次正确的版本" in page
        assert f"cases/{CASE}.yaml:{year_line}:" in _served(other, f"cases/{CASE}.yaml:{year_line}:")
        server.wait_for(rf"cases/{CASE}\.yaml:{year_line}:\d+: 年份 \(year\)", since)

        # The banner is the server's, not the build's: the preview folder's pages hold neither it
        # nor the live reload script.
        built = (
            config.parent / ".cache" / "site_builder" / "preview" / "cases" / CASE / "index.html"
        ).read_text(encoding="utf-8")
        assert "sb-preview-errors" not in built and "livereload.js" not in built and TITLE in built

        # Its fix: the banner goes from the case and from the other pages.
        helmet.write_text(good, encoding="utf-8")
        assert "sb-preview-errors" not in _served_without(url, "sb-preview-errors")
        assert "sb-preview-errors" not in _served_without(other, "sb-preview-errors")

        # A new valid case is served at its address, then listed.
        fresh = (cases_dir / "couriers-joint-meeting.yaml").read_text(encoding="utf-8")
        fresh = fresh.replace("title: 快递外卖行业党建联席会议", "title: 新来的联席会议案例")
        (cases_dir / "new-joint-meeting.yaml").write_text(fresh, encoding="utf-8")
        assert "新来的联席会议案例" in _served(server.url + "cases/new-joint-meeting/", "新来的联席会议案例")
        assert "新来的联席会议案例" in _served(server.url + "cases/", "新来的联席会议案例")

        # A deleted case's page goes (404), and the list drops it.
        (cases_dir / "new-joint-meeting.yaml").unlink()
        assert _gone(server.url + "cases/new-joint-meeting/")
        assert "新来的联席会议案例" not in _served_without(server.url + "cases/", "新来的联席会议案例")


def test_serve_starts_as_a_warm_build_over_the_last_preview(tmp_path: Path, small_project: Path) -> None:
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    preview = config.parent / ".cache" / "site_builder" / "preview"
    page = preview / "cases" / CASE / "index.html"
    port = free_port()
    with mkdocs_serve(config, port=port) as server:
        assert TITLE in _get(server.url + f"cases/{CASE}/")
    asset = next(p for p in sorted((preview / "assets").rglob("*.css")) if p.stat().st_nlink == 1)
    copied = asset.stat()
    (preview / "cases" / "gone-case").mkdir()
    (preview / "cases" / "gone-case" / "index.html").write_text("<h1>已删除的案例</h1>", encoding="utf-8")

    with mkdocs_serve(config, port=port) as server:
        served = _get(server.url + f"cases/{CASE}/")
        assert TITLE in served and "livereload.js" in served
        # As in a warm build: an unchanged page is the finished file the cache remembered (linked,
        # not rendered again), the theme's files are left where they are, and a page no build makes
        # any more is gone.
        remembered = config.parent / ".cache" / "site_builder" / "rendered"
        linked = page.stat()
        assert linked.st_nlink > 1 and any(
            os.path.samestat(linked, e.stat()) for e in remembered.rglob("*.html")
        )
        assert (asset.stat().st_ino, asset.stat().st_mtime_ns) == (copied.st_ino, copied.st_mtime_ns)
        assert not (preview / "cases" / "gone-case").exists()
        assert "已删除的案例" not in _get(server.url + "cases/gone-case/")
        assert "案例编辑器" in _get(server.url + "admin/") and CASE in _get(server.url + "data/cases.json")


def test_zensical_previews_with_the_same_loop(tmp_path: Path, small_project: Path) -> None:
    # `site-builder serve --engine zensical`: Zensical's own server renders, the preview serves
    # its pages with the core's files, the banner and live reload.
    config = make_project(tmp_path / "project", FIXTURE_CASES, cache_from=small_project)
    cases_dir = config.parent / "cases"
    helmet = cases_dir / f"{CASE}.yaml"
    good = helmet.read_text(encoding="utf-8")
    year_line = next(i for i, line in enumerate(good.splitlines(), 1) if line.startswith("year:"))
    with mkdocs_serve(config, engine="zensical") as server:
        url = server.url + f"cases/{CASE}/"
        page = _get(url)
        assert TITLE in page and "livereload.js" in page and "sb-preview-errors" not in page
        assert "案例编辑器" in _get(server.url + "admin/") and CASE in _get(server.url + "data/cases.json")

        helmet.write_text(good.replace(f"title: {TITLE}", "title: 金色头盔：改过的标题"), encoding="utf-8")
        assert "金色头盔：改过的标题" in _served(url, "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in _served(server.url + "cases/", "金色头盔：改过的标题")
        assert "金色头盔：改过的标题" in _served(server.url + "data/cases.json", "金色头盔：改过的标题")

        # A mistake: every page shows the located error, and so does the terminal.
        since = len(server.lines)
        helmet.write_text(good.replace("year: 2021", "year: 二〇二一年"), encoding="utf-8")
        other = _served(server.url + "cases/couriers-joint-meeting/", f"cases/{CASE}.yaml:{year_line}:")
        assert "sb-preview-errors" in other and "上次正确的版本" in other
        server.wait_for(rf"cases/{CASE}\.yaml:{year_line}:\d+: 年份 \(year\)", since)
        helmet.write_text(good, encoding="utf-8")
        assert "sb-preview-errors" not in _served(url, TITLE)

        # A deleted case's page goes.
        helmet.unlink()
        assert _gone(url)


def _served_without(url: str, text: str, patience: float = 300) -> str:
    """The page at ``url`` once it no longer contains ``text``."""
    deadline = time.monotonic() + patience
    page = _get(url)
    while (not page or text in page) and time.monotonic() < deadline:
        time.sleep(0.1)
        page = _get(url)
    return page


def _gone(url: str, patience: float = 300) -> bool:
    """True once ``url`` answers 404."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=30).close()
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def test_a_busy_port_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {key: os.environ.get(key) for key in ("SITE_URL", "NO_MKDOCS_2_WARNING")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "-f", str(tmp_path / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port} 不可用" in err and "-a 127.0.0.1:8001" in err and "Traceback" not in err
    # in process, the serve address must not leak into later builds (their pages would name it)
    assert {key: os.environ.get(key) for key in before} == before


def test_a_file_closed_after_writing_is_handed_over_at_once() -> None:
    changes = Changes()
    first, second = Path("/x/a.yaml"), Path("/x/b.yaml")
    changes.add(first)  # modified, not closed yet
    changes.add(first, done=True)
    changes.add(second, done=True)
    assert changes.take() == {first, second}
    changes.add(first)  # a watcher without close events: handed over once quiet
    assert changes.take() == {first}
    assert changes.take(timeout=0.01) == set()  # nothing saved meanwhile: the editor paused


def _live_answer(base: str, query: str, answers: list[str]) -> None:
    """Open the live-reload WebSocket of a page as its script does; append the first message."""
    split = urllib.parse.urlsplit(base)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((host, port), timeout=60) as conn:
        conn.sendall(
            (
                f"GET /__sb/socket?{query} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        stream = conn.makefile("rb")
        assert b" 101 " in stream.readline()
        headers = []
        while (line := stream.readline()) not in (b"\r\n", b""):
            headers.append(line.decode().strip().lower())
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode().lower()
        assert f"sec-websocket-accept: {accept}" in headers
        while True:
            head = stream.read(2)
            opcode, payload = head[0] & 0x0F, stream.read(head[1] & 0x7F)
            if opcode == 0x1:  # text; pings (0x9) are skipped
                answers.append(payload.decode())
                return


def test_the_http_side_serves_pages_with_banner_and_live_reload(tmp_path: Path) -> None:
    (tmp_path / "cases" / "a").mkdir(parents=True)
    page = tmp_path / "cases" / "a" / "index.html"
    page.write_text("<html><body><h1>甲</h1></body></html>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<html><body>没有这个页面</body></html>", encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("secret", encoding="utf-8")
    errors: list[str] = []
    reloads = Reloads(tmp_path, lambda url: f'<aside id="banner">{url}</aside>' if errors else "")
    server = PreviewHTTPServer(("127.0.0.1", 0), "/", reloads)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        served = _get(base + "cases/a/")
        assert "<h1>甲</h1>" in served and 'src="/__sb/livereload.js"' in served
        assert served.index("livereload.js") < served.index("</body>") and "banner" not in served
        assert _get(base + "data.json") == "{}"
        assert "location.reload" in _get(base + "__sb/livereload.js")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "nowhere/", timeout=30)
        assert missing.value.code == 404 and "没有这个页面" in missing.value.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "..%2Fsecret.txt", timeout=30)

        # An open page waits; it is told to reload once its file changes.
        stamp, since = re.search(r'data-stamp="(\w+)" data-since="([\w.]+)"', served).groups()  # type: ignore[union-attr]
        ask = f"page=cases/a/index.html&stamp={stamp}&since={since}"
        answer: list[str] = []
        waiting = threading.Thread(target=_live_answer, args=(base, ask, answer))
        waiting.start()
        time.sleep(0.3)
        assert not answer  # nothing changed yet: still waiting
        page.write_text("<html><body><h1>乙</h1></body></html>", encoding="utf-8")
        reloads.notify()
        waiting.join(timeout=30)
        assert answer == ["reload"]

        # The error banner goes into the served page (the file stays as built), and a page served
        # without it reloads when it appears.
        served = _get(base + "cases/a/")
        stamp, since = re.search(r'data-stamp="(\w+)" data-since="([\w.]+)"', served).groups()  # type: ignore[union-attr]
        answer.clear()
        waiting = threading.Thread(
            target=_live_answer, args=(base, f"page=cases/a/index.html&stamp={stamp}&since={since}", answer)
        )
        waiting.start()
        errors.append("cases/a.yaml:3:1: ...")
        reloads.notify()
        waiting.join(timeout=30)
        assert answer == ["reload"]
        served = _get(base + "cases/a/")
        assert '<aside id="banner">cases/a/</aside><script' in served and served.index(
            "banner"
        ) < served.index("</body>")
        assert "banner" not in page.read_text(encoding="utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_reloads_after_the_server_restarts(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html><body><h1>首页</h1></body></html>", encoding="utf-8")
    before = Reloads(tmp_path)
    stamp = before.stamp("index.html")
    assert not before.stale("index.html", stamp, before.since)
    # The page was served by the server that ran before (its script reconnects to this one).
    after = Reloads(tmp_path)
    server = PreviewHTTPServer(("127.0.0.1", 0), "/", after)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer: list[str] = []
        _live_answer(
            f"http://127.0.0.1:{server.server_address[1]}/",
            f"page=index.html&stamp={stamp}&since={before.since}",
            answer,
        )
        assert answer == ["reload"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_save_validates_only_the_changed_file(cases: Path) -> None:
    state = PreviewState()
    before = {c.id: c for c in state.load(cases)}
    helmet = cases / f"{CASE}.yaml"
    helmet.write_text(
        helmet.read_text(encoding="utf-8").replace(f"title: {TITLE}", "title: 金色头盔：改过的标题"),
        encoding="utf-8",
    )
    after = {c.id: c for c in state.load(cases)}
    assert after[CASE].title == "金色头盔：改过的标题" and before[CASE].title == TITLE
    assert after[CASE] is not before[CASE]
    unchanged = [i for i in before if i != CASE]
    assert unchanged and all(after[i] is before[i] for i in unchanged)


def test_a_changed_photo_validates_the_cases_again(cases: Path) -> None:
    state = PreviewState()
    before = {c.id: c for c in state.load(cases)}
    photos = [p for p in cases.rglob("*") if p.is_file() and p.suffix.lower() in {".jpg", ".jpeg", ".png"}]
    assert photos, "the fixture cases have photos"
    photos[0].unlink()  # a case naming it is now an error, listed on every page
    after = {c.id: c for c in state.load(cases)}
    stale = {b.case_id for b in state.broken if b.stale}
    assert stale  # the case naming the photo shows its last good version, with the error
    others = [i for i in after if i in before and i not in stale]
    assert others and all(after[i] is not before[i] for i in others)  # every case checked again


def test_lint_errors_follow_the_file(cases: Path) -> None:
    state = PreviewState()
    state.load(cases)
    helmet = cases / f"{CASE}.yaml"
    good = helmet.read_text(encoding="utf-8")
    bad = good.replace("summary: ", "summary: 详见 https://example.com/a 。", 1)
    assert bad != good
    helmet.write_text(bad, encoding="utf-8")
    state.load(cases)
    (broken,) = state.broken
    assert broken.case_id == CASE and broken.stale
    assert any("网址" in e.message for e in broken.errors), [e.format() for e in broken.errors]
    helmet.write_text(good, encoding="utf-8")
    state.load(cases)
    assert state.broken == []


def test_the_form_editor_is_written_once_per_session(tmp_path: Path) -> None:
    state = PreviewState()
    inputs: tuple[object, ...] = ("repo", "main")
    assert not state.admin_written(tmp_path, inputs)  # nothing there yet: write it
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "index.html").write_text("x", encoding="utf-8")
    assert state.admin_written(tmp_path, inputs)
    assert not state.admin_written(tmp_path, ("repo", "other-branch"))
    (tmp_path / "admin" / "index.html").unlink()
    assert not state.admin_written(tmp_path, ("repo", "other-branch"))  # gone: written again
