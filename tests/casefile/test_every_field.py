"""Every field, one test each: what a field must declare so that every table derived from it works.

A field is the model plus the template. The models' ``Field(title=…, description=…,
json_schema_extra=meta(kind, …))`` feed the validator (checks by kind), the slip scanner, the
messages, the form, the search index, the export and the guide; ``case.html`` shows it. Each test
here is parametrised over every field of the case and of its sub-models, and its failure says
what to add where.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import pytest

from site_builder.browse.model import SiteModel
from site_builder.casefile.fields import field_texts, submodels
from site_builder.casefile.loader import validate_document
from site_builder.casefile.models import KINDS, Case, field_meta, kind_of
from site_builder.casefile.vocab import load_vocabularies
from site_builder.casefile.yamlio import Positions
from site_builder.pages.render import _cndate, _number, render_case
from tests.support.field_values import MODELS, field_info, full_case_data, sentinel

ALL_FIELDS = [(where, key) for where, model in MODELS.items() for key in model.model_fields]
CASE_FIELDS = list(Case.model_fields)
SHOWN_ELSEWHERE = {
    "images": "photos are rendered by the media plan into <figure>s (tests/test_build.py builds one)",
    "status": "a draft banner, and drafts are left out of the public site (tests/test_build.py)",
}
MODELS_FILE = "site_builder/casefile/models.py"


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


_info = field_info


@cache
def _full_case() -> tuple[str, str]:
    """The case page of a case with every field set to its sentinel (images and status aside)."""
    vocab = load_vocabularies()
    data = full_case_data(tuple(SHOWN_ELSEWHERE))
    case, errors = validate_document(data, Positions("cases/full-case.yaml"), vocab)
    other, more = validate_document(
        {**data, "title": "另一个相关案例的标题", "related": []}, Positions("cases/other-case.yaml"), vocab
    )
    assert case is not None and other is not None, [e.format() for e in errors + more]
    case.bind("full-case", None)  # type: ignore[arg-type]
    other.bind("other-case", None)  # type: ignore[arg-type]
    page = html.unescape(render_case(case, SiteModel([case, other], vocab)))
    return page, other.title


@pytest.mark.parametrize(("where", "key"), ALL_FIELDS, ids=[_name(w, k) for w, k in ALL_FIELDS])
def test_field_declares_what_the_derived_tables_need(where: str, key: str) -> None:
    info = _info(where, key)
    meta = field_meta(info)
    name = _name(where, key)
    todo = []
    if not info.title or info.title.isascii():
        todo.append('a Chinese title: Field(title="中文名", …)')
    if not info.description:
        todo.append('a description (the hint editors see): Field(description="…")')
    if meta.get("x-kind") not in KINDS:
        todo.append(f"a kind: json_schema_extra=meta(kind) with kind one of {', '.join(KINDS)}")
    if not where and "x-search" not in meta:
        todo.append('its search tier: meta(…, search="title" | "summary" | "meta" | "body" | None)')
    if meta.get("x-kind") in ("lines", "choices", "objects") and not where and not meta.get("x-item"):
        todo.append('what one item is called in messages: meta(…, item="条亮点")')
    if info.is_required() and not meta.get("x-example"):
        todo.append('how to write it when it is missing: meta(…, example="例如「key: 值」")')
    patterned = any(getattr(m, "pattern", None) for m in info.metadata) or "pattern" in str(info.annotation)
    if patterned and not meta.get("x-format-help"):
        todo.append('the format its pattern stands for, named in errors: meta(…, format_help="…应写成…")')
    assert not todo, f"field {name} in {MODELS_FILE} needs " + "; ".join(todo)


LINE_FIELDS = [(w, k) for w, k in ALL_FIELDS if kind_of(_info(w, k)) in ("line", "lines")]


def _with(where: str, key: str, value: Any) -> dict[str, Any]:
    data = full_case_data(tuple(SHOWN_ELSEWHERE))
    if kind_of(_info(where, key)) == "lines":
        value = [value]
    if not where:
        data[key] = value
        return data
    holder = data.get(where) or sentinel("", where)
    item = dict(holder[0] if isinstance(holder, list) else holder)
    item[key] = value
    data[where] = [item] if isinstance(holder, list) else item
    return data


@pytest.mark.parametrize(("where", "key"), LINE_FIELDS, ids=[_name(w, k) for w, k in LINE_FIELDS])
@pytest.mark.parametrize(
    ("bad", "what"),
    [
        ("哨兵\u202e文字", "a bidi control (U+202E)"),
        ("哨兵\u200b文字", "a zero-width space"),
        ("……", "the template's «……»"),
    ],
)
def test_every_line_field_refuses_invisible_characters_and_placeholders(
    where: str, key: str, bad: str, what: str
) -> None:
    if where == "images" and key == "file":
        pytest.skip("a photo path is checked against the files (tests/casefile/golden/bad/images.yaml)")
    _, errors = validate_document(_with(where, key, bad), Positions("cases/x.yaml"), load_vocabularies())
    assert errors, (
        f"field {_name(where, key)} accepts {what}: give it json_schema_extra=meta('line' or 'lines', …) "
        f"in {MODELS_FILE} so the checks for one-line text apply"
    )


PROSE_FIELDS = [(w, k) for w, k in LINE_FIELDS if field_meta(_info(w, k)).get("x-format") is None]


@pytest.mark.parametrize(("where", "key"), PROSE_FIELDS, ids=[_name(w, k) for w, k in PROSE_FIELDS])
@pytest.mark.parametrize(
    ("bad", "what"), [("哨兵\n文字", "a line break"), ("   ", "a blank value"), ("无", "「无」")]
)
def test_every_text_field_refuses_line_breaks_blanks_and_none_words(
    where: str, key: str, bad: str, what: str
) -> None:
    _, errors = validate_document(_with(where, key, bad), Positions("cases/x.yaml"), load_vocabularies())
    assert errors, (
        f"field {_name(where, key)} accepts {what}: give it json_schema_extra=meta('line', …) in {MODELS_FILE}"
    )


def _expected_texts(where: str, key: str, value: Any) -> list[str]:
    """What a reader should find on the page for ``value`` (dates and numbers as the page writes them)."""
    meta = field_meta(_info(where, key))
    if kind_of(_info(where, key)) in ("objects", "object"):
        sub = submodels(MODELS[where])[key]
        inner = next(w for w, m in MODELS.items() if m is sub)
        items = value if isinstance(value, list) else [value]
        return [t for item in items for k, v in item.items() for t in _expected_texts(inner, k, v)]
    if meta.get("x-format") == "url":
        return []  # a link's target, not its text
    if kind_of(_info(where, key)) == "date":
        return [_cndate(value)]
    return field_texts(value)


@pytest.mark.parametrize("key", CASE_FIELDS)
def test_every_field_is_shown_on_the_case_page(key: str) -> None:
    if key in SHOWN_ELSEWHERE:
        pytest.skip(SHOWN_ELSEWHERE[key])
    page, other_title = _full_case()
    value = sentinel("", key)
    texts = [other_title] if key == "related" else _expected_texts("", key, value)
    shown = [
        t
        for t in texts
        if t in page or (re.fullmatch(r"[\d.]+", t) and _number(float(t) if "." in t else int(t)) in page)
    ]
    missing = [t for t in texts if t not in shown]
    assert not missing, (
        f"field {key} is not shown in site_builder/pages/templates/case.html: add it there "
        f"(missing on the page: {', '.join(missing)}), or list it in SHOWN_ELSEWHERE with the reason"
    )


@pytest.mark.parametrize("bad", ["哨兵\u202e文字", "哨兵\n文字", "   ", "……", "无"])
def test_a_new_text_field_is_checked_before_it_declares_its_kind(bad: str) -> None:
    from pydantic import Field, ValidationError

    from site_builder.casefile.models import Metric

    class WithContact(Metric):
        contact: str | None = None
        hotlines: list[str] = Field(default_factory=list)

    assert kind_of(WithContact.model_fields["contact"]) == "line"
    base = {"label": "哨兵指标", "value": 1}
    with pytest.raises(ValidationError):
        WithContact.model_validate({**base, "contact": bad})
    with pytest.raises(ValidationError):
        WithContact.model_validate({**base, "hotlines": [bad]})
    assert WithContact.model_validate({**base, "contact": "  服务热线  "}).contact == "服务热线"
