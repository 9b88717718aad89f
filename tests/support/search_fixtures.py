"""Fake cases for search tests (valid case YAML) and a helper to build a small site."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from tests.support.project import build_in_process

ROOT = Path(__file__).resolve().parents[2]

FAKE_CASES: dict[str, dict[str, object]] = {
    "pudong-riders-station": {
        "title": "浦东外卖骑手暖心驿站",
        "summary": (
            "浦东新区在商圈设立骑手驿站，为外卖骑手提供休息、充电和饮水服务，并组织党员骑手参与社区治理。"
        ),
        "district": "浦东新区",
        "fields": ["新就业群体"],
        "groups": ["外卖骑手"],
        "tags": ["骑手驿站", "暖心服务"],
        "year": 2021,
        "practice": "在陆家嘴商圈设立驿站，党员骑手轮流值守，收集骑手诉求。",
        "metrics": [{"label": "党员骑手", "value": 120, "unit": "名"}],
    },
    "jingan-courier-council": {
        "title": "静安快递员议事会",
        "summary": ("静安区街道组织快递员议事会，快递员与物业、居委一起商量小区配送难题，党建引领基层治理。"),
        "district": "静安区",
        "fields": ["新就业群体"],
        "groups": ["快递员"],
        "tags": ["议事会"],
        "year": 2019,
        "practice": "每月召开一次议事会，快递员提出进小区难、停车难等问题，由街道协调解决。",
    },
    "baoshan-truck-drivers": {
        "title": "宝山货车司机之家",
        "summary": (
            "宝山区在物流园区建设货车司机之家，"
            "为长途货车司机提供休息、就餐和党员学习的场所，集卡司机有了港湾。"
        ),
        "district": "宝山区",
        "fields": ["新就业群体"],
        "groups": ["货车司机"],
        "tags": ["司机之家"],
        "year": 2022,
        "practice": "司机之家提供淋浴、就餐和学习空间，流动党员在这里过组织生活。",
    },
    "yangpu-bilibili-branch": {
        "title": "哔哩哔哩党支部成立",
        "summary": (
            "杨浦区五角场的哔哩哔哩成立党支部，员工大多是九零后，党支部借助直播和弹幕形式凝聚青年员工。"
        ),
        "district": "杨浦区",
        "fields": ["互联网与新兴产业"],
        "groups": ["互联网从业者"],
        "tags": ["B站", "青年党员"],
        "year": 2017,
        "practice": "党支部用直播讲党课，把弹幕互动用到学习中。",
    },
    "xuhui-building-party": {
        "title": "徐汇楼宇党建联盟",
        "summary": (
            "徐汇区商务楼宇成立党建联盟，覆盖楼宇里的中小企业和白领，"
            "开展午间课堂和志愿服务活动，白领在这里体验党建服务。"
        ),
        "district": "徐汇区",
        "fields": ["楼宇"],
        "groups": ["楼宇白领"],
        "tags": ["楼宇党建"],
        "year": 2018,
        "practice": "联盟在楼宇大堂设立服务点，白领可以在午休时间参加课堂。",
    },
    "minhang-takeaway-platform": {
        "title": "闵行外卖平台党建",
        "summary": (
            "闵行区推动外卖平台企业建立党组织，平台站点的站长和骑手中的党员亮身份，参与社区应急保供。"
        ),
        "district": "闵行区",
        "fields": ["新就业群体", "民营企业"],
        "groups": ["外卖骑手"],
        "tags": ["平台企业"],
        "year": 2020,
        "practice": "平台企业党组织与街道结对，站点设立党员先锋岗。",
    },
    "songjiang-street-block": {
        "title": "松江商圈街区党建",
        "summary": (
            "松江区在商圈街区推动个体工商户联合党建，小店店主组成志愿队伍，参与街区环境整治和邻里服务。"
        ),
        "district": "松江区",
        "fields": ["商圈与街区"],
        "groups": ["个体工商户"],
        "tags": ["商圈党建"],
        "year": 2023,
        "practice": "街区党支部组织店主议事，外卖和骑手停车问题也在议事中解决。",
    },
    "citywide-ride-hailing": {
        "title": "全市网约车司机党建",
        "summary": (
            "上海全市推动网约车平台建立党组织，网约车司机中的党员在服务站点亮身份，参与城市志愿服务活动。"
        ),
        "district": "全市",
        "fields": ["新就业群体"],
        "groups": ["网约车司机"],
        "tags": ["网约车"],
        "year": 2024,
        "practice": "服务站点为司机提供休息和学习场所，在重大活动期间组织志愿服务。",
    },
}


def write_fake_cases(cases_dir: Path, cases: dict[str, dict[str, object]] | None = None) -> None:
    """Write valid case YAML files into ``cases_dir``."""
    cases_dir.mkdir(parents=True, exist_ok=True)
    for case_id, data in (cases or FAKE_CASES).items():
        full = {
            **data,
            "sources": [{"title": "测试来源文章标题", "publisher": "测试媒体"}],
            "status": "published",
        }
        (cases_dir / f"{case_id}.yaml").write_text(
            yaml.safe_dump(full, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def build_site(tmp: Path, cases: dict[str, dict[str, object]] | None = None) -> Path:
    """Build a minimal MkDocs site with the project's theme and plugin; return the site dir."""
    write_fake_cases(tmp / "cases", cases)
    (tmp / "docs").mkdir(exist_ok=True)
    (tmp / "docs" / "about.md").write_text("# 关于\n\n测试站点。\n", encoding="utf-8")
    (tmp / "mkdocs.yml").write_text(
        yaml.safe_dump(
            {
                "site_name": "测试案例库",
                "site_url": "http://127.0.0.1/",
                "docs_dir": "docs",
                "site_dir": "site",
                "use_directory_urls": True,
                "theme": {
                    "name": "material",
                    "custom_dir": str(ROOT / "theme"),
                    "language": "zh",
                    "font": False,
                },
                "plugins": [{"site_builder": {"cases_dir": "cases"}}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    proc = build_in_process(tmp / "mkdocs.yml", tmp / "site", strict=False)  # as `mkdocs build -q`
    assert proc.returncode == 0, proc.stderr
    return tmp / "site"


def shown_ids(pg: Any, selector: str = "#cs-header-list a[role=option]") -> list[str]:
    hrefs = pg.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    return [urlparse(h).path.rstrip("/").split("/")[-1] for h in hrefs if "/cases/" in h]


# Records the detail of the first `event` on `selector` whose detail.q is the query (test-side only);
# the listener of the query before is removed (every prefix typed is searched and shown, and one of
# them may be an earlier query).
LISTEN = """([selector, event, q]) => {
  window.__csSeen = null;
  const el = document.querySelector(selector), key = selector + " " + event;
  window.__csListeners = window.__csListeners || {};
  if (window.__csListeners[key]) el.removeEventListener(event, window.__csListeners[key]);
  window.__csListeners[key] = e => { if (e.detail.q === q && window.__csSeen === null) window.__csSeen = e.detail; };
  el.addEventListener(event, window.__csListeners[key]);
}"""


def header_search(pg: Any, query: str, how: str = "type") -> list[str]:
    """Type ``query`` into the header box; return the case ids shown, once *its* results are in."""
    if pg.locator("#cs-header-input").count() == 0 or "/search/" in pg.url or "/cases/" in pg.url:
        pg.goto(pg.url.split("/search/")[0].split("/cases/")[0] + "/about/")
    box = pg.locator("#cs-header-input")
    box.click()
    box.fill("")
    pg.evaluate(LISTEN, ["form.cs-header", "cs:results", query])
    if how == "type":
        pg.keyboard.type(query)
    elif how == "insert":
        pg.keyboard.insert_text(query)
    else:  # IME composition via CDP
        cdp = pg.context.new_cdp_session(pg)
        for i in range(1, len(query) + 1):
            cdp.send("Input.imeSetComposition", {"text": query[:i], "selectionStart": i, "selectionEnd": i})
        cdp.send("Input.insertText", {"text": query})
        cdp.detach()
    pg.wait_for_function("() => window.__csSeen !== null")
    return shown_ids(pg)


# Puts each query into the header box in one input event, as a paste or a phone's suggestion bar
# does, and collects what the box shows for it: the ids of its result links and their tier.
ENTER_EACH = """async queries => {
  const form = document.querySelector('form.cs-header'), box = form.querySelector('#cs-header-input');
  const enter = text => { box.value = text; box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: text})); };
  const out = [];
  for (const q of queries) {
    enter('');  // an emptied box: a new typing session, as box.fill('') before typing
    const seen = new Promise(resolve => form.addEventListener('cs:results', function on(e) {
      if (e.detail.q === q) { form.removeEventListener('cs:results', on); resolve(e.detail.tier); }
    }));
    box.focus();
    enter(q);
    const tier = await seen;
    const ids = [...form.querySelectorAll('#cs-header-list a[role=option]')]
      .map(a => new URL(a.getAttribute('href'), location.href).pathname)
      .filter(path => path.includes('/cases/'))
      .map(path => path.replace(/\\/+$/, '').split('/').pop());
    out.push([ids, tier]);
  }
  return out;
}"""


def header_search_each(pg: Any, queries: list[str]) -> list[tuple[list[str], str]]:
    """Each query entered into the header box in one input event: the case ids shown and their tier.

    The box's own code runs (the input listener, the search, the list it draws); only the key
    presses are left out, so many queries cost one round trip. :func:`header_search` types.
    """
    if pg.locator("#cs-header-input").count() == 0 or "/search/" in pg.url or "/cases/" in pg.url:
        pg.goto(pg.url.split("/search/")[0].split("/cases/")[0] + "/about/")
    return [(list(ids), str(tier)) for ids, tier in pg.evaluate(ENTER_EACH, queries)]


def shown_tier(pg: Any) -> str:
    """The tier of the results :func:`header_search` waited for: exact, partial, pinyin or none."""
    return str(pg.evaluate("() => window.__csSeen.tier"))


def results_page_ids(pg: Any, query: str, open_url: str | None = None) -> list[str]:
    """Ids listed on /search/ once it has rendered ``query`` (after navigating to ``open_url``)."""
    if open_url is not None:
        pg.goto(open_url)
    pg.wait_for_function(
        "q => { const r = document.querySelector('.cs-page'); return r && r.dataset.renderedQ === q; }",
        arg=query,
    )
    return shown_ids(pg, ".cs-page__results li a")
