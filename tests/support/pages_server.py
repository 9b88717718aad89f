"""A loopback server that behaves like GitHub Pages for a built site.

The site is mounted under the path of its ``site_url`` (e.g. ``/site_builder/``), missing paths get
the site's ``404.html`` with status 404, and text is gzip-compressed when the client accepts it.
Used by the accessibility and print tests and by ``benchmarks/lighthouse.py``; it also answers
``tests.support.axe.AXE_PATH`` with axe-core for the accessibility checks.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.checks.linkcheck import base_path_of_site
from tests.support.axe import AXE, AXE_PATH

_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


def _handler(root: Path, prefix: str, compress: bool) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._respond(head=True)

        def do_GET(self) -> None:
            self._respond(head=False)

        def _resolve(self) -> Path | None:
            path = unquote(urlsplit(self.path).path)
            if path == AXE_PATH:  # the accessibility checker, served like a site script (tests.support.axe)
                return AXE
            if not path.startswith(prefix):
                return None
            rel = path[len(prefix) :]
            target = (root / rel).resolve()
            if root not in target.parents and target != root:
                return None
            if target.is_dir():
                if not path.endswith("/"):
                    return None
                target = target / "index.html"
            return target if target.is_file() else None

        def _respond(self, head: bool) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the page closed mid-response
                self._send(head)

        def _send(self, head: bool) -> None:
            target = self._resolve()
            status = 200
            if target is None:
                status, target = 404, root / "404.html"
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype == "application/javascript":
                ctype += "; charset=utf-8"
            data = target.read_bytes() if target.is_file() else b"not found"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Cache-Control", "max-age=600")
            if (
                compress
                and ctype.startswith(_COMPRESSIBLE)
                and "gzip" in self.headers.get("Accept-Encoding", "")
            ):
                data = gzip.compress(data, 6, mtime=0)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data)

    return Handler


def serve_like_pages(
    site_dir: Path, prefix: str | None = None, *, compress: bool = True
) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Serve ``site_dir`` at ``http://127.0.0.1:<port><prefix>``; returns that URL and the server.

    ``prefix`` defaults to the path the site was built for (its ``site_url``), as Pages serves it.
    """
    prefix = prefix or base_path_of_site(site_dir)
    handler = _handler(site_dir.resolve(), prefix, compress)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}{prefix}", server
