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
from typing import Annotated, Any, Literal, get_args

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
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo

from site_builder.casefile.vocab import Vocabularies, Vocabulary
from site_builder.errors import shorten
from site_builder.textnorm import (
    BIDI_CONTROLS,
    CHINESE_DIGITS,
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


class InvisibleCharError(ValueError):
    """A value holding an invisible character; ``char`` lets the loader point at its column."""

    def __init__(self, message: str, char: str) -> None:
        super().__init__(message)
        self.char = char


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


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)、]|#{1,6}|>)\s*")
_FILL_IN = re.compile(
    r"待填写|待填|请填写|请输入|此处填写|在这里填写|这里填写|填写内容|TODO|TBD|FIXME"
    r"|(?:这里|此处|在此)写(?:一下)?(?:背景|主要做法|做法|成效|经验|启示|内容|摘要|标题|说明|原话|文章)"
    r"|(?<![A-Za-z])[Xx]{2,}(?![A-Za-z])|[×＊]{2,}|某某",
    re.IGNORECASE,
)
_FILL_IN_ALONE = frozenset(
    ["待补充", "待完善", "待定", "待补", "暂缺", "略", "（略）", "此处省略", "示例", "样例", "占位", "内容"]
)
"""Words that are a placeholder when they are the whole value or line (in a sentence they are prose)."""
NONE_WORDS = frozenset(
    [
        "无",
        "暂无",
        "没有",
        "无内容",
        "不详",
        "未知",
        "未提供",
        "未填写",
        "空",
        "空白",
        "略",
        "无数据",
        "无图片",
        "无来源",
        "不适用",
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "nothing",
        "-",
        "--",
        "—",
        "——",
        "–",
        "/",
        "／",
        "－",
        "~",
        "～",
    ]
)
"""Values editors write to mean "nothing here"; an optional field is left out instead."""
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ("＂", "＂"), ('"', '"'), ("'", "'"))


def _placeholder(value: str) -> bool:
    v = _LIST_MARK.sub("", value.strip(), count=1).strip()
    return bool(v) and _PLACEHOLDER.match(v) is not None and any(p in v for p in ("…", "⋯", "...", "。。。"))


_PLACEHOLDER_MESSAGE = "还是模板里的占位符「……」，请换成真实内容；用不到的可选字段请把整行删掉"


def _fill_in(value: str) -> str | None:
    """The "fill this in later" marker left in ``value`` (待填写, TODO, XXX), if any."""
    m = _FILL_IN.search(value)
    if m:
        return m.group()
    alone = _LIST_MARK.sub("", value.strip(), count=1).strip(" 。.:：（）()[]【】")
    return alone if alone in _FILL_IN_ALONE else None


def _fill_in_message(found: str) -> str:
    return f"还留着占位的「{found}」，请换成真实内容；用不到的可选字段请把整行删掉"


_NONE_PHRASE = re.compile(
    r"^(?:暂|目前|尚|还)?(?:无|没有|未有|缺)(?:相关|此项|可用)?(?:内容|数据|信息|资料|链接|网址|图片|照片|来源|说明|记录|荣誉|单位)?$"
    r"|^(?:不详|未知|不清楚|不明|未提供|未填写|空缺?|暂缺|无可奉告)$"
)


def none_word(value: str) -> bool:
    """True when ``value`` only says "none" (无, 暂无, 无相关数据, N/A, -)."""
    v = value.strip().strip("。.！!（）()[]【】「」“”\"' ").strip().lower()
    return v in NONE_WORDS or _NONE_PHRASE.match(v) is not None


class NoneValueError(ValueError):
    """A value that only says "none": an optional field is deleted, not filled with 无."""

    def __init__(self, value: str, required: bool, item: bool = False) -> None:
        shown = shorten(value.strip(), 10)
        if item:
            how = "请删除这一项；一项都没有时把整个字段删掉"
        elif required:
            how = "这是必填字段，请填写真实内容"
        else:
            how = "这是可选字段，没有内容时请把这一行（连同下面属于它的行）整个删掉，不要写「无」"
        super().__init__(f"「{shown}」表示没有内容：{how}")


class ItemErrors(ValueError):
    """Problems of single items of a list, each located at its item (index, problem)."""

    def __init__(self, problems: list[tuple[int, ValueError]]) -> None:
        super().__init__(str(problems[0][1]))
        self.problems = problems


def _whole_quoted(value: str) -> tuple[str, str] | None:
    v = value.strip()
    for left, right in _QUOTE_PAIRS:
        if len(v) > 2 and v.startswith(left) and v.endswith(right):
            inner = v[1:-1]
            if left == right and left in inner:
                continue
            if left != right and (left in inner or right in inner):
                continue  # “甲”和“乙”: two quotations, not one value in quotes
            return left, right
    return None


_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
_ANGLE_PLACEHOLDER = re.compile(
    r"^(?:<[^<>]{1,30}>|＜[^＜＞]{1,30}＞|〈[^〈〉]{1,30}〉|\{\{[^{}]{1,30}\}\})$"
)


def _raise_invisible(value: str) -> None:
    problem = _invisible_problem(value)
    if problem:
        found = find_invisible(value)
        raise InvisibleCharError(problem, found[0][1] if found else "\ufffd")
    odd = _ODD_SPACE.search(value.strip())
    if odd:
        ch = odd.group()
        before = value.strip()[: odd.start()][-8:]
        name = "不换行空格" if ch == "\u00a0" else "特殊宽度的空格"
        raise InvisibleCharError(
            f"「{before}」后面有一个{name}（U+{ord(ch):04X}，常见于从网页或 Word 复制的文字），页面上会显示成空格："
            "请删掉它；确实需要空格时输入普通的半角空格",
            ch,
        )


def _clean_line(value: Any) -> Any:
    """Check and tidy a one-line plain-text value (before length limits apply)."""
    if not isinstance(value, str):
        return value
    if _NEWLINE.search(value.strip()):
        raise ValueError("应为一行文字，不能换行")
    _raise_invisible(value)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise BlankValueError()
    if _placeholder(cleaned):
        raise ValueError(_PLACEHOLDER_MESSAGE)
    found = _fill_in(cleaned)
    if found:
        raise ValueError(_fill_in_message(found))
    if _ANGLE_PLACEHOLDER.match(cleaned):
        raise ValueError(f"「{shorten(cleaned, 20)}」像是模板里的占位说明：请换成真实内容（不要保留尖括号）")
    quoted = _whole_quoted(cleaned)
    if quoted:
        left, right = quoted
        raise ValueError(
            f"整个值被引号「{left}…{right}」括了起来，页面上会连引号一起显示：请删掉开头的「{left}」和结尾的「{right}」，"
            f"写成「{shorten(cleaned[1:-1], 20)}」"
        )
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
    _raise_invisible(value.replace("\n", "").replace("\t", ""))
    if not value.strip():
        raise BlankValueError()
    for n, line in enumerate(value.splitlines(), 1):
        if _placeholder(line):
            raise LineError(_PLACEHOLDER_MESSAGE, n)
        found = _fill_in(line)
        if found:
            raise LineError(_fill_in_message(found), n)
        for _, ref, ch in find_hidden_references(line)[:1]:
            raise LineError(
                f"字符引用「{ref}」在页面上会变成 {describe_char(ch)}，读者看不到它，但它会打乱显示或搜索："
                f"请删除「{ref}」",
                n,
            )
    return value.strip("\n").rstrip() + "\n"


def _no_invisible(value: Any) -> Any:
    if isinstance(value, str):
        _raise_invisible(value)
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

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－／：", "0123456789.-/:")
_CN_DATE = (
    re.compile(r"^(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号]?)?)?$"),
    re.compile(r"^(\d{4})\s*[./\-_\s、]\s*(\d{1,2})(?:\s*[./\-_\s、]\s*(\d{1,2}))?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_CN_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$|^(\d{1,2})[./](\d{1,2})$")


_CN_DIGIT = {**CHINESE_DIGITS, "○": 0}
"""Editors also write the year's zero as ○ (a circle, not 〇)."""


def _chinese_numerals(text: str) -> str:
    """二〇二三年五月十二日 -> 2023年5月12日 (digit by digit for years, with 十 for months and days)."""

    def number(m: re.Match[str]) -> str:
        run = m.group()
        if "十" not in run:
            return "".join(str(_CN_DIGIT[c]) for c in run)
        tens, _, ones = run.partition("十")
        return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0))

    return re.sub("[〇零○一二三四五六七八九十]+", number, text)


def iso_date(value: str, *, month_day: bool = False) -> str | None:
    """The ISO form (2023-05-01, 2023-05, 2023) of a date written another way, or None.

    Reads what editors type: 2023年5月1日, 2023.5.1, 2023/05/01, 2023-5-1, 20230501, full-width
    digits; with ``month_day`` also 5月1日 (a source that gives no year) as 05-01.
    """
    v = _chinese_numerals(value.strip().translate(FULLWIDTH_DIGITS))
    v = re.sub(r"[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?$", "", v)  # a time after the date
    v = re.sub(r"^(\d{2})([./\-])(\d{1,2})\2(\d{1,2})$", r"20\1-\3-\4", v)  # 23/4/13
    for pattern in _CN_DATE:
        m = pattern.match(v)
        if m:
            parts = [int(p) for p in m.groups() if p]
            break
    else:
        m = _CN_MONTH_DAY.match(v) if month_day else None
        if not m:
            return None
        month, day = (int(p) for p in m.groups() if p)
        try:
            _dt.date(2000, month, day)
        except ValueError:
            return None
        return f"{month:02d}-{day:02d}"
    try:
        _dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


def _date_hint(value: str, *, month_day: bool = False) -> str | None:
    iso = iso_date(value, month_day=month_day)
    if iso is None or iso == value.strip():
        return None
    return (
        f"日期「{shorten(value)}」要按「年-月-日」写成 {iso}（半角数字和减号，月、日不足两位前面补 0）："
        f'请改成 "{iso}"'
    )


def _check_date(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = value.strip()
    if not re.match(DATE_PATTERN, value, re.ASCII):
        hint = _date_hint(value)
        if hint:
            raise ValueError(hint)
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
    if isinstance(value, str) and re.match(r"^\s*\d{2}-\d{2}\s*$", value, re.ASCII):
        month, day = (int(p) for p in value.strip().split("-"))
        try:
            _dt.date(2000, month, day)
        except ValueError:
            raise ValueError(f"日期「{shorten(value)}」不存在，请检查月份和日期") from None
        return value.strip()
    if isinstance(value, str) and not re.match(SOURCE_DATE_PATTERN, value.strip(), re.ASCII):
        hint = _date_hint(value, month_day=True)
        if hint:
            raise ValueError(hint)
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


Kind = Literal["line", "markdown", "int", "number", "date", "choice", "lines", "choices", "objects", "object"]
"""What a field holds; decides its checks, its form widget and how messages and the guide describe it."""
KINDS: tuple[str, ...] = get_args(Kind)
_UNSET = "\0"


def meta(
    kind: Kind,
    *,
    search: str | None = _UNSET,
    fmt: str | None = None,
    item: str | None = None,
    example: str | None = None,
    drawn: bool = False,
    guide: str | None = None,
    format_help: str | None = None,
) -> JsonDict:
    """A field's metadata (``json_schema_extra``): one place for everything the models do not say.

    ``kind`` (``x-kind``) decides the checks a value gets (a ``line`` is one line of plain text
    without invisible characters or placeholders, whatever its name), ``search`` (``x-search``) the
    search tier of a top-level field, ``fmt`` (``x-format``) a line that is not prose (``url``,
    ``path``, ``id``) or a Markdown block, ``item`` (``x-item``) what one list item is called in
    messages ("条亮点"), ``example`` (``x-example``) how to write a missing required key, ``drawn``
    (``x-drawn``) a value drawn on covers, ``guide`` (``x-guide``) the editors' guide's advice when
    it says more than the description, and ``format_help`` (``x-format-help``) the format a
    ``pattern`` stands for, named in its error message.
    """
    out: JsonDict = {"x-kind": kind}
    if search != _UNSET:
        out["x-search"] = search
    for key, value in (
        ("x-format", fmt),
        ("x-item", item),
        ("x-example", example),
        ("x-guide", guide),
        ("x-format-help", format_help),
    ):
        if value is not None:
            out[key] = value
    if drawn:
        out["x-drawn"] = True
    return out


def field_meta(info: FieldInfo) -> dict[str, Any]:
    """The ``x-…`` metadata of a field (see :func:`meta`)."""
    extra = info.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def kind_of(info: FieldInfo) -> Kind:
    """A field's kind: its ``x-kind``, or for a field that forgot one, what its type is safely checked as.

    A plain ``str`` (or ``str | None``) field without metadata is a ``line`` and a ``list[str]`` a
    ``lines``, so a new text field refuses bidi controls, line breaks and blanks even before it
    declares its kind (the every-field test then asks for the declaration).
    """
    declared = field_meta(info).get("x-kind")
    if declared in KINDS:
        return declared  # type: ignore[no-any-return]
    if field_meta(info).get("x-format") == "markdown":
        return "markdown"
    annotation = info.annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    if getattr(annotation, "__origin__", None) is list:
        return "lines" if args == [str] else "objects"
    if annotation is str or args == [str]:
        return "line"
    if annotation is int or args == [int]:
        return "int"
    if annotation in (float, int | float) or args in ([float], [int, float]):
        return "number"
    return "object" if isinstance(annotation, type) and issubclass(annotation, BaseModel) else "choice"


def _check_items(value: Any, check: Any) -> Any:
    if not isinstance(value, list):
        return value
    out, problems = [], []
    for i, item in enumerate(value):
        try:
            if isinstance(item, str) and none_word(item):
                raise NoneValueError(item, required=False, item=True)
            out.append(check(item))
        except ValueError as exc:
            problems.append((i, exc))
            out.append(item)
    if problems:
        raise ItemErrors(problems)
    return out


def check_by_kind(info: FieldInfo, value: Any) -> Any:
    """The checks a value gets from its field's kind and format (run before the type checks).

    A new field gets them by declaring ``x-kind``: no list of field names to extend.
    """
    extra = field_meta(info)
    kind, fmt = kind_of(info), extra.get("x-format")
    if isinstance(value, str) and kind != "markdown" and _placeholder(value):
        raise ValueError(_PLACEHOLDER_MESSAGE)
    if kind in ("lines", "choices"):
        prose = kind == "lines" and fmt is None
        return _check_items(value, _clean_line if prose else _no_invisible)
    if kind == "date":
        if isinstance(value, str) and none_word(value):
            raise NoneValueError(value, required=info.is_required())
        return _check_source_date(value) if fmt == "source-date" else _check_date(value)
    if not isinstance(value, str):
        return value
    if kind in ("line", "markdown", "choice") and none_word(value):
        raise NoneValueError(value, required=info.is_required())
    if kind == "line":
        value = _clean_line(value) if fmt is None else _no_invisible(value)
        return _drawable(value) if extra.get("x-drawn") else value
    if kind == "markdown":
        return _clean_block(value)
    if kind == "choice":
        return _no_invisible(value)
    return value


PlainLine = Annotated[str, Field(min_length=1, max_length=ITEM_MAX)]
DateText = Annotated[str, Field(pattern=DATE_PATTERN, examples=["2023-04-13", "2023-04", "2023"])]
SourceDateText = Annotated[
    str, Field(pattern=SOURCE_DATE_PATTERN, examples=["2023-04-13", "2023-04", "2023", "12-13"])
]


_GENERIC_ALT = re.compile(
    r"^(?:一张|一幅|这张|本|该|案例|现场|活动|工作|相关|新闻|宣传|示意|图片|照片)?"
    r"(?:照片|图片|图像|相片|图|照|配图|插图|截图|示意图|图示|附图|封面|题图|缩略图|描述|说明|图片描述|图片说明|替代文字"
    r"|image|photo|picture|pic|img|figure|fig|alt|alt text|description)"
    r"[\s_\-.]*(?:\d+|[一二三四五六七八九十]+)?$",
    re.IGNORECASE,
)
_CAMERA_NAME = re.compile(
    r"^(?:img|dsc|dscn|dcim|pxl|mvimg|wx|mmexport|screenshot|微信图片|屏幕截图)[\s_\-]*\d", re.IGNORECASE
)
_IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|webp|gif|heic|heif|bmp|tiff?|avif)$", re.IGNORECASE)


def meaningless_alt(alt: str, file: str | None = None) -> bool:
    """True when alt text says nothing about the picture: 照片, image, 图1, the file's name."""
    text = alt.strip().strip("。.！!：:")
    if not text or _GENERIC_ALT.match(text) or _CAMERA_NAME.match(text) or _IMAGE_SUFFIX.search(text):
        return True
    if file:
        name = file.replace("\\", "/").rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        if text.lower() in (name.lower(), stem.lower()) or text.lower().replace(" ", "-") == stem.lower():
            return True
    return False


class _Strict(BaseModel):
    # defer_build: the validators are built on first use, so a run that only reads remembered cases
    # (``validate`` of unchanged files, a warm build) never builds them
    model_config = ConfigDict(extra="forbid", strict=True, frozen=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _by_kind(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return check_by_kind(cls.model_fields[info.field_name], value)


class Metric(_Strict):
    """A figure shown as a card: 120 名党员骑手."""

    label: str = Field(
        title="指标名称",
        min_length=1,
        max_length=30,
        description="指标名称，例如「党员骑手」",
        json_schema_extra=meta("line", example="例如「label: 党员骑手」"),
    )
    value: int | float = Field(
        title="数值",
        description="数值，只写数字，例如 120 或 3.5",
        json_schema_extra=meta("number", example="例如「value: 120」"),
    )
    unit: str | None = Field(
        title="单位",
        default=None,
        max_length=10,
        description="单位，例如「名」「个」「%」",
        json_schema_extra=meta("line"),
    )
    note: str | None = Field(
        title="说明",
        default=None,
        max_length=80,
        description="补充说明，例如统计时间",
        json_schema_extra=meta("line"),
    )

    @field_validator("value")
    @classmethod
    def _sane(cls, v: float) -> float:
        if not math.isfinite(v) or abs(v) > METRIC_MAX:
            raise ValueError("数值太大或不是有限的数：请写实际的数字，例如 120 或 3.5")
        return v


class Quote(_Strict):
    """A short, exact quotation from the cited article."""

    text: str = Field(
        title="原话",
        min_length=2,
        max_length=200,
        description="原话，须与来源一致",
        json_schema_extra=meta("line", example="例如「text: 」后面写原话"),
    )
    speaker: str = Field(
        title="说话人",
        min_length=1,
        max_length=30,
        description="说话人",
        json_schema_extra=meta("line", example="例如「speaker: 张三」"),
    )
    role: str | None = Field(
        title="身份或职务",
        default=None,
        max_length=60,
        description="身份或职务",
        json_schema_extra=meta("line"),
    )


class CaseImage(_Strict):
    """A photo stored beside the case file."""

    file: str = Field(
        title="图片文件",
        min_length=1,
        max_length=PATH_MAX,
        description="图片文件路径，相对于本案例文件，例如 images/x.jpg",
        json_schema_extra=meta("line", fmt="path", example="例如「file: images/photo.jpg」"),
    )
    alt: str = Field(
        title="替代文字",
        min_length=2,
        max_length=120,
        description="替代文字：为看不到图片的读者描述图片内容",
        json_schema_extra=meta("line", example="例如「alt: 」后面用一句话描述图片内容"),
    )
    caption: str | None = Field(
        title="图片说明", default=None, max_length=120, description="图片说明", json_schema_extra=meta("line")
    )
    credit: str | None = Field(
        title="图片来源",
        default=None,
        max_length=60,
        description="图片来源或作者",
        json_schema_extra=meta("line"),
    )

    @field_validator("alt")
    @classmethod
    def _meaningful_alt(cls, v: str, info: ValidationInfo) -> str:
        file = info.data.get("file")
        if meaningless_alt(v, file if isinstance(file, str) else None):
            raise ValueError(
                f"替代文字「{shorten(v, 20)}」没有说出图片里是什么：看不到图片的读者（读屏软件）只能听到这几个字。"
                "请用一句话描述画面，例如「骑手在党群服务驿站里休息」"
            )
        return v

    @field_validator("file", mode="before")
    @classmethod
    def _path(cls, v: Any) -> Any:
        _no_invisible(v)
        if isinstance(v, str) and "\\" in v:
            raise ValueError("路径里的文件夹要用「/」分隔，不能用「\\」，例如 images/photo.jpg")
        return v


class GeoPoint(_Strict):
    """A point inside Shanghai; catches swapped coordinates."""

    lat: float = Field(
        title="纬度",
        description="纬度，30.6 到 31.9 之间",
        json_schema_extra=meta("number", example="例如「lat: 31.23」"),
    )
    lon: float = Field(
        title="经度",
        description="经度，120.8 到 122.2 之间",
        json_schema_extra=meta("number", example="例如「lon: 121.47」"),
    )

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

    title: str = Field(
        title="文章标题",
        min_length=2,
        max_length=120,
        description="文章标题",
        json_schema_extra=meta("line", example="例如「title: 文章标题」"),
    )
    publisher: str = Field(
        title="发布媒体",
        min_length=1,
        max_length=60,
        description="发布媒体或机构",
        json_schema_extra=meta("line", example="例如「publisher: 文汇报」"),
    )
    date: SourceDateText | None = Field(
        title="发布日期",
        default=None,
        description="文章上写的发布日期：YYYY、YYYY-MM、YYYY-MM-DD；只写了月日时写 MM-DD（例如 12-13）。不要猜测",
        json_schema_extra=meta(
            "date",
            fmt="source-date",
            format_help='日期应写成 YYYY、YYYY-MM、YYYY-MM-DD，文章只写了月日时写成 MM-DD，例如 "2023-04-13"',
        ),
    )
    date_note: str | None = Field(
        title="日期说明",
        default=None,
        min_length=2,
        max_length=40,
        description="关于日期的说明，例如「年份据文意推断为 2018 年」",
        json_schema_extra=meta("line"),
    )
    url: str | None = Field(
        title="网址",
        default=None,
        max_length=URL_MAX,
        description="网址，只接受 http:// 或 https:// 开头",
        json_schema_extra=meta("line", fmt="url"),
    )

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


_PLACE_SUFFIX = re.compile(r"(街道|镇|乡|社区|居委会?|村|园区|开发区|新城|片区|商圈|大厦|楼宇|路|街|号)$")


def _street_in_district(value: str, vocab: Vocabularies) -> str | None:
    """Say where a street or town written into ``district`` belongs (浦东新区陆家嘴街道 -> locality)."""
    text = re.sub(r"^\s*上海市?\s*", "", value.strip())
    for cut in range(len(text), 1, -1):
        hit = vocab.districts.resolve(text[:cut])
        rest = text[cut:].strip(" ，,、/（）()")
        if hit is not None and rest:
            return (
                f"「district」（所在区）只写区名：请写成「district: {hit.term.name}」，"
                f"把「{shorten(rest, 15)}」写在另起一行的「locality: {shorten(rest, 15)}」（街道或镇）里"
            )
        if hit is not None:
            return f"「district」（所在区）只写区名：请写成「district: {hit.term.name}」"
    if _PLACE_SUFFIX.search(text):
        return (
            f"「{shorten(text, 15)}」是街道、镇或更小的地方，不是区：请把它写在「locality: {shorten(text, 15)}」"
            "（街道或镇）里，district 写它所在的区，例如「district: 浦东新区」"
        )
    return None


FieldName = Annotated[str, Field(max_length=ITEM_MAX), _term("fields")]
GroupName = Annotated[str, Field(max_length=ITEM_MAX), _term("groups")]


class Case(_Strict):
    """One exemplary case: the schema of ``cases/<id>.yaml``."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        strict=True,
        title="上海新兴领域党建案例",
        json_schema_extra={
            "$comment": "由 site_builder.casefile.jsonschema 根据 models.py 生成，请勿手工修改"
        },
    )

    title: str = Field(
        title="标题",
        json_schema_extra=meta(
            "line",
            search="title",
            drawn=True,
            example="例如「title: 浦东新区金色头盔党员骑手」",
            guide="案例标题，4 到 40 个字，纯文字，不加格式",
        ),
        min_length=4,
        max_length=40,
        description="标题，4–40 个字",
    )
    summary: str = Field(
        title="摘要",
        json_schema_extra=meta(
            "line",
            search="summary",
            drawn=True,
            example="例如「summary: 」后面用 30–200 个字概括这个案例做了什么、有什么效果",
            guide="一段话概括案例，30 到 200 个字，要比标题长",
        ),
        min_length=30,
        max_length=200,
        description="摘要，30–200 个字，用于卡片、搜索结果和分享",
    )
    district: str = Field(
        title="所在区",
        json_schema_extra=meta(
            "choice",
            search="meta",
            example="例如「district: 浦东新区」",
            guide="所在区，写全称，如 `浦东新区`、`徐汇区`；全市性的做法写 `全市`。历史案例可以写 `卢湾区`、"
            "`闸北区`、`南汇区`，系统会自动对应到今天的区。街道或镇不写在这里，写在 `locality`",
        ),
        max_length=ITEM_MAX,
        description="所在区，例如「浦东新区」；全市性的案例写「全市」",
    )
    locality: str | None = Field(
        title="街道或镇",
        json_schema_extra=meta("line", search="meta", guide="街道或镇，如 `岳阳街道`、`长征镇`"),
        default=None,
        max_length=30,
        description="街道或镇，例如「岳阳街道」",
    )
    fields: list[FieldName] = Field(
        title="领域",
        json_schema_extra=meta(
            "choices", search="meta", item="个领域", example="例如「fields: [新就业群体]」"
        ),
        min_length=1,
        max_length=3,
        description="所属领域，1–3 个",
    )
    groups: list[GroupName] = Field(
        title="服务群体",
        json_schema_extra=meta(
            "choices", search="meta", item="个服务群体", guide="服务的群体；做法直接服务某类人群时请填写"
        ),
        default_factory=list,
        max_length=10,
        description="服务的群体，例如「外卖骑手」，最多 10 个",
    )
    tags: list[Annotated[str, Field(min_length=1, max_length=12), BeforeValidator(_one_item)]] = Field(
        title="标签",
        json_schema_extra=meta(
            "lines", search="meta", item="个标签", guide="关键词，每个 1 到 12 个字，不要重复"
        ),
        default_factory=list,
        max_length=10,
        description="标签：自由填写的短语，每个 1–12 个字，最多 10 个",
    )
    year: int = Field(
        title="年份",
        json_schema_extra=meta(
            "int",
            search="meta",
            example="例如「year: 2023」",
            guide="做法开始的年份；不清楚时写首次见报的年份，只写半角数字，如 `2023`",
        ),
        description="做法开始或首次报道的年份",
    )
    year_note: str | None = Field(
        title="年份说明",
        json_schema_extra=meta(
            "line",
            search=None,
            guide="年份是怎么定的，一句话，4 到 80 个字。出处没写做法始于哪一年、`year` 写的是文章发表年份时，统一写："
            "`来源文章没有写明这项做法始于哪一年，这里记的是文章发表的年份。`；按“去年”“9年前”等推算的，写明依据",
        ),
        default=None,
        min_length=4,
        max_length=80,
        description="年份是怎么定的，例如「报道没有写明做法始于哪一年，这里记的是报道发表的年份」",
    )
    organizations: list[PlainLine] = Field(
        title="参与单位",
        json_schema_extra=meta("lines", search="body", item="个参与单位", guide="主要实施单位的名称"),
        default_factory=list,
        max_length=20,
        description="主要参与单位，最多 20 个，每个不超过 60 个字",
    )
    awards: list[PlainLine] = Field(
        title="所获荣誉",
        json_schema_extra=meta("lines", search="body", item="项荣誉", guide="获得的荣誉，出处中写明的才填"),
        default_factory=list,
        max_length=20,
        description="获得的荣誉，最多 20 项，每项不超过 60 个字",
    )
    highlights: list[Annotated[str, Field(min_length=2, max_length=60)]] = Field(
        title="亮点",
        json_schema_extra=meta("lines", search="summary", item="条亮点"),
        default_factory=list,
        max_length=5,
        description="亮点，1–5 条，每条一行，不超过 60 个字",
    )
    metrics: list[Metric] = Field(
        title="数据",
        json_schema_extra=meta(
            "objects", search="body", item="项数据指标", guide="出处中的关键数字，每个数字一项"
        ),
        default_factory=list,
        max_length=12,
        description="数据指标，最多 12 项",
    )
    background: str | None = Field(
        title="背景",
        json_schema_extra=meta("markdown", search="body", fmt="markdown"),
        default=None,
        max_length=BLOCK_MAX,
        description="背景（Markdown），不超过 3000 个字",
    )
    practice: str = Field(
        title="主要做法",
        json_schema_extra=meta(
            "markdown",
            search="body",
            fmt="markdown",
            example="写成「practice: |」，下一行起每行缩进两个空格写主要做法",
            guide="主要做法，可以用 Markdown 的列表和加粗",
        ),
        min_length=1,
        max_length=PRACTICE_MAX,
        description="主要做法（Markdown），必填，不超过 5000 个字",
    )
    results: str | None = Field(
        title="成效",
        json_schema_extra=meta(
            "markdown",
            search="body",
            fmt="markdown",
            guide="成效；按编辑规范，`background` 和 `results` 至少要填一个（自动检查不管这一条，由维护者核对）",
        ),
        default=None,
        max_length=BLOCK_MAX,
        description="成效（Markdown），不超过 3000 个字",
    )
    insights: str | None = Field(
        title="经验启示",
        json_schema_extra=meta("markdown", search="body", fmt="markdown"),
        default=None,
        max_length=BLOCK_MAX,
        description="经验启示（Markdown），不超过 3000 个字",
    )
    how_to: str | None = Field(
        title="怎么做",
        json_schema_extra=meta(
            "markdown",
            search="body",
            fmt="markdown",
            guide="怎么做：别的地方想借鉴时需要知道的，照出处写明谁来做、在哪里、有什么约定、分几步，"
            "再列出出处没写、需要另行了解的事项；出处没有的不要补",
        ),
        default=None,
        max_length=BLOCK_MAX,
        description="怎么做（Markdown）：照报道写明谁来做、在哪里、有什么约定、分几步，供别处借鉴；报道没写的不补",
    )
    quotes: list[Quote] = Field(
        title="原话摘录",
        json_schema_extra=meta("objects", search="body", item="条引语", guide="出处中具名人士的原话"),
        default_factory=list,
        max_length=10,
        description="引语：只收录来源文章中的原话，最多 10 条",
    )
    images: list[CaseImage] = Field(
        title="图片",
        json_schema_extra=meta(
            "objects", search="body", item="张图片", guide="照片，每张一项。写法见下文“照片”"
        ),
        default_factory=list,
        max_length=20,
        description="图片，最多 20 张",
    )
    location: GeoPoint | None = Field(
        title="地图位置",
        json_schema_extra=meta(
            "object",
            search=None,
            guide="地图上的位置，例如 `{lat: 31.2397, lon: 121.4998}`。写法见下文“地图位置”",
        ),
        default=None,
        description="地图位置（纬度、经度）",
    )
    sources: list[Source] = Field(
        title="来源",
        json_schema_extra=meta(
            "objects",
            search="body",
            item="个来源",
            example="写成「sources:」，下一行写「  - title: 文章标题」，再下一行写「    publisher: 发布媒体」",
            guide='至少一个出处。`date` 照文章上写的填：`"2023-04-13"`、`"2023-04"`、`"2023"`，文章只写了月日时写 '
            '`"12-13"`，不知道就不写；年份是推断出来的，写在 `date_note` 里说明；`url` 有才填',
        ),
        min_length=1,
        max_length=10,
        description="来源文章，1–10 篇",
    )
    related: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=ID_MAX)]] = Field(
        title="相关案例",
        json_schema_extra=meta(
            "lines",
            search=None,
            fmt="id",
            item="个相关案例",
            guide="相关案例的编号（文件名去掉 .yaml，不是标题），必须是已有的案例，不能是自己",
            format_help="案例编号只能由小写英文字母、数字和连字符组成（即案例文件名去掉 .yaml），例如 pudong-golden-helmet-riders",
        ),
        default_factory=list,
        max_length=10,
        description="相关案例的编号（文件名去掉 .yaml），最多 10 个",
    )
    status: Literal["published", "draft"] = Field(
        title="状态",
        json_schema_extra=meta(
            "choice", search=None, guide="`published`（默认，发布）或 `draft`（草稿，不在网站上显示）"
        ),
        default="published",
        description="published 或 draft（草稿）",
    )
    updated: DateText | None = Field(
        title="最近审核",
        json_schema_extra=meta(
            "date",
            search=None,
            format_help='日期应写成 YYYY、YYYY-MM 或 YYYY-MM-DD，例如 "2026-11-22"',
            guide='最近一次核对的日期，如 `"2026-11-22"`',
        ),
        default=None,
        description="最近一次审核的日期",
    )

    _id: str = PrivateAttr(default="")
    _source_path: Path | None = PrivateAttr(default=None)
    _district_slug: str = PrivateAttr(default="")
    _former_district: str | None = PrivateAttr(default=None)

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
            street = _street_in_district(v, vocab)
            if street:
                raise ValueError(street)
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

    # Derived, read-only views used by pages and search. They read the private values straight
    # from pydantic's dict: ``self._id`` goes through ``BaseModel.__getattr__`` (25x slower), and
    # a build reads a case's id some 70 times.
    @property
    def id(self) -> str:
        """The file name without ``.yaml``: the case's URL slug."""
        return self.__pydantic_private__["_id"]  # type: ignore[index,no-any-return]

    @property
    def source_path(self) -> Path | None:
        """The YAML file this case was read from."""
        return self.__pydantic_private__["_source_path"]  # type: ignore[index,no-any-return]

    @property
    def district_slug(self) -> str:
        """ASCII slug of the (current) district."""
        return self.__pydantic_private__["_district_slug"]  # type: ignore[index,no-any-return]

    @property
    def former_district(self) -> str | None:
        """The former district named in the file, e.g. 卢湾区, if any."""
        return self.__pydantic_private__["_former_district"]  # type: ignore[index,no-any-return]

    @property
    def district_label(self) -> str:
        """District as shown to readers: 黄浦区（原卢湾区）."""
        former = self.former_district
        if former:
            return f"{self.district}（原{former}）"
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
