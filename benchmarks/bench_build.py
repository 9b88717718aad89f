"""Build benchmark: every speed goal of issues 20 and 26 checked in one interleaved run.

For each size (synthetic cases from ``tests.support.synthetic``, seed 7) it runs ``--rounds``
interleaved rounds. One round builds, each in its own process and each block in turn:

- **this project with MkDocs**: cold (a fresh copy of the project, in the cold rounds), warm
  (``--warm`` times), then **one-case edit** (one case retitled, a different one each round);
- **plain MkDocs**: stock ``mkdocs build`` + Material with its built-in search on the same text as
  Markdown pages (``write_plain_markdown``, an all-cases page and one page per district), as in
  the performance review; MkDocs has no incremental build, so its one-edit rebuild is this build;
- **plain Zensical** on the same pages: cold (``--clean``), warm, one-page edit;
- **this project with Zensical** (``--engines`` lists it): cold in its own copy, warm, one-case edit;
- **``site-builder validate``** on the same cases (in a folder holding only ``cases/``): cold (its
  cache deleted, in the cold rounds) and again with the cache the last run kept (the goal's figure);

odd rounds run the blocks in reverse order, so that whoever builds right after another build (and
pays for its file churn) changes, and the load of other users hits every contender alike. CPU is
user+sys of each build's whole process tree; a ratio is the median of the per-round ratios, each
side the median of its runs in that round. The load average is recorded at the start of every
round and printed beside every goal. Sizes above 1,000 build cold in the first round only
(``--cold-every-round`` changes that). Each build's runner also times the core's steps in CPU
(``site_builder.build.Steps.run``), so the core's cost is reported apart from the engine's (the
rest of the process: the engine's rendering, ``引擎渲染页面``, and the start-up).

Then, for each serve size, the editor's loop from :mod:`bench_serve` (``bench(n, edits, starts,
engine)``, for each engine): ``make serve`` to the first page against a warm build, and save ->
page served against Zensical's own dev server on the plain pages, interleaved inside it.

Last, the **goals table**: one row per goal and size it is stated for, with the measured ratio,
the goal, PASS or MISS, the seconds (illustration only) and the load; a goal stated for a size that
was not run is checked at the nearest size that was, and says so.

    make bench                                    # 1,000 and 3,000 cases, 3 rounds; serve at 29, 1,000; ~35 min idle
    make bench BENCH_ARGS="--sizes 100 --rounds 1"   # smoke: a few minutes
    .venv/bin/python benchmarks/bench_build.py --sizes 1000 --rounds 2 --no-serve --json out.json
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from site_builder.engines import engine_env  # noqa: E402
from site_builder.engines.zensical import plugin_options  # noqa: E402
from tests.support.project import load_mkdocs_config  # noqa: E402
from tests.support.synthetic import write_cases, write_plain_markdown  # noqa: E402

_STEP_CPU = """
import resource, sys, site_builder.build as _b
def _cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
_run = _b.Steps.run
def _timed(self, name, work, *args, **kwargs):
    start = _cpu()
    try:
        return _run(self, name, work, *args, **kwargs)
    finally:
        print("STEPCPU", f"{_cpu() - start:.4f}", name, file=sys.stderr)
_b.Steps.run = _timed
"""
"""Runner prelude: each step of the core (``Steps.run``) also prints its CPU, forked workers it
waited for included. Whatever the steps do not cover is the engine's rendering and the start-up."""

_MKDOCS = """
import resource, sys
from mkdocs.__main__ import cli
try:
    cli(["build", "-f", sys.argv[1], "-d", sys.argv[2]], standalone_mode=False)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("RESULT", max(own, kids), file=sys.stderr)
"""
_RUNNER = _STEP_CPU + _MKDOCS
"""``mkdocs build`` of this project, its steps' CPU printed."""
_PLAIN_RUNNER = _MKDOCS
"""``mkdocs build`` of a peer: nothing of this project imported into its process."""

_ZENSICAL_RUNNER = (
    _STEP_CPU
    + """
import logging, shutil
from pathlib import Path
from site_builder.engines.zensical import render_site
logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
shutil.rmtree(sys.argv[2], ignore_errors=True)
try:
    render_site(Path(sys.argv[1]), Path(sys.argv[2]))
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("RESULT", max(own, kids), file=sys.stderr)
"""
)

ENGINE_STEP = "引擎渲染页面"
"""The step line of the engine's rendering (site_builder.build.build); every other step is the core's."""
_STEP = re.compile(r"^INFO\s+-\s+(\S.*?) (\d+\.\d+) s$")
_STEP_CPU_LINE = re.compile(r"^STEPCPU (\d+\.\d+) (.+)$")
NAN = float("nan")


@dataclass
class Run:
    """One measured process: wall and CPU seconds (whole process tree), peak RSS of one process,
    the wall seconds of the core's steps and of the engine's rendering (from the build's step
    lines), and the CPU of the core's steps (NaN where the process is not this project's build)."""

    wall: float
    cpu: float
    rss_mb: float = 0.0
    core: float = NAN
    engine: float = NAN
    core_cpu: float = NAN

    @property
    def rest_cpu(self) -> float:
        """CPU outside the core's steps: the engine's rendering and the process's start-up."""
        return self.cpu - self.core_cpu


@dataclass
class Series:
    """Every run of one contender at one size, by round."""

    runs: dict[int, list[Run]] = field(default_factory=dict)

    def add(self, rnd: int, run: Run) -> None:
        """Record a run of round ``rnd``."""
        self.runs.setdefault(rnd, []).append(run)

    def all(self) -> list[Run]:
        """Every run in round order."""
        return [r for rnd in sorted(self.runs) for r in self.runs[rnd]]

    def median(self, attr: str) -> float:
        """Median of an attribute over every run."""
        values = [getattr(r, attr) for r in self.all()]
        return statistics.median(values) if values else NAN

    def round_value(self, rnd: int, attr: str) -> float | None:
        """Median of an attribute over one round's runs (None if the round has none)."""
        values = [getattr(r, attr) for r in self.runs.get(rnd, [])]
        return statistics.median(values) if values else None


def _measure(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run ``cmd`` to completion; wall time and CPU of it and every child it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=engine_env({**os.environ, **(env or {})}),
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return Run(wall, cpu), proc.stderr


def _build(config: Path, out: Path, *, engine: str = "mkdocs") -> Run:
    """One build of this project with ``engine`` (a fresh process); its times, split core / engine."""
    os.sync()  # the previous build's writeback is not this build's work
    runner = _ZENSICAL_RUNNER if engine == "zensical" else _RUNNER if _has_plugin(config) else _PLAIN_RUNNER
    run, stderr = _measure([sys.executable, "-c", runner, str(config), str(out)], cwd=config.parent)
    lines = stderr.splitlines()
    result = [ln for ln in lines if ln.startswith("RESULT")]
    run.rss_mb = int(result[-1].split()[1]) / 1024 if result else 0.0
    steps = [(m.group(1), float(m.group(2))) for m in map(_STEP.match, lines) if m]
    if steps:
        run.engine = sum(s for name, s in steps if name == ENGINE_STEP)
        run.core = sum(s for name, s in steps if name != ENGINE_STEP)
    cpu_steps = [float(m.group(1)) for m in map(_STEP_CPU_LINE.match, lines) if m]
    if cpu_steps:
        run.core_cpu = sum(cpu_steps)
    return run


def _has_plugin(config: Path) -> bool:
    """Whether ``config`` builds this project (lists the ``site_builder`` plugin) or a plain peer."""
    return plugin_options(load_mkdocs_config(config)) is not None


def _plain_zensical(config: Path, *, clean: bool) -> Run:
    """One ``zensical build`` of the plain pages (``--clean``: without its cache, a cold build)."""
    os.sync()
    cmd = [sys.executable, "-m", "zensical", "build", "-f", str(config)]
    run, _ = _measure([*cmd, "--clean"] if clean else cmd, cwd=config.parent)
    return run


def _validate(checkout: Path) -> Run:
    """``site-builder validate cases`` in a folder holding only ``cases/``."""
    run, _ = _measure([str(Path(sys.executable).parent / "site-builder"), "validate", "cases"], cwd=checkout)
    return run


def write_plain_browse(docs: Path, cases: list[dict[str, object]]) -> list[object]:
    """An all-cases page and one page per district listing its cases (as the review's plain site).

    Returns the explicit nav: home, all cases, the district pages (case pages are reached by links).
    """
    by_district: dict[str, list[int]] = {}
    for i, c in enumerate(cases):
        by_district.setdefault(str(c["district"]), []).append(i)
    (docs / "districts").mkdir(parents=True, exist_ok=True)
    lines = ["# 全部案例", ""] + [f"- [{c['title']}](cases/case-{i:05d}.md)" for i, c in enumerate(cases)]
    (docs / "all.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nav: list[object] = []
    for k, (district, ids) in enumerate(sorted(by_district.items())):
        lines = [f"# {district}", ""] + [f"- [{cases[i]['title']}](../cases/case-{i:05d}.md)" for i in ids]
        (docs / "districts" / f"d{k}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        nav.append({district: f"districts/d{k}.md"})
    return [{"首页": "index.md"}, {"全部案例": "all.md"}, {"按区": nav}]


def _config(project: Path, *, plugin: bool, nav: list[object] | None = None) -> Path:
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    config["theme"]["custom_dir"] = str(ROOT / "theme")
    config["strict"] = False
    if plugin:
        config["docs_dir"] = str(ROOT / "docs")
    else:  # stock Material: same theme options, its built-in search, no project plugin or overrides
        config["docs_dir"] = "docs"  # beside the config; Zensical refuses an absolute docs_dir
        config["plugins"] = ["search"]
        config["nav"] = nav or [{"首页": "index.md"}]
        config["theme"].pop("custom_dir", None)
        config.pop("extra_css", None)
        config.pop("extra_javascript", None)
        config.pop("hooks", None)
    path = project / ("mkdocs-plugin.yml" if plugin else "mkdocs-plain.yml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def edit_case(n: int, rnd: int, *, cases: Path | None = None, plain_docs: Path | None = None) -> None:
    """An editor's save: retitle one case file or its plain page (a different case each round).

    The title is what browse, home and search pages show, so an edit of it reaches the most outputs.
    """
    index = (n // 2 + 7 * rnd) % n
    if cases is not None:
        _retitle(cases / f"case-{index:05d}.yaml", r"^title: (.{1,30}).*$", f"title: \\g<1>改{rnd}")
    if plain_docs is not None:
        _retitle(plain_docs / "cases" / f"case-{index:05d}.md", r"^# (.{1,30}).*$", f"# \\g<1>改{rnd}")


def _retitle(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(pattern, replacement, text, count=1, flags=re.M), encoding="utf-8")


def du_bytes(folder: Path) -> int:
    """Disk usage of a folder as ``du`` counts it: allocated blocks, each hard-linked file once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in [*files, "."]:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def artifact_bytes(folder: Path) -> int:
    """Size of the folder as GitHub Pages' artifact: a tar with a 512-byte header per entry, contents
    padded to 512 bytes, hard links stored as full copies (``upload-pages-artifact`` dereferences).

    This is what the 1 GB limit of a published site applies to; ``du`` also counts each small file
    as whole 4 KB blocks.
    """
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        total += 512
        for name in files:
            size = os.stat(os.path.join(dirpath, name)).st_size
            total += 512 + -(-size // 512) * 512
    return total


def _ratio(num: Series, den: Series, attr: str = "cpu", den_attr: str | None = None) -> float:
    """Median over rounds of num/den, each side the median of its runs in that round."""
    ratios = []
    for rnd in sorted(num.runs):
        a, b = num.round_value(rnd, attr), den.round_value(rnd, den_attr or attr)
        if a is not None and b:
            ratios.append(a / b)
    return statistics.median(ratios) if ratios else NAN


CONTENDERS = (
    "mkdocs cold",
    "mkdocs warm",
    "mkdocs edit",
    "plain mkdocs",
    "plain zensical cold",
    "plain zensical warm",
    "plain zensical edit",
    "zensical cold",
    "zensical warm",
    "zensical edit",
    "validate cold",
    "validate",
)
"""Every process measured at a size: this project per engine (cold, warm, one-case edit), the
peers, and ``validate`` (cold: without the project's cache; else with what the last run kept)."""


@dataclass
class SizeResult:
    """Every run at one size, the load at the start of each round, and the output's size."""

    cases: int
    series: dict[str, Series] = field(default_factory=lambda: {name: Series() for name in CONTENDERS})
    loads: dict[int, float] = field(default_factory=dict)
    site_kb_per_case: float = NAN
    plain_kb_per_case: float = NAN
    site_tar_kb_per_case: float = NAN
    plain_tar_kb_per_case: float = NAN
    interrupted: bool = False
    """The run was stopped during a round; the builds finished before still count."""

    def ratio(self, num: str, den: str, attr: str = "cpu") -> float:
        """Median of the per-round ratios of two contenders."""
        return _ratio(self.series[num], self.series[den], attr)

    def median(self, name: str, attr: str = "cpu") -> float:
        """Median of a contender's runs."""
        return self.series[name].median(attr)

    def load(self) -> tuple[float, float, float]:
        """Median, lowest and highest load average at the rounds' starts."""
        values = list(self.loads.values()) or [NAN]
        return statistics.median(values), min(values), max(values)

    def as_json(self) -> dict[str, Any]:
        """Every figure: each run by round, the medians, the ratios, the loads."""
        return {
            "cases": self.cases,
            "loads": {str(k): v for k, v in sorted(self.loads.items())},
            "runs": {
                name: {str(rnd): [dataclasses.asdict(r) for r in runs] for rnd, runs in s.runs.items()}
                for name, s in self.series.items()
                if s.runs
            },
            "medians": {
                name: {
                    attr: s.median(attr)
                    for attr in ("wall", "cpu", "rss_mb", "core", "engine", "core_cpu", "rest_cpu")
                }
                for name, s in self.series.items()
                if s.runs
            },
            "ratios": {
                "mkdocs cold / plain mkdocs": self.ratio("mkdocs cold", "plain mkdocs"),
                "mkdocs warm / plain mkdocs": self.ratio("mkdocs warm", "plain mkdocs"),
                "mkdocs edit / mkdocs warm": self.ratio("mkdocs edit", "mkdocs warm"),
                "zensical cold / plain mkdocs": self.ratio("zensical cold", "plain mkdocs"),
                "zensical warm / plain mkdocs": self.ratio("zensical warm", "plain mkdocs"),
                "zensical edit / zensical warm": self.ratio("zensical edit", "zensical warm"),
                "zensical cold / plain zensical cold": self.ratio("zensical cold", "plain zensical cold"),
                "zensical warm / plain zensical warm": self.ratio("zensical warm", "plain zensical warm"),
                "plain zensical warm / plain mkdocs": self.ratio("plain zensical warm", "plain mkdocs"),
            },
            "site_kb_per_case": self.site_kb_per_case,
            "plain_kb_per_case": self.plain_kb_per_case,
            "site_tar_kb_per_case": self.site_tar_kb_per_case,
            "plain_tar_kb_per_case": self.plain_tar_kb_per_case,
            "interrupted": self.interrupted,
        }


def _copy_project(project: Path, here: Path) -> Path:
    """A fresh copy of the project's cases with its own caches; its config."""
    shutil.copytree(project / "cases", here / "cases")
    return _config(here, plugin=True)


def bench(n: int, rounds: int, warm: int, *, cold_rounds: int, engines: tuple[str, ...]) -> SizeResult:
    """Interleaved rounds of every contender at ``n`` synthetic cases (see the module's docstring)."""
    res = SizeResult(n)
    s = res.series
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        cases = write_cases(project / "cases", n)
        write_plain_markdown(project / "docs", cases)
        plain_cfg = _config(project, plugin=False, nav=write_plain_browse(project / "docs", cases))
        # validate in a folder holding only cases/, as in a repository: the round copies beside
        # them would be case-like files outside cases/, which validate rightly refuses
        checkout = project / "validate-checkout"
        shutil.copytree(project / "cases", checkout / "cases")
        copies: dict[str, Path] = {}

        def this_project(engine: str, rnd: int) -> None:
            # A cold build in a fresh copy of the project rather than after deleting `.cache`:
            # deleting thousands of files slows the file creation of the builds that follow
            # (ext4 skips recently freed inodes), which a real cold or warm build never pays.
            if rnd < cold_rounds or engine not in copies:
                copies[engine] = project / f"round-{rnd}-{engine}"
                config = _copy_project(project, copies[engine])
                s[f"{engine} cold"].add(rnd, _build(config, copies[engine] / "site", engine=engine))
            here = copies[engine]
            config = here / "mkdocs-plugin.yml"
            for _ in range(warm):
                s[f"{engine} warm"].add(rnd, _build(config, here / "site", engine=engine))
            edit_case(n, rnd, cases=here / "cases")
            s[f"{engine} edit"].add(rnd, _build(config, here / "site", engine=engine))

        def plain_mkdocs(rnd: int) -> None:
            s["plain mkdocs"].add(rnd, _build(plain_cfg, project / "site-plain"))

        def plain_zensical(rnd: int) -> None:
            if rnd < cold_rounds or not s["plain zensical cold"].runs:
                shutil.rmtree(project / "site", ignore_errors=True)  # zensical build writes site_dir: site
                s["plain zensical cold"].add(rnd, _plain_zensical(plain_cfg, clean=True))
            for _ in range(warm):
                s["plain zensical warm"].add(rnd, _plain_zensical(plain_cfg, clean=False))
            edit_case(n, rnd, plain_docs=project / "docs")
            s["plain zensical edit"].add(rnd, _plain_zensical(plain_cfg, clean=False))

        def validate(rnd: int) -> None:
            if rnd < cold_rounds or not s["validate cold"].runs:  # a fresh clone or a CI cache miss
                shutil.rmtree(checkout / ".cache", ignore_errors=True)
                s["validate cold"].add(rnd, _validate(checkout))
            s["validate"].add(rnd, _validate(checkout))  # again: what a second run costs

        blocks: list[Callable[[int], None]] = [
            lambda rnd: this_project("mkdocs", rnd),
            plain_mkdocs,
            plain_zensical,
        ]
        if "zensical" in engines:
            blocks.append(lambda rnd: this_project("zensical", rnd))
        blocks.append(validate)
        for rnd in range(rounds):
            res.loads[rnd] = os.getloadavg()[0]
            try:
                for block in blocks if rnd % 2 == 0 else reversed(blocks):
                    block(rnd)
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what the finished builds measured still counts
                res.interrupted = True
                print(f"  {n} cases: interrupted in round {rnd + 1}", file=sys.stderr, flush=True)
                break
            print(
                f"  {n} cases, round {rnd + 1}/{rounds}, load {res.loads[rnd]:.1f}: "
                + ", ".join(f"{name} {r.cpu:.1f}" for name in CONTENDERS for r in s[name].runs.get(rnd, []))
                + " s CPU",
                file=sys.stderr,
                flush=True,
            )
        if "mkdocs" not in copies:
            return res
        site = copies["mkdocs"] / "site"
        res.site_kb_per_case = du_bytes(site) / 1024 / n
        res.plain_kb_per_case = du_bytes(project / "site-plain") / 1024 / n
        res.site_tar_kb_per_case = artifact_bytes(site) / 1024 / n
        res.plain_tar_kb_per_case = artifact_bytes(project / "site-plain") / 1024 / n
    return res


def _can_serve(engine: str) -> bool:
    """Whether ``site-builder serve --engine ENGINE`` exists (a server that never starts would be
    waited for until its time-out)."""
    cmd = [sys.executable, "-m", "site_builder.cli", "serve", "--engine", engine, "--help"]
    return subprocess.run(cmd, capture_output=True, cwd=ROOT).returncode == 0


def run_serve(n: int, edits: int, starts: int, engine: str) -> dict[str, Any]:
    """The editor's loop at ``n`` cases with ``engine`` serving (:func:`bench_serve.bench`): serve
    start against a warm build, save -> served against Zensical's dev server. A failure is recorded
    (``error``), not raised: the rest of a long run still counts."""
    # through Any: bench_serve imports this module, and its signature is its own to change
    bench_serve: Any = importlib.import_module("bench_serve").bench
    if engine != "mkdocs" and not _can_serve(engine):
        return {
            "cases": n,
            "engine": engine,
            "error": f"site-builder serve --engine {engine}: no such command",
        }
    saved = dict(os.environ)
    try:
        r = bench_serve(n, edits, starts, engine)
        return {
            **dataclasses.asdict(r),
            "engine": engine,
            "start_ratio": r.start_ratio,
            "save_ratio": r.save_ratio,
        }
    except (Exception, SystemExit) as error:  # a failed loop is a row, not the end
        print(f"  editor's loop at {n} cases ({engine}) failed: {error}", file=sys.stderr, flush=True)
        return {"cases": n, "engine": engine, "error": str(error)[-500:]}
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Figures:
    """What a run measured: builds by size, editor's loops by (size, engine)."""

    builds: dict[int, SizeResult]
    serves: dict[tuple[int, str], dict[str, Any]]

    def serve(self, n: int, engine: str = "mkdocs") -> dict[str, Any] | None:
        """The editor's loop at ``n`` cases with ``engine``, if it ran and did not fail."""
        r = self.serves.get((n, engine))
        return None if r is None or "error" in r else r


Measured = tuple[float, str, str]
"""A goal's measured value, the seconds that illustrate it, the load beside it."""


def _load_text(res: SizeResult) -> str:
    mid, low, high = res.load()
    return f"{mid:.1f} ({low:.1f}-{high:.1f})" if high > low else f"{mid:.1f}"


def _build_goal(
    value: Callable[[SizeResult], float], illustrate: Callable[[SizeResult], str]
) -> Callable[[Figures, int], Measured | None]:
    def measure(fig: Figures, n: int) -> Measured | None:
        res = fig.builds.get(n)
        return None if res is None else (value(res), illustrate(res), _load_text(res))

    return measure


def _serve_goal(
    value: str, illustrate: Callable[[dict[str, Any]], str], load: str
) -> Callable[[Figures, int], Measured | None]:
    def measure(fig: Figures, n: int) -> Measured | None:
        r = fig.serve(n)
        return None if r is None else (float(r[value]), illustrate(r), f"{r[load]:.1f}")

    return measure


@dataclass(frozen=True)
class Goal:
    """One speed goal of an issue: what is compared, its limit, the sizes it is stated for."""

    issue: int
    what: str
    limit: float
    unit: str
    """``x`` for a ratio to a peer of the same run, else the unit of an absolute figure."""
    sizes: tuple[int, ...]
    kind: str
    """``build`` or ``serve``: which part of the run measures it."""
    measure: Callable[[Figures, int], Measured | None]

    def show(self, value: float) -> str:
        """A figure in the goal's unit."""
        if math.isnan(value):
            return "n/a"
        if self.unit == "x":
            return f"{value:.2f}×"
        digits = 2 if self.unit in ("s", "ms") and value < 10 else 1
        return f"{value:.{digits}f} {self.unit}"


def _cpu(res: SizeResult, name: str) -> str:
    return f"{res.median(name):.1f}"


GOALS: tuple[Goal, ...] = (
    Goal(
        26,
        "one-case edit rebuild ÷ warm build (CPU)",
        0.3,
        "x",
        (1000, 3000),
        "build",
        _build_goal(
            lambda r: r.ratio("mkdocs edit", "mkdocs warm"),
            lambda r: f"edit {_cpu(r, 'mkdocs edit')} s, warm {_cpu(r, 'mkdocs warm')} s CPU",
        ),
    ),
    Goal(
        26,
        "save → new page served ÷ Zensical's dev server (wall)",
        1.5,
        "x",
        (29,),
        "serve",
        _serve_goal(
            "save_ratio", lambda r: f"{r['save_ours']:.2f} s vs {r['save_zensical']:.2f} s", "save_load"
        ),
    ),
    Goal(
        26,
        "save → new page served ÷ Zensical's dev server (wall)",
        2.0,
        "x",
        (1000,),
        "serve",
        _serve_goal(
            "save_ratio", lambda r: f"{r['save_ours']:.2f} s vs {r['save_zensical']:.2f} s", "save_load"
        ),
    ),
    Goal(
        26,
        "`make serve` → first page ÷ warm build (CPU)",
        1.2,
        "x",
        (1000,),
        "serve",
        _serve_goal(
            "start_ratio",
            lambda r: (
                f"start {r['start_cpu']:.1f} s CPU ({r['start_wall']:.1f} s wall), warm {r['warm_cpu']:.1f} s"
            ),
            "start_load",
        ),
    ),
    Goal(
        26,
        "cold build ÷ plain MkDocs (CPU)",
        4.0,
        "x",
        (1000, 3000),
        "build",
        _build_goal(
            lambda r: r.ratio("mkdocs cold", "plain mkdocs"),
            lambda r: f"cold {_cpu(r, 'mkdocs cold')} s, plain {_cpu(r, 'plain mkdocs')} s CPU",
        ),
    ),
    Goal(
        26,
        "warm build ÷ plain MkDocs (CPU)",
        0.6,
        "x",
        (1000, 3000),
        "build",
        _build_goal(
            lambda r: r.ratio("mkdocs warm", "plain mkdocs"),
            lambda r: f"warm {_cpu(r, 'mkdocs warm')} s, plain {_cpu(r, 'plain mkdocs')} s CPU",
        ),
    ),
    Goal(
        26,
        "`validate` CPU per case",
        0.5,
        "ms",
        (3000,),
        "build",
        _build_goal(
            lambda r: r.median("validate") / r.cases * 1000,
            lambda r: (
                f"{r.median('validate'):.2f} s CPU with its cache; without: "
                f"{r.median('validate cold') / r.cases * 1000:.2f} ms per case"
            ),
        ),
    ),
    Goal(
        26,
        "output per case (`du`)",
        77.7,
        "KB",
        (1000,),
        "build",
        _build_goal(
            lambda r: r.site_kb_per_case,
            lambda r: f"Pages artifact {r.site_tar_kb_per_case:.1f} KB; plain {r.plain_kb_per_case:.1f} KB",
        ),
    ),
    Goal(
        20,
        "warm build ÷ plain MkDocs (CPU)",
        1.0,
        "x",
        (1000,),
        "build",
        _build_goal(
            lambda r: r.ratio("mkdocs warm", "plain mkdocs"),
            lambda r: f"warm {_cpu(r, 'mkdocs warm')} s, plain {_cpu(r, 'plain mkdocs')} s CPU",
        ),
    ),
    Goal(
        20,
        "cold build CPU",
        80.0,
        "s",
        (1000,),
        "build",
        _build_goal(
            lambda r: r.median("mkdocs cold"), lambda r: f"{r.median('mkdocs cold', 'wall'):.1f} s wall"
        ),
    ),
    Goal(
        20,
        "save → page served (wall)",
        1.0,
        "s",
        (29,),
        "serve",
        _serve_goal("save_ours", lambda r: f"max {r['save_max']:.2f} s", "save_load"),
    ),
    Goal(
        20,
        "save → page served (wall)",
        3.0,
        "s",
        (1000,),
        "serve",
        _serve_goal("save_ours", lambda r: f"max {r['save_max']:.2f} s", "save_load"),
    ),
)
"""Every speed goal of issues 20 and 26, in one place: the table, the JSON and the test read it."""


def _nearest(sizes: list[int], n: int) -> int | None:
    return min(sizes, key=lambda s: (abs(math.log(s / n)), -s)) if sizes else None


def goal_rows(fig: Figures) -> Iterator[dict[str, Any]]:
    """One row per goal and stated size; a size not run is checked at the nearest that was."""
    built = sorted(fig.builds)
    served = sorted({n for n, engine in fig.serves if engine == "mkdocs" and fig.serve(n)})
    for goal in GOALS:
        for stated in goal.sizes:
            n = _nearest(built if goal.kind == "build" else served, stated)
            found = goal.measure(fig, n) if n is not None else None
            value, illustration, load = found if found else (NAN, "not measured", "")
            verdict = "n/a" if math.isnan(value) else "PASS" if value <= goal.limit else "MISS"
            yield {
                "issue": goal.issue,
                "goal": goal.what,
                "stated_cases": stated,
                "cases": n,
                "measured": value,
                "limit": goal.limit,
                "unit": goal.unit,
                "of_goal": value / goal.limit,
                "verdict": verdict,
                "illustration": illustration,
                "load": load,
                "text": [
                    str(goal.issue),
                    goal.what,
                    f"{n:,}" if n == stated else f"{n:,} (stated for {stated:,})" if n else f"{stated:,}",
                    goal.show(value),
                    f"≤ {goal.show(goal.limit)}",
                    "n/a" if math.isnan(value) else f"{value / goal.limit:.2f}",
                    verdict,
                    illustration,
                    load,
                ],
            }


def print_goals(rows: list[dict[str, Any]]) -> None:
    """The goals table: measured ratio beside the goal, PASS or MISS, seconds as illustration."""
    print()
    print("Goals (issues 20 and 26)")
    print()
    print("| issue | goal | cases | measured | goal | ÷ goal | verdict | seconds (illustration) | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row["text"]) + " |")
    passed = sum(r["verdict"] == "PASS" for r in rows)
    print()
    print(f"{passed} of {len(rows)} goals met. Ratios: medians of per-round ratios of one interleaved run.")


def _split(res: SizeResult, name: str) -> str:
    core, rest = res.median(name, "core_cpu"), res.median(name, "rest_cpu")
    return "—" if math.isnan(core) else f"{core:.1f} / {rest:.1f}"


def _seconds(serve: dict[str, Any] | None, key: str) -> str:
    return f"{serve[key]:.2f}" if serve else "—"


def print_engines(fig: Figures) -> None:
    """Issue 20: the two engines side by side, each beside both plain peers; the core's CPU apart
    from the rest of the process (the engine's rendering and the start-up)."""
    print()
    print("Engines side by side (CPU s, medians; reload = save → page served, wall s)")
    print()
    print(
        "| cases | engine | cold | warm | one-case edit | reload | cold ÷ plain MkDocs | warm ÷ plain MkDocs "
        "| edit ÷ warm | core / engine+start-up: cold | warm | edit | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, res in sorted(fig.builds.items()):
        load = _load_text(res)
        for label, engine in (("this project, MkDocs", "mkdocs"), ("this project, Zensical", "zensical")):
            if not res.series[f"{engine} warm"].runs:
                continue
            serve = fig.serve(n, engine)
            print(
                f"| {n:,} | {label} | {_cpu(res, f'{engine} cold')} | {_cpu(res, f'{engine} warm')} "
                f"| {_cpu(res, f'{engine} edit')} | {_seconds(serve, 'save_ours')} "
                f"| {res.ratio(f'{engine} cold', 'plain mkdocs'):.2f}× "
                f"| {res.ratio(f'{engine} warm', 'plain mkdocs'):.2f}× "
                f"| {res.ratio(f'{engine} edit', f'{engine} warm'):.2f}× "
                f"| {_split(res, f'{engine} cold')} | {_split(res, f'{engine} warm')} "
                f"| {_split(res, f'{engine} edit')} | {load} |"
            )
        plain = _cpu(res, "plain mkdocs")
        print(
            f"| {n:,} | plain MkDocs + Material | {plain} | {plain} | {plain} | — | 1.00× | 1.00× | 1.00× | — | — | — | {load} |"
        )
        peer = fig.serve(n, "mkdocs") or fig.serve(n, "zensical")
        print(
            f"| {n:,} | plain Zensical {zensical_version()} | {_cpu(res, 'plain zensical cold')} "
            f"| {_cpu(res, 'plain zensical warm')} | {_cpu(res, 'plain zensical edit')} "
            f"| {_seconds(peer, 'save_zensical')} "
            f"| {res.ratio('plain zensical cold', 'plain mkdocs'):.2f}× "
            f"| {res.ratio('plain zensical warm', 'plain mkdocs'):.2f}× "
            f"| {res.ratio('plain zensical edit', 'plain zensical warm'):.2f}× | — | — | — | {load} |"
        )
    print()
    print(
        "Plain MkDocs has no incremental build: its one-edit rebuild is a full build. Core = CPU of "
        f"build()'s own steps (forked workers included); engine+start-up = the rest of the process "
        f"({ENGINE_STEP} and imports). Output: "
        + "; ".join(
            f"{n:,} cases {r.site_kb_per_case:.1f} KB/case `du`, {r.site_tar_kb_per_case:.1f} KB Pages "
            f"artifact (plain {r.plain_kb_per_case:.1f} / {r.plain_tar_kb_per_case:.1f})"
            for n, r in sorted(fig.builds.items())
        )
        + "."
    )


def print_serve(fig: Figures) -> None:
    """The editor's loops, per size and engine, beside their peers."""
    if not fig.serves:
        return
    print()
    print("Editor's loop (`make serve`; bench_serve.py)")
    print()
    print(
        "| cases | engine | serve start CPU (wall) s | warm build CPU s | start ÷ warm | save → served s (max) "
        "| Zensical dev server s | ÷ Zensical | load start / save |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (n, engine), r in sorted(fig.serves.items()):
        if "error" in r:
            print(f"| {n:,} | {engine} | failed: {r['error'].splitlines()[-1][:120]} | | | | | | |")
            continue
        print(
            f"| {n:,} | {engine} | {r['start_cpu']:.1f} ({r['start_wall']:.1f}) | {r['warm_cpu']:.1f} "
            f"| {r['start_ratio']:.2f}× | {r['save_ours']:.2f} ({r['save_max']:.2f}) | {r['save_zensical']:.2f} "
            f"| {r['save_ratio']:.2f}× | {r['start_load']:.1f} / {r['save_load']:.1f} |"
        )


def zensical_version() -> str:
    """The installed Zensical's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zensical")
    except PackageNotFoundError:
        return "?"


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        return out.stdout.strip()
    except OSError:
        return ""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every size's rounds, then the editor's loops, then print the tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1000,3000", help="comma-separated case counts (default 1000,3000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size (default 3)")
    parser.add_argument("--warm", type=int, default=1, help="warm builds per round (default 1)")
    parser.add_argument(
        "--cold-every-round", action="store_true", help="cold builds in every round at any size"
    )
    parser.add_argument(
        "--serve-sizes", help="editor's-loop sizes (default: 29 and the build sizes up to 1,000; '' to skip)"
    )
    parser.add_argument("--no-serve", action="store_true", help="skip the editor's loop")
    parser.add_argument(
        "--edits", type=int, default=3, help="saves per editor's-loop size and engine (default 3)"
    )
    parser.add_argument(
        "--starts", type=int, help="serve starts per editor's-loop size and engine (default: --rounds)"
    )
    parser.add_argument(
        "--engines", default="mkdocs,zensical", help="mkdocs (always) and zensical (default both)"
    )
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = _sizes(args.sizes)
    engines = tuple(dict.fromkeys(["mkdocs", *(e for e in args.engines.split(",") if e)]))
    serve_sizes = (
        []
        if args.no_serve
        else _sizes(args.serve_sizes)
        if args.serve_sizes is not None
        else [29, *(n for n in sizes if n <= 1000)]  # 3,000: ~12 min more, with --serve-sizes
    )
    print(
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, commit {_commit()}, sizes {sizes}, "
        f"{args.rounds} rounds, serve sizes {serve_sizes}, engines {list(engines)}",
        file=sys.stderr,
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)  # a stopped run still prints what it measured
    builds: dict[int, SizeResult] = {}
    for n in sizes:
        start = time.perf_counter()
        cold_rounds = args.rounds if (n <= 1000 or args.cold_every_round) else 1
        builds[n] = bench(n, args.rounds, args.warm, cold_rounds=cold_rounds, engines=engines)
        print(f"{n} cases done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        if builds[n].interrupted:
            serve_sizes = []
            break
    serves: dict[tuple[int, str], dict[str, Any]] = {}
    try:
        for n in dict.fromkeys(serve_sizes):
            for engine in engines:
                start = time.perf_counter()
                serves[(n, engine)] = run_serve(n, args.edits, args.starts or args.rounds, engine)
                print(
                    f"editor's loop at {n} cases ({engine}) done in {time.perf_counter() - start:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    except KeyboardInterrupt:
        print("  editor's loop interrupted", file=sys.stderr, flush=True)
    fig = Figures(builds, serves)
    rows = list(goal_rows(fig))
    print_engines(fig)
    print_serve(fig)
    print_goals(rows)
    elapsed = time.perf_counter() - started
    stopped = (
        " (interrupted: the figures above are what finished)"
        if any(r.interrupted for r in builds.values())
        else ""
    )
    print(f"\nWhole run {elapsed / 60:.1f} min{stopped}, load now {os.getloadavg()[0]:.1f}.")
    if args.json:
        data = {
            "machine": {"cores": os.cpu_count(), "commit": _commit(), "zensical": zensical_version()},
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "minutes": elapsed / 60,
            "build": [res.as_json() for _, res in sorted(builds.items())],
            "serve": list(serves.values()),
            "goals": [{k: v for k, v in row.items() if k != "text"} for row in rows],
        }
        args.json.write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=True), encoding="utf-8")


if __name__ == "__main__":
    main()
