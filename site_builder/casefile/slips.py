"""A line scanner for the slips editors make most often in case files.

The YAML parser notices these slips late (often on the next line) and explains them in terms of
its grammar. This scanner reads the file line by line, keeps track of block text, quotes,
brackets and indentation levels (knowing which keys belong where), and names each slip on the
line where it is, with the fix. Each slip also carries a repaired line, so the reader can check
that the repairs explain the parser's failure and keep looking for further errors in one run.

``strong`` slips are reported even when the file happens to parse (the result would be wrong
anyway); ``weak`` ones only when the parser fails and repairing them moves or removes the failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from site_builder.casefile.fields import keys_of_kind, submodels
from site_builder.casefile.messages import field_title
from site_builder.casefile.models import Case, field_meta, kind_of
from site_builder.errors import shorten

_MODELS: dict[str, type[BaseModel]] = {"": Case, **submodels()}
KEYS: dict[str, frozenset[str]] = {name: frozenset(m.model_fields) for name, m in _MODELS.items()}
ALL_KEYS = frozenset().union(*KEYS.values())
_LIST_OF_MAPS = keys_of_kind("objects")
_MARKDOWN_BLOCKS = keys_of_kind("markdown")
_LIST_FIELDS = keys_of_kind("lines", "choices")
_ONE_LINE_FIELDS = frozenset(k for m in _MODELS.values() for k in keys_of_kind("line", model=m))
_WRAP_CHECKED = _ONE_LINE_FIELDS | keys_of_kind("lines")
_PROSE = frozenset(
    k
    for m in _MODELS.values()
    for k, info in m.model_fields.items()
    if kind_of(info) in ("line", "lines") and field_meta(info).get("x-format") is None
)

_KEY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*)(?P<sp>[ ]*)(?P<colon>[:：])(?P<after>.*)$")
_ANY_KEY = re.compile(r"(?P<key>[^\s:：#'\"\[\]{},-][^:：#]{0,15}?)[ ]*(?P<colon>：)(?P<after>.*)$")
_BLOCK = re.compile(r"[|>][-+0-9]*[ ]*(#.*)?$")
_STRUCTURAL = re.compile(r"^[ ]*(-[ ]+)?[A-Za-z_][A-Za-z0-9_-]*[ ]*[:：]([ \u3000]|$|[^/])")
_INDICATOR_START = "*&!%@`"
_QUOTE_LOOKAHEAD = 200
_BARE_KEY = re.compile(r"(?P<key>[a-z_]+)[ \u3000]+(?P<after>[^\s:：#].*)$")
_NUMBER = re.compile(r"^[0-9.]+\s*(#.*)?$")
_FAKE_DASHES = "－—–―・•·●"
_SPACES = " \t\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
MAX_SLIPS = 100
"""A file with this many slips is not a case file yet; stop scanning (time stays bounded)."""


@dataclass
class Slip:
    """One slip: where, what to say, how the line reads once repaired."""

    line: int
    col: int
    message: str
    repaired: str
    strong: bool = True
    extra: dict[int, str] = field(default_factory=dict)  # further lines repaired with this one
    field: str = ""  # the top-level key the slip is in, when known (messages lead with its name)


@dataclass
class _Level:
    indent: int
    kind: str  # "map" or "seq"
    model: str | None  # key of KEYS for maps; list name for sequences
    line: int
    last_key: str = ""
    name: str = ""  # for a sequence: the key it is the value of


@dataclass
class _Scanner:
    lines: list[str]
    slips: list[Slip] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    stack: list[_Level] = field(default_factory=list)
    popped: list[_Level] = field(default_factory=list)
    # what the previous structural line left open
    opens: str | None = None  # model/list name of the child it opens, "" for a plain list, None if nothing
    opens_indent: int = -1
    opens_key: str = ""  # the key whose value that child is
    plain_indent: int = -1  # indentation of a line whose plain value may continue on the next lines
    plain_key: str | None = None  # the key (or list) whose plain value that is
    plain_line: int = 0
    wrap: Slip | None = None  # the slip of a one-line value wrapped onto further lines

    def add(
        self, lineno: int, col: int, message: str, repaired: str, *, strong: bool = True, key: str = ""
    ) -> None:
        if lineno in self.seen:
            return
        self.seen.add(lineno)
        self.slips.append(Slip(lineno, col, message, repaired, strong, field=key))

    def _top_key(self, key: str | None) -> str:
        """``key`` when it is a key of the case itself (not of a source, quote…), else ""."""
        if key is None:
            return ""
        top = next((lv for lv in reversed(self.stack) if lv.kind == "map"), None)
        return key if top is not None and top.model == "" and key in KEYS[""] else ""

    def run(self) -> list[Slip]:
        i = 0
        n = len(self.lines)
        while i < n and len(self.slips) < MAX_SLIPS:
            i = self._line(i)
        return sorted(self.slips, key=lambda s: (s.line, s.col))

    # --- one structural line -------------------------------------------------------------
    def _line(self, i: int) -> int:
        lineno = i + 1
        text = self.lines[i]
        stripped = text.strip(_SPACES)
        if not stripped or stripped.startswith("#"):
            return i + 1
        if text.rstrip() in ("---", "...") or text.startswith(("--- ", "... ")):
            self._reset()
            return i + 1
        lead = len(text) - len(text.lstrip(_SPACES))
        leading = text[:lead]
        if "\t" in leading:
            self.add(
                lineno,
                leading.index("\t") + 1,
                "缩进不能使用 Tab，请改用空格",
                text.replace("\t", "  ", leading.count("\t")),
            )
            text = self.slips[-1].repaired if self.slips[-1].line == lineno else text
            lead = len(text) - len(text.lstrip(_SPACES))
            leading = text[:lead]
        if "\u3000" in leading:
            fixed = leading.replace("\u3000", "  ").replace("\t", "  ") + text[lead:]
            fixed = re.sub(f"^[{_SPACES}]+", lambda m: " " * len(m.group()), fixed)
            self.add(
                lineno,
                leading.index("\u3000") + 1,
                "这一行开头用了全角空格「　」来缩进；YAML 只认半角空格，请把它们换成半角空格（一个全角空格换成两个半角空格）",
                fixed,
            )
            text = fixed
            lead = len(text) - len(text.lstrip(" "))
        elif leading.strip(" \t"):
            odd = next(ch for ch in leading if ch not in " \t")
            fixed = " " * len(leading) + text[lead:]
            self.add(
                lineno,
                leading.index(odd) + 1,
                f"这一行开头的空白不是普通的半角空格，而是{_space_name(odd)}，常见于从网页或 Word 复制的文字："
                f"看起来缩进了，YAML 却不认。请删掉行首的空白，重新输入 {len(leading)} 个半角空格",
                fixed,
            )
            text = fixed
            lead = len(text) - len(text.lstrip(" "))
        indent = lead
        rest = text[lead:]
        item = False
        col = indent  # 0-based column of the content after any "- "
        if rest.startswith("-") and not rest.startswith("---"):
            after = rest[1:]
            if after == "" or after.startswith(" "):
                item = True
                inner = after.lstrip(" ")
                col = indent + len(rest) - len(inner)
                rest = inner
            elif after.startswith("\u3000"):
                fixed = text[: indent + 1] + " " + after[1:]
                self.add(lineno, indent + 2, "「-」后面要用半角空格，不能用全角空格「　」", fixed)
                item = True
                rest = after[1:].lstrip(" \u3000")
                col = indent + 2
            elif after[:1] and (
                after[0].isalpha()
                or after[0] in "\"'[{“「《（"
                or (after[0] not in "-.0123456789" + _SPACES and self._item_expected(indent))
                or (after[0].isdigit() and not _NUMBER.match(after) and self._item_expected(indent))
            ):
                m = _KEY.match(after)
                fixed = text[: indent + 1] + " " + after
                word = m.group("key") if m else after[:8]
                what = f"「-{word}」应写成「- {word}」"
                self.add(
                    lineno,
                    indent + 1,
                    f"列表项的「-」后面缺少一个空格：{what}",
                    fixed,
                    strong=bool(m and m.group("key") in ALL_KEYS) or self._item_expected(indent),
                )
                item = True
                rest = after
                col = indent + 2
        if (
            rest[:1] != ""
            and rest[:1] in _FAKE_DASHES
            and rest[1:2] not in _FAKE_DASHES
            and (self.opens is not None or (self.stack and self.stack[-1].kind == "seq"))
        ):
            fixed = text[:indent] + "- " + rest[1:].lstrip(_SPACES)
            self.add(
                lineno,
                indent + 1,
                f"列表项开头要用半角减号加空格「- 」，不能用「{rest[0]}」",
                fixed,
                strong=False,
            )
            text, rest = fixed, fixed[indent:]
        if not self.stack:
            self.stack.append(_Level(0, "map", "", lineno))
        if item:
            self._place_item(lineno, text, indent)
        m = _KEY.match(rest)
        key = None
        value = rest
        value_col = col
        if m:
            key = m.group("key")
            colon_col = col + m.start("colon")
            after = m.group("after")
            known = key in ALL_KEYS
            here = key if col == 0 and not item and key in KEYS[""] else ""
            if m.group("colon") == "：":
                value = after.lstrip(" \u3000")
                fixed = text[:col] + key + ": " + value
                self.add(
                    lineno,
                    colon_col + 1,
                    f"「{key}」后面的冒号「：」是全角（中文）冒号：字段名后面要用半角冒号加一个空格，写成「{key}: 」",
                    fixed,
                    strong=known,
                    key=here,
                )
                value_col = colon_col + 1 + (len(after) - len(value))
            elif after.startswith("\u3000"):
                value = after.lstrip(" \u3000")
                fixed = text[:col] + key + ": " + value
                self.add(
                    lineno,
                    colon_col + 2,
                    f"「{key}:」后面要用半角空格，不能用全角空格「　」",
                    fixed,
                    strong=known,
                    key=here,
                )
                value_col = colon_col + 1 + (len(after) - len(value))
            elif after[:1] and after[0] in _SPACES and after[0] not in " \t":
                value = after.lstrip(_SPACES)
                fixed = text[:col] + key + ": " + value
                self.add(
                    lineno,
                    colon_col + 2,
                    f"「{key}:」后面的空白是{_space_name(after[0])}，不是普通的半角空格（常见于从网页或 Word 复制的文字）："
                    f"请删掉它，重新输入一个半角空格，写成「{key}: {value[:10]}」",
                    fixed,
                    strong=known,
                    key=here,
                )
                value_col = colon_col + 1 + (len(after) - len(value))
            elif after and not after.startswith((" ", "\t")) and not after.startswith("//"):
                value = after
                fixed = text[:col] + key + ": " + after
                self.add(
                    lineno,
                    colon_col + 2,
                    f"「{key}:」后面缺少一个空格：冒号和值之间要有一个半角空格，写成「{key}: {after[:12]}」",
                    fixed,
                    strong=known,
                    key=here,
                )
                value_col = colon_col + 1
            elif after.startswith("//"):
                key = None  # a URL, not a key
            else:
                value = after.lstrip(" ")
                value_col = colon_col + 1 + (len(after) - len(value))
        elif not item or rest:
            g = _ANY_KEY.match(rest)
            bare = _BARE_KEY.match(rest)
            if bare and bare.group("key") in ALL_KEYS and not self._continues(indent):
                name = bare.group("key")
                in_maps = bool(self.stack and self.stack[-1].kind == "seq" and self.stack[-1].model in KEYS)
                fixed = text[:col] + name + ": " + bare.group("after")
                self.add(
                    lineno,
                    col + len(name) + 1,
                    f"「{name}」后面缺少冒号：字段名和值之间要写半角冒号加一个空格「: 」，"
                    f"写成「{name}: {bare.group('after')[:10]}」",
                    fixed,
                    strong=not item or in_maps,
                )
                key, value = name, bare.group("after")
                value_col = col + len(name) + 1
            elif g and not self._continues(indent):
                value = g.group("after").lstrip(" \u3000")
                fixed = text[:col] + g.group("key") + ": " + value
                self.add(
                    lineno,
                    col + g.start("colon") + 1,
                    "这一行的冒号「：」是全角（中文）冒号：字段名后面要用半角冒号加一个空格「: 」，"
                    "而且字段名要用模板里的英文名，例如「title: 」",
                    fixed,
                    strong=False,
                )
        if key is not None:
            if not self._place_key(lineno, text, col, key, item):
                return i + 1
        elif not item and self._continues(indent):
            self._wrapped(lineno, text)
            return i + 1
        return self._value(i, text, key, value.rstrip(), value_col, col if key else indent)

    def _wrapped(self, lineno: int, text: str) -> None:
        """A line continuing a one-line value: the line break becomes a stray space on the page."""
        key = self.plain_key
        if key is None or key not in _WRAP_CHECKED or (self.plain_line in self.seen and self.wrap is None):
            return
        piece = text.strip(_SPACES)
        if self.wrap is None:
            first = self.lines[self.plain_line - 1].rstrip()
            name = field_title(key)
            what = f"「{key}」（{name}）" if name else f"「{key}」"
            self.wrap = Slip(
                self.plain_line,
                len(first) + 1,
                f"{what}是单行字段，值却折到了下一行（第 {lineno} 行）：换行处在页面上会变成一个多余的空格。"
                f"请把第 {lineno} 行的文字接到这一行末尾，写成一行",
                first + piece,
                field=self._top_key(key),
            )
            self.slips.append(self.wrap)
            self.seen.add(self.plain_line)
            self.add(
                lineno,
                len(text) - len(text.lstrip(_SPACES)) + 1,
                f"这一行接在第 {self.plain_line} 行{what}的值后面，但这是单行字段，不能换行（页面上会多出一个空格）："
                f"请把这一行的文字接到第 {self.plain_line} 行末尾，再删掉这一行",
                "",
                key=self._top_key(key),
            )
            return
        self.wrap.repaired += piece
        self.wrap.extra[lineno] = ""

    def _hash_comment(self, lineno: int, text: str, value: str, value_col: int, field_key: str | None) -> str:
        """A ``#`` after a space starts a comment: what follows silently drops out of the value."""
        if not value or _BLOCK.match(value) or value[0] in "\"'":
            return value
        at = _comment_at(value)
        if at < 0:
            return value
        after = value[at + 1 :]
        inside = value[0] in "[{" and _bracket_depth(value[:at], 0) > 0
        if not after.strip() or (after[0] in " \t#" and not inside and field_key not in _PROSE):
            return value  # "year: 2023  # note": a comment meant as one
        after = after.lstrip(" \t")
        word = re.split(r"[\s,，\]}]", after, maxsplit=1)[0][:12]
        fixed_value = value[:at] + value[at + 1 :]
        if value[0] in "[{":
            close = "]" if value[0] == "[" else "}"
            message = (
                f"「#{word}」里的「#」会被 YAML 当成注释的开头，这一行后面的内容（连同「{close}」）都被删掉了："
                f'请删掉「#」，或者给这一项加上引号，写成 "#{word}"'
            )
        elif at == 0:
            message = (
                f"值「#{word}」以「#」开头，YAML 会把它当成注释，这个值就成了空的："
                f'请删掉「#」，或者给整个值加上引号，写成 "{shorten(value, 20)}"'
            )
        else:
            kept = shorten(value[:at].rstrip(), 15)
            message = (
                f"「#」前面有空格，YAML 会把「#{word}」和后面的文字当成注释删掉，这个值只剩下「{kept}」："
                "请删掉「#」或它前面的空格，或者给整个值加上引号"
            )
        self.add(
            lineno, value_col + at + 1, message, text[:value_col] + fixed_value, key=self._top_key(field_key)
        )
        return fixed_value

    def _item_expected(self, indent: int) -> bool:
        """A list item belongs here: under a key with no value, or beside the previous item."""
        if self.opens is not None and indent > self.opens_indent:
            return True
        return bool(self.stack and self.stack[-1].kind == "seq" and self.stack[-1].indent == indent)

    def _continues(self, indent: int) -> bool:
        """A line indented under a plain value continues that value (multi-line text)."""
        return self.plain_indent >= 0 and indent > self.plain_indent

    def _reset(self) -> None:
        self.stack.clear()
        self.popped.clear()
        self.opens = None
        self.plain_indent = -1

    def _pop_to(self, indent: int) -> None:
        self.popped = []
        while self.stack and self.stack[-1].indent > indent:
            self.popped.append(self.stack.pop())

    def _place_item(self, lineno: int, text: str, indent: int) -> None:
        if (
            self.opens is not None
            and indent >= self.opens_indent
            and (not self.stack or indent > self.stack[-1].indent or self.stack[-1].kind == "map")
        ):
            if not (self.stack and self.stack[-1].kind == "seq" and self.stack[-1].indent == indent):
                self.stack.append(_Level(indent, "seq", self.opens, lineno, name=self.opens_key))
            self.opens = None
            self.plain_indent = -1
            return
        if (
            self.plain_indent >= 0
            and indent > self.plain_indent
            and self.stack
            and self.stack[-1].kind == "seq"
            and indent > self.stack[-1].indent
        ):
            seq = self.stack[-1]
            fixed = " " * seq.indent + text.lstrip(" ")
            self.add(
                lineno,
                indent + 1,
                f"这一项的「-」比上一项多缩进了 {indent - seq.indent} 个空格，会被并进上一项的文字里："
                f"同一个列表的「-」要上下对齐（前面 {seq.indent} 个空格）",
                fixed,
            )
            self.plain_indent = -1
            return
        self.plain_indent = -1
        self._pop_to(indent)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.indent == indent and top.kind == "seq":
            top.line = lineno
            return
        target = self._nearest("seq", indent)
        if target is not None and target.indent != indent:
            fixed = " " * target.indent + text.lstrip(" ")
            more = "多" if indent > target.indent else "少"
            self.add(
                lineno,
                indent + 1,
                f"列表项的缩进不对：这一行的「-」比第 {target.line} 行的「-」{more}缩进了 {abs(indent - target.indent)} 个空格，"
                f"同一个列表的「-」要上下对齐（前面 {target.indent} 个空格）",
                fixed,
                strong=False,
            )
            self._restore(target)

    def _place_key(self, lineno: int, text: str, col: int, key: str, item: bool) -> bool:
        """Check the indentation of a key; return False when the line continues text instead."""
        if item:
            seq = self.stack[-1] if self.stack and self.stack[-1].kind == "seq" else None
            model = seq.model if seq and seq.model in KEYS else None
            self.stack.append(_Level(col, "map", model, lineno, key))
            self.opens = None
            self.plain_indent = -1
            return True
        if self.opens is not None and col > self.opens_indent:
            self.stack.append(_Level(col, "map", self.opens if self.opens in KEYS else None, lineno, key))
            self.opens = None
            self.plain_indent = -1
            return True
        if self.plain_indent >= 0 and col > self.plain_indent:
            top = self.stack[-1] if self.stack else None
            if top is not None and top.kind == "map" and col > top.indent:
                fixed = " " * top.indent + text.lstrip(" ")
                self.add(
                    lineno,
                    col + 1,
                    f"「{key}」比第 {top.line} 行的「{top.last_key}」多缩进了 {col - top.indent} 个空格："
                    f"同一组里的字段要上下对齐（前面 {top.indent} 个空格）",
                    fixed,
                    strong=False,
                )
                self.plain_indent = -1
                top.last_key, top.line = key, lineno
                return True
        self.plain_indent = -1
        self.opens = None
        self._pop_to(col)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.indent == col and top.kind == "map":
            allowed = KEYS.get(top.model) if top.model is not None else None
            if allowed is not None and key not in allowed:
                home = next(
                    (
                        lv
                        for lv in self.popped
                        if lv.kind == "map" and lv.model in KEYS and key in KEYS[lv.model]
                    ),
                    None,
                )
                if home is not None:
                    fixed = " " * home.indent + text.lstrip(" ")
                    parent = self._owner(home)
                    self.add(
                        lineno,
                        col + 1,
                        f"「{key}」是{parent}里每一项的字段，这一行缩进少了：要与第 {home.line} 行的「{home.last_key}」对齐"
                        f"（前面 {home.indent} 个空格）",
                        fixed,
                    )
                    self._restore(home)
                    home.last_key, home.line = key, lineno
                    return True
            top.last_key, top.line = key, lineno
            return True
        target = self._nearest("map", col, key)
        if target is not None:
            fixed = " " * target.indent + text.lstrip(" ")
            more = "多" if col > target.indent else "少"
            if target.last_key:
                message = (
                    f"「{key}」的缩进不对：比第 {target.line} 行的「{target.last_key}」{more}缩进了 "
                    f"{abs(col - target.indent)} 个空格，同一组里的字段要上下对齐（前面 {target.indent} 个空格）"
                )
            elif target.indent == 0:
                message = f"「{key}」前面多了 {col} 个空格：最外层的字段要顶格写，前面不要有空格"
            else:
                message = f"「{key}」的缩进不对：这一组的字段前面应有 {target.indent} 个空格，现在有 {col} 个"
            self.add(lineno, col + 1, message, fixed, strong=False)
            self._restore(target)
            target.last_key, target.line = key, lineno
        return True

    def _owner(self, level: _Level) -> str:
        name = level.model or ""
        return f"「{name}」（{field_title(name)}）" if name else "上一级"

    def _nearest(self, kind: str, indent: int, key: str | None = None) -> _Level | None:
        candidates = [lv for lv in [*self.stack, *self.popped] if lv.kind == kind]
        if key is not None:
            fitting = [lv for lv in candidates if lv.model in KEYS and key in KEYS[lv.model]]
            candidates = fitting or candidates
        if not candidates:
            return None
        return min(candidates, key=lambda lv: (abs(lv.indent - indent), -lv.indent))

    def _restore(self, target: _Level) -> None:
        """After a repair, continue as if the line sat at ``target``'s level."""
        if target in self.stack:
            while self.stack[-1] is not target:
                self.stack.pop()
            return
        keep = [lv for lv in reversed(self.popped) if lv.indent <= target.indent]
        self.stack.extend(keep)
        self.popped = []

    # --- the value after "key:" or "- " ------------------------------------------------------
    def _value(self, i: int, text: str, key: str | None, value: str, value_col: int, parent: int) -> int:
        lineno = i + 1
        self.opens = None
        self.plain_indent = -1
        self.wrap = None
        value = self._hash_comment(
            lineno, text, value, value_col, key if key is not None else self._list_name()
        )
        if key is not None and value == "-":
            self.add(
                lineno,
                value_col + 1,
                f"「{key}: -」：想表示“没有”时不要写「-」（YAML 会把它当成列表的开头而出错）："
                "没有内容的可选字段请把这一行整个删掉",
                text[:value_col] + '"-"',
                key=self._top_key(key),
            )
            return i + 1
        if (value == "" or value.startswith("#")) and key is not None:
            following = self._next_content(i)
            if following is not None and not self._ends_block(self.lines[following], key):
                if key in _MARKDOWN_BLOCKS:
                    self.add(
                        lineno,
                        value_col + 1,
                        f"「{key}:」后面少了「|」：多行文字要写成「{key}: |」，下面每行缩进两个空格；"
                        "没有「|」，这些行会被并成一行，列表和分段都会丢失",
                        text[:value_col].rstrip() + " |",
                    )
                    return self._block(i, key, parent)
                if key not in KEYS and key not in _LIST_FIELDS:
                    line = self.lines[following]
                    spaces = len(line) - len(line.lstrip(" "))
                    if spaces <= parent:
                        self.add(
                            following + 1,
                            spaces + 1,
                            f"这一行像是上一行「{key}:」的值：值要写在冒号后面的同一行，例如「{key}: {line.strip()[:10]}」",
                            " " * (parent + 2) + line.lstrip(" "),
                            strong=False,
                        )
        if value == "" or value.startswith("#"):
            self.opens_key = key or ""
            self.opens = key if key is not None else (self.stack[-1].model if self.stack else "")
            if key is not None and key not in _MODELS:
                self.opens = ""
            self.opens_indent = parent
            if key is None and self.stack and self.stack[-1].kind == "seq":
                self.opens = self.stack[-1].model or ""
            return i + 1
        first = value[0]
        if _BLOCK.match(value):
            if key in _ONE_LINE_FIELDS:
                name = field_title(key)
                self.add(
                    lineno,
                    value_col + 1,
                    f"「{key}」（{name}）是单行字段，不能用「{first}」写成多行（换行处在页面上会变成空格或被拒绝）："
                    f"请删掉「{first}」，把文字接在「{key}: 」后面写成一行",
                    text,
                    key=self._top_key(key),
                )
            return self._block(i, key, parent)
        if first in "|>":
            self.add(
                lineno,
                value_col + 2,
                f"「{first}」后面不能直接写文字：请在「{first}」后换行，把文字写在下一行，并且每行前面缩进两个空格",
                text,
                strong=False,
            )
            return i + 1
        if (first == "｛" and key in _MODELS) or (first in "［【" and key in _LIST_FIELDS):
            fixed_value = value.translate(_HALF_BRACKETS)
            close = "}" if first == "｛" else "]"
            self.add(
                lineno,
                value_col + 1,
                f"开头的「{first}」是全角（中文）括号：要用半角的「{'{' if close == '}' else '['}」和「{close}」，"
                "里面的冒号、逗号也要用半角并各加一个空格，例如 "
                + ("{lat: 31.23, lon: 121.47}" if close == "}" else "[甲, 乙]"),
                text[:value_col] + fixed_value,
                key=self._top_key(key),
            )
            value, first = fixed_value, fixed_value[0]
        if first in "\"'":
            return self._quoted(i, text, key, value, value_col, parent)
        if first in "[{":
            return self._flow(i, value)
        if first in _INDICATOR_START:
            why = "会被当成 YAML 的特殊符号"
            if first == "*":
                why = "会被当成 YAML 别名；标题等单行字段不支持 Markdown 加粗"
            self.add(
                lineno,
                value_col + 1,
                f"值不能以「{first}」开头（{why}）：请删除这个符号，或者给整个值加上引号",
                text[:value_col] + '"' + value.replace('"', "'") + '"',
                strong=False,
            )
            return i + 1
        if first == "-" and value[1:2] == " ":
            self.add(
                lineno,
                value_col + 1,
                "列表项「- 」要另起一行写：在冒号后换行，下一行缩进两个空格再写「- 」",
                text,
                strong=False,
            )
            return i + 1
        body = value.split(" #", 1)[0]
        colon = body.find(": ")
        if colon < 0 and body.endswith(":"):
            colon = len(body) - 1
        if colon >= 0 and key is not None:
            fixed = text[:value_col] + value[:colon] + "：" + value[colon + 1 :].lstrip(" ")
            self.add(
                lineno,
                value_col + colon + 1,
                "值里有半角冒号加空格「: 」，会被当成新的字段：值里需要冒号时请改用全角冒号「：」，或者给整个值加上引号",
                fixed,
                strong=False,
            )
        self.plain_indent = parent
        self.plain_key = key if key is not None else self._list_name()
        self.plain_line = lineno
        return i + 1

    def _list_name(self) -> str | None:
        top = self.stack[-1] if self.stack else None
        return (top.name or top.model) if top is not None and top.kind == "seq" else None

    def _quoted(self, i: int, text: str, key: str | None, value: str, value_col: int, parent: int) -> int:
        lineno = i + 1
        quote = value[0]
        end = _closing_quote(value, 1, quote)
        if end is not None:
            tail = value[end + 1 :].strip()
            if tail and not tail.startswith("#"):
                self.add(
                    lineno,
                    value_col + end + 2,
                    "引号只能把整个值括起来，引号后面不能再有文字：要么去掉引号，要么把整个值都放进引号里"
                    "（正文里的引号请用中文引号“”）",
                    text[:value_col] + value[1:end] + value[end + 1 :],
                    strong=False,
                )
            return i + 1
        # Not closed on this line: a legitimate multi-line quoted value, or a slip that swallows
        # the following lines. A following line that looks like a key at this level settles it.
        unclosed = Slip(
            lineno,
            value_col + 1,
            f"这一行的引号「{quote}」没有闭合：请在值的末尾补上「{quote}」，或者去掉开头的引号",
            text.rstrip() + quote,
        )
        j = i + 1
        while j < min(len(self.lines), i + _QUOTE_LOOKAHEAD):
            line = self.lines[j]
            ind = len(line) - len(line.lstrip(" "))
            if _STRUCTURAL.match(line) and ind <= parent:
                self.add(unclosed.line, unclosed.col, unclosed.message, unclosed.repaired)
                return j
            if _closing_quote(line, 0, quote) is not None:
                if key is not None and key in _ONE_LINE_FIELDS:
                    name = field_title(key)
                    self.add(
                        lineno,
                        value_col + 1,
                        f"「{key}」（{name}）是单行字段，引号里的值却折成了 {j - i + 1} 行（第 {lineno}–{j + 1} 行）："
                        "换行处在页面上会变成一个多余的空格，请把它们接成一行",
                        text,
                        key=self._top_key(key),
                    )
                return j + 1
            j += 1
        self.add(unclosed.line, unclosed.col, unclosed.message, unclosed.repaired)
        return j

    def _flow(self, i: int, value: str) -> int:
        depth = 0
        j = i
        text = value
        while True:
            depth = _bracket_depth(text, depth)
            if depth <= 0 or j + 1 >= len(self.lines) or j - i > 200:
                return j + 1
            j += 1
            text = self.lines[j]
            if _STRUCTURAL.match(text) and not text.startswith(" "):
                return j  # never closed: let the parser explain, keep scanning

    def _block(self, i: int, key: str | None, parent: int) -> int:
        """Lines of a ``|``/``>`` block: indented more than its key, all alike."""
        start = i + 1
        content: int | None = None
        head: Slip | None = None
        j = i + 1
        while j < len(self.lines):
            line = self.lines[j]
            lineno = j + 1
            if not line.strip(" \u3000\t"):
                j += 1
                continue
            lead = len(line) - len(line.lstrip(_SPACES))
            odd = next((c for c in line[:lead] if c not in " \t\u3000"), None)
            if odd is not None:
                want = content if content is not None else parent + 2
                self.add(
                    lineno,
                    line.index(odd) + 1,
                    f"这一行开头的空白是{_space_name(odd)}，不是普通的半角空格（常见于从网页或 Word 复制的文字）："
                    f"看起来缩进了，YAML 却不认。请删掉行首的空白，重新输入 {want} 个半角空格",
                    " " * want + line.lstrip(_SPACES),
                )
                content = want if content is None else content
                j += 1
                continue
            spaces = len(line) - len(line.lstrip(" "))
            if content is not None and spaces >= content:
                j += 1
                continue
            if content is None and spaces > parent:
                content = spaces
                j += 1
                continue
            if spaces <= parent and self._ends_block(line, key):
                return j
            want = content if content is not None else parent + 2
            fixed = " " * want + line.lstrip(_SPACES)
            name = f"「{key}: |」" if key else "「|」"
            if head is None:
                if line[spaces:].startswith("\t"):
                    msg = f"缩进不能使用 Tab，请改用空格：{name}下面的文字每行前面写 {want} 个半角空格"
                elif line[spaces:].startswith("\u3000"):
                    msg = (
                        f"这一行是{name}下面的文字，但用全角空格「　」缩进了；YAML 只认半角空格："
                        f"请在行首写 {want} 个半角空格（全角空格可以留在文字里）"
                    )
                elif content is None:
                    msg = f"{name}下面的文字要整体缩进：每一行前面都要加 {want} 个半角空格（第 {start} 行的「|」表示下面是一段文字）"
                else:
                    msg = f"这一行是{name}下面文字的一部分，要和上面的文字一样缩进 {want} 个空格"
                head = Slip(lineno, spaces + 1, msg, fixed)
                self.slips.append(head)
                self.seen.add(lineno)
            else:
                head.extra[lineno] = fixed
            if content is None:
                content = want
            j += 1
        return j

    def _next_content(self, i: int) -> int | None:
        for j in range(i + 1, min(len(self.lines), i + 50)):
            if self.lines[j].strip(_SPACES) and not self.lines[j].lstrip(_SPACES).startswith("#"):
                return j
        return None

    def _ends_block(self, line: str, key: str | None) -> bool:
        stripped = line.lstrip(" ")
        if stripped.startswith("#") or line.startswith(("---", "...")):
            return True
        if stripped.startswith(("- ", "-\u3000")) and key not in _MARKDOWN_BLOCKS:
            return True
        if _STRUCTURAL.match(line):
            m = _KEY.match(stripped.lstrip("- ").lstrip(" "))
            return bool(m and (m.group("key") in ALL_KEYS or m.group("colon") == ":"))
        return False


_HALF_BRACKETS = str.maketrans(
    {"｛": "{", "｝": "}", "［": "[", "］": "]", "【": "[", "】": "]", "：": ": ", "，": ", "}
)
_SPACE_NAMES = {
    "\u00a0": "不换行空格",
    "\u202f": "窄不换行空格",
    "\u205f": "数学空格",
    "\ufeff": "零宽不换行空格",
}


def _space_name(ch: str) -> str:
    name = _SPACE_NAMES.get(ch, "特殊宽度的空格" if "\u2000" <= ch <= "\u200a" else "特殊空白")
    return f"{name}（U+{ord(ch):04X}）"


def _comment_at(value: str) -> int:
    """Where a YAML comment starts in a plain or flow value (a ``#`` at the start or after a space), or -1."""
    quote = ""
    for k, ch in enumerate(value):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'" and value[0] in "[{" and (k == 0 or value[k - 1] in " [{,:"):
            quote = ch
        elif ch == "#" and (k == 0 or value[k - 1] in " \t" or (value[0] in "[{" and value[k - 1] in "[{,")):
            return k
    return -1


def _closing_quote(text: str, start: int, quote: str) -> int | None:
    k = start
    while k < len(text):
        ch = text[k]
        if quote == '"' and ch == "\\":
            k += 2
            continue
        if ch == quote:
            if quote == "'" and text[k + 1 : k + 2] == "'":
                k += 2
                continue
            return k
        k += 1
    return None


def _bracket_depth(text: str, depth: int) -> int:
    quote = ""
    for k, ch in enumerate(text):
        if quote:
            if ch == quote and not (quote == '"' and k and text[k - 1] == "\\"):
                quote = ""
            continue
        if ch in "\"'" and (k == 0 or text[k - 1] in " [{,:"):
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "#" and (k == 0 or text[k - 1] == " "):
            break
    return depth


def find_slips(text: str) -> list[Slip]:
    """Scan a case file (line breaks already normalized to ``\\n``) for everyday slips."""
    slips = _Scanner(text.split("\n")).run()
    return slips


def apply_repairs(text: str, slips: list[Slip]) -> str:
    """The text with each slip's line replaced by its repaired form (line count unchanged)."""
    lines = text.split("\n")
    for s in slips:
        lines[s.line - 1] = s.repaired
        for lineno, fixed in s.extra.items():
            lines[lineno - 1] = fixed
    return "\n".join(lines)
