"""axe-core in the browser tests: one helper that finds the serious and critical violations of a page.

axe-core (pinned in ``package.json``, installed by ``make install``) is served by the tests' own
loopback servers at :data:`AXE_PATH` on the site's origin, so Chromium loads it like a site
script: from its HTTP cache, with V8's code cache, once per page. Injecting the 560 KB file as
inline text instead sent it over the DevTools pipe and compiled it again on every check (about
half of a check's CPU). Same origin, so the tests' "no third-party request" checks are unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__tests__/axe-core/axe.min.js"
"""Where every test server answers with :data:`AXE` (outside any site's own paths)."""
SERIOUS = ("serious", "critical")
RUN = """() => axe.run(document, {
  resultTypes: ['violations'],
  rules: Object.fromEntries(axe._audit.rules
    .filter(r => r.impact && !['serious', 'critical'].includes(r.impact))
    .map(r => [r.id, {enabled: false}])),
})"""
"""axe-core's default run without the rules whose fixed impact is minor or moderate.

A rule with an ``impact`` stamps it on every check it reports (axe's ``finalizeRuleResult``), so
such a rule can never yield a serious or critical violation: skipping it leaves the result of
:func:`axe_violations` unchanged and saves a third of a check's CPU (``region`` walks every node).
A rule without a fixed impact still runs."""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on ``page`` as it is now (loaded once per document)."""
    if not AXE.is_file():
        raise AssertionError("axe-core is missing: make install runs npm ci")
    if not page.evaluate("typeof window.axe === 'object'"):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=origin + AXE_PATH)
    result = page.evaluate(RUN)
    return [v for v in result["violations"] if v["impact"] in SERIOUS]
