"""The contact address for readers who are not on GitHub, set once in mkdocs.yml (``extra: contact_email``).

It is shown on 关于本站 (where the page says ``{{ contact_email }}``) and in every page's footer.
When it is missing or malformed the build says so in one Chinese line, and the pages fall back to
pointing at the repository's issues.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

KEY = "contact_email"
MARKER = "{{ contact_email }}"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def contact_email(extra: Mapping[str, Any] | None) -> str | None:
    """The configured address when it looks like one, else ``None``."""
    value = (extra or {}).get(KEY)
    if isinstance(value, str) and _EMAIL.match(value.strip()):
        return value.strip()
    return None


def contact_problem(extra: Mapping[str, Any] | None) -> str | None:
    """One Chinese line for the build log when the address is missing or malformed."""
    value = (extra or {}).get(KEY)
    if contact_email(extra) is not None:
        return None
    if value in (None, ""):
        return (
            "警告：mkdocs.yml 没有设置联系邮箱（extra: contact_email），"
            "不用 GitHub 的读者将无法报告错误；关于本站和页脚暂时只显示 GitHub 的反馈方式"
        )
    return f"警告：mkdocs.yml 里的联系邮箱「{value}」不是有效的邮箱地址（extra: contact_email），没有显示"


def fill_contact(markdown: str, extra: Mapping[str, Any] | None) -> str:
    """Replace ``{{ contact_email }}`` in a hand-written page by a mailto link (or a fallback sentence)."""
    if MARKER not in markdown:
        return markdown
    email = contact_email(extra)
    if email is None:
        text = "（本站暂未设置联系邮箱，请通过下面的 GitHub 方式反馈）"
    else:
        safe = html.escape(email)
        text = f'<a href="mailto:{safe}">{safe}</a>'
    return markdown.replace(MARKER, text)
