"""Strict YAML reading that keeps the position of every key and value.

PyYAML alone silently keeps the last of duplicate keys, turns ``yes``/``no``
into booleans and dates into ``date`` objects, follows aliases and honours
``!!python`` tags. Case files are written by hand in a web editor, so all of
that is refused or kept as text here, and each value remembers its line and
column so that validation errors can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import CaseError, Location

MAX_FILE_BYTES = 256 * 1024
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document starts."""

    path: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, key: PathKey, *, prefer_key: bool = False) -> Location:
        """Find the closest known position for ``key``, walking up to its parents."""
        probe = tuple(key)
        while True:
            table = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            for t in table:
                if probe in t:
                    line, col = t[probe]
                    return Location(self.path, line, col)
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]


@dataclass
class Document:
    """A parsed case file: plain Python data plus positions."""

    data: Any
    positions: Positions


def _mark(node: yaml.Node | yaml.Event) -> tuple[int, int]:
    m = node.start_mark
    return (m.line + 1, m.column + 1) if m is not None else (1, 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None and node.style != "":
        return value  # quoted or block scalar: always text
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    return value


class _Builder:
    def __init__(self, positions: Positions, errors: list[CaseError]):
        self.positions = positions
        self.errors = errors

    def error(self, at: tuple[int, int], field: str, message: str) -> None:
        self.errors.append(CaseError(Location(self.positions.path, *at), field, message))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.positions.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                dotted = _dotted(path)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.error(_mark(key_node), dotted, "键必须是简单的文本")
                    continue
                key = key_node.value
                if key == "<<":
                    self.error(_mark(key_node), dotted, "不支持 YAML 合并键「<<」，请直接写出各字段")
                    continue
                if key in result:
                    first = self.positions.keys[(*path, key)]
                    self.error(
                        _mark(key_node),
                        _dotted((*path, key)),
                        f"字段重复出现（第一次在第 {first[0]} 行），请删除其中一个",
                    )
                    continue
                self.positions.keys[(*path, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        raise TypeError(f"unexpected YAML node {node!r}")


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


dotted_path = _dotted


def _check_events(text: str, positions: Positions, errors: list[CaseError]) -> None:
    for event in yaml.parse(text, Loader=_LOADER):
        at = Location(positions.path, *_mark(event))
        if isinstance(event, yaml.AliasEvent):
            errors.append(CaseError(at, "", f"不支持 YAML 别名「*{event.anchor}」，请把内容直接写出来"))
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            errors.append(CaseError(at, "", f"不支持 YAML 锚点「&{event.anchor}」，请把内容直接写出来"))
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and event.tag not in (None, "!"):
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            errors.append(CaseError(at, "", f"不允许使用 YAML 标签「{tag}」"))


def read_yaml(path: Path, shown_as: str) -> tuple[Document | None, list[CaseError]]:
    """Read one case file strictly; return the document (or None) and every problem found.

    ``shown_as`` is the path printed in messages (relative, forward slashes).
    """
    positions = Positions(shown_as)
    errors: list[CaseError] = []
    top = Location(shown_as, 1, 1)
    if path.is_symlink():
        return None, [CaseError(top, "", "案例文件不能是符号链接，请提交真实文件")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [CaseError(top, "", f"无法读取文件：{exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            CaseError(top, "", f"文件太大（{len(raw) // 1024} KB），上限为 {MAX_FILE_BYTES // 1024} KB")
        ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [CaseError(Location(shown_as, line, col), "", "文件不是 UTF-8 编码，请以 UTF-8 保存")]
    if "\t" in text:
        for lineno, line_text in enumerate(text.splitlines(), 1):
            stripped = line_text.lstrip(" ")
            if stripped.startswith("\t"):
                col = len(line_text) - len(stripped) + 1
                errors.append(CaseError(Location(shown_as, lineno, col), "", "缩进不能使用 Tab，请改用空格"))
        if errors:
            return None, errors
    try:
        try:
            _check_events(text, positions, errors)
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            errors.clear()  # libyaml's messages are terser: let the pure-Python parser explain
            parsed = yaml.compose(text, Loader=yaml.SafeLoader)
            raise yaml.YAMLError(f"libyaml rejected what PyYAML accepts: {parsed!r}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(shown_as, mark.line + 1, mark.column + 1) if mark else top
        unclosed = _unclosed_quote(text, loc.line)
        if unclosed is not None:
            return None, [CaseError(Location(shown_as, *unclosed), "", "YAML 格式错误：这一行的引号没有闭合")]
        return None, [CaseError(loc, "", f"YAML 格式错误：{_explain_yaml(exc)}")]
    except yaml.YAMLError as exc:
        return None, [CaseError(top, "", f"YAML 格式错误：{exc}")]
    if errors:
        return None, errors
    if node is None:
        return None, [CaseError(top, "", "文件是空的，请从模板开始填写")]
    if not isinstance(node, yaml.MappingNode):
        return None, [CaseError(Location(shown_as, *_mark(node)), "", "文件内容应是「字段: 值」形式的映射")]
    data = _Builder(positions, errors).build(node, ())
    return Document(data, positions), errors


_YAML_HINTS = {
    "mapping values are not allowed here": "此处不能出现「: 」；如果值里含有冒号，请给整个值加上引号",
    "could not find expected ':'": "缺少「:」，每一行应是「字段: 值」",
    "found character '\\t' that cannot start any token": "不能使用 Tab 缩进，请改用空格",
    "did not find expected key": "缩进不一致或缺少「- 」",
    "found undefined alias": "不支持 YAML 别名",
    "did not find expected '-' indicator": "列表项缩进不一致",
    "found unexpected end of stream": "引号或括号没有闭合",
    "expected <block end>, but found": "缩进不一致，请检查这一行与上一行的缩进",
}


_QUOTED_VALUE = re.compile(r"""^(\s*(?:-\s+)?(?:[^\s:#'"][^:#]*:\s+)?)(["'])""")


def _unclosed_quote(text: str, before_line: int) -> tuple[int, int] | None:
    """The first line (up to the error) whose value opens a quote it never closes."""
    for lineno, line in enumerate(text.splitlines()[:before_line], 1):
        m = _QUOTED_VALUE.match(line)
        if not m:
            continue
        quote = m.group(2)
        rest = line[m.end() :]
        closed = rest.replace('\\"', "").count('"') if quote == '"' else rest.replace("''", "").count("'")
        if closed == 0:
            return lineno, m.end(1) + 1
    return None


def _explain_yaml(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    for key, hint in _YAML_HINTS.items():
        if key in problem or key in (exc.context or ""):
            return hint
    return f"无法解析（{problem}）"
