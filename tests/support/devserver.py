"""``make serve``'s preview server in a subprocess on a free loopback port, with its log watched line by line."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from site_builder.engines import engine_env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DevServer:
    """A running preview server: its URL, and waiting on what it prints (no sleeping)."""

    def __init__(self, proc: subprocess.Popen[str], url: str):
        self.proc = proc
        self.url = url
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: str, since: int = 0, timeout: float = 120) -> str:
        """Block until a log line after ``since`` matches ``pattern``; return it."""
        regex = re.compile(pattern)

        def found() -> str | None:
            return next((x for x in self.lines[since:] if regex.search(x)), None)

        with self._changed:
            ok = self._changed.wait_for(lambda: found() is not None or self.proc.poll() is not None, timeout)
            hit = found()
        if not ok or hit is None:
            raise AssertionError(
                f"the preview server never printed {pattern!r}:\n" + "\n".join(self.lines[-40:])
            )
        return hit


@contextlib.contextmanager
def mkdocs_serve(config: Path, *, port: int | None = None, engine: str = "mkdocs") -> Iterator[DevServer]:
    """Start ``site-builder serve`` as ``make serve`` does (on ``port``, a free one by default, with
    ``engine`` rendering); stop it afterwards."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    env = engine_env({**os.environ, "SITE_URL": url, "PYTHONUNBUFFERED": "1"})
    cmd = [sys.executable, "-m", "site_builder.cli", "serve", "-a", f"127.0.0.1:{port}"]
    if engine != "mkdocs":
        cmd += ["--engine", engine]
    proc = subprocess.Popen(
        [*cmd, "-f", str(config)],
        cwd=config.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    server = DevServer(proc, url)
    try:
        server.wait_for(r"Serving on http")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server.reader.join(timeout=30)  # leave no thread behind: other tests fork only when alone
