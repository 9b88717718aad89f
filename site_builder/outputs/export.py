"""Open data: every published case as JSON and CSV, and the case file's JSON Schema.

Columns and keys come from the field registry (:func:`site_builder.casefile.fields.case_fields`),
so a new case field reaches both files without an edit here. Everything is deterministic: cases
by id, keys in the registry's order, no build time anywhere.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from site_builder.browse import urls
from site_builder.browse.model import SiteModel
from site_builder.cache import Store, cache_key, fingerprint
from site_builder.casefile.fields import case_fields, field_texts
from site_builder.casefile.jsonschema import render_schema
from site_builder.casefile.models import Case
from site_builder.outputs.catalog import Output, ReaderFile
from site_builder.pages.citation import cite_case, newest_review
from site_builder.pages.markup import render_markdown

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

EXTRA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "编号", "案例编号，即案例文件名去掉 .yaml，也是网址的最后一段"),
    ("url", "网址", "案例页面的网址"),
    ("district_slug", "区代码", "所在区的英文代码，与按区浏览页面的网址一致"),
    ("former_district", "原区名", "案例发生时的旧区名（例如卢湾区），没有则为空"),
    ("cover_url", "封面图", "案例卡片封面图的网址"),
    ("social_card_url", "分享卡片", "分享到社交媒体时显示的卡片图片网址"),
    ("citation", "引用格式", "GB/T 7714—2015 格式的参考文献；方括号内的引用日期请改为您查阅的日期"),
)
"""Keys every record carries besides the case file's own fields: CSV heading and meaning."""


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


def field_catalogue() -> list[dict[str, Any]]:
    """What each key means (registry labels), so the file explains itself."""
    derived = [
        {"key": k, "label": label, "kind": "derived", "help": help_} for k, label, help_ in EXTRA_COLUMNS
    ]
    own = [{"key": s.key, "label": s.label, "kind": s.kind, "help": s.help} for s in case_fields()]
    return derived + own


def cases_json(records: Sequence[str], *, site_name: str, site_url: str | None) -> bytes:
    """``data/cases.json``: version, licence, what the keys mean, and the cases (``records``: each
    case's record as compact JSON text, :func:`record_json`)."""
    licence = {**LICENCE, "attribution": LICENCE["attribution"].format(site=site_name)}
    doc = {
        "version": FORMAT_VERSION,
        "title": f"{site_name}：案例数据",
        "site": urls.public(site_url, urls.HOME),
        "licence": licence,
        "schema": urls.public(site_url, urls.DATA_SCHEMA),
        "count": len(records),
        "fields": field_catalogue(),
    }
    head = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))[:-1]
    return (head + ',"cases":[' + ",".join(records) + "]}\n").encode("utf-8")


def record_json(record: dict[str, Any]) -> str:
    """One record as it stands in ``data/cases.json`` (the whole file is these joined)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def cell_text(value: Any) -> str:
    """A field value as one CSV cell: list items joined with "；", the parts of an item with spaces."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(ITEM_SEPARATOR.join(field_texts(v)) for v in value)
    if isinstance(value, str):
        return value.strip()
    return ITEM_SEPARATOR.join(field_texts(value))


FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
"""A cell starting with one of these (after spaces) is a formula to Excel, WPS or LibreOffice
(OWASP, "CSV Injection"); the full-width forms are converted to ASCII by some of them."""


def neutralised(cell: str) -> str:
    """``cell`` with a leading ``'`` when a spreadsheet would read it as a formula, else unchanged.

    Checked on the cell as written and after any leading whitespace (ASCII, ideographic, no-break
    and the other Unicode spaces), which some spreadsheets skip before looking for a formula.
    """
    if cell[:1] in FORMULA_STARTS or cell.lstrip()[:1] in FORMULA_STARTS:
        return "'" + cell
    return cell


class _PlainText(HTMLParser):
    """Sanitized case HTML to plain text: paragraphs apart, list items one a line with a bullet."""

    BLOCKS = frozenset({"p", "h3", "h4", "h5", "blockquote", "pre", "table", "ul", "ol", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[int | None] = []  # per open list: the next number (ol) or None (ul)
        self.cells = 0  # cells so far in the current table row
        self.pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS and not self.lists:
            self.parts.append("\n\n")
        if tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            self.lists.append((int(start) if start and start.isdigit() else 1) if tag == "ol" else None)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            indent = "  " * max(len(self.lists) - 1, 0)
            self.parts.append(f"\n{indent}{number}. " if number is not None else f"\n{indent}• ")
            if number is not None:
                self.lists[-1] = number + 1
        elif tag == "pre":
            self.pre = True
        elif tag in ("br", "tr"):
            self.parts.append("\n")
            self.cells = 0
        elif tag in ("td", "th"):
            self.parts.append(" ｜ " if self.cells else "")
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.pre = False
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        # Line breaks in the text are <br> (nl2br); others are layout of the HTML, except in code.
        self.parts.append(data if self.pre else data.replace("\n", ""))

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).split("\n")]
        out: list[str] = []
        for line in lines:
            if line.strip() or (out and out[-1]):
                out.append(line if line.strip() else "")
        return "\n".join(out).strip()


def markdown_text(markdown: str | None) -> str:
    """A Markdown field as the reader sees it, without markup: what a spreadsheet cell should hold."""
    parser = _PlainText()
    parser.feed(render_markdown(markdown))
    parser.close()
    return parser.text()


def csv_cell(key: str, value: Any) -> str:
    """The CSV cell of field ``key``: Markdown as plain text, then neutralised against formulas."""
    kinds = {spec.key: spec.kind for spec in case_fields()}
    text = (
        markdown_text(value) if kinds.get(key) == "markdown" and isinstance(value, str) else cell_text(value)
    )
    return neutralised(text)


def csv_columns() -> list[tuple[str, str]]:
    """``(key, heading)`` of every CSV column: derived keys, then the registry's fields."""
    return [(key, label) for key, label, _ in EXTRA_COLUMNS] + [(s.key, s.label) for s in case_fields()]


COLUMNS_MARKER = "<!-- site_builder:data-columns -->"
"""Where 关于本站 (docs/about.md) gets the table of columns, so a new field is explained there too."""
FILES_MARKER = "<!-- site_builder:data-files -->"
"""Where 关于本站 gets the list of data files and feeds, from the outputs' descriptions."""


def files_list(outputs: Sequence[Output], base: str) -> str:
    """The outputs' reader files as a Markdown list of links (raw ``<a>``: MkDocs checks only docs
    links), from each output's own description, then the data licence."""

    def link(f: ReaderFile) -> str:
        return f'<a href="{html.escape(base + f.path)}"{" download" if f.download else ""}>{html.escape(f.label)}</a>'

    items = []
    for output in outputs:
        described = [f for f in output.files if f.description]
        items += [f"- {link(f)}：{f.description}" for f in described]
        rest = [f for f in output.files if not f.description]
        if rest:
            items.append(f"- {output.title}：{' 或 '.join(link(f) for f in rest)}，{output.description}")
    licence = f'<a href="{LICENCE["url"]}" rel="license">{LICENCE["name"]}</a>'
    items.append(f"- 数据许可：{licence}。可以自由使用、修改和再发布，请注明来源和案例网址。")
    return "\n".join(items)


def columns_table() -> str:
    """A Markdown table of the data's columns: CSV heading, JSON key, meaning (from the field registry)."""
    rows = ["| 表格列名 | JSON 键 | 含义 |", "| --- | --- | --- |"]
    for item in field_catalogue():
        help_ = str(item.get("help") or "").replace("|", "｜")
        rows.append(f"| {item['label']} | `{item['key']}` | {help_} |")
    return "\n".join(rows)


def fill_data_section(markdown: str, page_url: str, outputs: Sequence[Output]) -> str:
    """Fill the 数据下载 markers of a docs page (at ``page_url``) with the outputs' files list and the
    columns table."""
    if FILES_MARKER in markdown:
        markdown = markdown.replace(FILES_MARKER, files_list(outputs, urls.base_for(page_url)))
    if COLUMNS_MARKER in markdown:
        markdown = markdown.replace(COLUMNS_MARKER, columns_table())
    return markdown


def csv_row(case: Case, record: dict[str, Any]) -> list[str]:
    """The cells of a case's row in ``data/cases.csv``: the derived columns from its JSON record, the
    case file's fields through the registry (so a new field is a new column). Markdown fields are
    plain text here (the JSON keeps the Markdown), and a cell a spreadsheet would run as a formula
    starts with ``'`` (:func:`neutralised`)."""
    derived = [key for key, _, _ in EXTRA_COLUMNS]
    own = [s.key for s in case_fields()]
    return [csv_cell(k, record[k]) for k in derived] + [csv_cell(k, getattr(case, k)) for k in own]


def cases_csv(rows: Sequence[list[str]]) -> bytes:
    """``data/cases.csv``: one row per case (:func:`csv_row`), Chinese headings, UTF-8 with BOM
    (Excel reads it right)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([heading for _, heading in csv_columns()])
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_data_files(
    site: SiteModel,
    *,
    site_name: str,
    site_url: str | None,
    covers: dict[str, str],
    social: dict[str, str],
    rows: Store | None = None,
) -> dict[str, bytes]:
    """The three open-data files under ``data/``, every published case by id.

    With ``rows`` (the ``data-rows`` cache) the last build's JSON record and CSV row of every case
    are kept in one table, each under the case's values and what its record adds (addresses, the
    site's name, the fallback citation date): an edit renders the Markdown and citation of one case
    and joins the files from the kept parts, reading one entry rather than one per case.
    """
    cases = published(site)
    fallback = newest_review(cases)
    table = f"last-{cache_key('data-rows', site_name, site_url)}.json" if rows is not None else ""
    kept = _load_parts(rows.get(table) if rows is not None else None)
    parts: dict[str, tuple[str, list[str]]] = {}
    for case in cases:
        cover, card = covers.get(case.id), social.get(urls.case_src(case.id))
        key = fingerprint(site.case_digests[case.id], case.district_slug, cover, card, fallback)
        part = kept.get(key)
        if part is None:
            record = case_record(
                case, site_name=site_name, site_url=site_url, cover=cover, social=card, fallback_date=fallback
            )
            part = (record_json(record), csv_row(case, record))
        parts[key] = part
    if rows is not None and parts.keys() != kept.keys():
        rows.put(table, json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    ordered = list(parts.values())
    return {
        urls.DATA_JSON: cases_json([p[0] for p in ordered], site_name=site_name, site_url=site_url),
        urls.DATA_CSV: cases_csv([p[1] for p in ordered]),
        urls.DATA_SCHEMA: _schema(site, rows),
    }


def _schema(site: SiteModel, rows: Store | None) -> bytes:
    """``data/case.schema.json`` (:func:`render_schema`), kept in ``rows`` by the vocabularies it
    lists (and, through the key, the models' code): building it from the models is a fifth of an
    edit's open data."""
    from site_builder.casefile.loader import vocabulary_digest

    name = f"schema-{cache_key('data-rows', vocabulary_digest(site.vocab))}.json" if rows is not None else ""
    found = rows.get(name) if rows is not None else None
    if found is None:
        found = render_schema(site.vocab).encode("utf-8")
        if rows is not None:
            rows.put(name, found)
    return found


def _load_parts(blob: bytes | None) -> dict[str, tuple[str, list[str]]]:
    """The kept ``key -> (record JSON, CSV row)`` table (empty if the entry is not one)."""
    try:
        raw = json.loads(blob) if blob is not None else None
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    parts = {}
    for key, part in raw.items():
        if (
            isinstance(part, list)
            and len(part) == 2
            and isinstance(part[0], str)
            and isinstance(part[1], list)
        ):
            parts[key] = (part[0], [str(cell) for cell in part[1]])
    return parts
