"""How readers phrase queries (issue 22): numbers as people say them, pinyin initials, filler words,
words no case uses, and the colloquial vocabulary.  Python builds the index, the real ``search.js``
runs the queries under node (as in ``test_search_tokens.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from site_builder.casefile.loader import load_cases
from site_builder.casefile.models import Case
from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search.index import build_search_files, docs_from_cases
from site_builder.outputs.search.tokens import normalize, number_tokens, numerals
from site_builder.outputs.search.vocabulary import (
    check_colloquial,
    load_colloquial,
    load_search_words,
)
from tests.outputs.test_search_tokens import JS, _node, needs_node
from tests.support.project import ROOT

SUMMARY = "这是一个用于检查搜索的测试案例，摘要写得足够长，让案例能通过字段长度的检查。"


def _case(case_id: str, title: str, practice: str, **extra: Any) -> Case:
    data = {
        "title": title,
        "summary": SUMMARY,
        "district": "全市",
        "fields": ["楼宇"],
        "year": 2020,
        "practice": practice,
        "sources": [{"title": "测试来源文章标题", "publisher": "测试媒体"}],
        "status": "published",
        **extra,
    }
    case = Case.model_validate(data)
    case.bind(case_id, None)  # type: ignore[arg-type]
    return case


# One number per case, written the way the articles write them.
NUMBER_CASES = {
    "n22000": "宝山区有2.2万名货车司机",
    "n20000": "参与学习的党员群众有2万余名",
    "n12000": "某区有1.2万名快递员",
    "n32000": "某区有3.2万名外卖骑手",
    "n2000": "全区有2000名楼宇白领",
    "n110": "走访了110余家沿街商户",
    "n90": "走访了90家沿街商户",
    "n210": "走访了210家沿街商户",
    "n900": "全区有900多栋商务楼宇",
    "n1200": "招聘了1200多名党建工作者",
    "n500": "联系了500家非公企业",
    "n300": "聚集了300多家两新组织",
    "n5000": "预约报名约5000人",
    "n5600": "预约报名5600人",
    "n6000": "预约报名6000人",
    "n4000": "预约报名4000人",
}

# query -> (cases it must find, cases it must not find)
NUMBER_QUERIES: dict[str, tuple[set[str], set[str]]] = {
    "两万多名": ({"n22000", "n20000"}, {"n12000", "n32000", "n2000"}),
    "2万名": ({"n22000", "n20000"}, {"n12000", "n32000", "n2000"}),  # a round number: within 10 %
    "一百多家": ({"n110"}, {"n90", "n210"}),
    "一百来家": ({"n110"}, {"n90", "n210"}),
    "近千": ({"n900"}, {"n1200", "n500", "n2000"}),
    "上千名": ({"n1200", "n2000"}, {"n900", "n500"}),
    "数百家": ({"n300", "n500", "n210"}, {"n90", "n1200", "n110"}),
    "约5000人": ({"n5000", "n5600"}, {"n6000", "n4000"}),
    "五千左右": ({"n5000", "n5600"}, {"n6000", "n4000"}),
    "九百多栋": ({"n900"}, {"n1200"}),
    "十几万": (set(), {"n12000", "n22000"}),  # 110,000-190,000: none of these
    "三万多": ({"n32000"}, {"n22000", "n12000"}),
    "一万多名": ({"n12000"}, {"n20000", "n22000"}),  # [10000, 20000): 2万 itself is out
}


def test_a_number_never_reads_into_the_next_word() -> None:
    assert numerals("3万两新组织") == "30000 2新组织"  # not 32000 + 新组织
    assert numerals("两新组织") == "2新组织"  # as 两新 reads anywhere else
    assert numerals("3万一站式") == "30000 1站式"
    assert numerals("工资一万五") == "工资15000" and numerals("一万五人") == "15000人"
    assert numerals("一万两千人 三百五十 二十二个") == "12000人 350 22个"


def test_number_tokens_leave_out_years_and_dates() -> None:
    got = number_tokens(normalize("2.2万名司机，2023年4月，2021-06-03发布，近2000个楼宇，98.5%，12月"))
    assert got == {"#5:2": {220}, "#4:2": {200}, "#2:9": {985}}
    # a month-day or a code (a source dated 12-13, 6/30) is not a count: 十几个 must not find it
    assert number_tokens(normalize("发表于12-13，统计到6/30，共35家")) == {"#2:3": {350}}


@needs_node
def test_approximate_numbers_match_within_their_tolerance(tmp_path: Path) -> None:
    cases = [_case(k, text, f"{text}。测试用的做法文字。") for k, text in NUMBER_CASES.items()]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    got = _node(
        tmp_path,
        files,
        list(NUMBER_QUERIES),
        """async (s, qs) => { const out = [];
             for (const q of qs) { const h = await s.run(q) || []; out.push([h.tier || "", h.map(x => x.n)]); }
             return out; }""",
    )
    assert isinstance(got, list)
    for (query, (want, never)), (tier, found) in zip(NUMBER_QUERIES.items(), got, strict=True):
        shown = {ids[n] for n in found}
        assert want <= shown, (query, sorted(shown))
        assert not (never & shown), (query, sorted(never & shown))
        if want:
            assert tier == "exact", query


@needs_node
def test_initials_fillers_and_unknown_words(tmp_path: Path) -> None:
    cases = [
        _case(
            "helmet", "浦东“金头盔”先锋骑手", "骑手在街区里示范服务。", tags=["金头盔"], groups=["外卖骑手"]
        ),
        _case("drivers", "宝山货车司机驿站", "驿站设在加油站里，司机可以休息。", groups=["货车司机"]),
        _case("tower", "上海中心大厦里的党建服务中心", "白领在这里交流，执行情况每月检查。"),
        _case("bili", "哔哩哔哩成立党支部", "青年员工多的互联网企业建立党支部。"),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = [
        "jtk",  # initials of a tag
        "jtk骑手",
        "shzx",  # initials of the start of a title
        "请问金头盔是什么",  # filler words around a name
        "哪个区有货车司机驿站",  # a lone character between filler words
        "货车师傅在哪儿歇脚",  # colloquial words
        "货车司机 养猫",  # a word no case uses: the rest still finds its case, as a partial match
        "股票行情",  # 行情 only across two words (执行情况): nothing
        "养猫攻略",
        "bilibli",  # a Latin brand name one typo away from a synonym word (bilibili)
        "京头盔",  # jing for jin: a reading people confuse (前后鼻音), after the homophones
        "jingtoukui",
    ]
    got = _node(
        tmp_path,
        files,
        queries,
        """async (s, qs) => { const out = [];
             for (const q of qs) { const h = await s.run(q) || []; out.push([h.tier || "", h.map(x => x.n)]); }
             return out; }""",
    )
    assert isinstance(got, list)
    seen = {q: (tier, [ids[n] for n in found]) for q, (tier, found) in zip(queries, got, strict=True)}
    assert seen["jtk"] == ("exact", ["helmet"])
    assert seen["jtk骑手"] == ("exact", ["helmet"])
    assert seen["shzx"] == ("exact", ["tower"])
    assert seen["请问金头盔是什么"] == ("exact", ["helmet"])
    assert seen["哪个区有货车司机驿站"] == ("exact", ["drivers"])
    assert seen["货车师傅在哪儿歇脚"] == ("exact", ["drivers"])
    assert seen["货车司机 养猫"] == ("partial", ["drivers"])
    assert seen["股票行情"][1] == [] and seen["养猫攻略"][1] == []
    assert seen["bilibli"] == ("exact", ["bili"])
    assert seen["京头盔"] == ("pinyin", ["helmet"]) and seen["jingtoukui"] == ("pinyin", ["helmet"])


_RUN = """async (s, qs) => { const out = [];
  for (const q of qs) { const h = await s.run(q) || []; out.push([h.tier || "", h.map(x => x.n)]); }
  return out; }"""


@needs_node
def test_sentences_in_the_readers_own_words(tmp_path: Path) -> None:
    """Issue 22, unseen queries: a stretch of words no case uses weighs once, however long; a term
    counts by where the case has it (a title word over a rare word in another case's body); a long
    sentence that no case covers by half still shows the cases nearest the best; a light verb or a
    question frame around the words (建党组织 = 建 + 党组织, 一般是什么人当) need not match."""
    cases = [
        _case("joint", "嘉兴大厦楼宇联合党支部", "楼里企业多、党员少，几家合起来组成联合党支部。"),
        _case("rules", "黄浦区楼宇党建的成套制度", "区里出台了楼宇党支部的工作规范和例会制度。"),
        _case("internet", "互联网企业党组织覆盖", "园区里的企业按规章办事，联合党支部覆盖小企业。"),
        _case("property", "物业公司党组织", "街道依托物业公司建立楼宇党组织，把物业员工里的党员组织起来。"),
        _case("anniversary", "庆祝建党百年的主题活动", "物业公司员工参加建党百年的党组织活动。"),
        _case("secretary", "非公企业的书记选配", "民营企业党组织的书记大多出自管理层。"),
        _case("visits", "楼长走访园区党组织", "楼长对园区里近千家“两新”组织的党组织逐一走访。"),
        _case("grid", "街区里的党组织", "这家党支部的书记常去走访街区的党组织。"),
        _case("temple", "中华企业大厦的党员服务点", "大厦在静安寺附近，楼里党员多。", district="静安区"),
        _case("jingan", "静安区商务楼宇党组织全覆盖", "静安区的商务楼宇都建了党组织。", district="静安区"),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = [
        "联合党支部呜哩哇啦咕噜噜",  # five unknown bigrams in a row weigh as one word
        "楼宇党建的规章制度",  # 规章 is rare but only in a body: the title case comes first
        "我们楼里公司很多但每家党员都很少能不能几家合起来成立1个联合党支部",
        "怎么在物业公司里建党组织",  # not only the case that happens to have 建党
        "民营企业的书记一般是什么人当",
        "差不多一千家党组织挨个走访",  # 家党 is the seam after a number (一千家|党组织), not a rare word
        "静安寺 楼宇",  # 静安 is the district's name, but 寺 finishes the place the reader means
    ]
    got = _node(tmp_path, files, queries, _RUN)
    assert isinstance(got, list)
    seen = {q: (tier, [ids[n] for n in found]) for q, (tier, found) in zip(queries, got, strict=True)}
    assert (
        seen["联合党支部呜哩哇啦咕噜噜"][0] == "partial" and seen["联合党支部呜哩哇啦咕噜噜"][1][0] == "joint"
    )
    assert seen["楼宇党建的规章制度"][0] == "partial" and seen["楼宇党建的规章制度"][1][0] == "rules"
    assert seen["我们楼里公司很多但每家党员都很少能不能几家合起来成立1个联合党支部"][1][0] == "joint"
    assert seen["怎么在物业公司里建党组织"][0] == "exact"
    assert "property" in seen["怎么在物业公司里建党组织"][1]
    assert seen["民营企业的书记一般是什么人当"] == ("exact", ["secretary"])
    assert seen["差不多一千家党组织挨个走访"][1][0] == "visits"
    assert seen["静安寺 楼宇"][0] == "exact" and seen["静安寺 楼宇"][1][0] == "temple"


@needs_node
def test_a_case_the_reader_sets_aside_ranks_after_the_others(tmp_path: Path) -> None:
    """Issue 22, follow-up questions: a reader who names a case they have seen (除了徐家汇…, B站之外…,
    除徐家汇外…, 看完哔哩哔哩…, 像哔哩哔哩那样…) wants another one; the name need not match and the case it names (in
    its title, tags or summary) comes after the others.  With nothing else in the query the name is
    searched as usual."""
    cases = [
        _case("bili", "哔哩哔哩成立党支部", "杨浦区的互联网企业哔哩哔哩建立党支部。", district="杨浦区"),
        _case("net", "杨浦互联网企业党支部全覆盖", "杨浦区的互联网企业纷纷建立党支部。", district="杨浦区"),
        _case("xjh", "徐家汇街道依托物业公司抓党建", "物业公司党组织联系楼宇。", district="徐汇区"),
        _case("gumei", "古美街道与物业公司联建", "街道和物业公司党组织一起开展党建。", district="闵行区"),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = [
        "B站之外 杨浦还有哪些互联网企业建了支部",
        "除了徐家汇 另一个靠物业公司搞党建的街道",
        "除徐家汇外的物业公司党建",
        "看完哔哩哔哩 杨浦互联网企业党支部",
        "像哔哩哔哩那样的杨浦互联网企业党支部",
        "和徐家汇差不多时候的物业公司党建",
        "徐家汇物业公司",
        "除了徐家汇",
    ]
    got = _node(tmp_path, files, queries, _RUN)
    assert isinstance(got, list)
    seen = {q: (tier, [ids[n] for n in found]) for q, (tier, found) in zip(queries, got, strict=True)}
    assert seen["B站之外 杨浦还有哪些互联网企业建了支部"] == ("exact", ["net", "bili"])
    assert seen["除了徐家汇 另一个靠物业公司搞党建的街道"][1][0] == "gumei"
    assert seen["除徐家汇外的物业公司党建"][1][:2] == ["gumei", "xjh"]
    assert seen["看完哔哩哔哩 杨浦互联网企业党支部"][1] == ["net", "bili"]
    assert seen["像哔哩哔哩那样的杨浦互联网企业党支部"][1] == ["net", "bili"]
    assert seen["和徐家汇差不多时候的物业公司党建"][1][:2] == ["gumei", "xjh"]
    assert seen["徐家汇物业公司"][1][0] == "xjh"  # no frame: the name is what the reader wants
    assert seen["除了徐家汇"][1] == ["xjh"]


@needs_node
def test_the_word_as_typed_and_as_a_whole_ranks_first(tmp_path: Path) -> None:
    """A colloquial word that is itself one of the cases' words (饿了么, beside 外卖行业) ranks the
    case that writes it first; a synonym word of three characters (第一个 = 首个) held as a word ranks
    above its bigrams found apart (第一责任人 … 建一个); a pinyin word of four syllables with one of
    them mistyped (wuyouyinli) still finds its case, in the pinyin tier."""
    cases = [
        _case("platform", "外卖行业的骑手党建", "外卖行业的站点里建立党组织。", groups=["外卖骑手"]),
        _case("plaza", "商务楼里的党群空间", "楼里有包括饿了么在内的300多家企业。"),
        _case("first", "嘉兴大厦楼宇联合党支部", "这是全市第一个楼宇联合党支部。"),
        _case("duty", "上海楼宇党支部全覆盖", "书记是第一责任人，每栋楼宇建一个党支部。"),
        _case("gravity", "万有引力党群服务中心", "新就业群体在这里就餐和休憩。"),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = ["饿了么", "第一个楼宇党支部", "wuyouyinli", "wanyouyinli"]
    got = _node(tmp_path, files, queries, _RUN)
    assert isinstance(got, list)
    seen = {q: (tier, [ids[n] for n in found]) for q, (tier, found) in zip(queries, got, strict=True)}
    assert seen["饿了么"] == ("exact", ["plaza", "platform"])
    assert seen["第一个楼宇党支部"] == ("exact", ["first", "duty"])
    assert seen["wuyouyinli"] == ("pinyin", ["gravity"]) and seen["wanyouyinli"] == ("pinyin", ["gravity"])


@needs_node
def test_initials_with_one_slip_of_the_finger(tmp_path: Path) -> None:
    """Pinyin initials typed with one letter swapped, doubled or replaced by a key beside it (jtkk
    for jtk 金头盔, pdjr for pdjt 浦东金头…) find their case in the pinyin tier, once nothing else
    does; letters that are no name's initials even so find nothing."""
    cases = [
        _case("helmet", "浦东金头盔先锋骑手", "骑手在街区里示范服务。", tags=["金头盔"], groups=["外卖骑手"]),
        _case("drivers", "宝山区为货车司机建畅享驿站", "驿站设在加油站里。", groups=["货车司机"]),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = ["jtkk", "pdjr", "bsqw", "qwer"]
    got = _node(tmp_path, files, queries, _RUN)
    assert isinstance(got, list)
    seen = {q: (tier, [ids[n] for n in found]) for q, (tier, found) in zip(queries, got, strict=True)}
    assert seen["jtkk"] == ("pinyin", ["helmet"]) and seen["pdjr"] == ("pinyin", ["helmet"])
    assert seen["bsqw"] == ("pinyin", ["drivers"])  # bsq: 宝山区
    assert seen["qwer"] == ("none", [])


# Records every file the engine fetches (the harness's fetch, wrapped), then runs the queries.
_FETCHES = """async (s, qs) => { const out = []; const seen = []; const f = global.fetch;
  global.fetch = u => { seen.push(decodeURIComponent(new URL(u).pathname).split("/search/").pop()); return f(u); };
  for (const q of qs) { seen.length = 0; const h = await s.run(q) || [];
    out.push([h.tier || "", h.map(x => x.n), seen.slice()]); }
  return out; }"""


@needs_node
def test_seams_particles_and_pinyin_words(tmp_path: Path) -> None:
    """A reader's sentence: the seam between two words (书健 in 看书健身) and a bigram with a
    particle (的地, 有吸) weigh nothing, so the words that match still find their case; a particle
    inside a name (万有引力) still counts; Latin pinyin words pair syllables within each word."""
    cases = [
        _case(
            "tower",
            "上海中心大厦里的党建服务中心",
            "白领在这里交流，另有图书角和健身区。",
            groups=["楼宇白领"],
        ),
        _case("books", "社区书屋", "居民可以来看书。"),
        _case("gravity", "万有引力党群服务中心", "新就业群体在这里就餐和休憩。"),
        _case("fosun", "复星集团党委", "民营企业的党建工作体系。"),
        _case("drivers", "宝山货车司机驿站", "驿站设在加油站里，司机可以休息。", groups=["货车司机"]),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = ["货车司机驿站", "白领下班看书健身的地方", "万有吸力", "fuxing dangwei", "货车司机 养猫"]
    got = _node(tmp_path, files, queries, _FETCHES)
    assert isinstance(got, list)
    seen = {
        q: (tier, [ids[n] for n in found], fetched)
        for q, (tier, found, fetched) in zip(queries, got, strict=True)
    }
    assert seen["白领下班看书健身的地方"][:2] == ("partial", ["tower"])
    assert seen["万有吸力"][:2] == ("partial", ["gravity"])
    assert seen["fuxing dangwei"][:2] == ("pinyin", ["fosun"])  # 复星集团党委: 复星 and 党委 are not adjacent
    # nothing to correct, nothing fetched for the pinyin tier: an exact query, and a partial one whose
    # unknown word (养猫) is read in pinyin only for its own pair
    assert not any(f.startswith(("py.json", "p/")) for f in seen["货车司机驿站"][2])
    assert seen["货车司机 养猫"][:2] == ("partial", ["drivers"])
    assert len([f for f in seen["货车司机 养猫"][2] if f.startswith("p/")]) <= 2


@needs_node
def test_pinyin_tier_reads_only_pairs_that_can_be_typos(tmp_path: Path) -> None:
    """The 10,000-case budget (issue 22): a query whose words all match, but not together, falls to
    the partial tier without fetching the pinyin table; a homophone typo still reaches its case."""
    cases = [
        _case("drivers", "宝山货车司机驿站", "宝山区有2.2万名货车司机。", groups=["货车司机"]),
        _case("helmet", "浦东金头盔骑手", "骑手在街区里示范服务。", tags=["金头盔"], groups=["外卖骑手"]),
        _case("couriers", "快递员之家", "全区有3万多名快递员。", groups=["快递员"]),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = ["三万多名货车司机", "两万多名货车司机", "金投盔骑手", "快递员驿站"]
    got = _node(tmp_path, files, queries, _FETCHES)
    assert isinstance(got, list)
    seen = {
        q: (tier, [ids[n] for n in found], fetched)
        for q, (tier, found, fetched) in zip(queries, got, strict=True)
    }
    assert seen["两万多名货车司机"][:2] == ("exact", ["drivers"])
    tier, found, fetched = seen["三万多名货车司机"]  # no case has both: partial, with no pinyin file
    assert tier == "partial" and set(found) == {"drivers", "couriers"}
    assert not any(f.startswith(("py.json", "p/")) for f in fetched), fetched
    assert not any(f.startswith(("py.json", "p/")) for f in seen["快递员驿站"][2])
    assert seen["金投盔骑手"][:2] == ("pinyin", ["helmet"])
    assert "py.json" in seen["金投盔骑手"][2]


def test_filler_words_are_one_list_for_python_and_js() -> None:
    files = build_search_files([], load_vocabularies())
    meta = json.loads(files["search/meta.json"])
    words = load_search_words()
    assert meta["fillers"] == list(words.fillers) and meta["particles"] == words.particles
    assert {"哪个", "哪些", "怎么样", "有没有", "请问", "我想知道", "1般", "什么人", "那家"} <= set(
        words.fillers
    )
    assert meta["verbs"] == words.verbs and {"建", "搞", "装"} <= set(words.verbs)
    assert meta["others"] == {
        "before": list(words.others_before),
        "after": list(words.others_after),
        "around": [list(pair) for pair in words.others_around],
    }
    assert {"除了", "看完"} <= set(words.others_before) and {"之外", "以外"} <= set(words.others_after)
    source = JS.read_text(encoding="utf-8")
    assert "请问" not in source and "有没有" not in source  # no second, hand-kept copy in the JS


# ---------- the colloquial vocabulary (site_builder/data/colloquial.yaml) ----------


@pytest.fixture(scope="module")
def real_cases() -> list[Case]:
    return load_cases([ROOT / "cases"]).published()


def test_colloquial_table_is_valid_for_the_published_cases(real_cases: list[Case]) -> None:
    texts = [" ".join(d.texts.values()) for d in docs_from_cases(real_cases)]
    assert check_colloquial(texts) == []
    kinds = {e.kind for e in load_colloquial()}
    assert kinds == {"群体", "场所", "服务", "单位"}


def test_every_case_is_reached_by_a_colloquial_entry(real_cases: list[Case]) -> None:
    """The table was written case by case: each published case is named by some everyday word."""
    docs = docs_from_cases(real_cases)
    entries = load_colloquial()
    unreached = [
        d.id
        for d in docs
        if not any(normalize(w) in normalize(" ".join(d.texts.values())) for e in entries for w in e.means)
    ]
    assert unreached == []


@needs_node
def test_each_colloquial_word_finds_its_cases(tmp_path: Path, real_cases: list[Case]) -> None:
    """Typing any ``says`` word shows, first, a case that uses a word the entry ``means``."""
    files = build_search_files(real_cases, load_vocabularies())
    docs = docs_from_cases(real_cases)
    keys = [" ".join(normalize(" ".join(d.texts.values())).split()) for d in docs]
    queries = [(w, i) for i, e in enumerate(load_colloquial()) for w in e.says]
    got = _node(
        tmp_path,
        files,
        [q for q, _ in queries],
        """async (s, qs) => { const out = [];
             for (const q of qs) { await s.loadFold(q); const h = await s.run(q) || [];
               out.push([h.tier || "", h.slice(0, 3).map(x => x.n)]); }
             return out; }""",
    )
    assert isinstance(got, list)
    entries = load_colloquial()
    misses = []
    for (word, i), (tier, top) in zip(queries, got, strict=True):
        words = [normalize(w) for w in (*entries[i].means, word)]
        if tier != "exact" or not top or not any(w in keys[top[0]] for w in words):
            misses.append(f"{word} (line {entries[i].line}): {tier} {[docs[n].id for n in top]}")
    assert misses == []


def test_an_entry_that_finds_nothing_is_refused_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "colloquial.yaml"
    path.write_text(
        "entries:\n"
        "  - says: [送外卖的]\n"
        "    means: [外卖骑手]\n"
        "    kind: 群体\n"
        "  - says: [修自行车]\n"
        "    means: [自行车修理铺]\n"
        "    kind: 服务\n"
        "  - says: [请问, 送外卖的]\n"
        "    means: [骑手]\n"
        "    kind: 群体\n"
        "  - says: [网吧]\n"
        "    kind: 场所\n"
        "  - says: [大厦]\n"
        "    means: [大厦]\n"
        "    kind: 建筑\n",
        encoding="utf-8",
    )
    errors = [e.format() for e in check_colloquial(["浦东外卖骑手驿站 大厦"], path)]
    assert len(errors) == 5, errors
    assert any(":5:5: entries[1].means: 「自行车修理铺」在已发布的案例里一个也找不到" in e for e in errors)
    assert any(":8:5: entries[2].says: 「请问」是搜索时会忽略的问句词" in e for e in errors)
    assert any(":8:5: entries[2].says: 「送外卖的」已经写在第 2 行的条目里了" in e for e in errors)
    assert any(":11:5: entries[3]: says（读者的说法）和 means（案例里的写法）都要写" in e for e in errors)
    assert any(":13:5: entries[4].kind: kind 只能是" in e for e in errors)


def test_validate_refuses_a_colloquial_entry_that_finds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``site-builder validate cases`` (CI) checks the table against the cases it validated."""
    from site_builder import cli
    from site_builder.outputs.search import vocabulary

    bad = tmp_path / "colloquial.yaml"
    bad.write_text(
        "entries:\n  - says: [修自行车]\n    means: [自行车修理铺]\n    kind: 服务\n", encoding="utf-8"
    )
    monkeypatch.chdir(ROOT)
    assert cli.main(["validate", "cases"]) == 0
    monkeypatch.setattr(vocabulary, "colloquial_path", lambda: bad)
    # the remembered findings are keyed on the package's data folder (the real table's place); a table
    # swapped in by path is not in that key, so they are switched off here
    monkeypatch.setenv("SITE_BUILDER_CACHE_OFF", "findings")
    capsys.readouterr()
    assert cli.main(["validate", "cases"]) == 1
    assert ":2:5: entries[0].means: 「自行车修理铺」在已发布的案例里一个也找不到" in capsys.readouterr().err
    assert cli.main(["validate", "cases/pudong-golden-helmet-riders.yaml"]) == 0  # one file: not checked


# Runs each query as the header box does (capped), then its refinement; records the files fetched
# before the first result and in all.
_CAPPED = """async (s, qs) => { const out = []; const seen = []; const f = global.fetch;
  global.fetch = u => { seen.push(decodeURIComponent(new URL(u).pathname).split("/search/").pop()); return f(u); };
  for (const q of qs) { seen.length = 0; const h = await s.run(q, true) || []; const first = seen.slice();
    const r = h.refine ? await h.refine() : h;
    out.push([h.tier || "", h.map(x => x.n), first, !!h.refine, r.tier || "", r.map(x => x.n), seen.slice()]); }
  return out; }"""


@needs_node
def test_a_long_query_fetches_a_bounded_set_of_shards_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 10,000-case budget for long input (issue 22): before its first result a query fetches at
    most 20 index shards (one bigram per character, spread along it) and still finds its case as an
    exact match; the refinement fetches the rest and keeps it first.  The index is split into many
    small shards here, as at 10,000 cases."""
    from site_builder.outputs.search import index

    monkeypatch.setattr(index, "SHARD_TARGET", 40)
    sentence = "宝山区的货车司机在加油站旁边的驿站里休息喝水充电看书学习"
    cases = [
        _case("drivers", "宝山货车司机驿站", f"{sentence}。", groups=["货车司机"]),
        _case("couriers", "快递员之家", "快递员在驿站里休息喝水，也在这里看书学习。", groups=["快递员"]),
        _case("tower", "楼宇党建服务中心", "白领在加油站旁边的大楼里学习。"),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = [sentence, "货车司机驿站", "宝山区的货车司机在加油站旁边的驿站里休息喝水充电看书打球"]
    got = _node(tmp_path, files, queries, _CAPPED)
    assert isinstance(got, list)
    (tier, found, first, refined, rtier, rfound, fetched) = got[0]
    shards = [f for f in first if f.startswith("i/")]
    assert len(set(shards)) <= 20 and refined, first
    assert tier == "exact" and [ids[n] for n in found] == ["drivers"]
    assert rtier == "exact" and [ids[n] for n in rfound] == ["drivers"]
    assert len({f for f in fetched if f.startswith("i/")}) > len(set(shards))  # the rest, after
    # a short query is not capped: one search, nothing to refine
    assert got[1][0] == "exact" and [ids[n] for n in got[1][1]] == ["drivers"] and not got[1][3]
    # a long query no case holds whole: never an exact match before (nor after) refining
    (tier, found, first, refined, rtier, rfound, _) = got[2]
    assert tier != "exact" and rtier != "exact" and ids[found[0]] == "drivers"
    assert len({f for f in first if f.startswith("i/")}) <= 20


@needs_node
def test_the_pinyin_tier_fetches_a_bounded_number_of_files(tmp_path: Path) -> None:
    """The confusable-reading pass and long pinyin input (issue 22): at most 10 pinyin shards per
    pass whatever the number of pairs and readings, and a sentence with more unknown pairs than two
    typos make does not read pinyin at all; a long pinyin title and a homophone typo still find
    their case."""
    cases = [
        _case("drivers", "宝山货车司机驿站", "驿站设在加油站里，司机可以休息。", groups=["货车司机"]),
        _case("helmet", "浦东金头盔骑手", "骑手在街区里示范服务。", tags=["金头盔"], groups=["外卖骑手"]),
        _case(
            "hongqiao",
            "长宁虹桥开发区街道与企业联手抓区域党建",
            "街道与园区企业共建党建联盟。",
        ),
    ]
    files = build_search_files(cases, load_vocabularies())
    ids = [c.id for c in sorted(cases, key=lambda c: (-c.year, c.id))]
    queries = [
        "健身房年卡",
        "zhang ning hong qiao kai fa qu jie dao yu qi ye lian shou zhua qu yu dang jian",
        "金投盔骑手",
        "有没有那种让党员在网格里联系小店的做法",
    ]
    got = _node(tmp_path, files, queries, _FETCHES)
    assert isinstance(got, list)
    seen = {
        q: (tier, [ids[n] for n in found], fetched)
        for q, (tier, found, fetched) in zip(queries, got, strict=True)
    }
    pinyin_files = {q: [f for f in fetched if f.startswith("p/")] for q, (_, _, fetched) in seen.items()}
    assert all(len(files) <= 20 for files in pinyin_files.values()), pinyin_files  # two passes of 10
    assert seen["健身房年卡"][0] != "exact"
    assert seen[queries[1]][:2] == ("pinyin", ["hongqiao"])
    assert len(pinyin_files[queries[1]]) <= 10  # found by the first pass
    assert seen["金投盔骑手"][:2] == ("pinyin", ["helmet"])
    assert not pinyin_files[queries[3]] and "py.json" not in seen[queries[3]][2]
