"""Engines: the renderers that turn the pages the core generated into a site.

:func:`site_builder.build.build` decides every page and file; an engine only renders them.
``mkdocs`` (the default) runs MkDocs with the ``site_builder`` plugin (:mod:`site_builder.plugin`);
``zensical`` writes the pages as Markdown files for Zensical, which runs no plugins
(:mod:`site_builder.engines.zensical`). Either way :mod:`site_builder.engines.guard` checks the
result before it is published.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

Engine = Literal["mkdocs", "zensical"]
ENGINES: tuple[Engine, ...] = ("mkdocs", "zensical")

NOTICE = (
    "渲染引擎：Material for MkDocs 于 2027-05-05 停止维护，MkDocs 2.0 不再支持插件；"
    "本站的页面由 site_builder 生成，计划改用 Zensical 渲染（site-builder build --engine zensical，已随测试构建），"
    "在此之前 MkDocs 的备选是 ProperDocs（MkDocs 1.x 的延续，原样运行现有插件）。"
)
"""The project's own line on the engine's end of life and the plan, printed once per build.

It stands in for Material's English notice (silenced with ``NO_MKDOCS_2_WARNING`` only where
this project starts MkDocs, see :func:`engine_env`), so the date is never hidden.
"""


def engine_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment to start MkDocs in: Material's notice replaced by :data:`NOTICE`."""
    return {**(os.environ if env is None else env), "NO_MKDOCS_2_WARNING": "1"}


def run_mkdocs(config: Path, out: Path, *extra: str, env: Mapping[str, str] | None = None) -> int:
    """``mkdocs build --strict --clean`` of ``config`` into ``out``; the exit code."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(config), "-d", str(out)]
    return subprocess.call([*cmd, *extra], env=engine_env(env))
