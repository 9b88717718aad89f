"""Profile one ``mkdocs build`` by CPU time (not wall time: the shared machine's load would dominate).

    .venv/bin/python benchmarks/profile_build.py <project>/mkdocs.yml <out dir> [--top 40] [--sort tottime]

Runs in this process with forking disabled (``SITE_BUILDER_PARALLEL_FROM`` set very high) so that
every function shows up in one profile; prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time


def main() -> None:
    """Run the build under cProfile with a CPU-time clock and print the top functions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config")
    parser.add_argument("out")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--save", help="also write the raw profile here")
    args = parser.parse_args()
    os.environ["SITE_BUILDER_PARALLEL_FROM"] = "100000000"
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
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
