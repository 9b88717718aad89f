"""Render cases and browse pages to HTML with autoescaping Jinja templates."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2

from .markup import render_markdown
from .models import Case
from .site import Facet, SiteModel, Term

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
    names = ("年", "月", "日")
    return "".join(f"{int(p) if i else p}{names[i]}" for i, p in enumerate(parts))


@lru_cache(maxsize=1)
def template_env() -> jinja2.Environment:
    """The Jinja environment for page bodies; autoescape is on for every template."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("site_builder", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.filters["cndate"] = _cndate
    env.globals["covers"] = None
    return env


def base_for(url: str) -> str:
    """Relative prefix from a directory-style page URL back to the site root."""
    depth = url.strip("/").count("/") + 1 if url.strip("/") else 0
    return "../" * depth


def render_case(
    case: Case,
    site: SiteModel,
    *,
    edit_url: str | None = None,
    images_html: list[str] | None = None,
    covers: dict[str, str] | None = None,
) -> str:
    """The body of ``/cases/<id>/``: info panel, metrics, sections, quotes, sources, related cases."""
    url = f"cases/{case.id}/"
    facets = site.facets
    sections = [(k, h, render_markdown(getattr(case, k))) for k, h in SECTIONS]
    return template_env().get_template("case.html").render(
        case=case,
        base=base_for(url),
        district_term=facets["district"].term_for(case.district),
        field_terms=[facets["field"].term_for(f) for f in case.fields],
        group_terms=[facets["group"].term_for(g) for g in case.groups],
        tag_terms=[facets["tag"].term_for(t) for t in case.tags],
        sections=[s for s in sections if s[2]],
        related=[c for c, _ in site.related(case)],
        edit_url=edit_url,
        images_html=images_html or [],
        covers=covers,
    )


def _facet_heading(facet: Facet, term: Term) -> str:
    if facet.key == "year":
        return f"{term.name} 年的案例"
    if facet.key == "tag":
        return f"标签：{term.name}"
    return term.name


def build_pages(
    site: SiteModel,
    *,
    site_title: str,
    edit_url_for: Callable[[Case], str | None] | None = None,
    images_html_for: Callable[[Case], list[str]] | None = None,
    covers: dict[str, str] | None = None,
    home: bool = True,
) -> list[GeneratedPage]:
    """Every generated page of the site, in a deterministic order."""
    env = template_env()
    pages: list[GeneratedPage] = []
    facet_list = list(site.facets.values())
    for case in site.cases:
        body = render_case(
            case,
            site,
            edit_url=edit_url_for(case) if edit_url_for else None,
            images_html=images_html_for(case) if images_html_for else None,
            covers=covers,
        )
        pages.append(
            GeneratedPage(f"cases/{case.id}.md", f"cases/{case.id}/", case.title, case.summary, body,
                          extra={"case_id": case.id})
        )
    for facet in facet_list:
        url = facet.url
        body = env.get_template("facet.html").render(facet=facet, facets=facet_list, base=base_for(url))
        desc = f"{facet.label}：" + "、".join(f"{t.name}（{len(t.cases)}）" for t in facet.terms[:20])
        pages.append(GeneratedPage(f"{url}index.md", url, facet.label, desc, body, hide=("toc",)))
        for term in facet.terms:
            heading = _facet_heading(facet, term)
            body = env.get_template("term.html").render(
                facet=facet, term=term, heading=heading, base=base_for(term.url), covers=covers
            )
            desc = f"{heading}：共 {len(term.cases)} 个案例。" + "；".join(c.title for c in term.cases[:5])
            pages.append(GeneratedPage(f"{term.url}index.md", term.url, heading, desc[:200], body))
    newest = sorted(site.cases, key=lambda c: (-c.year, c.id))
    body = env.get_template("all.html").render(cases=newest, facets=facet_list, base=base_for("cases/"))
    pages.append(
        GeneratedPage("cases/index.md", "cases/", "全部案例", f"全部 {len(site.cases)} 个案例一览。", body,
                      hide=("toc",))
    )
    if home:
        body = env.get_template("home.html").render(
            site_title=site_title,
            n_cases=len(site.cases),
            n_districts=len(site.facets["district"].terms),
            n_fields=len(site.facets["field"].terms),
            facets=facet_list,
            facet_map=site.facets,
            newest=site.newest(6),
            base="",
            covers=covers,
        )
        pages.append(
            GeneratedPage("index.md", "", site_title,
                          "上海新兴领域党建优秀案例：楼宇、商圈街区、外卖骑手、快递员、货车司机等。", body,
                          hide=("navigation", "toc"))
        )
    return pages
