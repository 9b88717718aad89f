"""Feeds parse as Atom and JSON Feed 1.1, list the newest published cases, and link to their pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import feedparser

from site_builder.browse.model import SiteModel
from site_builder.casefile.loader import require_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.feeds import FEED_LIMIT, newest_cases
from tests.support.project import FIXTURE_CASES

SITE = "https://example.github.io/site_builder/"


def _records(site: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["cases"]}


def _expected_order(records: dict[str, dict[str, Any]]) -> list[str]:
    def date(r: dict[str, Any]) -> str:
        parts = (r["updated"] or "").split("-")
        return "-".join(parts + ["01"] * (3 - len(parts))) if r["updated"] else ""

    ids = sorted(records)
    return sorted(ids, key=lambda i: (date(records[i]), records[i]["year"]), reverse=True)


def test_atom_feed_is_valid_and_complete(showcase_site: Path) -> None:
    records = _records(showcase_site)
    feed = feedparser.parse((showcase_site / "atom.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "上海新兴领域党建案例库"
    assert feed.feed.updated == "2026-11-01T00:00:00+08:00"  # the newest review date, not the build time
    assert any(link.rel == "self" and link.href == SITE + "atom.xml" for link in feed.feed.links)
    ids = [e.link.removeprefix(SITE + "cases/").rstrip("/") for e in feed.entries]
    assert ids == _expected_order(records)
    for entry in feed.entries:
        record = records[entry.link.removeprefix(SITE + "cases/").rstrip("/")]
        assert entry.id == record["url"] == entry.link
        assert entry.title == record["title"]
        assert entry.summary == record["summary"]  # the whole summary, as text
        assert entry.summary_detail.type == "text/plain"
        assert {t.term for t in entry.tags} >= {record["district"], *record["fields"]}
        assert entry.updated_parsed is not None


def test_json_feed_follows_version_1_1(showcase_site: Path) -> None:
    records = _records(showcase_site)
    feed = json.loads((showcase_site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == SITE + "feed.json" and feed["home_page_url"] == SITE
    assert isinstance(feed["title"], str) and feed["authors"][0]["name"] == feed["title"]
    assert [i["url"].removeprefix(SITE + "cases/").rstrip("/") for i in feed["items"]] == _expected_order(
        records
    )
    for item in feed["items"]:
        record = records[item["url"].removeprefix(SITE + "cases/").rstrip("/")]
        assert item["id"] == item["url"] == record["url"]
        assert item["content_text"] == item["summary"] == record["summary"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\+08:00", item["date_modified"])
        assert item["image"] == record["cover_url"]


def test_pages_announce_the_feeds(showcase_site: Path) -> None:
    for rel in ("index.html", "stats/index.html", "cases/riders-golden-helmet/index.html"):
        page = (showcase_site / rel).read_text(encoding="utf-8")
        for kind, target in (
            ("application/atom+xml", "atom.xml"),
            ("application/feed+json", "feed.json"),
        ):
            link = re.search(
                rf'<link rel="alternate feed" type="{re.escape(kind)}" title="[^"]+" href="([^"]+)">', page
            )
            assert link, (rel, kind)
            assert (showcase_site / rel).parent.joinpath(link.group(1)).resolve() == (
                showcase_site / target
            ).resolve()


def test_sitemap_lastmod_is_each_cases_review_date(showcase_site: Path) -> None:
    sitemap = (showcase_site / "sitemap.xml").read_text(encoding="utf-8")
    entries = dict(re.findall(r"<loc>([^<]+)</loc>\s*(?:<lastmod>([^<]+)</lastmod>)?", sitemap))
    assert entries[SITE + "cases/riders-golden-helmet/"] == "2026-11-01"
    assert entries[SITE + "cases/unseen-showcase-case/"] == "2026-06-01"  # partial date, completed
    assert entries[SITE + "cases/couriers-joint-meeting/"] == ""  # no review date: no lastmod
    assert entries[SITE + "districts/pudong/"] == "2026-11-01"  # the newest case it lists
    assert entries[SITE] == "2026-11-01"


def _case(case_id: str, year: int, updated: str | None) -> Case:
    path = FIXTURE_CASES / "couriers-joint-meeting.yaml"
    base = require_cases([path], cases_root=FIXTURE_CASES).cases[0]
    return base.model_copy(update={"year": year, "updated": updated}).bind(case_id, path)


def test_newest_means_review_date_then_year() -> None:
    cases = [
        _case("a-old-review", 2024, "2025-01-02"),
        _case("b-new-review", 2001, "2026-03"),
        _case("c-no-review-new-year", 2025, None),
        _case("d-no-review-old-year", 2010, None),
        _case("e-same-review-later-year", 2025, "2025-01-02"),
    ]
    site = SiteModel(cases, load_vocabularies())
    assert [c.id for c in newest_cases(site)] == [
        "b-new-review",
        "e-same-review-later-year",
        "a-old-review",
        "c-no-review-new-year",
        "d-no-review-old-year",
    ]
    many = [_case(f"case-{i:03d}", 2000 + i % 20, None) for i in range(FEED_LIMIT + 5)]
    assert len(newest_cases(SiteModel(many, load_vocabularies()))) == FEED_LIMIT
