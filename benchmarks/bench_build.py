"""Build benchmark: site_builder against plain MkDocs Material on the same text, side by side.

For each size (synthetic cases from ``tests.support.synthetic``, seed 7) it runs interleaved
rounds; one round is

    project cold (a fresh copy of the project) -> project warm (``--warm`` runs) -> plain MkDocs

(odd rounds build plain before the warm runs) so that the load of other users on the machine and
the file system's state hit every contender alike. "Plain" is
stock ``mkdocs build`` + Material with its built-in ``search`` plugin on the same text written as
Markdown (``write_plain_markdown``), as in the performance review. Every build is a fresh
``mkdocs build`` process; its CPU time is user+sys of the whole process tree (the delta of
``getrusage(RUSAGE_CHILDREN)`` around the subprocess, which includes the forked workers the
build waits for). Ratios are medians of the per-round ratios. It also prints the peak RSS (the
largest single process), the output size per case (``du`` of the site divided by the cases), the
time of ``site-builder validate`` on the same cases, and the editor's loop
(:func:`bench_serve.bench`, ``mkdocs serve --dirty``) at 29 and 1,000 cases.

    .venv/bin/python benchmarks/bench_build.py                      # 100, 1000, 3000; ~25 min on 2 busy cores
    .venv/bin/python benchmarks/bench_build.py --sizes 100 --rounds 2 --no-serve   # ~1 min
    .venv/bin/python benchmarks/bench_build.py --big                # adds 5,000 cases (~20 min more)
    .venv/bin/python benchmarks/bench_build.py --engines mkdocs,zensical   # both engines side by side

With ``--engines mkdocs,zensical`` each round also builds the project with the Zensical adapter
(cold in its own fresh copy, then warm), and a second table puts the engines side by side: CPU,
the ratio to plain MkDocs, and the wall time of the core's own steps apart from the engine's
rendering (from the build's step lines, ``引擎渲染页面`` being the engine's).

Sizes above 1,000 build cold once (the first round) unless ``--cold-every-round``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from site_builder.engines import engine_env  # noqa: E402
from tests.support.project import load_mkdocs_config  # noqa: E402
from tests.support.synthetic import write_cases, write_plain_markdown  # noqa: E402

_RUNNER = """
import resource, sys
from mkdocs.__main__ import cli
try:
    cli(["build", "-f", sys.argv[1], "-d", sys.argv[2]], standalone_mode=False)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("RESULT", max(own, kids), file=sys.stderr)
"""

_ZENSICAL_RUNNER = """
import logging, resource, shutil, sys
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

ENGINE_STEP = "引擎渲染页面"
"""The step line of the engine's rendering (site_builder.build.build); every other step is the core's."""
_STEP = re.compile(r"^INFO\s+-\s+(\S.*?) (\d+\.\d+) s$")


@dataclass
class Run:
    """One measured process: wall and CPU seconds (whole process tree), peak RSS of one process,
    and the wall seconds of the core's steps and of the engine's rendering (NaN for plain MkDocs)."""

    wall: float
    cpu: float
    rss_mb: float = 0.0
    core: float = float("nan")
    engine: float = float("nan")


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
        return statistics.median(values) if values else float("nan")

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
    os.sync()  # the previous build's writeback is not this build's work
    runner = _ZENSICAL_RUNNER if engine == "zensical" else _RUNNER
    run, stderr = _measure([sys.executable, "-c", runner, str(config), str(out)], cwd=config.parent)
    line = [ln for ln in stderr.splitlines() if ln.startswith("RESULT")]
    run.rss_mb = int(line[-1].split()[1]) / 1024 if line else 0.0
    steps = [(m.group(1), float(m.group(2))) for m in map(_STEP.match, stderr.splitlines()) if m]
    if steps:
        run.engine = sum(s for name, s in steps if name == ENGINE_STEP)
        run.core = sum(s for name, s in steps if name != ENGINE_STEP)
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
        config["docs_dir"] = str(project / "docs")
        config["plugins"] = ["search"]
        config["nav"] = nav or [{"首页": "index.md"}]
        config["theme"].pop("custom_dir", None)
        config.pop("extra_css", None)
        config.pop("extra_javascript", None)
        config.pop("hooks", None)
    path = project / ("mkdocs-plugin.yml" if plugin else "mkdocs-plain.yml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


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


def _ratio(num: Series, den: Series, attr: str) -> float:
    """Median over rounds of num/den, each side the median of its runs in that round."""
    ratios = []
    for rnd in sorted(num.runs):
        a, b = num.round_value(rnd, attr), den.round_value(rnd, attr)
        if a is not None and b:
            ratios.append(a / b)
    return statistics.median(ratios) if ratios else float("nan")


def bench(n: int, rounds: int, warm: int, *, cold_rounds: int, zensical: bool = False) -> dict[str, float]:
    """Interleaved cold / warm / plain builds of ``n`` synthetic cases (and with ``zensical``, the
    Zensical adapter's cold and warm builds); medians and ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        cases = write_cases(project / "cases", n)
        write_plain_markdown(project / "docs", cases)
        nav = write_plain_browse(project / "docs", cases)
        plain_cfg = _config(project, plugin=False, nav=nav)
        cold, hot, plain = Series(), Series(), Series()
        zcold, zhot = Series(), Series()
        for rnd in range(rounds):
            if rnd < cold_rounds or rnd == 0:
                # A cold build in a fresh copy of the project rather than after deleting `.cache`:
                # deleting thousands of files slows the file creation of the builds that follow
                # (ext4 skips recently freed inodes), which a real cold or warm build never pays.
                here = project / f"round-{rnd}"
                shutil.copytree(project / "cases", here / "cases")
                plugin_cfg = _config(here, plugin=True)
                cold.add(rnd, _build(plugin_cfg, here / "site-plugin"))
            # Odd rounds build plain first: whoever follows a build pays for its file churn.
            if rnd % 2:
                plain.add(rnd, _build(plain_cfg, project / "site-plain"))
            for _ in range(warm):
                hot.add(rnd, _build(plugin_cfg, here / "site-plugin"))
            if not rnd % 2:
                plain.add(rnd, _build(plain_cfg, project / "site-plain"))
            if zensical:  # its own copy: the MkDocs builds' caches are not the Zensical build's
                if rnd < cold_rounds or rnd == 0:
                    zhere = project / f"round-{rnd}-zensical"
                    shutil.copytree(project / "cases", zhere / "cases")
                    zensical_cfg = _config(zhere, plugin=True)
                    zcold.add(rnd, _build(zensical_cfg, zhere / "site-zensical", engine="zensical"))
                for _ in range(warm):
                    zhot.add(rnd, _build(zensical_cfg, zhere / "site-zensical", engine="zensical"))
            print(
                f"  {n} cases, round {rnd + 1}/{rounds}: "
                + ", ".join(
                    f"{name} {r.wall:.1f} s wall / {r.cpu:.1f} s CPU"
                    for name, s in (
                        ("cold", cold),
                        ("warm", hot),
                        ("plain", plain),
                        ("zensical cold", zcold),
                        ("zensical warm", zhot),
                    )
                    for r in s.runs.get(rnd, [])
                ),
                file=sys.stderr,
                flush=True,
            )
        # validate in a folder holding only cases/, as in a repository: the round copies beside
        # them would be case-like files outside cases/, which validate rightly refuses
        checkout = project / "validate-checkout"
        shutil.copytree(project / "cases", checkout / "cases")
        validate, _ = _measure(
            [str(Path(sys.executable).parent / "site-builder"), "validate", "cases"], cwd=checkout
        )
        engines = {}
        if zensical:
            engines = {
                "zensical_cold_wall": zcold.median("wall"),
                "zensical_cold_cpu": zcold.median("cpu"),
                "zensical_warm_wall": zhot.median("wall"),
                "zensical_warm_cpu": zhot.median("cpu"),
                "zensical_cold_plain_cpu": _ratio(zcold, plain, "cpu"),
                "zensical_warm_plain_cpu": _ratio(zhot, plain, "cpu"),
                "zensical_cold_core": zcold.median("core"),
                "zensical_cold_engine": zcold.median("engine"),
                "zensical_warm_core": zhot.median("core"),
                "zensical_warm_engine": zhot.median("engine"),
            }
        return {
            **engines,
            "cold_core": cold.median("core"),
            "cold_engine": cold.median("engine"),
            "warm_core": hot.median("core"),
            "warm_engine": hot.median("engine"),
            "cases": n,
            "cold_wall": cold.median("wall"),
            "cold_cpu": cold.median("cpu"),
            "warm_wall": hot.median("wall"),
            "warm_cpu": hot.median("cpu"),
            "plain_wall": plain.median("wall"),
            "plain_cpu": plain.median("cpu"),
            "cold_plain_wall": _ratio(cold, plain, "wall"),
            "cold_plain_cpu": _ratio(cold, plain, "cpu"),
            "warm_plain_wall": _ratio(hot, plain, "wall"),
            "warm_plain_cpu": _ratio(hot, plain, "cpu"),
            "cold_rss_mb": max(r.rss_mb for r in cold.all()),
            "warm_rss_mb": max(r.rss_mb for r in hot.all()),
            "plain_rss_mb": max(r.rss_mb for r in plain.all()),
            "site_kb_per_case": du_bytes(here / "site-plugin") / 1024 / n,
            "plain_kb_per_case": du_bytes(project / "site-plain") / 1024 / n,
            "site_tar_kb_per_case": artifact_bytes(here / "site-plugin") / 1024 / n,
            "plain_tar_kb_per_case": artifact_bytes(project / "site-plain") / 1024 / n,
            "validate_wall": validate.wall,
            "validate_cpu": validate.cpu,
            "cold_cpu_per_core": cold.median("cpu") / max(cold.median("wall"), 1e-9),
        }


def print_table(rows: list[dict[str, float]]) -> None:
    """The build table: medians, per-round ratios, memory, size, validate."""
    cols = [
        ("cases", "cases", "{:.0f}"),
        ("cold wall", "cold_wall", "{:.1f}"),
        ("cold CPU", "cold_cpu", "{:.1f}"),
        ("warm wall", "warm_wall", "{:.1f}"),
        ("warm CPU", "warm_cpu", "{:.1f}"),
        ("plain wall", "plain_wall", "{:.1f}"),
        ("plain CPU", "plain_cpu", "{:.1f}"),
        ("cold/plain wall", "cold_plain_wall", "{:.2f}x"),
        ("cold/plain CPU", "cold_plain_cpu", "{:.2f}x"),
        ("warm/plain wall", "warm_plain_wall", "{:.2f}x"),
        ("warm/plain CPU", "warm_plain_cpu", "{:.2f}x"),
        ("RSS cold/warm/plain MB", "", ""),
        ("KB/case du (plain)", "", ""),
        ("KB/case Pages artifact (plain)", "", ""),
        ("validate wall/CPU s", "", ""),
    ]
    print("| " + " | ".join(c[0] for c in cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = [fmt.format(r[key]) for _, key, fmt in cols if key]
        cells.append(f"{r['cold_rss_mb']:.0f} / {r['warm_rss_mb']:.0f} / {r['plain_rss_mb']:.0f}")
        cells.append(f"{r['site_kb_per_case']:.1f} ({r['plain_kb_per_case']:.1f})")
        cells.append(f"{r['site_tar_kb_per_case']:.1f} ({r['plain_tar_kb_per_case']:.1f})")
        cells.append(f"{r['validate_wall']:.2f} / {r['validate_cpu']:.2f}")
        print("| " + " | ".join(cells) + " |")
    print(
        "Times in seconds; CPU = user+sys of the build's whole process tree; ratios = median of per-round ratios."
    )


def print_engines(rows: list[dict[str, float]]) -> None:
    """MkDocs and Zensical side by side: CPU, ratio to plain MkDocs, the core's and the engine's wall."""
    print()
    print(
        "| cases | engine | cold CPU | warm CPU | cold/plain CPU | warm/plain CPU "
        "| cold: core / engine wall | warm: core / engine wall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        for name, key in (("MkDocs", ""), ("Zensical", "zensical_")):
            if f"{key}cold_cpu" not in r:
                continue
            print(
                f"| {r['cases']:.0f} | {name} | {r[f'{key}cold_cpu']:.1f} | {r[f'{key}warm_cpu']:.1f} "
                f"| {r[f'{key}cold_plain_cpu']:.2f}x | {r[f'{key}warm_plain_cpu']:.2f}x "
                f"| {r[f'{key}cold_core']:.1f} / {r[f'{key}cold_engine']:.1f} "
                f"| {r[f'{key}warm_core']:.1f} / {r[f'{key}warm_engine']:.1f} |"
            )
    print(
        "Core = the wall time of build()'s own steps; engine = its 引擎渲染页面 step (the engine's rendering)."
    )


def main() -> None:
    """Parse arguments, run the build benchmark for each size, then the editor's loop."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000,3000", help="comma-separated case counts")
    parser.add_argument("--big", action="store_true", help="also 5,000 cases")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size (default 3)")
    parser.add_argument("--warm", type=int, default=1, help="warm builds per round (default 1)")
    parser.add_argument(
        "--cold-every-round", action="store_true", help="cold builds in every round at any size"
    )
    parser.add_argument("--serve-sizes", default="29,1000", help="editor's loop sizes ('' to skip)")
    parser.add_argument("--no-serve", action="store_true", help="skip the editor's loop")
    parser.add_argument("--edits", type=int, default=3, help="saves per editor's-loop size")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--engines", default="mkdocs", help="comma-separated: mkdocs (always) and zensical (side by side)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big and 5000 not in sizes:
        sizes.append(5000)
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows = []
    for n in sizes:
        start = time.perf_counter()
        cold_rounds = args.rounds if (n <= 1000 or args.cold_every_round) else 1
        zensical = "zensical" in args.engines.split(",")
        rows.append(bench(n, args.rounds, args.warm, cold_rounds=cold_rounds, zensical=zensical))
        print(f"{n} cases done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)
    if "zensical" in args.engines.split(","):
        print_engines(rows)
    serve_rows = []
    if not args.no_serve and args.serve_sizes:
        from bench_serve import bench as bench_serve
        from bench_serve import print_results

        for n in (int(s) for s in args.serve_sizes.split(",") if s):
            serve_rows.append(bench_serve(n, args.edits))
        print_results(serve_rows, edits=args.edits)
    if args.json:
        serve = [vars(s) for s in serve_rows]
        args.json.write_text(json.dumps({"build": rows, "serve": serve}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
