"""The case file format, version 1, as pydantic models.

Keys are English, values simplified Chinese. ``extra="forbid"`` makes unknown
keys errors; vocabulary checks need the vocabularies passed as validation
context (``{"vocab": Vocabularies}``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from site_builder.casefile.vocab import Vocabularies, Vocabulary
from site_builder.errors import shorten
from site_builder.textnorm import (
    BIDI_CONTROLS,
    describe_char,
    find_hidden_references,
    find_invisible,
    find_lost_chars,
    strip_invisible,
)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX = 60
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
SOURCE_DATE_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|\d{2}-\d{2})$"
"""A source may give month and day without a year ("12月13日电"): written ``12-13``."""
LAT_RANGE = (30.6, 31.9)
LON_RANGE = (120.8, 122.2)
FIRST_YEAR = 1990

_NEWLINE = re.compile(r"[\n\r\x85\u2028\u2029]")
_MARKUP_IN_LINE = re.compile(r"\*\*|__|~~|`|\[[^\]\n]*\]\([^)\n]*\)|^#{1,6}\s")
_PLACEHOLDER = re.compile(r"^[\s…⋯.。·・]*$")
_LIST_SEPARATORS = ("，", "、", "；")
_PICTOGRAPH = re.compile("[\U0001f000-\U0001faff]")
METRIC_MAX = 1e12
BLOCK_MAX = 3000
"""Characters in a Markdown block (背景, 成效, 经验启示); the longest real one has under 300."""
PRACTICE_MAX = 5000
"""Characters in 主要做法, the longest block (the longest real one has under 500)."""
ITEM_MAX = 60
"""Characters in one list item written as a line (参与单位, 荣誉) or a vocabulary term."""
URL_MAX = 1000
PATH_MAX = 200
_PAIRED = (("“", "”"), ("「", "」"), ("《", "》"), ("（", "）"))


class LineError(ValueError):
    """A problem on line ``line`` (1-based) of a block text, so it can be located on that line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class BlankValueError(ValueError):
    """A value that is empty once spaces and invisible characters are left out."""

    def __init__(self) -> None:
        super().__init__("不能为空")


def _invisible_problem(value: str) -> str | None:
    found = find_invisible(value)
    if not found:
        lost = find_lost_chars(value)
        if lost:
            before = value[: lost[0]].strip()[-8:]
            where = f"，在「{before}」后面" if before else "，在开头"
            return (
                f"含有替换字符「\ufffd」（U+FFFD）{where}：原来的字在复制或转换编码时丢失了，"
                "请对照出处把正确的字补上"
            )
        return None
    offset, ch = found[0]
    before = strip_invisible(value[:offset]).strip()[-8:]
    where = f"，在「{before}」后面" if before else "，在开头"
    if ch in BIDI_CONTROLS:
        why = "它会打乱文字的显示顺序"
    elif ch.isspace() or ch in "\u2800\u3164\u115f\u1160\uffa0":
        why = "它看起来像空白，但不是空格"
    else:
        why = "读者看不到它，但它会影响搜索和显示"
    more = f"（共 {len(found)} 处）" if len(found) > 1 else ""
    return (
        f"含有看不见的字符 {describe_char(ch)}{where}{more}；{why}。"
        "请删除它：把光标放在这几个字前后，删掉再重新输入"
    )


def _placeholder(value: str) -> bool:
    v = value.strip()
    return bool(v) and _PLACEHOLDER.match(v) is not None and any(p in v for p in ("…", "⋯", "...", "。。。"))


_PLACEHOLDER_MESSAGE = "还是模板里的占位符「……」，请换成真实内容；用不到的可选字段请把整行删掉"


def _clean_line(value: Any) -> Any:
    """Check and tidy a one-line plain-text value (before length limits apply)."""
    if not isinstance(value, str):
        return value
    if _NEWLINE.search(value.strip()):
        raise ValueError("应为一行文字，不能换行")
    problem = _invisible_problem(value)
    if problem:
        raise ValueError(problem)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise BlankValueError()
    if _placeholder(cleaned):
        raise ValueError(_PLACEHOLDER_MESSAGE)
    markup = _MARKUP_IN_LINE.search(cleaned)
    if markup:
        raise ValueError(
            f"这里只能写纯文字，不支持 Markdown 标记，页面上会原样显示「{markup.group()[:12]}」：请删除这些符号"
        )
    for left, right in _PAIRED:
        opened, closed = cleaned.count(left), cleaned.count(right)
        if opened != closed:
            missing = right if opened > closed else left
            raise ValueError(
                f"「{left}」和「{right}」不成对：缺少「{missing}」，请补上，或者删掉多余的那一个"
            )
    return cleaned


def _clean_block(value: Any) -> Any:
    """Check and tidy a Markdown block (background, practice, results, insights)."""
    if not isinstance(value, str):
        return value
    problem = _invisible_problem(value.replace("\n", "").replace("\t", ""))
    if problem:
        raise ValueError(problem)
    if not value.strip():
        raise BlankValueError()
    for n, line in enumerate(value.splitlines(), 1):
        if _placeholder(line):
            raise LineError(_PLACEHOLDER_MESSAGE, n)
        for _, ref, ch in find_hidden_references(line)[:1]:
            raise LineError(
                f"字符引用「{ref}」在页面上会变成 {describe_char(ch)}，读者看不到它，但它会打乱显示或搜索："
                f"请删除「{ref}」",
                n,
            )
    return value.strip("\n").rstrip() + "\n"


def _no_invisible(value: Any) -> Any:
    if isinstance(value, str):
        problem = _invisible_problem(value)
        if problem:
            raise ValueError(problem)
        if _placeholder(value):
            raise ValueError(_PLACEHOLDER_MESSAGE)
    return value


def _one_item(value: Any) -> Any:
    """A list item (tag, field, group) must not be several items joined by a Chinese comma."""
    if isinstance(value, str):
        for sep in _LIST_SEPARATORS:
            if sep in value:
                raise ValueError(
                    f"「{shorten(value)}」里有中文标点「{sep}」，整串会变成一项：多项之间请用英文逗号「,」分开，"
                    "例如 [暖心驿站, 骑手]，或者每行写一个「- 」"
                )
    return value


def _drawable(value: Any) -> Any:
    """Title and summary are drawn on covers and social cards: no emoji (the font has none)."""
    if isinstance(value, str):
        m = _PICTOGRAPH.search(value)
        if m:
            raise ValueError(
                f"含有表情符号「{m.group()}」：标题和摘要会画在封面和分享图片上，字体画不出表情符号，请删除"
            )
    return value


Line = Annotated[str, BeforeValidator(_clean_line)]


def _check_date(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not re.match(DATE_PATTERN, value):
        raise ValueError(
            f"日期「{shorten(str(value))}」格式不对，应写成 YYYY、YYYY-MM 或 YYYY-MM-DD，例如 2023-04-13"
        )
    parts = [int(p) for p in value.split("-")]
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"日期「{shorten(str(value))}」不存在，请检查月份和日期") from None
    return value


def _check_source_date(value: Any) -> Any:
    if isinstance(value, str) and re.match(r"^\s*\d{2}-\d{2}\s*$", value):
        month, day = (int(p) for p in value.strip().split("-"))
        try:
            _dt.date(2000, month, day)
        except ValueError:
            raise ValueError(f"日期「{shorten(value)}」不存在，请检查月份和日期") from None
        return value.strip()
    try:
        return _check_date(value)
    except ValueError:
        raise ValueError(
            f"日期「{shorten(str(value))}」格式不对，应写成 YYYY、YYYY-MM、YYYY-MM-DD，"
            "或文章只写了月日时写成 MM-DD（例如 12-13）"
        ) from None


def _check_unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{what}「{shorten(v)}」重复出现")
        seen.add(v)
    return values


PlainLine = Annotated[str, Field(min_length=1, max_length=ITEM_MAX), BeforeValidator(_clean_line)]
DateText = Annotated[str, Field(pattern=DATE_PATTERN, examples=["2023-04-13", "2023-04", "2023"])]
SourceDateText = Annotated[
    str, Field(pattern=SOURCE_DATE_PATTERN, examples=["2023-04-13", "2023-04", "2023", "12-13"])
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)


class Metric(_Strict):
    """A figure shown as a card: 120 名党员骑手."""

    label: str = Field(
        title="指标名称", min_length=1, max_length=30, description="指标名称，例如「党员骑手」"
    )
    value: int | float = Field(title="数值", description="数值，只写数字，例如 120 或 3.5")
    unit: str | None = Field(
        title="单位", default=None, max_length=10, description="单位，例如「名」「个」「%」"
    )
    note: str | None = Field(title="说明", default=None, max_length=80, description="补充说明，例如统计时间")

    _v_line = field_validator("label", "unit", "note", mode="before")(_clean_line)

    @field_validator("value")
    @classmethod
    def _sane(cls, v: float) -> float:
        if not math.isfinite(v) or abs(v) > METRIC_MAX:
            raise ValueError("数值太大或不是有限的数：请写实际的数字，例如 120 或 3.5")
        return v


class Quote(_Strict):
    """A short, exact quotation from the cited article."""

    text: str = Field(title="原话", min_length=2, max_length=200, description="原话，须与来源一致")
    speaker: str = Field(title="说话人", min_length=1, max_length=30, description="说话人")
    role: str | None = Field(title="身份或职务", default=None, max_length=60, description="身份或职务")

    _v_line = field_validator("text", "speaker", "role", mode="before")(_clean_line)


class CaseImage(_Strict):
    """A photo stored beside the case file."""

    file: str = Field(
        title="图片文件",
        min_length=1,
        max_length=PATH_MAX,
        description="图片文件路径，相对于本案例文件，例如 images/x.jpg",
    )
    alt: str = Field(
        title="替代文字", min_length=2, max_length=120, description="替代文字：为看不到图片的读者描述图片内容"
    )
    caption: str | None = Field(title="图片说明", default=None, max_length=120, description="图片说明")
    credit: str | None = Field(title="图片来源", default=None, max_length=60, description="图片来源或作者")

    _v_line = field_validator("alt", "caption", "credit", mode="before")(_clean_line)

    @field_validator("file", mode="before")
    @classmethod
    def _path(cls, v: Any) -> Any:
        _no_invisible(v)
        if isinstance(v, str) and "\\" in v:
            raise ValueError("路径里的文件夹要用「/」分隔，不能用「\\」，例如 images/photo.jpg")
        return v


class GeoPoint(_Strict):
    """A point inside Shanghai; catches swapped coordinates."""

    lat: float = Field(title="纬度", description="纬度，30.6 到 31.9 之间")
    lon: float = Field(title="经度", description="经度，120.8 到 122.2 之间")

    @model_validator(mode="after")
    def _inside_shanghai(self) -> GeoPoint:
        in_lat = LAT_RANGE[0] <= self.lat <= LAT_RANGE[1]
        in_lon = LON_RANGE[0] <= self.lon <= LON_RANGE[1]
        if not (in_lat and in_lon):
            if LAT_RANGE[0] <= self.lon <= LAT_RANGE[1] and LON_RANGE[0] <= self.lat <= LON_RANGE[1]:
                raise ValueError("纬度和经度似乎写反了：lat 是纬度（约 31），lon 是经度（约 121）")
            raise ValueError(
                f"坐标（{self.lat}, {self.lon}）不在上海范围内：纬度应在 30.6–31.9，经度应在 120.8–122.2"
            )
        return self


class Source(_Strict):
    """A published article the case's facts come from."""

    title: str = Field(title="文章标题", min_length=2, max_length=120, description="文章标题")
    publisher: str = Field(title="发布媒体", min_length=1, max_length=60, description="发布媒体或机构")
    date: SourceDateText | None = Field(
        title="发布日期",
        default=None,
        description="文章上写的发布日期：YYYY、YYYY-MM、YYYY-MM-DD；只写了月日时写 MM-DD（例如 12-13）。不要猜测",
    )
    date_note: str | None = Field(
        title="日期说明",
        default=None,
        min_length=2,
        max_length=40,
        description="关于日期的说明，例如「年份据文意推断为 2018 年」",
    )
    url: str | None = Field(
        title="网址", default=None, max_length=URL_MAX, description="网址，只接受 http:// 或 https:// 开头"
    )

    _v_line = field_validator("title", "publisher", "date_note", mode="before")(_clean_line)
    _v_url = field_validator("url", mode="before")(_no_invisible)
    _v_date = field_validator("date", mode="before")(_check_source_date)

    @field_validator("url")
    @classmethod
    def _http_only(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", v, re.IGNORECASE):
            raise ValueError("网址只能以 http:// 或 https:// 开头，且不能含空格")
        return v


def _vocab(info: ValidationInfo) -> Vocabularies | None:
    ctx = info.context or {}
    return ctx.get("vocab")


_KIND_LABEL = {"fields": "领域", "groups": "群体"}


def _term(kind: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        _one_item(value)
        vocab = _vocab(info)
        if vocab is None:
            return value
        terms: Vocabulary = getattr(vocab, kind)
        hit = terms.resolve(value)
        if hit is None:
            hint = terms.suggest(value)
            extra = f"，您是不是要找「{hint}」？" if hint else "。"
            raise ValueError(
                f"未知的{_KIND_LABEL[kind]}「{shorten(value)}」{extra}可选值：{'、'.join(terms.names())}"
            )
        return hit.term.name

    return AfterValidator(check)


FieldName = Annotated[str, Field(max_length=ITEM_MAX), _term("fields")]
GroupName = Annotated[str, Field(max_length=ITEM_MAX), _term("groups")]


class Case(_Strict):
    """One exemplary case: the schema of ``cases/<id>.yaml``."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="上海新兴领域党建案例",
        json_schema_extra={
            "$comment": "由 site_builder.casefile.jsonschema 根据 models.py 生成，请勿手工修改"
        },
    )

    title: str = Field(
        title="标题",
        json_schema_extra={"x-search": "title"},
        min_length=4,
        max_length=40,
        description="标题，4–40 个字",
    )
    summary: str = Field(
        title="摘要",
        json_schema_extra={"x-search": "summary"},
        min_length=30,
        max_length=200,
        description="摘要，30–200 个字，用于卡片、搜索结果和分享",
    )
    district: str = Field(
        title="所在区",
        json_schema_extra={"x-search": "meta"},
        max_length=ITEM_MAX,
        description="所在区，例如「浦东新区」；全市性的案例写「全市」",
    )
    locality: str | None = Field(
        title="街道或镇",
        json_schema_extra={"x-search": "meta"},
        default=None,
        max_length=30,
        description="街道或镇，例如「岳阳街道」",
    )
    fields: list[FieldName] = Field(
        title="领域",
        json_schema_extra={"x-search": "meta"},
        min_length=1,
        max_length=3,
        description="所属领域，1–3 个",
    )
    groups: list[GroupName] = Field(
        title="服务群体",
        json_schema_extra={"x-search": "meta"},
        default_factory=list,
        max_length=10,
        description="服务的群体，例如「外卖骑手」，最多 10 个",
    )
    tags: list[
        Annotated[
            str, Field(min_length=1, max_length=12), BeforeValidator(_one_item), BeforeValidator(_clean_line)
        ]
    ] = Field(
        title="标签",
        json_schema_extra={"x-search": "meta"},
        default_factory=list,
        max_length=10,
        description="标签：自由填写的短语，每个 1–12 个字，最多 10 个",
    )
    year: int = Field(
        title="年份", json_schema_extra={"x-search": "meta"}, description="做法开始或首次报道的年份"
    )
    year_note: str | None = Field(
        title="年份说明",
        json_schema_extra={"x-search": None},
        default=None,
        min_length=4,
        max_length=80,
        description="年份是怎么定的，例如「报道没有写明做法始于哪一年，这里记的是报道发表的年份」",
    )
    organizations: list[PlainLine] = Field(
        title="参与单位",
        json_schema_extra={"x-search": "body"},
        default_factory=list,
        max_length=20,
        description="主要参与单位，最多 20 个，每个不超过 60 个字",
    )
    awards: list[PlainLine] = Field(
        title="所获荣誉",
        json_schema_extra={"x-search": "body"},
        default_factory=list,
        max_length=20,
        description="获得的荣誉，最多 20 项，每项不超过 60 个字",
    )
    highlights: list[Annotated[str, Field(min_length=2, max_length=60), BeforeValidator(_clean_line)]] = (
        Field(
            title="亮点",
            json_schema_extra={"x-search": "summary"},
            default_factory=list,
            max_length=5,
            description="亮点，1–5 条，每条一行，不超过 60 个字",
        )
    )
    metrics: list[Metric] = Field(
        title="数据",
        json_schema_extra={"x-search": "body"},
        default_factory=list,
        max_length=12,
        description="数据指标，最多 12 项",
    )
    background: str | None = Field(
        title="背景",
        json_schema_extra={"x-search": "body", "x-format": "markdown"},
        default=None,
        max_length=BLOCK_MAX,
        description="背景（Markdown），不超过 3000 个字",
    )
    practice: str = Field(
        title="主要做法",
        json_schema_extra={"x-search": "body", "x-format": "markdown"},
        min_length=1,
        max_length=PRACTICE_MAX,
        description="主要做法（Markdown），必填，不超过 5000 个字",
    )
    results: str | None = Field(
        title="成效",
        json_schema_extra={"x-search": "body", "x-format": "markdown"},
        default=None,
        max_length=BLOCK_MAX,
        description="成效（Markdown），不超过 3000 个字",
    )
    insights: str | None = Field(
        title="经验启示",
        json_schema_extra={"x-search": "body", "x-format": "markdown"},
        default=None,
        max_length=BLOCK_MAX,
        description="经验启示（Markdown），不超过 3000 个字",
    )
    how_to: str | None = Field(
        title="怎么做",
        json_schema_extra={"x-search": "body", "x-format": "markdown"},
        default=None,
        max_length=BLOCK_MAX,
        description="怎么做（Markdown）：照报道写明谁来做、在哪里、有什么约定、分几步，供别处借鉴；报道没写的不补",
    )
    quotes: list[Quote] = Field(
        title="原话摘录",
        json_schema_extra={"x-search": "body"},
        default_factory=list,
        max_length=10,
        description="引语：只收录来源文章中的原话，最多 10 条",
    )
    images: list[CaseImage] = Field(
        title="图片",
        json_schema_extra={"x-search": "body"},
        default_factory=list,
        max_length=20,
        description="图片，最多 20 张",
    )
    location: GeoPoint | None = Field(
        title="地图位置",
        json_schema_extra={"x-search": None},
        default=None,
        description="地图位置（纬度、经度）",
    )
    sources: list[Source] = Field(
        title="来源",
        json_schema_extra={"x-search": "body"},
        min_length=1,
        max_length=10,
        description="来源文章，1–10 篇",
    )
    related: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX)]] = Field(
        title="相关案例",
        json_schema_extra={"x-search": None},
        default_factory=list,
        max_length=10,
        description="相关案例的编号（文件名去掉 .yaml），最多 10 个",
    )
    status: Literal["published", "draft"] = Field(
        title="状态",
        json_schema_extra={"x-search": None},
        default="published",
        description="published 或 draft（草稿）",
    )
    updated: DateText | None = Field(
        title="最近审核", json_schema_extra={"x-search": None}, default=None, description="最近一次审核的日期"
    )

    _id: str = PrivateAttr(default="")
    _source_path: Path | None = PrivateAttr(default=None)
    _district_slug: str = PrivateAttr(default="")
    _former_district: str | None = PrivateAttr(default=None)

    _v_line = field_validator("title", "summary", "locality", "year_note", mode="before")(_clean_line)
    _v_draw = field_validator("title", "summary")(_drawable)
    _v_block = field_validator("background", "practice", "results", "insights", "how_to", mode="before")(
        _clean_block
    )
    _v_district = field_validator("district", mode="before")(_no_invisible)
    _v_date = field_validator("updated", mode="before")(_check_date)

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, v: list[str]) -> list[str]:
        return _check_unique(v, "标签")

    @field_validator("year")
    @classmethod
    def _year(cls, v: int, info: ValidationInfo) -> int:
        today = (info.context or {}).get("today") or _dt.date.today()
        last = today.year + 1
        if not FIRST_YEAR <= v <= last:
            raise ValueError(f"年份 {v} 不在 {FIRST_YEAR} 到 {last} 之间")
        return v

    @field_validator("district")
    @classmethod
    def _district(cls, v: str, info: ValidationInfo) -> str:
        vocab = _vocab(info)
        if vocab is None:
            return v
        hit = vocab.districts.resolve(v)
        if hit is None:
            hint = vocab.districts.suggest(v)
            extra = f"，您是不是要找「{hint}」？" if hint else "。"
            raise ValueError(f"未知的区「{shorten(v)}」{extra}应填写上海 16 个区之一或「全市」")
        assert info.context is not None
        info.context["_district"] = hit
        return hit.term.name

    @field_validator("fields", "groups")
    @classmethod
    def _unique_terms(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _check_unique(v, _KIND_LABEL[str(info.field_name)])

    @field_validator("related")
    @classmethod
    def _related(cls, v: list[str]) -> list[str]:
        return _check_unique(v, "相关案例")

    @model_validator(mode="after")
    def _derive(self, info: ValidationInfo) -> Case:
        ctx = info.context or {}
        hit = ctx.pop("_district", None)
        if hit is not None:
            self._district_slug = hit.term.slug
            if hit.former is not None:
                self._former_district = hit.former.name
        return self

    # Derived, read-only views used by pages and search.
    @property
    def id(self) -> str:
        """The file name without ``.yaml``: the case's URL slug."""
        return self._id

    @property
    def source_path(self) -> Path | None:
        """The YAML file this case was read from."""
        return self._source_path

    @property
    def district_slug(self) -> str:
        """ASCII slug of the (current) district."""
        return self._district_slug

    @property
    def former_district(self) -> str | None:
        """The former district named in the file, e.g. 卢湾区, if any."""
        return self._former_district

    @property
    def district_label(self) -> str:
        """District as shown to readers: 黄浦区（原卢湾区）."""
        if self._former_district:
            return f"{self.district}（原{self._former_district}）"
        return self.district

    @property
    def is_draft(self) -> bool:
        """Drafts show in ``make serve`` only."""
        return self.status == "draft"

    def bind(self, case_id: str, source_path: Path) -> Case:
        """Attach the id and path the loader derived from the file name."""
        self._id = case_id
        self._source_path = source_path
        return self
