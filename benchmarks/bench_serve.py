"""Editor's loop benchmark: save a case while ``make serve`` runs, time until the page shows it.

Starts ``mkdocs serve --dirty`` (as ``make serve`` does) on a throwaway project on 127.0.0.1,
waits for the first build, then edits one case's title several times and measures the time
from the save to the moment the case page served over HTTP carries the new title.

    .venv/bin/python benchmarks/bench_serve.py [--sizes 29,1000] [--edits 5]

Size 29 uses the repository's real cases; other sizes use synthetic ones.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from site_builder.engines import engine_env  # noqa: E402
from tests.support.project import make_project  # noqa: E402
from tests.support.synthetic import write_cases  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return str(r.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return None


def _wait(predicate: object, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():  # type: ignore[operator]
            return time.perf_counter() - start
        time.sleep(0.02)
    raise TimeoutError("timed out waiting for the preview")


def bench(n: int, edits: int) -> dict[str, float]:
    """Median seconds from saving a case to its page being served with the change."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        if n == 29:
            cases = ROOT / "cases"
            config = make_project(project, cases)
        else:
            write_cases(Path(tmp) / "cases", n)
            config = make_project(project, Path(tmp) / "cases")
        case_file = sorted((project / "cases").glob("*.yaml"))[n // 2]
        case_id = case_file.stem
        port = _free_port()
        env = engine_env({**os.environ, "SITE_URL": f"http://127.0.0.1:{port}/"})
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "serve",
                "--dirty",
                "-a",
                f"127.0.0.1:{port}",
                "-f",
                str(config),
            ],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(tmp) / "serve.log", "w"),  # noqa: SIM115
        )
        try:
            page = f"http://127.0.0.1:{port}/cases/{case_id}/"
            first = _wait(lambda: _get(page) is not None, 1800)
            times = []
            text = case_file.read_text(encoding="utf-8")
            title = re.search(r"^title: (.*)$", text, re.M).group(1).strip()  # type: ignore[union-attr]
            for i in range(edits):
                marker = f"改{i}"
                new = re.sub(r"^title: (.*)$", f"title: {title[:30]}{marker}", text, count=1, flags=re.M)
                time.sleep(1.1)  # distinct mtimes, and let the watcher settle
                case_file.write_text(new, encoding="utf-8")
                times.append(_wait(lambda m=marker: m in (_get(page) or ""), 600))
            return {
                "cases": n,
                "first_build_s": round(first, 2),
                "reload_median_s": round(statistics.median(times), 2),
                "reload_max_s": round(max(times), 2),
            }
        except TimeoutError:
            print((Path(tmp) / "serve.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(project / ".cache", ignore_errors=True)


def main() -> None:
    """Run the editor's-loop benchmark for each size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="29,1000")
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    print(f"{'cases':>6} {'first build s':>14} {'reload median s':>16} {'reload max s':>13}")
    for n in (int(s) for s in args.sizes.split(",")):
        r = bench(n, args.edits)
        print(
            f"{r['cases']:>6} {r['first_build_s']:>14} {r['reload_median_s']:>16} {r['reload_max_s']:>13}",
            flush=True,
        )


if __name__ == "__main__":
    main()
