"""Three kinds of failure: an editor's mistake (located, in Chinese), a bug of ours, and a missing
system package (one line saying what to install). Validation errors and lint findings share
:class:`CaseError`, so they print, sort and annotate the same way."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``line`` and ``col`` are 1-based."""

    path: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True, order=True)
class CaseError:
    """One problem in one case file, reported as ``path:line:col: field: message``."""

    location: Location
    field: str
    message: str
    severity: Severity = "error"

    @property
    def path(self) -> str:
        """The file, as shown to editors."""
        return self.location.path

    @property
    def line(self) -> int:
        """1-based line."""
        return self.location.line

    @property
    def col(self) -> int:
        """1-based column."""
        return self.location.col

    def as_error(self) -> CaseError:
        """The same problem with severity ``error`` (``site-builder validate --strict``)."""
        return replace(self, severity="error")

    def format(self) -> str:
        """Render the one-line form editors read in terminals and CI logs.

        Always exactly one line: line breaks and control characters from case values are shown
        escaped, so a value can never start a line of its own (and forge a CI workflow command).
        """
        loc = self.location
        field = f"{self.field_label}: " if self.field else ""
        prefix = "警告：" if self.severity == "warning" else ""
        return one_line(f"{loc.path}:{loc.line}:{loc.col}: {field}{prefix}{self.message}")

    @property
    def field_label(self) -> str:
        """``标题 (title)``: the field's Chinese name first, the English path for those who need it."""
        from site_builder.casefile.messages import field_name  # messages import this module

        name = field_name(self.field) if self.field else None
        return f"{name} ({self.field})" if name else self.field

    def github_annotation(self) -> str:
        """Render a GitHub Actions workflow command so the error shows on the changed line."""
        loc = self.location
        kind = "warning" if self.severity == "warning" else "error"
        text = f"{self.field_label}: {self.message}" if self.field else self.message
        path = _escape_property(one_line(loc.path))
        return f"::{kind} file={path},line={loc.line},col={loc.col}::{_escape_data(one_line(text))}"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with line breaks, control and bidi characters shown as ``\\uXXXX`` escapes."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape_data(text: str) -> str:
    # GitHub's toolkit: escapeData
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # GitHub's toolkit: escapeProperty
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def shorten(text: str, limit: int = 30) -> str:
    """Cut a value quoted in a message so the message stays one readable line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


class CaseFileError(Exception):
    """Editors' mistakes: carries every located error found in one run."""

    def __init__(self, errors: list[CaseError]):
        self.errors = sorted(errors)
        super().__init__(format_errors(self.errors))


class InternalError(RuntimeError):
    """A bug or broken installation in site_builder itself, never an editor's mistake."""


class EnvironmentProblem(Exception):
    """Something the machine lacks (a font, a browser): one line saying what to install."""


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when possible, with forward slashes."""
    if not path.is_absolute() and ".." not in path.parts:  # what relpath gives, without its two getcwd
        return os.path.normpath(path).replace(os.sep, "/")
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = str(path)
    if rel.startswith(".."):
        rel = str(path)
    return rel.replace(os.sep, "/")


def format_errors(errors: list[CaseError]) -> str:
    """Join errors, one per line, followed by a count in Chinese."""
    lines = [e.format() for e in errors]
    n_err = sum(1 for e in errors if e.severity == "error")
    files = len({e.location.path for e in errors})
    if n_err:
        lines.append(f"共 {n_err} 个错误，涉及 {files} 个文件。")
    return "\n".join(lines)
