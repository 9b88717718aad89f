"""How the header box spends bytes while a reader types (issue 22, the byte budget), typed into the
real site in Chromium: pinyin letters being composed in an IME are never searched, and snippets
wait until the reader stops typing.  The budget itself (what a session may fetch) is tested under
node in ``tests/outputs/test_search_budget.py``; ``benchmarks/bench_search.py --typing`` measures it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.project import watched_page
from tests.support.search_fixtures import shown_ids

pytestmark = pytest.mark.browser

# Every results event of the header box and every search file fetched, in order.
_RECORD = """() => { window.__typed = []; window.__files = () => performance.getEntriesByType('resource')
    .map(r => r.name).filter(u => u.includes('/search/')).map(u => u.split('/search/').pop());
  document.querySelector('form.cs-header').addEventListener('cs:results',
    e => window.__typed.push([e.detail.q, window.__files()])); }"""


@pytest.fixture
def page(browser: Any, real_site_url: str) -> Iterator[Any]:
    with watched_page(browser, real_site_url, real_site_url + "about/") as (pg, errors, outside):
        yield pg
        assert errors == []
        assert outside == [], "third-party requests"


def _compose(cdp: Any, letters: str, word: str) -> None:
    """Type ``letters`` into a pinyin keyboard that shows them in the box (as iOS does), then pick ``word``."""
    for i in range(1, len(letters) + 1):
        cdp.send("Input.imeSetComposition", {"text": letters[:i], "selectionStart": i, "selectionEnd": i})
    cdp.send("Input.insertText", {"text": word})


def test_letters_being_composed_are_not_searched_and_snippets_wait(page: Any) -> None:
    page.evaluate(_RECORD)
    page.locator("#cs-header-input").click()
    cdp = page.context.new_cdp_session(page)
    _compose(cdp, "huoche", "货车")
    # the next word's letters: the reader is still typing, so no snippet is fetched for 货车
    cdp.send("Input.imeSetComposition", {"text": "s", "selectionStart": 1, "selectionEnd": 1})
    page.wait_for_function("() => window.__typed.some(t => t[0] === '货车')")
    page.wait_for_timeout(1500)  # longer than the box waits once the reader stops typing
    assert not [f for f in page.evaluate("window.__files()") if f.startswith(("s/", "d/"))]
    _compose(cdp, "siji", "司机")
    page.wait_for_function("() => window.__typed.some(t => t[0] === '货车司机')")
    typed = page.evaluate("window.__typed")
    assert [q for q, _ in typed] == ["货车", "货车司机"]  # never "货车s", "huoc", ...
    assert not [f for f in typed[-1][1] if f.startswith("p/") or f == "py.json"]  # no pinyin tier
    assert shown_ids(page)[:1] == ["baoshan-truck-driver-stations"]
    # once the reader stops, the results get their snippets
    page.wait_for_function(
        "() => document.querySelector('#cs-header-list .cs-result__snippet')?.textContent.length > 0"
    )
