"""Profile one ``mkdocs build`` by CPU time (not wall time: the shared machine's load would dominate).

    .venv/bin/python benchmarks/profile_build.py <project>/mkdocs.yml <out dir> [--top 40] [--sort tottime]
    .venv/bin/python benchmarks/profile_build.py ... --engine-only   # the engine's part alone

Runs in this process with forking disabled (``SITE_BUILDER_PARALLEL_FROM`` set very high) so that
every function shows up in one profile; prints the top functions. ``--engine-only`` pauses the
profiler inside each of the core's steps (``site_builder.build.Steps.run``), so what is left is
MkDocs, the theme, the adapter and the process's imports: the engine's side of a build.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _pause_in_core_steps(profiler: cProfile.Profile) -> None:
    """Leave the core's steps out of ``profiler`` (they have their own timing lines)."""
    from site_builder import build

    run = build.Steps.run

    def unprofiled(self: build.Steps, name: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        profiler.disable()
        try:
            return run(self, name, work, *args, **kwargs)
        finally:
            profiler.enable()

    build.Steps.run = unprofiled  # type: ignore[method-assign]


def main() -> None:
    """Run the build under cProfile with a CPU-time clock and print the top functions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config")
    parser.add_argument("out")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--save", help="also write the raw profile here")
    parser.add_argument("--engine-only", action="store_true", help="leave the core's steps out")
    args = parser.parse_args()
    os.environ["SITE_BUILDER_PARALLEL_FROM"] = "100000000"
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    if args.engine_only:
        _pause_in_core_steps(profiler)
    from mkdocs.__main__ import cli

    try:
        cli(["build", "-q", "-f", args.config, "-d", args.out], standalone_mode=False)
    finally:
        profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
