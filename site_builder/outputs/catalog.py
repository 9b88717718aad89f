"""How an output describes itself to readers: a title, a sentence, and the files a reader opens.

Each entry of :data:`site_builder.build.OUTPUTS` is one :class:`Output`: the function that makes its
files and its description, so 关于本站's list of data files (:func:`site_builder.outputs.export.files_list`)
and the footer's data links (``config.extra.sb.outputs``) are generated from the outputs themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReaderFile:
    """One file of an output that readers open or download."""

    path: str
    """Site-relative address (from :mod:`site_builder.browse.urls`)."""
    label: str
    """Link text on 关于本站, e.g. 案例表格（CSV）."""
    short: str | None = None
    """Link text in the footer; None: not in the footer."""
    description: str = ""
    """What the file holds and how to open it (关于本站); empty: the output's description covers it."""
    download: bool = False
    """Offered as a download (a spreadsheet), not opened in the browser."""


@dataclass(frozen=True)
class Updated:
    """What :attr:`Output.update` made: every file (``complete``) or only those that differ from the
    earlier build's, and the state the next update starts from (plain JSON data)."""

    files: dict[str, bytes]
    state: dict[str, Any]
    complete: bool


Update = Callable[[Any, Any, Any, "Mapping[str, Any] | None", Callable[[str], "bytes | None"]], Updated]
"""``update(site, settings, media, state, read)``: ``state`` is what the earlier build's update
returned (None: none), ``read(path)`` that build's file at ``path`` (None: gone)."""


@dataclass(frozen=True)
class Output:
    """A non-page output: ``make(site, settings, media) -> {site-relative path: bytes}``, pure and
    deterministic, and how it describes itself to readers."""

    name: str
    """Stable name (cache entries are named by it)."""
    make: Callable[[Any, Any, Any], dict[str, bytes]]
    title: str
    """Heading for readers, e.g. 开放数据; also the footer's label for the output's links."""
    description: str
    """One sentence for readers (关于本站)."""
    files: tuple[ReaderFile, ...] = ()
    """The files readers open; none: an output for the site's own scripts (the search index)."""
    explained_at: str | None = None
    """The page section that explains it (the footer's 说明 link)."""
    footer_title: str | None = None
    """The footer's shorter label for the output's links; None: the title."""
    update: Update | None = None
    """For an output most of whose files one case's edit leaves alone (the search index): the same
    files as ``make``, changing only what differs from an earlier build's (:class:`Updated`)."""

    def __call__(self, site: Any, settings: Any, media: Any) -> dict[str, bytes]:
        return self.make(site, settings, media)


def footer_data(outputs: Sequence[Output]) -> list[dict[str, Any]]:
    """The footer's data links as plain data for ``config.extra.sb.outputs`` (templates loop over it)."""
    return [
        {
            "title": output.footer_title or output.title,
            "files": [
                {"url": f.path, "label": f.short, "download": f.download} for f in output.files if f.short
            ],
            "explained_at": output.explained_at,
        }
        for output in outputs
        if any(f.short for f in output.files)
    ]
