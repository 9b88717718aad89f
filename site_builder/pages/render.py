"""Render cases and browse pages to HTML with autoescaping Jinja templates."""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from site_builder.browse import urls
from site_builder.browse.model import SiteModel, newest_first
from site_builder.browse.urls import base_for
from site_builder.casefile.models import Case
from site_builder.pages.markup import render_markdown

SECTIONS = (("background", "背景"), ("practice", "主要做法"), ("results", "成效"), ("insights", "经验启示"))


@dataclass
class GeneratedPage:
    """A page the plugin hands to MkDocs: where it lives, its (plain-text) title, and its body HTML."""

    src_uri: str
    url: str
    title: str
    description: str
    html: str
    hide: tuple[str, ...] = ("navigation", "toc")
    extra: dict[str, Any] = field(default_factory=dict)

    def front_matter(self) -> str:
        """YAML front matter for the stub Markdown file; values are HTML-escaped (Material prints them raw)."""
        import json

        meta = {
            "title": html.escape(self.title),
            "description": html.escape(self.description),
            "hide": list(self.hide),
        }
        lines = [f"{k}: {json.dumps(v, ensure_ascii=True)}" for k, v in meta.items()]
        return "---\n" + "\n".join(lines) + "\n---\n"


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _cndate(value: str) -> str:
    parts = value.split("-")
    names = ("年", "月", "日") if len(parts[0]) == 4 else ("月", "日")
    return "".join(f"{int(p) if i else p}{names[i]}" for i, p in enumerate(parts))


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    """The Jinja environment for page bodies; autoescape is on for every template."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("site_builder.pages", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.filters["cndate"] = _cndate
    env.globals["covers"] = None
    env.globals["case_url"] = urls.case_url
    env.globals["urls"] = urls
    return env


def render_case(
    case: Case,
    site: SiteModel,
    *,
    edit_url: str | None = None,
    images_html: list[str] | None = None,
    covers: dict[str, str] | None = None,
) -> str:
    """The body of ``/cases/<id>/``: info panel, metrics, sections, quotes, sources, related cases."""
    url = urls.case_url(case.id)
    sections = [(k, h, render_markdown(getattr(case, k))) for k, h in SECTIONS]
    return (
        template_env()
        .get_template("case.html")
        .render(
            case=case,
            base=base_for(url),
            facet_rows=[(f, f.terms_of(case)) for f in site.facets.values() if f.spec.on_case],
            sections=[s for s in sections if s[2]],
            related=[c for c, _ in site.related(case)],
            edit_url=edit_url,
            images_html=images_html or [],
            covers=covers,
        )
    )


def render_case_bodies(
    site: SiteModel,
    ids: list[str],
    *,
    edit_base: str | None = None,
    images_html: dict[str, list[str]] | None = None,
    covers: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> list[str]:
    """Bodies of the given cases' pages, in order (a unit of work that can run in another process).

    With ``cache_dir``, each body is cached under a hash of everything it shows (the case, its
    related cases' cards, browse URLs, images, templates and code version), so unchanged cases are
    not rendered again on the next build.
    """
    images_html = images_html or {}
    out = []
    for i in ids:
        case = site.by_id[i]
        edit_url = urls.edit_url(edit_base, i)
        figures = images_html.get(i)
        cached: Path | None = None
        if cache_dir is not None:
            cached = cache_dir / f"{_body_key(case, site, edit_url, figures, covers)}.html"
            if cached.is_file():
                out.append(cached.read_text(encoding="utf-8"))
                continue
        body = render_case(case, site, edit_url=edit_url, images_html=figures, covers=covers)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".tmp-{os.getpid()}-{cached.name}")
            tmp.write_text(body, encoding="utf-8")
            tmp.replace(cached)
        out.append(body)
    return out


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever templates or the rendering code change, invalidating cached bodies."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(
        [
            *here.glob("templates/*.html"),
            here / "render.py",
            here / "markup.py",
            here.parent / "browse" / "model.py",
        ]
    ):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _body_key(
    case: Case,
    site: SiteModel,
    edit_url: str | None,
    figures: list[str] | None,
    covers: dict[str, str] | None,
) -> str:
    related = [
        (c.id, c.title, c.summary, c.district_label, c.year, c.fields, (covers or {}).get(c.id))
        for c, _ in site.related(case)
    ]
    terms = [t.url for f in site.facets.values() for t in f.terms_of(case)]
    payload = json.dumps(
        [
            _code_fingerprint(),
            case.id,
            case.model_dump(mode="json"),
            case.district_label,
            related,
            terms,
            edit_url,
            figures,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def prune_body_cache(cache_dir: Path, keep_count: int) -> None:
    """Keep the cache from growing without bound: drop the oldest entries beyond twice the site's size."""
    if not cache_dir.is_dir():
        return
    entries = sorted(cache_dir.glob("*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[2 * keep_count :]:
        old.unlink(missing_ok=True)


def build_pages(
    site: SiteModel,
    *,
    site_title: str,
    bodies: list[str],
    covers: dict[str, str] | None = None,
    home: bool = True,
) -> list[GeneratedPage]:
    """Every generated page of the site, in a deterministic order.

    ``bodies`` are the case pages' bodies, rendered by :func:`render_case_bodies` (in parallel
    for large sites, see :mod:`site_builder.build`).
    """
    env = template_env()
    pages: list[GeneratedPage] = []
    facet_list = list(site.facets.values())
    for case, body in zip(site.cases, bodies, strict=True):
        pages.append(
            GeneratedPage(
                urls.case_src(case.id),
                urls.case_url(case.id),
                case.title,
                case.summary,
                body,
                extra={"case_id": case.id},
            )
        )
    for facet in facet_list:
        url = facet.url
        body = env.get_template("facet.html").render(facet=facet, facets=facet_list, base=base_for(url))
        desc = f"{facet.label}：" + "、".join(f"{t.name}（{len(t.cases)}）" for t in facet.terms[:20])
        pages.append(GeneratedPage(urls.page_src(url), url, facet.label, desc, body, hide=("toc",)))
        for term in facet.terms:
            body = env.get_template("term.html").render(
                facet=facet, term=term, heading=term.title, base=base_for(term.url), covers=covers
            )
            desc = f"{term.title}：共 {len(term.cases)} 个案例。" + "；".join(c.title for c in term.cases[:5])
            pages.append(GeneratedPage(urls.page_src(term.url), term.url, term.title, desc[:200], body))
    body = env.get_template("all.html").render(
        cases=newest_first(site.cases), facets=facet_list, base=base_for(urls.ALL_CASES)
    )
    pages.append(
        GeneratedPage(
            urls.page_src(urls.ALL_CASES),
            urls.ALL_CASES,
            "全部案例",
            f"全部 {len(site.cases)} 个案例一览。",
            body,
            hide=("toc",),
        )
    )
    if home:
        body = env.get_template("home.html").render(
            site_title=site_title,
            n_cases=len(site.cases),
            n_districts=len(site.facets["district"].terms),
            n_fields=len(site.facets["field"].terms),
            facets=facet_list,
            newest=site.newest(6),
            base="",
            covers=covers,
        )
        pages.append(
            GeneratedPage(
                urls.page_src(urls.HOME),
                urls.HOME,
                site_title,
                "上海新兴领域党建优秀案例：楼宇、商圈街区、外卖骑手、快递员、货车司机等。",
                body,
                hide=("navigation", "toc"),
            )
        )
    return pages
