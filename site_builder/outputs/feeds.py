"""Feeds of the newest cases: Atom 1.0 (RFC 4287) and JSON Feed 1.1.

Entries are ordered by review date (``updated``), then year, then id; every date comes from the
cases, never from the clock, so two builds give the same bytes. A feed reader gets each case's
full summary and the link to its page.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.casefile.models import Case
from site_builder.outputs.export import published
from site_builder.outputs.sitemap import full_date

FEED_LIMIT = 50
TIMEZONE = "+08:00"
"""Review dates are Shanghai dates; a date alone becomes its midnight in China Standard Time."""
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def case_date(case: Case) -> str:
    """The case's date as YYYY-MM-DD: its review date, completed with 01s, else 1 January of its year."""
    return full_date(case.updated or str(case.year))


def timestamp(date: str) -> str:
    """An RFC 3339 date-time for a YYYY-MM-DD date."""
    return f"{date}T00:00:00{TIMEZONE}"


def newest_cases(site: SiteModel, limit: int = FEED_LIMIT) -> list[Case]:
    """Published cases, newest first by review date, then year (then id, for ties)."""
    cases = sorted(published(site), key=lambda c: c.id)
    cases.sort(key=lambda c: (case_date(c) if c.updated else "", c.year), reverse=True)
    return cases[:limit]


def _id(site_url: str | None, uri: str) -> str:
    """An entry id: the absolute address, or a tag URI when the site's address is unknown."""
    return urls.absolute(site_url, uri) or f"tag:site-builder.invalid,2024:{uri or '/'}"


def atom_feed(site: SiteModel, *, site_name: str, site_description: str, site_url: str | None) -> bytes:
    """``atom.xml``."""
    cases = newest_cases(site)
    updated = max((timestamp(case_date(c)) for c in cases), default=timestamp("2000-01-01"))
    home = urls.public(site_url, urls.HOME)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(_id(site_url, urls.HOME))}</id>",
        f"<title>{escape(site_name)}</title>",
    ]
    if site_description:
        out.append(f"<subtitle>{escape(site_description)}</subtitle>")
    out += [
        f"<updated>{updated}</updated>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(urls.public(site_url, urls.FEED_ATOM))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(home)}/>',
        f"<author><name>{escape(site_name)}</name><uri>{escape(home)}</uri></author>",
        "<generator>site_builder</generator>",
    ]
    for case in cases:
        page = urls.public(site_url, urls.case_url(case.id))
        out += [
            "<entry>",
            f"<id>{escape(_id(site_url, urls.case_url(case.id)))}</id>",
            f"<title>{escape(case.title)}</title>",
            f"<updated>{timestamp(case_date(case))}</updated>",
            f'<link rel="alternate" type="text/html" href={quoteattr(page)}/>',
            f"<summary>{escape(case.summary)}</summary>",
            *(
                f"<category term={quoteattr(term)}/>"
                for term in dict.fromkeys([case.district, *case.fields, *case.groups])
            ),
            "</entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def json_feed(
    site: SiteModel,
    *,
    site_name: str,
    site_description: str,
    site_url: str | None,
    covers: dict[str, str],
) -> bytes:
    """``feed.json``."""
    items: list[dict[str, Any]] = []
    for case in newest_cases(site):
        page = urls.public(site_url, urls.case_url(case.id))
        item: dict[str, Any] = {
            "id": _id(site_url, urls.case_url(case.id)),
            "url": page,
            "title": case.title,
            "content_text": case.summary,
            "summary": case.summary,
            "date_modified": timestamp(case_date(case)),
            "tags": list(dict.fromkeys([case.district, *case.fields, *case.groups])),
            "language": "zh-CN",
        }
        if case.id in covers:
            item["image"] = urls.public(site_url, covers[case.id])
        items.append(item)
    doc: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": site_name,
        "home_page_url": urls.public(site_url, urls.HOME),
        "feed_url": urls.public(site_url, urls.FEED_JSON),
        "description": site_description,
        "language": "zh-CN",
        "authors": [{"name": site_name, "url": urls.public(site_url, urls.HOME)}],
        "items": items,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def build_feeds(
    site: SiteModel,
    *,
    site_name: str,
    site_description: str,
    site_url: str | None,
    covers: dict[str, str],
) -> dict[str, bytes]:
    """Both feeds."""
    return {
        urls.FEED_ATOM: atom_feed(
            site, site_name=site_name, site_description=site_description, site_url=site_url
        ),
        urls.FEED_JSON: json_feed(
            site, site_name=site_name, site_description=site_description, site_url=site_url, covers=covers
        ),
    }
