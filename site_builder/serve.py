"""The preview server (``make serve``): a saved case is served before the rest of the site follows.

One process serves the built site over HTTP on the loopback address with live reload (a script
of this site, no third-party request), watches the case files and everything a build reads
(mkdocs.yml, docs/, the theme) and keeps the engine alive (:class:`site_builder.plugin.LiveEngine`):

- **a saved case** (a file in ``cases/``): only that file is checked again, its page (or the page
  listing its gaps) is rendered through the running engine and written, and the browser showing it
  reloads; then a full build in a forked child brings every other page that shows the case, the
  error banner, search and data up to date, and the pages it changed reload. A newer save stops
  that child first (its pages are written whole or not at all), so saves never queue behind it;
- **anything else** (a photo, mkdocs.yml, docs/, the theme): a full build in this process, then
  every open page reloads.

Errors show as in any build of the preview (:mod:`site_builder.preview`): located lines in the
terminal, and the banner on the pages. The core decides every page; this module only decides when.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import gc
import hashlib
import html
import http.server
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from site_builder.browse import urls
from site_builder.build import (
    Generation,
    case_page_inputs,
    describe_pages,
    load_published_cases,
    model_site,
)
from site_builder.cache import Store, cache_root
from site_builder.casefile.loader import CASE_SUFFIX
from site_builder.pages.render import GeneratedPage, case_page, render_case_bodies
from site_builder.preview import PreviewState

log = logging.getLogger("mkdocs.plugins.site_builder.serve")

QUIET_SECONDS = 0.05
"""How long a file must stay unchanged before it is read when no event says its writer is done."""
PING_SECONDS = 20.0
"""How often an open page's live-reload connection is pinged (a closed tab is noticed then)."""
PREVIEW_DIR = "preview"
"""The served folder's name under the project's cache root (see :func:`preview_folder`)."""
RELOAD_PATH = "__sb/"
"""Under the site's address: the live reload script and its WebSocket."""
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""RFC 6455's constant for the handshake's ``Sec-WebSocket-Accept``."""

RELOAD_JS = """(() => {
  const me = document.currentScript;
  const {page, stamp, since} = me.dataset;
  const socket = me.src.replace(/^http/, "ws").replace(/livereload\\.js.*$/, "") +
    `socket?page=${encodeURIComponent(page)}&stamp=${stamp}&since=${since}`;
  let pause = 250, gone = false;
  const connect = () => {
    const ws = new WebSocket(socket);
    ws.onopen = () => { pause = 250; };
    ws.onmessage = (event) => { if (event.data === "reload") { gone = true; location.reload(); } };
    ws.onclose = () => { if (!gone) setTimeout(connect, pause); pause = Math.min(pause * 2, 4000); };
  };
  connect();
})();
"""
"""One WebSocket per open page (no HTTP connection held: the browser's six per host stay free for
pages). The server answers "reload" once the page's file or banner changed, or the site was
rebuilt, or it is a different server (restarted); a lost connection is opened again, so a page
comes back by itself after the server restarts."""


class Reloads:
    """What open pages wait on: each served page's bytes and banner, and whole-site rebuilds."""

    def __init__(self, roots: Path | list[Path], banner: Callable[[str], str] | None = None) -> None:
        self.roots = [roots] if isinstance(roots, Path) else roots
        """The served folders: the first holding a file at a path serves it."""
        self.banner = banner or (lambda url: "")
        """The preview's error banner of a page URL ('' when every case file is fine)."""
        self.everything = 0
        """Counts full builds after which every page reloads (the theme or docs changed)."""
        self.instance = os.urandom(4).hex()
        """This server's name: a page served by another (before a restart) reloads."""
        self._changed = threading.Condition()

    @property
    def since(self) -> str:
        """What a page served now carries: this server and its count of full builds."""
        return f"{self.instance}.{self.everything}"

    def stamp(self, rel: str, data: bytes | None = None) -> str:
        """A digest of what is served at ``rel``: the file (``data``, when read already) and its
        banner ('' when there is no file)."""
        if data is None:
            found = self.file(rel)
            try:
                data = found.read_bytes() if found is not None else None
            except OSError:
                data = None
            if data is None:
                return ""
        return hashlib.blake2b(data + self.banner(page_url(rel)).encode(), digest_size=8).hexdigest()

    def file(self, rel: str) -> Path | None:
        """The file served at ``rel`` (a folder's ``index.html``), never outside the served folders."""
        for root in self.roots:
            target = (root / rel).resolve()
            if not target.is_relative_to(root.resolve()):
                return None
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                return target
        return None

    def is_folder(self, rel: str) -> bool:
        """True when ``rel`` names a folder of a served folder (its address needs a final slash)."""
        return any(
            (root / rel).resolve().is_relative_to(root.resolve()) and (root / rel).is_dir()
            for root in self.roots
        )

    def notify(self, *, everything: bool = False) -> None:
        """Files were written: pages whose file changed (or all, with ``everything``) reload."""
        with self._changed:
            if everything:
                self.everything += 1
            self._changed.notify_all()

    def stale(self, rel: str, stamp: str, since: str) -> bool:
        """True when a page served as ``stamp`` after ``since`` is not what would be served now."""
        return since != self.since or self.stamp(rel) != stamp

    def wait(self, rel: str, stamp: str, since: str, timeout: float) -> bool:
        """True once the page at ``rel`` is not what was served (``stamp``) or the site was rebuilt."""
        with self._changed:
            return self._changed.wait_for(lambda: self.stale(rel, stamp, since), timeout=timeout)


def page_url(rel: str) -> str:
    """The page URL a served file stands for (``cases/x/index.html`` -> ``cases/x/``)."""
    return rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the preview folder: directories as their ``index.html``, live reload in every page."""

    server: PreviewHTTPServer
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:  # http.server's naming
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def log_message(self, format: str, *args: Any) -> None:
        """No line per request (the terminal is for builds and errors)."""

    def _answer(self, *, head: bool) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        mount = self.server.mount
        if not path.startswith(mount):
            if (path + "/") == mount:
                return self._send(302, b"", "text/plain", head, {"Location": mount})
            return self._not_found(head)
        rel = path[len(mount) :]
        if rel == RELOAD_PATH + "livereload.js":
            return self._send(200, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        if rel == RELOAD_PATH + "reload":  # an open page of an earlier version's long-poll script
            return self._send(200, b"reload", "text/plain", head)
        if rel == RELOAD_PATH + "socket":
            query = parse_qs(split.query)
            return self._live(
                query.get("page", [""])[0], query.get("stamp", [""])[0], query.get("since", [""])[0]
            )
        reloads = self.server.reloads
        if rel and not path.endswith("/") and reloads.is_folder(rel):
            return self._send(301, b"", "text/plain", head, {"Location": quote(path + "/")})
        target = reloads.file(rel)
        if target is None:
            return self._not_found(head)
        if target.name == "index.html" and not rel.endswith("index.html"):
            rel += "index.html"
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(head)
        kind = _content_type(target.name)
        if kind.startswith("text/html"):
            data = self.server.with_reload(data, rel)
        self._send(200, data, kind, head)

    def _live(self, rel: str, stamp: str, since: str) -> None:
        """The live-reload WebSocket of one open page: "reload" once it is stale, pings till then."""
        key = self.headers.get("Sec-WebSocket-Key")
        if "websocket" not in self.headers.get("Upgrade", "").lower() or not key:
            return self._send(400, b"WebSocket expected", "text/plain", False)
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.close_connection = True
        reloads = self.server.reloads
        with contextlib.suppress(OSError):
            while True:
                if reloads.wait(rel, stamp, since, PING_SECONDS):
                    self.wfile.write(_frame(0x1, b"reload") + _frame(0x8, b"\x03\xe8"))
                    return
                self.wfile.write(_frame(0x9, b""))  # a ping: a closed tab fails here

    def _not_found(self, head: bool) -> None:
        page = self.server.reloads.file("404.html")
        data = page.read_bytes() if page is not None else "<h1>404：找不到这个页面</h1>".encode()
        self._send(404, self.server.with_reload(data, "404.html"), "text/html; charset=utf-8", head)

    def _send(
        self, code: int, data: bytes, kind: str, head: bool, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            with contextlib.suppress(ConnectionError):
                self.wfile.write(data)


def _frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked WebSocket frame from the server (payloads here are short)."""
    return bytes([0x80 | opcode, len(payload)]) + payload


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".gz": "application/gzip",
    ".yml": "text/yaml; charset=utf-8",
}


def _content_type(name: str) -> str:
    return _TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


class PreviewHTTPServer(http.server.ThreadingHTTPServer):
    """The HTTP side: the folder, its address path and the reload state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], mount: str, reloads: Reloads) -> None:
        super().__init__(address, PreviewHandler)
        self.mount = mount
        self.reloads = reloads

    def with_reload(self, page: bytes, rel: str) -> bytes:
        """``page`` as the preview shows it: the error banner (if any) and the live reload script
        before its ``</body>``. The files on disk stay as a build writes them."""
        reloads = self.reloads
        script = (
            f'{reloads.banner(page_url(rel))}<script src="{html.escape(self.mount + RELOAD_PATH)}livereload.js" '
            f'data-page="{html.escape(rel)}" data-stamp="{reloads.stamp(rel, page)}" '
            f'data-since="{reloads.since}"></script>'
        ).encode()
        at = page.lower().rfind(b"</body>")
        return page + script if at < 0 else page[:at] + script + page[at:]


class Changes:
    """Paths the watcher saw change, handed over once each is written in full.

    A path whose last event says the writer is done (closed after writing, moved into place,
    deleted, created empty) is ready at once; any other waits until it has been quiet for
    :data:`QUIET_SECONDS` (watchers without close events, editors that write in steps).
    """

    def __init__(self) -> None:
        self._paths: dict[Path, bool] = {}
        self._cond = threading.Condition()
        self._last = 0.0

    def add(self, path: Path, *, done: bool = False) -> None:
        """Note a changed path; ``done`` when the event says its writer has finished."""
        with self._cond:
            self._paths[path] = done
            self._last = time.monotonic()
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> set[Path]:
        """Block until something changed and is complete; the paths (none after ``timeout``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._paths), timeout):
                return set()
            while not all(self._paths.values()) and (quiet := time.monotonic() - self._last) < QUIET_SECONDS:
                self._cond.wait(QUIET_SECONDS - quiet)
            paths, self._paths = set(self._paths), {}
            return paths


class Background:
    """One full build in a forked child at a time; :meth:`stop` kills it (and its children)."""

    def __init__(self, on_done: Callable[[], None]) -> None:
        self.on_done = on_done
        self.parent = os.getpid()
        self.pid: int | None = None
        self.waiter: threading.Thread | None = None
        self.stopped = False

    def start(self, work: Callable[[], None]) -> None:
        """Run ``work`` in a forked child; ``on_done`` runs here when it succeeds."""
        self.stop()
        sys.stdout.flush()
        sys.stderr.flush()
        # No thread may be writing a log line as the child is made (it would inherit the stream's
        # lock held, and hang on its first line): the handlers' locks are held across the fork.
        handlers = [h for name in ("", "mkdocs") for h in logging.getLogger(name).handlers]
        for handler in handlers:
            handler.acquire()
        try:
            pid = os.fork()
        finally:
            if os.getpid() == self.parent:  # the child's are new ones (logging's own fork hook)
                for handler in handlers:
                    handler.release()
        if pid == 0:  # the child: its own process group, so stop() reaches its writer too
            code = 1
            try:
                os.setpgid(0, 0)
                os.nice(10)  # behind the server and the editor's next save
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                work()
                code = 0
            except BaseException:  # the child reports and exits, never returns
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.pid, self.stopped = pid, False
        self.waiter = threading.Thread(target=self._wait, args=(pid,), name="preview-build", daemon=True)
        self.waiter.start()

    def _wait(self, pid: int) -> None:
        _, status = os.waitpid(pid, 0)
        if not self.stopped and os.waitstatus_to_exitcode(status) == 0:
            self.on_done()
        elif not self.stopped:
            log.error("预览的完整构建失败（见上面的信息）；已保存的案例页面照常显示")

    def stop(self) -> None:
        """Stop the running child, if any, and wait until it is gone."""
        if self.pid is None or self.waiter is None:
            return
        self.stopped = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)  # itself: it may not have its own group yet
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # and what it started
        self.waiter.join()
        self.pid = self.waiter = None


def _settle() -> None:
    """Keep what a full build left (cases, the engine's pages and templates) out of the garbage
    collector's scans: a save then pays for what it allocates, not for the whole site. What the
    last freeze kept is let go first, so the cycles of builds replaced since are collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Live(Protocol):
    """An engine kept alive for the preview (:class:`site_builder.plugin.LiveEngine` for MkDocs,
    :class:`site_builder.engines.zensical.LiveZensical`): it renders what the core decides."""

    @property
    def preview(self) -> PreviewState:
        """The preview state its builds use (broken files, last good versions)."""

    @property
    def served(self) -> list[Path]:
        """The folders the preview serves, the first holding a file wins."""

    watched: list[Path]
    background_delay: float
    """Seconds without a save before the full build that follows a save starts."""

    def build(self) -> None:
        """A full build in this process."""

    def build_in_child(self) -> None:
        """A full build in the preview's forked child."""

    def render(self, pages: list[GeneratedPage]) -> list[Path]:
        """Render ``pages`` (a saved case's) through the last build's state."""

    def remove(self, src_uri: str, url: str) -> None:
        """Take down the page of a deleted case."""

    def wait_for_writer(self) -> None:
        """Wait for the last build's output files."""

    def close(self) -> None:
        """Stop what the engine runs beside the preview."""


ENGINES = ("mkdocs", "zensical")
"""Which engine renders the preview (``site-builder serve --engine``)."""


def live_engine(engine: str, config_file: Path, site_dir: Path, site_url: str) -> Live:
    """The kept-alive ``engine`` for a preview of ``config_file`` served from ``site_dir``."""
    if engine == "zensical":
        from site_builder.engines.zensical import LiveZensical

        return LiveZensical(config_file, site_dir, site_url)
    from site_builder.plugin import LiveEngine

    return LiveEngine(config_file, site_dir, site_url)


class Session:
    """The running preview: engine, served folder, watcher and the loop that reacts to saves."""

    def __init__(self, config_file: Path, site_dir: Path, site_url: str, engine: str = "mkdocs") -> None:
        self.engine = live_engine(engine, config_file, site_dir, site_url)
        self.site_dir = site_dir
        self.started = False
        self.reloads = Reloads(self.engine.served, self.banner)
        self.changes = Changes()
        self.background = Background(lambda: self.reloads.notify())
        self.writer_joined = False
        self.pending = False
        """A save's full build waits for the editor to pause (:attr:`Live.background_delay`)."""
        self.reload_all = False
        """The engine renders in another process (Zensical's server): after a full build, every
        page reloads once it reports its pages written."""
        if hasattr(self.engine, "on_rendered"):
            self.engine.on_rendered = self._rendered

    def _rendered(self) -> None:
        everything, self.reload_all = self.reload_all, False
        self.reloads.notify(everything=everything)

    def banner(self, url: str) -> str:
        """The error banner of the page at ``url``, as the last check of the case files found them."""
        return self.engine.preview.overlay(url) if self.started else ""

    @property
    def cases_dir(self) -> Path:
        """The watched case folder."""
        built = self.engine.preview.built
        assert built is not None
        return built[0].cases_dir

    def start(self) -> None:
        """The first full build (fails loudly: nothing to serve yet)."""
        self.engine.build()
        self.started = True
        _settle()

    def watched(self) -> list[Path]:
        """Every path a save of which changes the preview."""
        return [self.cases_dir, *self.engine.watched]

    def run_once(self) -> None:
        """Wait for the next save and bring the preview up to date."""
        paths = self.changes.take(self.engine.background_delay if self.pending else None)
        if not paths:  # the editor paused: the rest of the site follows the last save
            self.pending = False
            self._in_background()
            return
        self.background.stop()
        cases = self.cases_dir.resolve()
        touched = {p for p in paths if p.parent == cases}
        if touched == paths:
            self.quick(touched)
        else:
            self.full()

    def quick(self, paths: Iterable[Path]) -> None:
        """The saved case files' pages first, then everything else in the background."""
        start = time.perf_counter()
        try:
            shown = self.render_saved(paths)
        except Exception:  # a bug here must not stop the preview: the full build follows
            log.error("保存后的快速预览失败，完整构建随后更新网站：\n%s", traceback.format_exc())
        else:
            self.reloads.notify()
            log.info(
                "已更新 %s %.2f s（其他页面、搜索和数据随后更新）",
                "、".join(shown) or "案例",
                time.perf_counter() - start,
            )
        if self.engine.background_delay:
            self.pending = True
        else:
            self._in_background()

    def render_saved(self, paths: Iterable[Path]) -> list[str]:
        """Check the saved files again and write their pages (a case, or the gaps of a broken one)."""
        preview = self.engine.preview
        assert preview.built is not None
        project, settings, media = preview.built
        touched = {p.name[: -len(CASE_SUFFIX)] for p in paths if p.name.endswith(CASE_SUFFIX)}
        cases = load_published_cases(project, preview)
        site = model_site(cases, cache_root(project.root))
        ids = sorted(i for i in touched if i in site.by_id)
        inputs = case_page_inputs(settings, media)
        bodies = render_case_bodies(site, ids, inputs, store=Store(cache_root(project.root), "pages"))
        pages: list[GeneratedPage] = [
            case_page(site.by_id[i], body) for i, (_, body) in zip(ids, bodies, strict=True)
        ]
        gaps = [g for g in preview.gap_pages() if g.url in {urls.case_url(i) for i in touched}]
        described = describe_pages(Generation(pages, media, site, settings), gaps).pages
        self.engine.render(described)
        shown = {g.url for g in described}
        for gone in sorted(touched):
            url = urls.case_url(gone)
            if url not in shown:  # deleted (or a draft the site hides): its page goes
                self.engine.remove(urls.case_src(gone), url)
                shown.add(url)
        return sorted(shown)

    def _in_background(self) -> None:
        if not self.writer_joined:  # the last full build's own writer: a fork must not copy it mid-work
            self.engine.wait_for_writer()
            self.writer_joined = True
            _settle()

        self.background.start(self.engine.build_in_child)

    def full(self) -> None:
        """A full build here (the theme, docs, mkdocs.yml or a photo changed); every page reloads."""
        self.pending = False
        try:
            self.engine.build()
        except Exception as exc:  # MkDocs has printed why; keep serving the last site
            log.error("预览没有更新：%s", exc)
            return
        self.writer_joined = False
        _settle()
        self.reload_all = hasattr(self.engine, "on_rendered")
        self.reloads.notify(everything=True)


def _watch(session: Session, paths: list[Path]) -> Any:
    """A file watcher (inotify and the like, no polling) that feeds ``session.changes``."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    dirs = sorted({p.resolve() for p in paths if p.is_dir()})
    files = {p.resolve() for p in paths if p.is_file()}

    def wanted(path: Path) -> bool:
        if path.name.startswith((".#", "~")) or path.name.endswith(("~", ".swp", ".swx")):
            return False  # editors' scratch files
        return path in files or any(path.is_relative_to(d) for d in dirs)

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write") or (
                event.is_directory and event.event_type == "modified"
            ):
                return
            done = event.event_type in ("closed", "moved", "deleted")
            for raw in (event.src_path, event.dest_path):
                path = Path(os.fsdecode(raw)) if raw else None
                if path is not None and wanted(path):
                    session.changes.add(path, done=done)

    observer = Observer()
    handler = Handler()
    for d in dirs:
        if not any(d != o and d.is_relative_to(o) for o in dirs):
            observer.schedule(handler, str(d), recursive=True)
    for parent in sorted({f.parent for f in files}):
        if not any(parent.is_relative_to(d) for d in dirs):
            observer.schedule(handler, str(parent), recursive=False)
    observer.start()
    return observer


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def preview_folder(root: Path, engine: str = "mkdocs") -> Iterator[Path]:
    """The folder the preview serves.

    The project's own (``.cache/site_builder/preview/``), kept between sessions: the start then builds
    over the last preview like any warm build (unchanged pages linked from the cache or left where
    they are, stale files removed). While another preview of the same project runs, a temporary one.
    """
    folder = cache_root(root) / (PREVIEW_DIR if engine == "mkdocs" else f"{PREVIEW_DIR}-{engine}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            spare = Path(tempfile.mkdtemp(prefix="site-builder-preview-"))
            try:
                yield spare
            finally:
                shutil.rmtree(spare, ignore_errors=True)
            return
        folder.mkdir(exist_ok=True)
        yield folder


def serve(config_file: Path, host: str, port: int, engine: str = "mkdocs") -> int:
    """Build, serve on ``host:port`` with ``engine`` rendering and rebuild on every save until
    Ctrl-C; the exit code."""
    site_url = os.environ.get("SITE_URL") or f"http://{host}:{port}/"
    mount = urlsplit(site_url).path or "/"
    mount = mount if mount.endswith("/") else mount + "/"
    stop = signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: the background build goes too
    try:
        with preview_folder(config_file.parent, engine) as site_dir:
            session = Session(config_file, site_dir, site_url, engine)
            try:
                return _serve(session, host, port, mount)
            finally:
                session.engine.close()
    finally:
        signal.signal(signal.SIGTERM, stop)


def _serve(session: Session, host: str, port: int, mount: str) -> int:
    try:
        server = PreviewHTTPServer((host, port), mount, session.reloads)
    except OSError as exc:
        log.error(
            "预览无法启动：地址 %s:%d 不可用（%s）。请关掉占用它的程序，或换一个端口：-a %s:8001",
            host,
            port,
            exc.strerror,
            host,
        )
        return 1
    try:
        session.start()
    except Exception as exc:  # MkDocs has printed the problem
        log.error("预览无法启动：%s", exc)
        server.server_close()
        return 1
    observer = _watch(session, session.watched())
    threading.Thread(target=server.serve_forever, name="preview-http", daemon=True).start()
    log.info("Serving on http://%s:%d%s", host, port, mount)
    try:
        while True:
            session.run_once()
    except KeyboardInterrupt:
        log.info("预览已停止")
    finally:
        session.background.stop()
        server.shutdown()
        server.server_close()
        observer.stop()
    return 0
