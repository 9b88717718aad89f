"""Open data: every published case as JSON and CSV, and the case file's JSON Schema.

Columns and keys come from the field registry (:func:`site_builder.casefile.fields.case_fields`),
so a new case field reaches both files without an edit here. Everything is deterministic: cases
by id, keys in the registry's order, no build time anywhere.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.casefile.fields import case_fields, field_texts
from site_builder.casefile.jsonschema import render_schema
from site_builder.casefile.models import Case
from site_builder.pages.citation import cite_case, newest_review

FORMAT_VERSION = 1
"""Bumped when a key is renamed or removed (adding keys keeps the version)."""
LICENCE = {
    "name": "知识共享 署名 4.0 国际许可协议（CC BY 4.0）",
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.zh-hans",
    "attribution": "请注明来源“{site}”及案例网址；案例事实的原始出处见各案例的 sources。",
}
LIST_SEPARATOR = "；"
ITEM_SEPARATOR = " "

EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "编号"),
    ("url", "网址"),
    ("district_slug", "区代码"),
    ("former_district", "原区名"),
    ("cover_url", "封面图"),
    ("social_card_url", "分享卡片"),
    ("citation", "引用格式"),
)
"""Keys every record carries besides the case file's own fields, with their CSV headings."""


def published(site: SiteModel) -> list[Case]:
    """The cases the data and feeds describe: never a draft, even in a preview with drafts."""
    return [c for c in site.cases if not c.is_draft]


def case_record(
    case: Case,
    *,
    site_name: str,
    site_url: str | None,
    cover: str | None,
    social: str | None,
    fallback_date: str | None,
) -> dict[str, Any]:
    """One case as JSON data: its derived keys, then every field of the case file, in the registry's order."""
    dumped = case.model_dump(mode="json")
    page = urls.public(site_url, urls.case_url(case.id))
    record: dict[str, Any] = {
        "id": case.id,
        "url": page,
        "district_slug": case.district_slug,
        "former_district": case.former_district,
        "cover_url": urls.public(site_url, cover) if cover else None,
        "social_card_url": urls.public(site_url, social) if social else None,
        "citation": cite_case(case, site_name=site_name, page_url=page, fallback_date=fallback_date).text,
    }
    for spec in case_fields():
        record[spec.key] = dumped.get(spec.key)
    return record


def case_records(
    site: SiteModel,
    *,
    site_name: str,
    site_url: str | None,
    covers: dict[str, str],
    social: dict[str, str],
) -> list[dict[str, Any]]:
    """Every published case as a record, by id."""
    cases = published(site)
    fallback = newest_review(cases)
    return [
        case_record(
            c,
            site_name=site_name,
            site_url=site_url,
            cover=covers.get(c.id),
            social=social.get(urls.case_src(c.id)),
            fallback_date=fallback,
        )
        for c in cases
    ]


def field_catalogue() -> list[dict[str, Any]]:
    """What each key means (registry labels), so the file explains itself."""
    derived = [{"key": k, "label": label, "kind": "derived"} for k, label in EXTRA_COLUMNS]
    own = [{"key": s.key, "label": s.label, "kind": s.kind, "help": s.help} for s in case_fields()]
    return derived + own


def cases_json(records: list[dict[str, Any]], *, site_name: str, site_url: str | None) -> bytes:
    """``data/cases.json``: version, licence, what the keys mean, and the cases."""
    licence = {**LICENCE, "attribution": LICENCE["attribution"].format(site=site_name)}
    doc = {
        "version": FORMAT_VERSION,
        "title": f"{site_name}：案例数据",
        "site": urls.public(site_url, urls.HOME),
        "licence": licence,
        "schema": urls.public(site_url, urls.DATA_SCHEMA),
        "count": len(records),
        "fields": field_catalogue(),
        "cases": records,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def cell_text(value: Any) -> str:
    """A value as one CSV cell: list items joined with "；", an object's parts with spaces."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(ITEM_SEPARATOR.join(field_texts(v)) for v in value)
    if isinstance(value, dict):
        return ITEM_SEPARATOR.join(t for v in value.values() for t in field_texts(v))
    return " ".join(field_texts(value)) if not isinstance(value, str) else value.strip()


def csv_columns() -> list[tuple[str, str]]:
    """``(key, heading)`` of every CSV column: derived keys, then the registry's fields."""
    return [*EXTRA_COLUMNS, *((s.key, s.label) for s in case_fields())]


def cases_csv(records: list[dict[str, Any]]) -> bytes:
    """``data/cases.csv``: one row per case, Chinese headings, UTF-8 with BOM (Excel reads it right)."""
    columns = csv_columns()
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([heading for _, heading in columns])
    for record in records:
        writer.writerow([cell_text(record.get(key)) for key, _ in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_data_files(
    site: SiteModel,
    *,
    site_name: str,
    site_url: str | None,
    covers: dict[str, str],
    social: dict[str, str],
) -> dict[str, bytes]:
    """The three open-data files under ``data/``."""
    records = case_records(site, site_name=site_name, site_url=site_url, covers=covers, social=social)
    return {
        urls.DATA_JSON: cases_json(records, site_name=site_name, site_url=site_url),
        urls.DATA_CSV: cases_csv(records),
        urls.DATA_SCHEMA: render_schema(site.vocab).encode("utf-8"),
    }
