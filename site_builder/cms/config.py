"""The form editor's configuration (Sveltia CMS ``config.yml``), generated from the case fields.

Nothing here is kept by hand: every widget comes from a field spec (models + vocabularies), so
a field added to the models shows up in the form, and the committed copy in
``schema/cms-config.yml`` is checked against a fresh one by ``site-builder cms-config --check``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import yaml

from site_builder.casefile.fields import FieldSpec, case_fields
from site_builder.casefile.models import FIRST_YEAR, ID_MAX, ID_PATTERN, LAT_RANGE, LON_RANGE, METRIC_MAX
from site_builder.casefile.vocab import Vocabularies, load_vocabularies
from site_builder.media.photos import FIX_MAX_SIDE, FIX_QUALITY
from site_builder.publish import read_mkdocs_yml, repo_from_url

CONFIG_PATH = Path("schema/cms-config.yml")
HEADER = (
    "# 由 site-builder cms-config 根据 site_builder/casefile/models.py 和 vocabularies.yaml 生成，请勿手工修改。\n"
    "# 构建网站时会再生成一次，写入 /admin/config.yml，并填入这次发布的仓库、分支和网址。\n"
)

MARKDOWN_BUTTONS = ["bold", "italic", "heading-three", "bulleted-list", "numbered-list", "quote"]
"""No link button: the text fields may hold no web address (site_builder/checks/lint.py); a source's
address goes in 来源 → 网址."""
CHOICE_LABELS = {"published": "发布", "draft": "草稿（只在预览中显示，不发布）"}
IMAGE_FOLDER = "images"
"""Photos go beside the case files (``cases/images/``) and are written as ``images/<name>``."""

PATTERN_MESSAGES = {
    ID_PATTERN: "只能由小写英文字母、数字和连字符「-」组成，例如 pudong-golden-helmet-riders",
}
REPO_PLACEHOLDER = "owner/repository"
"""Written when the repository is unknown (the committed copy): the build fills in the real one."""
SLUG_PATTERN = rf"^(?=.{{1,{ID_MAX}}}$)[a-z0-9]+(-[a-z0-9]+)*$"
ID_LABEL = "案例编号"
"""What the id is called everywhere an editor sees it (form, messages, guide)."""

URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
"""A source's address as ``Source.url`` accepts it (http or https, no spaces)."""
URL_MESSAGE = "网址要以 https:// 或 http:// 开头、不能有空格：请从浏览器的地址栏整个复制过来"

NO_PROSE_MESSAGE = (
    "这里不能有：繁体字或异体字（请改成简体）、汉字后面括号里的拼音、网址或链接"
    "（出处的网址写在“来源”的“网址”里）"
)
NOT_PROSE_KEYS = frozenset(
    {"url", "file", "date", "updated", "status", "related", "year", "value", "lat", "lon"}
)
"""Values that are not prose (identifiers, paths, dates, numbers): the lint skips them, so does the form."""

FORM_CANNOT_CHECK = (
    "保存前请自己核对（表单检查不了，Pull Request 的自动检查会查）："
    "标签不要重复；“相关案例”不要选这个案例自己；标题不要和已有案例相同或相近；"
    "数据、原话和来源要与文章一致；中文句子里用全角标点（，：；？！）。"
)
"""The rules of ``site-builder validate`` the form's widgets cannot express, shown above the form."""

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _char_class(chars: Iterable[str]) -> str:
    """A regular-expression character class of ``chars`` (BMP only), consecutive runs as ranges."""
    points = sorted({ord(c) for c in chars if len(c) == 1 and ord(c) <= 0xFFFF})
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = chr(points[i]), chr(points[j])
        parts.append(re.escape(lo) if i == j else f"{re.escape(lo)}-{re.escape(hi)}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@cache
def prose_pattern() -> list[str]:
    """One JavaScript-compatible pattern that refuses, in any text field, what the content lint refuses:
    traditional or variant characters, pinyin in brackets after Chinese, and web addresses.

    One list object, so the YAML writes it once and refers to it from every field.
    """
    from site_builder.textnorm import _tables

    traditional = _char_class(_tables()[1])[:-1] + "\uf900-\ufaff]"
    toned_word = f"[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*"
    pinyin = rf"[{_CJK}][ \u3000]*[（(][ \u3000]*(?:{toned_word}(?:[ \u3000'’-]+[a-z{_TONED}]+)*|[a-z]+(?:[ \u3000'’-]+[a-z]+)+)[ \u3000]*[）)]"
    link = r"https?://|ftp://|www\.|\]\(|<a\s|(?:^|[^A-Za-z0-9.@_-])(?:[A-Za-z0-9-]+\.)+(?:com|cn|net|org|gov|edu)(?![A-Za-z0-9-])"
    pattern = rf"^(?![\s\S]*{traditional})(?![\s\S]*(?:{pinyin}))(?![\s\S]*(?:{link}))[\s\S]*$"
    return [pattern, NO_PROSE_MESSAGE]


def _rules(path: str, today: dt.date | None) -> dict[str, Any]:
    """What the models check in validators rather than in the schema, as widget options."""
    if path == "year":
        out: dict[str, Any] = {"min": FIRST_YEAR, "step": 1}
        if today is not None:
            out["max"] = today.year + 1
        return out
    if path == "location.lat":
        return {"min": LAT_RANGE[0], "max": LAT_RANGE[1], "step": 0.000001}
    if path == "location.lon":
        return {"min": LON_RANGE[0], "max": LON_RANGE[1], "step": 0.000001}
    if path == "metrics.value":
        return {"min": -METRIC_MAX, "max": METRIC_MAX}
    if path == "sources.url":
        return {"type": "url", "pattern": [URL_PATTERN, URL_MESSAGE]}
    return {}


def _pattern_message(spec: FieldSpec) -> str:
    if spec.pattern in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[spec.pattern]
    if spec.kind == "date" and spec.pattern:
        month_day = "；文章只写了月日时写成 MM-DD，例如 12-13" if re.match(spec.pattern, "12-13") else ""
        return f"{spec.label}应写成 YYYY、YYYY-MM 或 YYYY-MM-DD，例如 2023-04-13{month_day}"
    return f"{spec.label}格式不对"


def _options(spec: FieldSpec) -> list[Any]:
    values = list(spec.choices or ())
    if any(v in CHOICE_LABELS for v in values):
        return [{"label": CHOICE_LABELS.get(v, v), "value": v} for v in values]
    return values


def _text_limits(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.min_length and spec.min_length > 1:
        out["minlength"] = spec.min_length
    if spec.max_length:
        out["maxlength"] = spec.max_length
    if spec.pattern:
        out["pattern"] = [spec.pattern, _pattern_message(spec)]
    elif spec.key not in NOT_PROSE_KEYS:
        out["pattern"] = prose_pattern()
    return out


def _item_limits(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.min_items:
        out["min"] = spec.min_items
    if spec.max_items:
        out["max"] = spec.max_items
    return out


def widget(spec: FieldSpec, parent: str = "", today: dt.date | None = None) -> dict[str, Any]:
    """The Sveltia CMS field definition of one case field (recursing into lists of objects).

    Every rule the models state reaches the widget: lengths, patterns, item counts, the ranges
    their validators check (``today`` sets the latest year), and the content lint's refusals as a
    pattern on every text field.
    """
    path = f"{parent}.{spec.key}" if parent else spec.key
    out: dict[str, Any] = {"name": spec.key, "label": spec.label}
    if spec.help and spec.help != spec.label:
        out["hint"] = spec.help
    out["required"] = bool(spec.required)
    kind = spec.kind
    if path == "images.file":
        out.update(widget="image", media_folder=IMAGE_FOLDER, public_folder=IMAGE_FOLDER)
        out["accept"] = "image/jpeg,image/png,image/webp"
        out["choose_url"] = False  # uploads only: a photo on another site is not ours to publish
    elif path == "related":
        out.update(
            widget="relation",
            collection="cases",
            value_field="{{slug}}",
            search_fields=["title"],
            display_fields=["title"],
            multiple=True,
            **_item_limits(spec),
        )
    elif kind in ("line", "date"):
        out.update(widget="string", **_text_limits(spec))
    elif kind == "markdown":
        out.update(
            widget="markdown",
            buttons=MARKDOWN_BUTTONS,
            editor_components=[],
            modes=["rich_text", "raw"],
            pattern=prose_pattern(),
            sanitize_preview=True,  # the preview shows case HTML as the site does: no handlers, no scripts
        )
    elif kind in ("int", "number"):
        out.update(widget="number", value_type="int" if kind == "int" else "float")
    elif kind == "choice":
        out.update(widget="select", options=_options(spec))
    elif kind == "choices":
        out.update(widget="select", options=_options(spec), multiple=True, **_item_limits(spec))
    elif kind == "lines":
        item = {"name": "item", "label": spec.label, "widget": "string", **_text_limits(spec)}
        out.update(widget="list", field=item, **_item_limits(spec))
    elif kind == "objects":
        children = [widget(c, path, today) for c in spec.children or ()]
        out.update(widget="list", fields=children, **_item_limits(spec))
        out["summary"] = "{{fields." + children[0]["name"] + "}}"
        out["label_singular"] = spec.label
    elif kind == "object":
        out.update(widget="object", fields=[widget(c, path, today) for c in spec.children or ()])
    else:
        raise ValueError(f"no form widget for field kind {kind!r} ({path})")
    out.update(_rules(path, today))
    if path == "title":
        out["comment"] = FORM_CANNOT_CHECK
    return out


def build_cms_config(
    *,
    repo: str,
    branch: str = "main",
    site_url: str = "",
    site_name: str = "",
    cases_dir: str = "cases",
    specs: Iterable[FieldSpec] | None = None,
    vocab: Vocabularies | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The whole CMS configuration as data: GitHub backend, editorial workflow, one collection.

    ``today`` (the build's date) sets the latest year the form accepts; the committed copy leaves
    it out, so it does not go stale on New Year's Day.
    """
    vocab = vocab or load_vocabularies()
    fields = [widget(s, today=today) for s in (specs if specs is not None else case_fields(vocab))]
    folder = cases_dir.strip("/")
    config: dict[str, Any] = {
        "app_title": f"{site_name} · 案例编辑器" if site_name else "案例编辑器",
        "backend": {
            "name": "github",
            "repo": repo or REPO_PLACEHOLDER,
            "branch": branch,
            "auth_methods": ["token"],
            "commit_messages": {
                "create": "新增案例 {{slug}}",
                "update": "修改案例 {{slug}}",
                "delete": "删除案例 {{slug}}",
                "uploadMedia": "上传图片 {{path}}",
                "deleteMedia": "删除图片 {{path}}",
            },
        },
        "publish_mode": "editorial_workflow",
        "media_folder": f"{folder}/{IMAGE_FOLDER}",
        "public_folder": f"/{folder}/{IMAGE_FOLDER}",
        # Photos are made small and stripped of their location in the browser before they are
        # committed (the repository is public); uploads only, no stock-photo sites.
        "media_libraries": {
            "default": {
                "config": {
                    "slugify_filename": True,
                    "transformations": {
                        "raster_image": {
                            "format": "webp",
                            "quality": FIX_QUALITY,
                            "width": FIX_MAX_SIDE,
                            "height": FIX_MAX_SIDE,
                        }
                    },
                }
            },
            "stock_assets": False,
        },
    }
    if site_url:
        config["site_url"] = site_url.rstrip("/")
    config["slug"] = {"encoding": "ascii", "clean_accents": True, "lowercase": True, "maxlength": ID_MAX}
    config["output"] = {
        "omit_empty_optional_fields": True,
        "yaml": {"indent_size": 2, "indent_sequences": True, "quote": "none"},
    }
    config["collections"] = [
        {
            "name": "cases",
            "label": "案例",
            "label_singular": "案例",
            "description": "每个案例是 cases/ 文件夹中的一个文件。保存后会新建一个分支和拉取请求（PR），检查通过、审核合并后发布。",
            "folder": folder,
            "extension": "yaml",
            "format": "yaml",
            "create": True,
            "delete": False,
            "identifier_field": "title",
            "slug": {
                "editable": ["create"],
                "hint": f"{ID_LABEL}，也是文件名和网址：填好标题后会按拼音自动生成，可以改短；"
                "只用小写英文字母、数字和连字符，例如 pudong-golden-helmet-riders。保存后不能修改"
                "（以后要改名，请在 GitHub 上给文件改名，旧网址会自动跳转）。",
                "pattern": [SLUG_PATTERN, f"{ID_LABEL}{PATTERN_MESSAGES[ID_PATTERN]}，最多 {ID_MAX} 个字符"],
            },
            "summary": "{{title}}",
            "sortable_fields": ["title", "year", "district"],
            "media_folder": IMAGE_FOLDER,
            "public_folder": IMAGE_FOLDER,
            "preview_path": "cases/{{slug}}/",
            "fields": fields,
        }
    ]
    return config


def render_cms_config(**kwargs: Any) -> str:
    """The configuration as committed and as written to ``/admin/config.yml`` (stable text)."""
    body = yaml.safe_dump(build_cms_config(**kwargs), allow_unicode=True, sort_keys=False, width=1000)
    return HEADER + body


class ProjectSettings(TypedDict):
    """What the configuration takes from ``mkdocs.yml``."""

    repo: str
    site_url: str
    site_name: str


def project_settings(mkdocs_yml: Path) -> ProjectSettings:
    """Repository, site address and name from ``mkdocs.yml`` (``!ENV`` values take their default)."""
    data = read_mkdocs_yml(mkdocs_yml)

    def value(key: str) -> str:
        return str(data.get(key) or "").strip()

    return {
        "repo": repo_from_url(value("repo_url")),
        "site_url": value("site_url"),
        "site_name": value("site_name"),
    }
