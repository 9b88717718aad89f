"""The sitemap's ``lastmod`` dates, from the cases' review dates (``updated``), never the build time.

A case page's date is its own ``updated``; a browse page's is the newest of the cases it lists;
every other page (home, lists, 统计, 关于本站) takes the newest date of the site. A case without a
review date gets no ``lastmod``. MkDocs puts these in ``sitemap.xml`` (the plugin sets
``page.update_date``), and the newest also dates ``sitemap.xml.gz``, so builds stay byte-identical.
"""

from __future__ import annotations

from site_builder.browse import urls
from site_builder.browse.model import SiteModel


def full_date(value: str) -> str:
    """A review date (YYYY, YYYY-MM or YYYY-MM-DD) as YYYY-MM-DD (missing parts are 01)."""
    parts = value.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def site_lastmod(site: SiteModel) -> str | None:
    """The newest review date of any listed case; None when no case has one."""
    dates = [full_date(c.updated) for c in site.cases if c.updated]
    return max(dates) if dates else None


def lastmod_dates(site: SiteModel) -> dict[str, str]:
    """``{page src_uri: YYYY-MM-DD or ""}`` for case and browse pages ("": no ``lastmod``)."""
    out: dict[str, str] = {}
    for case in site.cases:
        out[urls.case_src(case.id)] = full_date(case.updated) if case.updated else ""
    for facet in site.facets.values():
        for term in facet.terms:
            dates = [full_date(c.updated) for c in term.cases if c.updated]
            out[urls.page_src(term.url)] = max(dates) if dates else ""
    return out
