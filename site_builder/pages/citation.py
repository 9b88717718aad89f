"""How to cite a case: a GB/T 7714-2015 reference to its page, shared by the case page and the data.

GB/T 7714-2015 describes an online resource as
``主要责任者. 题名[文献类型标志/载体标志]. (更新或修改日期)[引用日期]. 获取和访问路径.``
(its examples: ``萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://….``).
A case page is an electronic bulletin read online, so ``[EB/OL]``; the site, which compiles the
case, is the responsible body. The 引用日期 is the day the reader consults the page: the built
text carries the case's review date there (a static site cannot know the reader's day, and two
builds must be byte-identical); the page's script puts the reader's own date in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.casefile.models import Case

DOC_TYPE = "EB/OL"


@dataclass(frozen=True)
class Citation:
    """A reference to one case page, as text and in the parts the page's script needs."""

    text: str
    """The whole reference, as copied."""
    head: str
    """Everything before the 引用日期 brackets."""
    accessed: str | None
    """The 引用日期 in the built text (the page's script replaces it with the reader's day)."""
    tail: str
    """Everything after the 引用日期 brackets."""


def cite_case(case: Case, *, site_name: str, page_url: str, fallback_date: str | None = None) -> Citation:
    """The GB/T 7714-2015 reference of a case page at ``page_url`` (absolute on the published site).

    ``fallback_date`` stands in for the 引用日期 when the case has no review date (the site's
    newest review date keeps builds reproducible).
    """
    title = case.title.rstrip("。.")
    head = f"{site_name.rstrip('。.')}. {title}[{DOC_TYPE}]. "
    if case.updated:
        head += f"({case.updated})"
    accessed = case.updated or fallback_date
    tail = f". {page_url}." if case.updated or accessed else f"{page_url}."
    text = head + (f"[{accessed}]" if accessed else "") + tail
    return Citation(text=text, head=head, accessed=accessed, tail=tail)


def newest_review(cases: list[Case]) -> str | None:
    """The latest ``updated`` date of any case (YYYY, YYYY-MM or YYYY-MM-DD, compared as text)."""
    dates = [c.updated for c in cases if c.updated]
    return max(dates) if dates else None
