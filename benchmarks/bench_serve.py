"""Editor's loop benchmark: ``make serve`` against Zensical's own dev server, side by side.

For each size, one throwaway project of synthetic cases and, beside it, the same text as plain
Markdown pages (``write_plain_markdown``, as ``bench_build.py`` and the performance review use)
with a plain ``mkdocs.yml`` for ``zensical serve``. Measured in one run, interleaved:

- **serve start**: a build with the engine (``mkdocs build`` as ``make site``, or ``site-builder
  build --engine zensical``) fills the caches and one serve session the preview folder (what the
  last ``make serve`` left: its CPU to the first page is printed as the first start); then, in
  turns, a warm build's CPU and the CPU of ``make serve``'s command from its start to the first
  case page served (the whole process tree, Zensical's server included, read from ``/proc``),
  ``--starts`` times each; medians and the ratio (goal: serve start <= 1.2x a warm build);
- **save -> served**: ``make serve``'s command (``site-builder serve``: the project's preview
  server, MkDocs kept alive in it; with ``--engine zensical``, ``site-builder serve --engine
  zensical``: Zensical's own server renders, the project's serves) and ``zensical serve`` on the
  plain pages run at the same time; in turns, one case file of the project and the equivalent
  plain page are saved, and the wall time until the page served over HTTP carries the new title
  is taken, ``--edits`` times each; medians and the ratio (goal: <= 1.5x at 29 cases, <= 2x at
  1,000).

The load average is printed beside every figure: the machine is shared.

    .venv/bin/python benchmarks/bench_serve.py [--sizes 29,1000] [--edits 5] [--starts 3] [--engine mkdocs]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import _build, _config, write_plain_browse  # noqa: E402

from site_builder.engines import engine_env  # noqa: E402
from tests.support.project import make_project  # noqa: E402
from tests.support.synthetic import write_cases, write_plain_markdown  # noqa: E402

GOAL_SAVE = {29: 1.5, 1000: 2.0}
"""save -> served, this project / Zensical's dev server, by size (issue 26)."""
GOAL_START = 1.2
"""serve start -> first page CPU / a warm build's CPU (issue 26)."""
_TICK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return str(r.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return None


def _wait(
    predicate: Callable[[], bool], timeout: float, poll: float = 0.02, server: Server | None = None
) -> float:
    """Seconds until ``predicate`` holds; a ``server`` that exits first ends the wait at once (with its log)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        if server is not None and server.proc.poll() is not None:
            raise TimeoutError(
                f"the dev server exited with code {server.proc.returncode}: {server.tail()[-500:]}"
            )
        time.sleep(poll)
    raise TimeoutError("timed out waiting for the dev server")


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, live and reaped (from ``/proc``)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        f = stats.get(p)
        if f is None:
            continue
        total += sum(int(x) for x in f[11:15]) / _TICK  # utime stime cutime cstime
        todo.extend(children.get(p, []))
    return total


def _load() -> float:
    return os.getloadavg()[0]


@dataclass
class Server:
    """A dev server in a subprocess: its page URL and log."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path
    _out: IO[str] = field(repr=False)

    def stop(self) -> None:
        """Stop it and its children (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, 15)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        self._out.close()

    def tail(self) -> str:
        """The end of its log, for a failure."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _start(cmd: list[str], cwd: Path, port: int, log: Path, env: dict[str, str] | None = None) -> Server:
    out = open(log, "w", encoding="utf-8")  # noqa: SIM115  # closed by Server.stop
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=engine_env({**os.environ, **(env or {})}),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Server(proc, f"http://127.0.0.1:{port}/", log, out)


def serve_project(config: Path, engine: str, log: Path, port: int) -> Server:
    """``make serve``'s command on ``config``, served at the root of ``port``."""
    env = {"NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    cmd = [sys.executable, "-m", "site_builder.cli", "serve", "-a", f"127.0.0.1:{port}", "-f", str(config)]
    if engine != "mkdocs":
        cmd[4:4] = ["--engine", engine]
    return _start(cmd, config.parent, port, log, env)


def serve_zensical(config: Path, log: Path) -> Server:
    """Zensical's own dev server on the plain pages."""
    port = _free_port()
    cmd = [sys.executable, "-m", "zensical", "serve", "-a", f"127.0.0.1:{port}", "-f", str(config)]
    return _start(cmd, config.parent, port, log)


def _session_start(config: Path, engine: str, here: Path, port: int, case_id: str) -> tuple[float, float]:
    """One serve session to its first case page: CPU of its process tree and wall seconds."""
    server = serve_project(config, engine, here / "serve.log", port)
    try:
        page = server.base + f"cases/{case_id}/"
        wall = _wait(lambda: _get(page) is not None, 1800, poll=0.05, server=server)
        return _tree_cpu(server.proc.pid), wall
    except TimeoutError:
        print(server.tail(), file=sys.stderr)
        raise
    finally:
        server.stop()


def _retitle(path: Path, marker: str, pattern: str, template: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(pattern, template.format(marker=marker), text, count=1, flags=re.M), encoding="utf-8"
    )


@dataclass
class Result:
    """One size's medians, ratios and the load beside them."""

    cases: int
    warm_cpu: float
    start_cpu: float
    start_wall: float
    first_start_cpu: float
    """The priming session's start: no preview folder left by a previous ``make serve``."""
    start_load: float
    save_ours: float
    save_zensical: float
    save_max: float
    save_load: float

    @property
    def start_ratio(self) -> float:
        """serve start CPU / warm build CPU."""
        return self.start_cpu / self.warm_cpu

    @property
    def save_ratio(self) -> float:
        """save -> served, this project / Zensical's dev server."""
        return self.save_ours / self.save_zensical


def bench(n: int, edits: int = 5, starts: int = 3, engine: str = "mkdocs") -> Result:
    """Serve start and save -> served at ``n`` cases, against a warm build and Zensical's dev server."""
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        cases = write_cases(here / "cases", n)
        config = make_project(here / "project", here / "cases", strict=False)
        plain = here / "plain"
        write_plain_markdown(plain / "docs", cases)
        plain_cfg = _config(plain, plugin=False, nav=write_plain_browse(plain / "docs", cases))
        data = yaml.safe_load(plain_cfg.read_text(encoding="utf-8"))
        data.update(docs_dir="docs", site_dir="site")  # Zensical's server wants them relative
        plain_cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        site = here / "site-build"
        port = _free_port()
        # `make site` and `make serve` publish the same local address (site_builder.publish)
        os.environ["SITE_URL"] = f"http://127.0.0.1:{port}/"
        _build(config, site, engine=engine)  # cold: what `make site` leaves behind
        warm: list[float] = []
        start_cpu: list[float] = []
        start_wall: list[float] = []
        loads: list[float] = []
        case_id = f"case-{n // 2:05d}"
        first = _session_start(config, engine, here, port, case_id)  # what the last `make serve` left
        for rnd in range(starts):
            if rnd % 2:
                warm.append(_build(config, site, engine=engine).cpu)
            loads.append(_load())
            cpu, wall = _session_start(config, engine, here, port, case_id)
            start_cpu.append(cpu)
            start_wall.append(wall)
            if not rnd % 2:
                warm.append(_build(config, site, engine=engine).cpu)

        ours = serve_project(config, engine, here / "serve.log", port)
        peer = serve_zensical(plain_cfg, here / "zensical.log")
        times_ours: list[float] = []
        times_peer: list[float] = []
        save_loads = []
        try:
            page = ours.base + f"cases/{case_id}/"
            plain_page = peer.base + f"cases/{case_id}/"
            for server, url in ((ours, page), (peer, plain_page)):
                try:
                    _wait(lambda u=url: _get(u) is not None, 1800, poll=0.1, server=server)  # type: ignore[misc]
                except TimeoutError:
                    print(server.tail(), file=sys.stderr)
                    raise
            case_file = config.parent / "cases" / f"{case_id}.yaml"
            plain_file = plain / "docs" / "cases" / f"{case_id}.md"
            for i in range(edits):
                marker = f"改{i}"
                runs: list[tuple[Server, str, Callable[[], None]]] = [
                    (
                        ours,
                        page,
                        partial(_retitle, case_file, marker, r"^title: (.{1,30}).*$", r"title: \1{marker}"),
                    ),
                    (
                        peer,
                        plain_page,
                        partial(_retitle, plain_file, marker, r"^# (.{1,30}).*$", r"# \1{marker}"),
                    ),
                ]
                if i % 2:
                    runs.reverse()
                for server, url, save in runs:
                    time.sleep(1.1)  # distinct mtimes; the other server settles
                    save_loads.append(_load())
                    save()
                    try:
                        took = _wait(lambda u=url, m=marker: m in (_get(u) or ""), 600, server=server)  # type: ignore[misc]
                    except TimeoutError:
                        print(server.tail(), file=sys.stderr)
                        raise
                    (times_ours if server is ours else times_peer).append(took)
        finally:
            ours.stop()
            peer.stop()
        return Result(
            cases=n,
            warm_cpu=statistics.median(warm),
            start_cpu=statistics.median(start_cpu),
            start_wall=statistics.median(start_wall),
            first_start_cpu=first[0],
            start_load=statistics.median(loads),
            save_ours=statistics.median(times_ours),
            save_zensical=statistics.median(times_peer),
            save_max=max(times_ours),
            save_load=statistics.median(save_loads),
        )


def main() -> None:
    """Run the editor's-loop benchmark for each size and print both tables with their goals."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="29,1000")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--engine", choices=("mkdocs", "zensical"), default="mkdocs")
    args = parser.parse_args()
    results = [bench(int(s), args.edits, args.starts, args.engine) for s in args.sizes.split(",")]
    print_results(results, edits=args.edits, starts=args.starts, engine=args.engine)


def print_results(results: list[Result], *, edits: int = 5, starts: int = 3, engine: str = "mkdocs") -> None:
    """Both tables, each ratio beside its goal and the load average beside each figure."""
    print(f"\nsave -> page served (wall, medians of {edits}; engine: {engine})")
    print(f"{'cases':>6} {'ours s':>7} {'max s':>6} {'zensical s':>11} {'ratio':>6} {'goal':>5} {'load':>5}")
    for r in results:
        goal = GOAL_SAVE.get(r.cases)
        print(
            f"{r.cases:>6} {r.save_ours:>7.2f} {r.save_max:>6.2f} {r.save_zensical:>11.2f} "
            f"{r.save_ratio:>6.2f} {'<=' + str(goal) if goal else '-':>5} {r.save_load:>5.1f}"
        )
    print(f"\nserve start -> first page vs a warm build (CPU s, medians of {starts}; engine: {engine})")
    print(
        f"{'cases':>6} {'start cpu':>10} {'start wall':>11} {'warm cpu':>9} {'ratio':>6} {'goal':>5} "
        f"{'load':>5} {'first start cpu':>16}"
    )
    for r in results:
        print(
            f"{r.cases:>6} {r.start_cpu:>10.2f} {r.start_wall:>11.2f} {r.warm_cpu:>9.2f} "
            f"{r.start_ratio:>6.2f} {'<=' + str(GOAL_START):>5} {r.start_load:>5.1f} {r.first_start_cpu:>16.2f}"
        )


if __name__ == "__main__":
    main()
