"""The last step of every build: the site holds every published case, whatever rendered it.

An engine that does not run the ``site_builder`` plugin (MkDocs with the plugin dropped from
mkdocs.yml, Zensical, which silently ignores plugins it does not know) still exits 0 with a site
that has no case in it. So after the engine, and before the site replaces the last good one, the
command line checks the files themselves: a page per published case, every case in the search
index, every case counted in the open data. Anything missing fails the build.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from site_builder.browse import urls
from site_builder.build import Project
from site_builder.cache import cache_root
from site_builder.casefile.loader import load_cases
from site_builder.casefile.yamlio import use_parse_cache
from site_builder.errors import CaseError
from site_builder.outputs.search.index import DOC_SHARD

EXAMPLES = 5
"""How many missing case ids a message names."""


def published_case_ids(project: Project) -> tuple[list[str], list[CaseError]]:
    """The ids of the cases the site must publish (drafts as the project says), or the errors that
    make its case files invalid (an engine without the plugin never checked them)."""
    use_parse_cache(cache_root(project.root))
    result = load_cases([project.cases_dir], cases_root=project.cases_dir)
    errors = [e for e in result.errors if e.severity == "error"]
    return [c.id for c in result.cases if project.show_drafts or not c.is_draft], errors


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _some(ids: Iterable[str]) -> str:
    listed = sorted(ids)
    more = f" 等 {len(listed)} 个" if len(listed) > EXAMPLES else ""
    return "、".join(listed[:EXAMPLES]) + more


def search_ids(site_dir: Path) -> list[str] | None:
    """The case ids the search index lists, in its order; None when ``search/meta.json`` is missing."""
    meta = _read_json(site_dir / urls.SEARCH_DATA / "meta.json")
    if not isinstance(meta, dict) or not isinstance(meta.get("docs"), int):
        return None
    ids: list[str] = []
    for shard in range(0, max(meta["docs"], 1), DOC_SHARD):
        docs = _read_json(site_dir / urls.SEARCH_DATA / "m" / f"{shard // DOC_SHARD}.json")
        if isinstance(docs, list):
            ids += [str(d.get("id")) for d in docs if isinstance(d, dict)]
    return ids


def data_ids(site_dir: Path) -> tuple[list[str] | None, int | None, int | None]:
    """From the open data: the ids in ``cases.json``, its ``count``, and the rows of ``cases.csv``."""
    doc = _read_json(site_dir / urls.DATA_JSON)
    ids: list[str] | None = None
    count: int | None = None
    if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
        ids = [str(c.get("id")) for c in doc["cases"] if isinstance(c, dict)]
        count = doc.get("count") if isinstance(doc.get("count"), int) else None
    try:
        text = (site_dir / urls.DATA_CSV).read_text(encoding="utf-8-sig")
    except OSError:
        return ids, count, None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return ids, count, max(len(rows) - 1, 0)


def check_site(site_dir: Path, case_ids: Iterable[str]) -> list[str]:
    """What the built site lacks of the published cases ``case_ids``, one Chinese line per problem."""
    expected = set(case_ids)
    problems: list[str] = []
    no_page = {i for i in expected if not _is_page(site_dir / urls.case_url(i) / "index.html")}
    if no_page:
        problems.append(f"{len(no_page)} 个案例没有页面（{_some(no_page)}），应在 cases/<编号>/index.html")
    listed = search_ids(site_dir)
    if listed is None:
        problems.append(f"没有搜索索引（{urls.SEARCH_DATA}meta.json），搜索找不到任何案例")
    elif expected - set(listed):
        missing = expected - set(listed)
        problems.append(f"搜索索引缺少 {len(missing)} 个案例（{_some(missing)}）")
    ids, count, rows = data_ids(site_dir)
    if ids is None:
        problems.append(f"没有开放数据文件 {urls.DATA_JSON}")
    elif expected - set(ids) or count != len(ids):
        missing = expected - set(ids)
        problems.append(
            f"{urls.DATA_JSON} 记有 {count if count is not None else '（无）'} 个案例"
            + (f"，缺少 {_some(missing)}" if missing else "，与所列案例条数不符")
        )
    if rows is None:
        problems.append(f"没有开放数据文件 {urls.DATA_CSV}")
    elif rows < len(expected):
        problems.append(f"{urls.DATA_CSV} 只有 {rows} 行案例，应有 {len(expected)} 行")
    return problems


def _is_page(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def failure_message(problems: list[str]) -> str:
    """The build's message when :func:`check_site` found problems: what is missing and the likely cause."""
    lines = "\n".join(f"  - {p}" for p in problems)
    return (
        "构建出的网站不完整，没有发布：\n"
        f"{lines}\n"
        "最常见的原因：mkdocs.yml 的 plugins 里缺少 site_builder（案例页面、搜索和数据都由它生成），"
        "或者所用的渲染引擎忽略了这个插件（Zensical 请用 site-builder build --engine zensical）。"
    )
