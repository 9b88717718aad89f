"""Strict YAML reading that keeps the position of every key and value.

PyYAML alone silently keeps the last of duplicate keys, turns ``yes``/``no``
into booleans and dates into ``date`` objects, follows aliases and honours
``!!python`` tags. Case files are written by hand in a web editor, so all of
that is refused or kept as text here, and each value remembers its line and
column so that validation errors can point at it.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from site_builder.cache import Store, cache_key
from site_builder.errors import CaseError, Location, shorten
from site_builder.textnorm import describe_char

if TYPE_CHECKING:
    from site_builder.casefile.slips import Slip

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 8
"""Case files need three levels (sources -> item -> title); deeper nesting is a slip or an attack."""
MAX_INT_DIGITS = 18
MAX_ERRORS_PER_FILE = 30
MAX_REPAIR_TRIALS = 25
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster

PathKey = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class Positions:
    """Where each value (and each mapping key) of a document starts.

    A file's positions are only read when one of its values is reported, so positions kept in the
    check cache stay packed (:meth:`pack`, :meth:`packed`) until then: a warm run reads none.
    """

    __slots__ = ("_keys", "_packed", "_quoted", "_values", "path")

    def __init__(
        self,
        path: str,
        values: dict[PathKey, tuple[int, int]] | None = None,
        keys: dict[PathKey, tuple[int, int]] | None = None,
        quoted: set[PathKey] | None = None,
    ) -> None:
        self.path = path
        self._values = {} if values is None else values
        self._keys = {} if keys is None else keys
        self._quoted = set() if quoted is None else quoted
        self._packed: bytes | None = None

    @classmethod
    def packed(cls, path: str, blob: bytes) -> Positions:
        """Positions from :meth:`pack`, unpacked on first use (a damaged blob raises then)."""
        positions = cls(path)
        positions._packed = blob
        return positions

    def pack(self) -> bytes:
        """The positions as bytes (plain tuples, dicts and sets: read back by :func:`safe_loads`)."""
        self._unpack()
        return pickle.dumps((self._values, self._keys, self._quoted), protocol=pickle.HIGHEST_PROTOCOL)

    def _unpack(self) -> None:
        if self._packed is not None:
            blob, self._packed = self._packed, None
            self._values, self._keys, self._quoted = safe_loads(blob)

    @property
    def values(self) -> dict[PathKey, tuple[int, int]]:
        """Path of a value -> (line, column) where it starts."""
        self._unpack()
        return self._values

    @property
    def keys(self) -> dict[PathKey, tuple[int, int]]:
        """Path of a mapping key -> (line, column) where the key is written."""
        self._unpack()
        return self._keys

    @property
    def quoted(self) -> set[PathKey]:
        """Paths of quoted or block scalars (always text)."""
        self._unpack()
        return self._quoted

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return (self.path, self.values, self.keys, self.quoted) == (
            other.path,
            other.values,
            other.keys,
            other.quoted,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Positions({self.path!r}, {self.values!r}, {self.keys!r}, {self.quoted!r})"

    def __getstate__(self) -> tuple[str, bytes]:
        return self.path, self.pack()

    def __setstate__(self, state: tuple[str, bytes]) -> None:
        self.path, self._packed = state
        self._values, self._keys, self._quoted = {}, {}, set()

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


class _NoGlobals(pickle.Unpickler):
    """Reads plain data only: any class or function named in the data is refused."""

    allowed: frozenset[tuple[str, str]] = frozenset()

    def find_class(self, module: str, name: str) -> Any:
        found = _FOUND.get((module, name))
        if found is None and (module, name) in self.allowed:
            found = _FOUND[(module, name)] = super().find_class(module, name)
        if found is None or (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")
        return found


_FOUND: dict[tuple[str, str], Any] = {}


def safe_loads(blob: bytes, allowed: frozenset[tuple[str, str]] = frozenset()) -> Any:
    """Unpickle ``blob`` allowing only plain data and the classes in ``allowed`` (module, name):
    a cache entry can then never name code to run, whatever bytes it holds."""
    unpickler = _NoGlobals(io.BytesIO(blob))
    unpickler.allowed = allowed
    return unpickler.load()


@dataclass
class Document:
    """A parsed case file: plain Python data plus positions.

    ``flagged`` holds the paths of values already reported (a 5,000-digit number, a control
    character) so validation does not report them twice. ``repaired_lines`` are lines that held
    a slip: the data was read from the repaired text, so messages on those lines are dropped and
    the case is not used.
    """

    data: Any
    positions: Positions
    flagged: set[PathKey] = field(default_factory=set)
    repaired_lines: set[int] = field(default_factory=set)


def _mark(node: yaml.Node | yaml.Event) -> tuple[int, int]:
    m = node.start_mark
    return (m.line + 1, m.column + 1) if m is not None else (1, 1)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_KEY_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u3000\u00a0")


def _control_chars(text: str) -> list[str]:
    return _CONTROL.findall(text)


def _scalar_problem(node: yaml.ScalarNode) -> str | None:
    """Values no field can hold: control characters, numbers too long or not finite."""
    value = node.value
    bad = _control_chars(value)
    if bad:
        ch = bad[0]
        if "\ud800" <= ch <= "\udfff":
            return (
                "引号里的「\\u」转义写出了半个字符（代理项）：请直接输入这个字或符号本身，不要用「\\u」转义"
            )
        return (
            f"含有看不见的控制字符 {describe_char(ch)}：请删除（引号里的「\\0」「\\x01」之类的转义也不能用）"
        )
    if node.style:
        return None
    digits = value.lstrip("+-")
    if _INT.match(value) and len(digits) > MAX_INT_DIGITS:
        return f"数字太长（{len(digits)} 位）：请检查是否多写了数字；如果要写的是文字，请加引号"
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value) and not math.isfinite(float(value)):
        return f"数字「{shorten(value, 20)}」太大，超出了能表示的范围：请写实际的数字"
    return None


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
        self.flagged: set[PathKey] = set()

    def error(self, at: tuple[int, int], field: str, message: str) -> None:
        self.errors.append(CaseError(Location(self.positions.path, *at), field, message))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        positions = self.positions  # the private tables: this runs for every value of every file
        positions._values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            if node.style:
                positions._quoted.add(path)
            problem = _scalar_problem(node)
            if problem:
                self.flagged.add(path)
                self.error(_mark(node), _dotted(path), problem)
                return None
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                dotted = _dotted(path)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.error(
                        _mark(key_node),
                        dotted,
                        "字段名必须是简单的英文单词（例如 title），不能是列表或「字段: 值」；请检查这一行开头的括号或「?」",
                    )
                    continue
                key = key_node.value
                bad = _control_chars(key) or [ch for ch in key if ch in _KEY_INVISIBLE]
                if bad:
                    line, col = _mark(key_node)
                    at = key.find(bad[0])
                    clean = "".join(ch for ch in key if ch not in _KEY_INVISIBLE and ch not in bad)
                    where = f"，在「{key[:at]}」后面" if at > 0 else "，在开头"
                    self.error(
                        (line, col + max(at, 0) if not node.flow_style else col),
                        dotted,
                        f"字段名「{shorten(clean, 20)}」里有看不见的字符 {describe_char(bad[0])}{where}："
                        f"请删掉这个字段名，重新输入「{shorten(clean, 20)}」",
                    )
                    if clean and clean not in result and clean.isascii() and clean.isidentifier():
                        # Read the value under the key the editor meant, so it is not also "missing".
                        self.flagged.add((*path, clean))
                        positions._keys[(*path, clean)] = _mark(key_node)
                        result[clean] = self.build(value_node, (*path, clean))
                    continue
                if key == "<<":
                    self.error(_mark(key_node), dotted, "不支持 YAML 合并键「<<」，请直接写出各字段")
                    continue
                if key in result:
                    first = positions._keys[(*path, key)]
                    self.error(
                        _mark(key_node),
                        _dotted((*path, key)),
                        f"字段重复出现（第一次在第 {first[0]} 行），请删除其中一个",
                    )
                    continue
                positions._keys[(*path, key)] = _mark(key_node)
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


_Problem = tuple[int, int, str]


class _TooDeepError(yaml.MarkedYAMLError):
    """More nesting than any case file needs; raised before the composer could recurse."""


def _scan_events(text: str, loader: type) -> tuple[list[_Problem], yaml.YAMLError | None]:
    """Parse events only (no recursion): anchors, aliases and tags, nesting depth, first syntax error."""
    notes: list[_Problem] = []
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            line, col = _mark(event)
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise yaml.MarkedYAMLError(
                        problem="but found another document", problem_mark=cast(yaml.Mark, event.start_mark)
                    )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeepError(problem="too deep", problem_mark=cast(yaml.Mark, event.start_mark))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent):
                notes.append(
                    (line, col, f"不支持 YAML 别名「*{shorten(event.anchor or '', 20)}」，请把内容直接写出来")
                )
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                notes.append(
                    (line, col, f"不支持 YAML 锚点「&{shorten(event.anchor, 20)}」，请把内容直接写出来")
                )
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and event.tag not in (
                None,
                "!",
            ):
                tag = event.tag.replace("tag:yaml.org,2002:", "!!")
                notes.append((line, col, f"不允许使用 YAML 标签「{shorten(tag, 40)}」：请删除它，直接写值"))
    except yaml.YAMLError as exc:
        return notes, exc
    return notes, None


def _where(exc: yaml.YAMLError) -> tuple[int, int]:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            return mark.line + 1, mark.column + 1
    return 1, 1


_RAW_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u2028\u2029]")


def _raw_character_errors(text: str, shown_as: str) -> list[CaseError]:
    """Characters the YAML reader refuses (or counts as line breaks), located by editor lines."""
    errors: list[CaseError] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        m = _RAW_BAD.search(line)
        if m:
            ch = m.group()
            what = "看不见的换行符" if ch in "\x85\u2028\u2029" else "看不见的控制字符"
            errors.append(
                CaseError(
                    Location(shown_as, lineno, m.start() + 1),
                    "",
                    f"这一行有{what} {describe_char(ch)}（常见于从网页或文档里复制的文字）：请删除它",
                )
            )
            if len(errors) >= MAX_ERRORS_PER_FILE:
                break
    return errors


def _repair(text: str, slips: list[Slip]) -> tuple[str, list[Slip], list[_Problem], yaml.YAMLError | None]:
    """Apply strong slips, then each weak slip that moves or removes the parser's failure."""
    from site_builder.casefile.slips import apply_repairs

    kept = [s for s in slips if s.strong]
    work = apply_repairs(text, kept)
    notes, exc = _scan_events(work, _LOADER)
    trials = 0
    for slip in (s for s in slips if not s.strong):
        if exc is None or isinstance(exc, _TooDeepError) or trials >= MAX_REPAIR_TRIALS:
            break
        where = _where(exc)
        if slip.line > where[0]:
            continue
        trials += 1
        trial = apply_repairs(work, [slip])
        trial_notes, trial_exc = _scan_events(trial, _LOADER)
        if trial_exc is None or _where(trial_exc) > where:
            kept.append(slip)
            work, notes, exc = trial, trial_notes, trial_exc
    return work, sorted(kept, key=lambda s: (s.line, s.col)), notes, exc


def read_yaml(
    path: Path, shown_as: str, *, repaired: bool = False
) -> tuple[Document | None, list[CaseError]]:
    """Read one case file strictly; return the document (or None) and every problem found.

    ``shown_as`` is the path printed in messages (relative, forward slashes). Never raises for
    anything in the file: every problem comes back as a located :class:`CaseError` in Chinese.
    """
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
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        return None, [CaseError(Location(shown_as, line, col), "", "文件不是 UTF-8 编码，请以 UTF-8 保存")]
    if _PARSE_CACHE is None:
        return parse_text(text, shown_as, repaired=repaired)
    store, name = _parse_entry(_PARSE_CACHE, raw, repaired)
    cached = document_from_json(store.get(name), shown_as)
    if cached is not None:
        return cached, []
    doc, errors = parse_text(text, shown_as, repaired=repaired)
    if doc is not None and not errors:  # only clean files: every problem is found again next time
        encoded = document_to_json(doc)
        if encoded is not None:
            store.put(name, encoded)
    return doc, errors


_PARSE_CACHE: Path | None = None


def _parse_entry(cache: Path, raw: bytes, repaired: bool) -> tuple[Store, str]:
    # Not keyed on the file's path: only clean documents are kept, and the path they are shown
    # under is attached when one is read back, so a build started from another folder hits too.
    name = cache_key("parsed", repaired, hashlib.sha256(raw).hexdigest())
    return Store(cache, "parsed"), name


def is_parse_cached(path: Path, shown_as: str, *, repaired: bool = False) -> bool:
    """True when :func:`read_yaml` would take this file from the parse cache (a read and a stat).

    The loader forks only for files that still need parsing: the rest cost less than a fork.
    """
    if _PARSE_CACHE is None:
        return False
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    store, name = _parse_entry(_PARSE_CACHE, raw.removeprefix(b"\xef\xbb\xbf"), repaired)
    return store.has(name)


def parse_cache() -> Path | None:
    """The cache folder :func:`use_parse_cache` set (None: nothing is kept)."""
    return _PARSE_CACHE


def use_parse_cache(cache: Path | None) -> None:
    """Keep parsed clean case files under ``cache`` (builds; ``validate`` always parses).

    Parsing with positions and slip checks costs ~2 ms per file, every build; an unchanged file
    (same bytes, same code) gives the same document, so builds reuse it.
    """
    global _PARSE_CACHE
    _PARSE_CACHE = cache


def document_to_json(doc: Document) -> bytes | None:
    """JSON of a document, or None if JSON would not give back exactly the same data."""
    pos = doc.positions
    payload = {
        "data": doc.data,
        "values": [[list(k), *v] for k, v in pos.values.items()],
        "keys": [[list(k), *v] for k, v in pos.keys.items()],
        "quoted": [list(k) for k in sorted(pos.quoted, key=repr)],
        "flagged": [list(k) for k in sorted(doc.flagged, key=repr)],
        "repaired": sorted(doc.repaired_lines),
    }
    try:
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError):
        return None
    return text.encode("utf-8") if json.loads(text)["data"] == doc.data else None


def document_from_json(data: bytes | None, shown_as: str) -> Document | None:
    """The cached document, or None when absent or not readable (the file is parsed again)."""
    if data is None:
        return None
    try:
        p = json.loads(data)
        positions = Positions(
            shown_as,
            {tuple(k): (int(line), int(col)) for k, line, col in p["values"]},
            {tuple(k): (int(line), int(col)) for k, line, col in p["keys"]},
            {tuple(k) for k in p["quoted"]},
        )
        return Document(
            p["data"], positions, {tuple(k) for k in p["flagged"]}, {int(x) for x in p["repaired"]}
        )
    except (ValueError, KeyError, TypeError):
        return None


def parse_text(
    text: str, shown_as: str, *, repaired: bool = False
) -> tuple[Document | None, list[CaseError]]:
    """Parse the text of a case file (see :func:`read_yaml`).

    A file with slips gives no document, unless ``repaired``: then the document read from the
    repaired text comes back too (``repaired_lines`` says where), so that validation can report
    the file's other errors in the same run. Only the loader asks for that.
    """
    from site_builder.casefile.slips import find_slips  # the slip rules: only a file being parsed

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    errors = _raw_character_errors(text, shown_as)
    if errors:
        return None, errors
    found = find_slips(text)
    strong = [s for s in found if s.strong]
    if len(strong) >= MAX_ERRORS_PER_FILE:  # enough to say; parsing the rest would only cost time
        return None, capped(
            [CaseError(Location(shown_as, s.line, s.col), s.field, s.message) for s in strong]
        )
    node = _compose_plain(text) if not found else None
    slips: list[Slip] = []
    if node is not None:  # the event pass could only have said what it says of plain files: nothing
        work, errors = text, []
    else:
        work, slips, notes, exc = _repair(text, found)
        errors = [CaseError(Location(shown_as, s.line, s.col), s.field, s.message) for s in slips]
        if exc is not None:
            line, col, message = _explain_failure(work, exc)
            if line not in {s.line for s in slips} | {n for s in slips for n in s.extra}:
                errors.append(CaseError(Location(shown_as, line, col), "", message))
            return None, capped(errors)
        errors += [CaseError(Location(shown_as, line, col), "", msg) for line, col, msg in notes]
        if notes:
            return None, capped(errors)
        try:
            node = yaml.compose(work, Loader=_LOADER)
        except yaml.YAMLError as compose_error:  # the event pass accepted it: a composer-only problem
            line, col, message = _explain_yaml(compose_error)
            return None, [*errors, CaseError(Location(shown_as, line, col), "", message)]
    slip_lines = {s.line for s in slips} | {n for s in slips for n in s.extra}
    top = Location(shown_as, 1, 1)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style):
        return None, [*errors, CaseError(top, "", "文件是空的，请从模板开始填写（运行 site-builder new）")]
    if not isinstance(node, yaml.MappingNode):
        weak = [s for s in found if not s.strong]
        if weak:  # the slips are why no "key: value" line was recognised
            return None, capped(
                [*errors, *(CaseError(Location(shown_as, s.line, s.col), s.field, s.message) for s in weak)]
            )
        where = Location(shown_as, *_mark(node))
        return None, [*errors, CaseError(where, "", "文件内容应是一行一个「字段: 值」，例如「title: 标题」")]
    positions = Positions(shown_as)
    builder = _Builder(positions, errors)
    data = builder.build(node, ())
    if slip_lines and not repaired:
        return None, capped(errors)
    doc = Document(data, positions, builder.flagged, slip_lines)
    return doc, capped(errors)


MAX_PLAIN_BRACKETS = 1000
"""More brackets than this and a file takes the event pass first: libyaml's composer recurses once
per level of flow nesting, and only the event pass stops a deep one before it does."""


def _compose_plain(text: str) -> yaml.Node | None:
    """The document of a file without slips, composed by libyaml in one pass, when the event pass
    (:func:`_scan_events`) would have found nothing in it; None means: take the full path.

    The event pass refuses anchors, aliases, tags, more than one document and nesting deeper than
    :data:`MAX_DEPTH`. The composer refuses a second document itself; a node starting at ``&`` or
    ``!`` carries an anchor or a tag, an alias makes a node appear twice, and the depth is counted.
    """
    if text.count("[") + text.count("{") > MAX_PLAIN_BRACKETS:
        return None
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    lines = text.split("\n")
    seen: set[int] = set()
    level = [(node, 1)]
    while level:
        current, depth = level.pop()
        mark = current.start_mark
        if id(current) in seen or depth > MAX_DEPTH + 1 or mark is None or mark.line >= len(lines):
            return None
        if lines[mark.line][mark.column : mark.column + 1] in ("&", "!"):
            return None
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            if depth > MAX_DEPTH:
                return None
            level.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            if depth > MAX_DEPTH:
                return None
            level.extend((child, depth + 1) for pair in current.value for child in pair)
    return node


def capped(errors: list[CaseError]) -> list[CaseError]:
    """At most ``MAX_ERRORS_PER_FILE`` errors of one file, then one line saying how many more."""
    if len(errors) <= MAX_ERRORS_PER_FILE:
        return errors
    shown = sorted(errors)[:MAX_ERRORS_PER_FILE]
    last = shown[-1].location
    more = len(errors) - MAX_ERRORS_PER_FILE
    return [*shown, CaseError(last, "", f"这个文件还有 {more} 个问题没有列出，请先改正上面的问题")]


def _explain_failure(text: str, exc: yaml.YAMLError) -> _Problem:
    """Locate and explain a syntax error in Chinese, preferring the pure-Python parser's detail."""
    if isinstance(exc, _TooDeepError):
        line, col = _where(exc)
        return (
            line,
            col,
            f"嵌套层数太多（超过 {MAX_DEPTH} 层）：案例文件最多只需要三层（例如 sources → 第 1 项 → title），"
            "请检查这里的方括号「[ ]」、花括号「{ }」和缩进",
        )
    detail: yaml.YAMLError = exc
    if _LOADER is not yaml.SafeLoader:
        _, pure = _scan_events(text, yaml.SafeLoader)
        if isinstance(pure, yaml.MarkedYAMLError) and not isinstance(pure, _TooDeepError):
            detail = pure
    line, col, message = _explain_yaml(detail)
    lines = text.split("\n")
    here = lines[line - 1][col - 1 : col] if 0 < line <= len(lines) else ""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "flow sequence" in str(detail) or "',' or ']'" in str(detail):
        if source.count("[") > source.count("]"):
            message = (
                "YAML 格式错误：这一行的方括号「[」没有闭合：请在末尾补上「]」，例如「fields: [新就业群体]」"
            )
        elif "，" in source or "、" in source:
            message = "YAML 格式错误：方括号「[ ]」里的各项要用英文逗号「,」分开，不能用中文逗号或顿号"
    if here == "," and ("node content" in str(detail) or "expected ','" in str(detail)):
        message = "YAML 格式错误：方括号里有一项是空的（两个逗号连在一起，或者逗号后面直接是「]」）：请删除多余的逗号"
    return line, col, message


_CHAR_FOUND = re.compile(r"found character '(.+?)'|but found '(.+?)'|found unknown escape character '(.+?)'")
_FIX_COLON = "每一行应写成「字段: 值」：冒号是半角的「:」，冒号后面有一个空格"
_YAML_HINTS: tuple[tuple[str, str, bool], ...] = (
    (
        "invalid Unicode character escape",
        "双引号里的「\\u」转义写出的不是有效的字符（例如把表情符号写成了「\\ud83d\\ude00」）：请直接输入字符本身",
        False,
    ),
    # (text in the problem or context, Chinese explanation, locate at the context mark)
    (
        "could not find expected ':'",
        "这一行缺少「: 」，" + _FIX_COLON + "；如果这一行是上一行文字的延续，请把它们合成一行",
        True,
    ),
    (
        "mapping values are not allowed",
        "这里多了一个「: 」：值里需要冒号时请改用全角冒号「：」，或者给整个值加上引号；如果这是新的一行字段，请检查缩进",
        False,
    ),
    (
        "block sequence entries are not allowed",
        "「- 」不能出现在这里：列表项要另起一行，并且比字段名多缩进两个空格",
        False,
    ),
    ("did not find expected '-' indicator", "列表项的缩进不一致：同一个列表的「- 」要上下对齐", False),
    (
        "expected <block end>, but found '-'",
        "列表项「- 」的缩进不对：同一个列表的「- 」要上下对齐，并且比上面的字段名多缩进",
        False,
    ),
    (
        "expected <block end>, but found '<block sequence start>'",
        "列表项「- 」的缩进不对：同一个列表的「- 」要上下对齐",
        False,
    ),
    ("expected <block end>", "缩进不一致：请检查这一行与上一行的缩进，同一组的字段要上下对齐", False),
    ("did not find expected key", "缩进不一致：请检查这一行与上一行的缩进，同一组的字段要上下对齐", False),
    (
        "while parsing a flow sequence",
        "方括号「[ ]」里的各项要用英文逗号「,」分开，最后要有「]」；中文逗号、顿号不能用来分隔",
        True,
    ),
    (
        "did not find expected ',' or ']'",
        "方括号「[ ]」里的各项要用英文逗号「,」分开，最后要有「]」；中文逗号、顿号不能用来分隔",
        False,
    ),
    (
        "while parsing a flow mapping",
        "花括号「{ }」里的各项要写成「字段: 值」并用英文逗号「,」分开，最后要有「}」",
        True,
    ),
    (
        "did not find expected ',' or '}'",
        "花括号「{ }」里的各项要写成「字段: 值」并用英文逗号「,」分开，最后要有「}」",
        False,
    ),
    ("while scanning a quoted scalar", "这里的引号没有闭合：请在值的末尾补上引号，或者去掉开头的引号", True),
    (
        "found unexpected end of stream",
        '引号或括号没有闭合：请检查这一行的引号「"」和括号「[ ]」是否成对',
        True,
    ),
    (
        "found unknown escape character",
        "双引号里的反斜杠「\\」有特殊含义：路径请用「/」分隔；需要反斜杠本身时写成「\\\\」或改用单引号",
        False,
    ),
    (
        "expected escape sequence",
        "双引号里的「\\x」「\\u」转义写得不完整：请直接输入字符本身，或改用单引号",
        False,
    ),
    (
        "while scanning a block scalar",
        "「|」或「>」后面不能直接写文字：请换行，把文字写在下一行，每行缩进两个空格",
        False,
    ),
    (
        "while scanning an alias",
        "值不能以「*」开头（会被当成 YAML 别名）；单行字段不支持 Markdown 加粗：请删除「*」，或者给整个值加上引号",
        False,
    ),
    ("while scanning an anchor", "值不能以「&」开头（会被当成 YAML 锚点）：请给整个值加上引号", False),
    ("while scanning a tag", "值不能以「!」开头（会被当成 YAML 标签）：请给整个值加上引号", False),
    ("while scanning a directive", "行首的「%」有特殊含义：请删除它，或者给整个值加上引号", False),
    ("found undefined tag handle", "不允许使用 YAML 标签：请删除「!」开头的部分，直接写值", False),
    ("found undefined alias", "不支持 YAML 别名：请把内容直接写出来", False),
    ("found duplicate anchor", "不支持 YAML 锚点：请把内容直接写出来", False),
    (
        "but found another document",
        "文件里出现了第二个「---」：一个案例文件只能有一份内容，请删除多余的「---」",
        False,
    ),
    (
        "expected '<document start>'",
        "文件里出现了多余的内容（例如「---」或「...」之后的部分）：一个案例文件只能有一份内容",
        False,
    ),
    (
        "did not find expected <document start>",
        "文件里出现了多余的内容（例如「---」或「...」之后的部分）：一个案例文件只能有一份内容",
        False,
    ),
    ("found unexpected document", "引号里出现了「---」或「...」：请检查上面的引号是否闭合", True),
    ("tab character", "缩进不能使用 Tab，请改用空格", False),
    ("cannot start any token", "这个符号不能出现在值的开头：请给整个值加上引号", False),
    (
        "expected the node content",
        "这里缺少值，或者值以不能开头的符号开始（如「]」「}」「,」）：请给整个值加上引号",
        False,
    ),
    (
        "did not find expected node content",
        "这里缺少值，或者值以不能开头的符号开始（如「]」「}」「,」）：请给整个值加上引号",
        False,
    ),
    ("mapping keys are not allowed", "行首的「?」有特殊含义：请删除它，或者给整个值加上引号", False),
    ("expected a comment or a line break", "这一行末尾有多余的内容：请检查引号和「|」后面", False),
)


def _explain_yaml(exc: yaml.YAMLError) -> _Problem:
    """Map PyYAML's and libyaml's problem kinds to Chinese; never show their English text."""
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    line, col = _where(exc)
    for key, hint, at_context in _YAML_HINTS:
        if key in problem or key in context:
            mark = getattr(exc, "context_mark", None) if at_context else None
            if mark is not None:
                line, col = mark.line + 1, mark.column + 1
            found = _CHAR_FOUND.search(problem)
            if key == "cannot start any token" and found:
                ch = next(g for g in found.groups() if g)
                hint = f"「{ch}」不能出现在值的开头：请给整个值加上引号，或者删除这个符号"
            return line, col, f"YAML 格式错误：{hint}"
    return line, col, "YAML 格式错误：这一行的写法不对，请对照模板检查冒号「: 」、空格、引号和缩进"
