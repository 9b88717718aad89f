"""One-edit rebuilds: edit one case's text, rebuild, CPU beside a warm build of the same run.

Issue 26's goal for incremental builds is a one-case edit at <= 0.3x a warm build's CPU. Each
round builds warm (nothing changed), then edits one case file (``--field``: a sentence added to
``background`` by default, or to ``summary``/``title``, which browse and home pages show) and
rebuilds, interleaved so the machine's load hits both alike. CPU is user+sys of the whole
process tree (``bench_build._measure``); the ratio is the median of the per-round ratios. Each of
the core's steps (``site_builder.build.Steps``) prints its CPU seconds, so the core's CPU (every
step but the engine's ``引擎渲染页面``) is printed apart, with its own edit / warm ratio: the core's
side of the goal, measured the same way whatever the engine costs.

    .venv/bin/python benchmarks/bench_edit.py                        # 1,000 cases, 3 rounds
    .venv/bin/python benchmarks/bench_edit.py --cases 200 --rounds 2 --field summary
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import _RUNNER, _STEP_CPU_LINE, ROOT, _config, _measure

sys.path.insert(0, str(ROOT))
from tests.support.synthetic import write_cases

FIELDS = ("background", "summary", "title")


def _run(config: Path, out: Path) -> tuple[float, dict[str, float]]:
    """One ``mkdocs build``: CPU of the process tree and the CPU seconds of each of the core's steps."""
    os.sync()
    run, stderr = _measure([sys.executable, "-c", _RUNNER, str(config), str(out)], cwd=config.parent)
    steps: dict[str, float] = {}
    for m in map(_STEP_CPU_LINE.match, stderr.splitlines()):
        if m:
            steps[m.group(2)] = steps.get(m.group(2), 0.0) + float(m.group(1))
    return run.cpu, steps


def edit_case(path: Path, field: str, n: int) -> None:
    """Change one field of a case file: a new sentence (or words) that no case had."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    added = f"第{n}次修改补充了骑手驿站的开放时间。" if field != "title" else f"（修订{n}）"
    value = str(data[field])
    if field == "summary":  # stay within the summary's length limit
        value = value[: max(0, 150 - len(added))]
    data[field] = value + added
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def bench(n: int, rounds: int, field: str) -> dict[str, object]:
    """Interleaved warm and one-edit builds of ``n`` synthetic cases."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        write_cases(project / "cases", n)
        config = _config(project, plugin=True)
        site = project / "site"
        cold, _ = _run(config, site)
        _run(config, site)  # settle: stamps written, entries verified once
        print(f"  cold build {cold:.1f} s CPU", file=sys.stderr, flush=True)
        warm: list[float] = []
        edit: list[float] = []
        ratios: list[float] = []
        core_ratios: list[float] = []
        warm_steps: list[dict[str, float]] = []
        edit_steps: list[dict[str, float]] = []
        for rnd in range(rounds):
            w, ws = _run(config, site)
            case = project / "cases" / f"case-{(rnd * 37 + 11) % n:05d}.yaml"
            edit_case(case, field, rnd)
            e, es = _run(config, site)
            warm.append(w)
            edit.append(e)
            ratios.append(e / w)
            core_ratios.append(sum(es.values()) / sum(ws.values()))
            warm_steps.append(ws)
            edit_steps.append(es)
            print(
                f"  round {rnd + 1}/{rounds}: warm {w:.2f} s CPU, one edit ({field}) {e:.2f} s CPU = {e / w:.2f}x; "
                f"core {sum(ws.values()):.2f} / {sum(es.values()):.2f} s = {core_ratios[-1]:.2f}x "
                f"(load {os.getloadavg()[0]:.1f})",
                file=sys.stderr,
                flush=True,
            )
        return {
            "cases": n,
            "warm": statistics.median(warm),
            "edit": statistics.median(edit),
            "ratio": statistics.median(ratios),
            "core_ratio": statistics.median(core_ratios),
            "warm_steps": _median_steps(warm_steps),
            "edit_steps": _median_steps(edit_steps),
        }


def _median_steps(runs: list[dict[str, float]]) -> dict[str, float]:
    names = [name for run in runs for name in run]
    return {name: statistics.median(run.get(name, 0.0) for run in runs) for name in dict.fromkeys(names)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--field", choices=FIELDS, default="background")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    r = bench(args.cases, args.rounds, args.field)
    warm_steps, edit_steps = r["warm_steps"], r["edit_steps"]
    assert isinstance(warm_steps, dict) and isinstance(edit_steps, dict)
    print(
        f"\n{r['cases']} cases, {args.rounds} rounds, edit of {args.field}: warm {r['warm']:.2f} s CPU, "
        f"one edit {r['edit']:.2f} s CPU, one edit / warm = {r['ratio']:.2f}x (goal <= 0.30x)"
    )
    print("| core step (CPU s, median) | warm | one edit |")
    print("|---|---|---|")
    for name in dict.fromkeys([*warm_steps, *edit_steps]):
        print(f"| {name} | {warm_steps.get(name, 0.0):.2f} | {edit_steps.get(name, 0.0):.2f} |")
    core_warm, core_edit = sum(warm_steps.values()), sum(edit_steps.values())
    print(
        f"core: warm {core_warm:.2f} s CPU, one edit {core_edit:.2f} s CPU, "
        f"one edit / warm = {r['core_ratio']:.2f}x (median of rounds); the engine and start-up: the rest"
    )


if __name__ == "__main__":
    main()
