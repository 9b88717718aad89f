"""Render cases and browse pages to HTML with autoescaping Jinja templates."""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, is_dataclass
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from site_builder.browse import urls
from site_builder.browse.facets import FacetSpec, has_reported_results
from site_builder.browse.model import Facet, SiteModel, Term, case_digest, newest_first
from site_builder.browse.urls import base_for
from site_builder.cache import Store, cache_key, code_fingerprint, fingerprint
from site_builder.casefile.models import Case, kind_of
from site_builder.pages.charts import district_map, overview_charts
from site_builder.pages.citation import Citation, cite_case, newest_review
from site_builder.pages.contact import Publisher, report_links
from site_builder.pages.markup import render_markdown, rendered_markdown
from site_builder.pages.qr import qr_image

STATS_TITLE = "统计"
SECTIONS = tuple(
    (key, str(info.title)) for key, info in Case.model_fields.items() if kind_of(info) == "markdown"
)
"""The Markdown fields shown as sections of a case page, in the models' order (key, heading)."""


@dataclass
class GeneratedPage:
    """A page the core decided: where it lives, its (plain-text) title and description, its body HTML
    and its template data (``meta``, read by the theme as ``page.meta.sb``), for any engine to render."""

    src_uri: str
    url: str
    title: str
    description: str
    html: str
    hide: tuple[str, ...] = ("navigation", "toc")
    meta: dict[str, Any] = field(default_factory=dict)
    """Plain JSON data for the theme: ``case`` (a case page), ``social_image``, ``print_qr``."""

    def front_matter(self) -> str:
        """YAML front matter of the page's Markdown file: every value plain JSON (a YAML subset).

        The title and description are HTML-escaped: Material and Zensical print ``page.meta.*`` raw.
        """
        data: dict[str, Any] = {
            "title": html.escape(self.title),
            "description": html.escape(self.description),
            "hide": list(self.hide),
        }
        if self.meta:
            data["sb"] = self.meta
        lines = [f"{k}: {json.dumps(v, ensure_ascii=True, sort_keys=True)}" for k, v in data.items()]
        return "---\n" + "\n".join(lines) + "\n---\n"

    def markdown(self) -> str:
        """The whole page as a Markdown file: front matter, then the body as one raw HTML block.

        Python-Markdown passes a block that starts with a block-level tag through untouched, so an
        engine without a hook to swap in the body (Zensical) renders exactly this HTML.
        """
        return f'{self.front_matter()}\n<div class="sb-body">\n{self.html}\n</div>\n'


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _cndate(value: str) -> str:
    parts = value.split("-")
    names = ("年", "月", "日") if len(parts[0]) == 4 else ("月", "日")
    return "".join(f"{int(p)}{names[i]}" for i, p in enumerate(parts))


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
    env.tests["ne_one"] = lambda cases: len(cases) != 1
    env.globals["covers"] = None
    env.globals["case_url"] = urls.case_url
    env.globals["cards_html"] = cards_html
    env.globals["urls"] = urls
    return env


def cards_html(cards: Iterable[Card], base: str) -> Markup:
    """The ``cards`` macro of ``_macros.html``: a ``<ul>`` of :func:`card_html` rows."""
    return Markup('<ul class="sb-cards">' + "".join("\n" + card_html(c, base) for c in cards) + "\n</ul>")


@lru_cache(maxsize=16384)
def card_html(card: Card, base: str) -> str:
    """One case in a list: a compact row a phone shows four or more of per screen: title, district ·
    year · fields, and two lines of summary. No cover beside it: a cover only repeated the district
    and field of the meta line, and took the room the summary needs on a phone (covers stay in the
    feeds and the open data). Every value is escaped; a row is remembered by its card and base,
    since the all-cases lists and the term pages show the same rows again and again."""
    fields = f"<span>{escape('、'.join(card.fields))}</span>" if card.fields else ""
    return (
        '<li class="sb-card">\n  <div class="sb-card__body">\n'
        f'    <a class="sb-card__link" href="{escape(base)}{escape(urls.case_url(card.id))}">{escape(card.title)}</a>\n'
        f'    <p class="sb-card__meta"><span>{escape(card.district_label)}</span><span>{card.year} 年</span>{fields}</p>\n'
        f'    <p class="sb-card__summary">{escape(card.summary)}</p>\n  </div>\n</li>'
    )


@dataclass(frozen=True)
class Card:
    """What a list of cases shows of one case (the ``card`` macro of ``_macros.html``).

    Lists (browse pages, home, related cases) get cards rather than cases, so a page's cache key
    holds only what it shows: an edit of a case's background changes no list, and a template that
    reads more of a listed case fails loudly (``StrictUndefined``) until the card carries it.
    """

    id: str
    title: str
    district_label: str
    year: int
    fields: tuple[str, ...]
    summary: str


def card_of(case: Case) -> Card:
    """The card of a case."""
    return Card(case.id, case.title, case.district_label, case.year, tuple(case.fields), case.summary)


def case_context(
    case: Case,
    site: SiteModel,
    *,
    edit_url: str | None = None,
    images_html: list[str] | None = None,
    covers: dict[str, str] | None = None,
    share: Share | None = None,
    report_to: Publisher | None = None,
) -> dict[str, Any]:
    """Everything the case template shows except the rendered Markdown (cheap to compute)."""
    related = [card_of(c) for c, _ in site.related(case)]
    share = share or Share(site_name="")
    address = urls.public(share.site_url, urls.case_url(case.id))
    citation = cite_case(case, site_name=share.site_name, page_url=address, fallback_date=share.fallback_date)
    report = report_links(report_to, title=case.title, address=address) if report_to else []
    return {
        "report_links": report,
        "page_address": address,
        "citation": citation,
        "qr_address": address if share.site_url else None,
        "case": case,
        "base": base_for(urls.case_url(case.id)),
        "facet_rows": [(f, f.terms_of(case)) for f in site.facets.values() if f.spec.on_case],
        "related": related,
        "edit_url": edit_url,
        "images_html": images_html or [],
        "covers": {c.id: covers[c.id] for c in related if covers and c.id in covers},
    }


@dataclass(frozen=True)
class Share:
    """What a case page needs to be cited and shared: the site's name and published address."""

    site_name: str
    site_url: str | None = None
    fallback_date: str | None = None
    """The 引用日期 shown for cases without a review date (the site's newest review date)."""


def render_case(
    case: Case,
    site: SiteModel,
    *,
    edit_url: str | None = None,
    images_html: list[str] | None = None,
    covers: dict[str, str] | None = None,
    share: Share | None = None,
) -> str:
    """The body of ``/cases/<id>/``: info panel, metrics, sections, quotes, sources, related cases."""
    context = case_context(case, site, edit_url=edit_url, images_html=images_html, covers=covers, share=share)
    return _render_case_context(context)


def _render_case_context(context: dict[str, Any]) -> str:
    case = context["case"]
    # A 成效 text that only says the sources report no results is no section of results: the info
    # panel says so in its own words instead.
    reported = has_reported_results(case)
    sections = [(k, h, render_markdown(getattr(case, k))) for k, h in SECTIONS if k != "results" or reported]
    qr = qr_image(context["qr_address"]) if context["qr_address"] else None  # only on a body-cache miss
    return (
        template_env()
        .get_template("case.html")
        .render(
            **context,
            sections=[s for s in sections if s[2]],
            qr_image=qr,
            results_reported=reported,
            results_note="" if reported else render_markdown(case.results),
        )
    )


def _case_form(case: Case, digest: str | None = None) -> str:
    """A case in a cache key: the hash of its id and values (:func:`case_digest`, or ``digest`` when
    the site has it already) and of what the template derives from them besides (its district's
    label, from the vocabularies)."""
    return fingerprint(digest or case_digest(case), case.district_label)


def _plain(value: Any) -> Any:
    """JSON form of a template context value: what the template can read, for the cache key."""
    if isinstance(value, Case):
        return _case_form(value)
    if isinstance(value, Term):
        return [value.name, value.slug, value.url, value.label, value.title]
    if isinstance(value, Facet):
        return {k: v for k, v in vars(value.spec).items() if not callable(v)}
    if isinstance(value, Citation):
        return vars(value)
    if isinstance(value, Card):  # its fields, flat (astuple deep-copies: half the cost of a key)
        return [getattr(value, f.name) for f in dataclass_fields(value)]
    raise TypeError(f"no cache form for {type(value).__name__}")


def body_cache_key(context: dict[str, Any], memo: dict[int, str] | None = None) -> str:
    """Cache key of a case body: a hash of the template context actually rendered and of the code.

    Nothing is listed by hand: whatever the template receives is in the key, so a new value in
    the context can never be served stale. A case enters the key as the hash of its values
    (:func:`_case_form`) and a facet as the hash of its row; ``memo`` (object id -> that hash, for
    one batch over one site, seeded from the site's own digests by :func:`_case_contexts`)
    computes each once rather than once per page that shows it.
    """
    memo = {} if memo is None else memo

    def plain(value: Any) -> Any:
        if isinstance(value, Case | Facet):  # shared by every page of the batch: hashed once
            digest = memo.get(id(value))
            if digest is None:
                digest = memo[id(value)] = (
                    _case_form(value) if isinstance(value, Case) else fingerprint(_plain(value))
                )
            return digest
        return _plain(value)

    payload = json.dumps(context, default=plain, sort_keys=True, ensure_ascii=False)
    return cache_key("pages", payload)


@dataclass(frozen=True)
class PageInputs:
    """What a case page shows besides the site's cases: edit link base, photos, covers, sharing."""

    edit_base: str | None = None
    images_html: dict[str, list[str]] = field(default_factory=dict)
    covers: dict[str, str] | None = None
    site_name: str = ""
    site_url: str | None = None
    report_email: str | None = None
    report_issues: str | None = None


def _case_contexts(
    site: SiteModel, ids: list[str], inputs: PageInputs
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``(case id, template context, body cache entry name)`` of each case page."""
    share = Share(inputs.site_name, inputs.site_url, newest_review(site.cases))
    report_to = Publisher(email=inputs.report_email, new_issue_url=inputs.report_issues)
    digests = site.case_digests  # computed once per site (its digest keys the whole build)
    memo = {id(c): _case_form(c, digests[c.id]) for c in site.cases}
    for i in ids:
        context = case_context(
            site.by_id[i],
            site,
            edit_url=urls.edit_url(inputs.edit_base, i),
            images_html=inputs.images_html.get(i),
            covers=inputs.covers,
            share=share,
            report_to=report_to,
        )
        yield i, context, f"{body_cache_key(context, memo)}.html"


def site_inputs_key(site: SiteModel, inputs: PageInputs) -> str:
    """A hash of everything :func:`case_context` reads besides a case and its related cases: the
    page inputs (edit links, photos, covers, sharing, where reports go), the citation's fallback
    date, every facet row a case page shows with all its terms (names, addresses, labels), and
    the code of the pages, the browse model and the case model."""
    facets = [[_plain(f), [_plain(t) for t in f.terms]] for f in site.facets.values() if f.spec.on_case]
    share = Share(inputs.site_name, inputs.site_url, newest_review(site.cases))
    return cache_key("pages", "inputs", vars(inputs), vars(share), facets, code_fingerprint("casefile"))


def case_inputs_keys(site: SiteModel, ids: list[str], inputs: PageInputs) -> dict[str, str]:
    """Case id -> a hash of what its page's template context is made of (:func:`_case_contexts`):
    the site-wide inputs (:func:`site_inputs_key`), the case (its values and the district label
    the vocabularies give it) and the card of each related case (all the page shows of it).
    Equal hashes give equal contexts, so a page whose hash is unchanged since the last build has
    the same body cache entry, found without making its context."""
    site_key = site_inputs_key(site, inputs)
    digests = site.case_digests
    cards: dict[str, list[Any]] = {}
    keys = {}
    for i in ids:
        case = site.by_id[i]
        related = []
        for r, _explicit in site.related(case):
            card = cards.get(r.id)
            if card is None:
                card = cards[r.id] = _plain(card_of(r))
            related.append(card)
        keys[i] = fingerprint(site_key, i, digests[i], case.district_label, related)
    return keys


def cached_case_bodies(
    site: SiteModel,
    ids: list[str],
    store: Store,
    inputs: PageInputs,
    known: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Case id -> ``(cache entry name, body)`` of the bodies already cached; the rest need rendering.

    Looking up is a fraction of rendering, so a build looks up every case first and starts worker
    processes only for the cases that are left. ``known`` (case id -> body entry, for the cases
    whose :func:`case_inputs_keys` are those of the last build) takes such a case straight to its
    entry: an edit makes the template context and body key of the cases it touches only (the
    edited case and those that show it among their related cases).
    """
    found: dict[str, tuple[str, str]] = {}
    todo = []
    for i in ids:
        entry = known.get(i) if known is not None else None
        cached = store.get(entry) if entry else None
        if cached is not None and entry is not None:
            found[i] = (entry, cached.decode("utf-8"))
        else:
            todo.append(i)
    for i, _context, name in _case_contexts(site, todo, inputs):
        cached = store.get(name)
        if cached is not None:
            found[i] = (name, cached.decode("utf-8"))
    return found


def render_case_bodies(
    site: SiteModel, ids: list[str], inputs: PageInputs | None = None, *, store: Store | None = None
) -> list[tuple[str, str]]:
    """``(cache entry name, body)`` of the given cases' pages, in order (a unit of work for a worker).

    With ``store``, each body is cached under :func:`body_cache_key`, so unchanged cases are not
    rendered again on the next build; a damaged entry is rendered again.
    """
    out: list[tuple[str, str]] = []
    for _i, context, name in _case_contexts(site, ids, inputs or PageInputs()):
        cached = store.get(name) if store is not None else None
        if cached is not None:
            out.append((name, cached.decode("utf-8")))
            continue
        body = _render_case_context(context)
        if store is not None:
            store.put(name, body.encode("utf-8"))
        out.append((name if store is not None else "", body))
    return out


def case_markdown(case: Case) -> dict[str, str]:
    """The HTML of a case's Markdown fields as this process rendered them for its page (the open data
    shows the same fields: a worker hands them back, see :func:`site_builder.pages.markup.remember_markdown`)."""
    return rendered_markdown(getattr(case, key) for key, _ in SECTIONS)


def case_pages(site: SiteModel, bodies: list[str]) -> list[GeneratedPage]:
    """One page per case, around its body (rendered by :func:`render_case_bodies`, in parallel for
    large sites, see :mod:`site_builder.build`)."""
    return [case_page(case, body) for case, body in zip(site.cases, bodies, strict=True)]


def case_page(case: Case, body: str) -> GeneratedPage:
    """The page of one case around its body."""
    return GeneratedPage(
        urls.case_src(case.id), urls.case_url(case.id), case.title, case.summary, body, meta={"case": case.id}
    )


@dataclass(frozen=True)
class ListedTerm:
    """A browse term as list pages show it: its names and address and the cards of its cases (or,
    where a page only counts them, :func:`counted_facets`, their ids)."""

    name: str
    slug: str
    url: str
    label: str
    title: str
    cases: tuple[Card, ...] | tuple[str, ...]


@dataclass(frozen=True)
class ListedFacet:
    """A facet as list pages show it (its row of the facet table and its listed terms)."""

    key: str
    label: str
    url: str
    spec: FacetSpec
    terms: tuple[ListedTerm, ...]


@dataclass(frozen=True)
class FacetCrumb:
    """A facet as a term's page names it (breadcrumbs): not its other terms, so a term's page does
    not depend on the cases of its neighbours."""

    key: str
    label: str
    url: str


def listed_facets(site: SiteModel) -> list[ListedFacet]:
    """Every facet with its terms and their cases as cards (one card per case, shared)."""
    cards = {c.id: card_of(c) for c in site.cases}
    return [
        ListedFacet(
            f.key,
            f.label,
            f.url,
            f.spec,
            tuple(
                ListedTerm(t.name, t.slug, t.url, t.label, t.title, tuple(cards[c.id] for c in t.cases))
                for t in f.terms
            ),
        )
        for f in site.facets.values()
    ]


def counted_facets(facets: list[ListedFacet]) -> list[ListedFacet]:
    """``facets`` as the pages that only count each term's cases see them (the facet indexes, the
    home page): each term's cases by id, not card, so a page's key changes when a term gains or
    loses a case, not when a case's title or summary does."""
    return [
        dataclasses.replace(
            f,
            terms=tuple(
                dataclasses.replace(t, cases=tuple(c if isinstance(c, str) else c.id for c in t.cases))
                for t in f.terms
            ),
        )
        for f in facets
    ]


@dataclass
class ListPage:
    """A page that lists or counts cases, before rendering: its page fields, its template and the
    template's context (plain data: cards, listed facets, chart geometry)."""

    src_uri: str
    url: str
    title: str
    description: str
    template: str
    context: dict[str, Any]

    def render(self) -> str:
        """The page's body HTML."""
        return template_env().get_template(self.template).render(**self.context)

    def page(self, html: str) -> GeneratedPage:
        """The page around its body."""
        return GeneratedPage(self.src_uri, self.url, self.title, self.description, html)


def list_page_key(page: ListPage, memo: dict[int, str]) -> str:
    """Cache key of a list page's body: its template and everything its context holds, and the code.

    Like :func:`body_cache_key`, nothing is listed by hand; a plain-data object (a card, a term, a
    chart) enters as the hash of its fields, computed once per build through ``memo`` (object id ->
    hash), since every facet and the home page hold the same terms and cards.
    """

    def plain(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            digest = memo.get(id(value))
            if digest is None:
                data = {f.name: getattr(value, f.name) for f in dataclass_fields(value)}
                data = {k: v for k, v in data.items() if not callable(v)}
                digest = memo[id(value)] = fingerprint(
                    json.dumps(data, default=plain, sort_keys=True, ensure_ascii=False)
                )
            return digest
        raise TypeError(f"no cache form for {type(value).__name__}")

    payload = json.dumps([page.template, page.context], default=plain, sort_keys=True, ensure_ascii=False)
    return cache_key("site-pages", payload)


def list_pages(site: SiteModel, *, site_title: str, home: bool = True) -> list[ListPage]:
    """The pages that list or count cases: browse pages per facet and term, all cases, stats, home."""
    pages: list[ListPage] = []
    facet_list = listed_facets(site)
    counted = counted_facets(facet_list)
    tile_map = district_map(site)
    for facet, counts in zip(facet_list, counted, strict=True):
        url = facet.url
        context = {
            "facet": counts,
            "facets": counted,
            "base": base_for(url),
            "district_map": tile_map if facet.key == "district" else None,
        }
        desc = f"{facet.label}：" + "、".join(f"{t.name}（{len(t.cases)}）" for t in facet.terms[:20])
        pages.append(ListPage(urls.page_src(url), url, facet.label, desc, "facet.html", context))
        crumb = FacetCrumb(facet.key, facet.label, facet.url)
        for term in facet.terms:
            context = {"facet": crumb, "term": term, "heading": term.title, "base": base_for(term.url)}
            desc = f"{term.title}：共 {len(term.cases)} 个案例。" + "；".join(
                c.title for c in term.cases[:5] if isinstance(c, Card)
            )
            pages.append(
                ListPage(urls.page_src(term.url), term.url, term.title, desc[:200], "term.html", context)
            )
    everything = [card_of(c) for c in newest_first(site.cases)]
    for url, order, title in (
        (urls.ALL_CASES, "newest", "全部案例"),
        (urls.ALL_CASES_BY_DISTRICT, "district", "全部案例（按区）"),
    ):
        context = {"cases": everything, "facets": facet_list, "base": base_for(url), "order": order}
        desc = f"全部 {len(site.cases)} 个案例一览。"
        pages.append(ListPage(urls.page_src(url), url, title, desc, "all.html", context))
    context = {
        "n_cases": len(site.cases),
        "district_map": tile_map,
        "charts": overview_charts(site),
        "as_of": newest_review(site.cases),
        "base": base_for(urls.STATS),
    }
    desc = f"{len(site.cases)} 个案例按区、年份、领域和服务群体的分布，附数据表和数据下载。"
    pages.append(ListPage(urls.page_src(urls.STATS), urls.STATS, STATS_TITLE, desc, "stats.html", context))
    if home:
        context = {
            "site_title": site_title,
            "n_cases": len(site.cases),
            "n_districts": len(site.facets["district"].terms),
            "n_fields": len(site.facets["field"].terms),
            "facets": counted,
            "newest": [card_of(c) for c in site.newest(6)],
            "base": "",
            "district_map": tile_map,
        }
        desc = "上海新兴领域党建优秀案例：楼宇、商圈街区、外卖骑手、快递员、货车司机等。"
        pages.append(ListPage(urls.page_src(urls.HOME), urls.HOME, site_title, desc, "home.html", context))
    return pages


def site_pages(site: SiteModel, *, site_title: str, home: bool = True) -> list[GeneratedPage]:
    """The pages that list or count cases, rendered (:func:`list_pages`; the build caches each body)."""
    return [page.page(page.render()) for page in list_pages(site, site_title=site_title, home=home)]
