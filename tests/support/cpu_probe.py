"""Per-test CPU, Chromium included: an opt-in pytest plugin for finding what makes the suite slow.

``SITE_BUILDER_TEST_CPU=FOLDER pytest ...`` turns it on (``tests/conftest.py`` registers it). For
each test (setup, call and teardown) every pytest process writes one JSON line to ``FOLDER``: its
wall time and the CPU seconds of the worker's whole process tree, read from ``/proc`` (Linux only).
The tree is what ``/usr/bin/time`` misses: Playwright's driver and the Chromium it starts (browser,
zygote, renderers, GPU process), subprocess builds and dev servers. A process's CPU counts while it
runs (``utime + stime``) and, once its parent has reaped it, in the parent's ``cutime + cstime``;
only a process orphaned to ``init`` during a test is lost. At the end the controller prints a table
per test file and, per worker, how much of the run's wall time its tree kept a core busy: a worker
well below 1.0 core waits (sleeps, polls, page loads), one at 1.0 is CPU-bound.

Measurement, not a test: nothing here asserts, and the figures depend on the machine's load.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ENV = "SITE_BUILDER_TEST_CPU"
TICK = float(os.sysconf("SC_CLK_TCK"))


def _stat(pid: str) -> tuple[int, float, float] | None:
    """``(parent pid, own CPU s, reaped children's CPU s)`` of one process, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()
    own = (int(fields[11]) + int(fields[12])) / TICK
    reaped = (int(fields[13]) + int(fields[14])) / TICK
    return int(fields[1]), own, reaped


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds so far of ``root`` itself and of all its descendants (live or reaped) together."""
    stats = {}
    children: defaultdict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(entry.name)) is not None:
            pid = int(entry.name)
            stats[pid] = stat
            children[stat[0]].append(pid)
    if root not in stats:
        return 0.0, 0.0
    _, own, reaped = stats[root]
    others = reaped
    todo = list(children[root])
    while todo:
        pid = todo.pop()
        _, cpu, cpu_reaped = stats[pid]
        others += cpu + cpu_reaped
        todo.extend(children[pid])
    return own, others


CPUACCT = Path("/sys/fs/cgroup/cpuacct")
"""cgroup v1's CPU accounting: where writable (root), each worker gets its own group, exact to the ns."""


class Meter:
    """CPU seconds so far of this process and of everything it started since (its own cgroup, or ``/proc``).

    In its own accounting group a worker's Chromium and subprocesses count even after they exit or are
    orphaned; without one, :func:`tree_cpu` reads the live tree and loses what is orphaned to ``init``.
    """

    def __init__(self, run: int, name: str) -> None:
        self.group: Path | None = CPUACCT / "site_builder_tests" / f"run-{run}" / name
        try:
            self.group.mkdir(parents=True, exist_ok=True)
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            self.group = None

    def read(self) -> tuple[float, float]:
        """``(this process, its descendants)`` in CPU seconds."""
        if self.group is None:
            return tree_cpu(os.getpid())
        times = os.times()
        own = times.user + times.system
        return own, int((self.group / "cpuacct.usage").read_text()) / 1e9 - own

    def close(self) -> None:
        """Move what is left in the group back to the parent group and remove it."""
        if self.group is None:
            return
        with contextlib.suppress(OSError):
            for pid in (self.group / "cgroup.procs").read_text().split():
                with contextlib.suppress(OSError):
                    (CPUACCT / "cgroup.procs").write_text(pid)
            self.group.rmdir()
            for parent in self.group.parents[:2]:
                parent.rmdir()

    def run_total(self) -> float | None:
        """CPU seconds of the whole run: controller, workers and all they started (None without groups)."""
        if self.group is None:
            return None
        return int((self.group.parent / "cpuacct.usage").read_text()) / 1e9


class CpuProbe:
    """Writes one line per test to ``folder/<worker>-<pid>.jsonl``; the controller sums them up."""

    def __init__(self, folder: Path, worker: str) -> None:
        self.folder = folder
        self.worker = worker
        self.started = time.monotonic()
        self.since = time.time() - 1
        folder.mkdir(parents=True, exist_ok=True)
        self.log = (folder / f"{worker}-{os.getpid()}.jsonl").open("a", encoding="utf-8")
        run = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
        self.meter = Meter(run, worker)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[None]:
        """Measure the test's whole protocol, so a session fixture's build counts where it is made."""
        wall0, (own0, others0) = time.monotonic(), self.meter.read()
        yield
        wall1, (own1, others1) = time.monotonic(), self.meter.read()
        record = {
            "id": item.nodeid,
            "worker": self.worker,
            "start": round(wall0 - self.started, 3),
            "wall": round(wall1 - wall0, 3),
            "python": round(own1 - own0, 2),
            "children": round(others1 - others0, 2),
        }
        self.log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.log.flush()

    def pytest_unconfigure(self) -> None:
        """Leave no accounting group behind."""
        self.log.close()
        self.meter.close()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """In the controller: per-file CPU (tests' own and their subprocesses) and each worker's busy share."""
        if os.environ.get("PYTEST_XDIST_WORKER"):
            return
        wall = time.monotonic() - self.started
        logs = [log for log in self.folder.glob("*.jsonl") if log.stat().st_mtime >= self.since]
        records = [json.loads(line) for log in logs for line in log.open(encoding="utf-8")]
        files: defaultdict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        workers: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for record in records:
            row = files[record["id"].split("::")[0]]
            row[0] += 1
            row[1] += record["wall"]
            row[2] += record["python"]
            row[3] += record["children"]
            workers[record["worker"]][0] += record["python"] + record["children"]
            workers[record["worker"]][1] += record["wall"]
        write = terminalreporter.write_line
        terminalreporter.section(f"CPU per test file ({ENV}={self.folder})")
        write(f"{'file':58} {'tests':>5} {'wall s':>8} {'python':>7} {'subproc':>7} {'cpu s':>7}")
        ranked = sorted(files.items(), key=lambda item: -(item[1][2] + item[1][3]))
        for name, (count, spent, python, children) in ranked:
            write(f"{name:58} {count:5d} {spent:8.1f} {python:7.1f} {children:7.1f} {python + children:7.1f}")
        python = sum(row[2] for row in files.values())
        children = sum(row[3] for row in files.values())
        write(f"{'all':58} {len(records):5d} {'':8} {python:7.1f} {children:7.1f} {python + children:7.1f}")
        total = self.meter.run_total()
        measured = "" if total is None else f"; the whole run used {total:.1f} CPU s (cgroup)"
        write(f"run wall {wall:.1f} s{measured}; load average now {os.getloadavg()[0]:.1f}")
        for worker, (cpu, spent) in sorted(workers.items()):
            busy = cpu / max(spent, 1e-9)
            write(
                f"{worker}: {cpu:.1f} CPU s in {spent:.1f} s of tests ({busy:.2f} cores), {cpu / wall:.2f} over the run"
            )


def register(config: pytest.Config) -> None:
    """Register the probe when ``SITE_BUILDER_TEST_CPU`` names a folder (any pytest process)."""
    folder = os.environ.get(ENV)
    if folder:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        config.pluginmanager.register(CpuProbe(Path(folder), worker), "site_builder_cpu_probe")
