"""Python and JS search must agree on the paths they really run (search.js under node).

Documents are tokenized by Python (``doc_tokens``, ``pinyin_tokens``) and queries by the JS
``plan()``/``run()``; these tests build an index with Python and run the real JS engine on it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.casefile.vocab import load_vocabularies
from site_builder.outputs.search.index import build_search_files, fnv1a
from site_builder.outputs.search.tokens import doc_tokens, initials_tokens, is_word, normalize, numerals, runs
from site_builder.textnorm import fold, fold_table
from tests.support.search_queries import chinese_number
from tests.support.synthetic import synthetic_cases

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "theme" / "assets" / "search" / "search.js"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")

SAMPLES = [
    "B站",
    "ｂ站直播",
    "外賣騎手",
    "外卖骑手快递员",
    "浦东新区 外卖骑手",
    "快遞員、貨車司機與網約車司機",
    "躰驗竝曏融郃琯理",
    "bilibili公司2019年成立",
    "Party-building 2.0：新就业群体",
    "党",
    "党建\u200b引领\ufeff",
    "ＡＢＣ　１２３",
    "①号楼",
    "Café naïve Über",
    "“90后”员工",
    "",
    "   ",
    "\uf900\U00020000",
    "ｶﾀｶﾅ テスト 한국어",
    "二十二个党支部，3百多家商户，1.5万名骑手，12,000人，一万五千元",
    "一百零五 二〇二三年 十四五 三四十 千万 万一 万有引力 3万5千 1.2亿 第一个",
    "3.5公里 v1.2.3 100,000,000 九〇后",
]

# Node harness: read files from a folder through a fake fetch, then print what the engine says.
HARNESS = """
const fs = require("fs");
const dir = process.argv[1];
global.document = { baseURI: "file://" + dir + "/", readyState: "complete", querySelectorAll: () => [] };
global.fetch = (u) => {
  const p = decodeURIComponent(new URL(u).pathname);
  return Promise.resolve({ ok: fs.existsSync(p), status: 404,
    text: () => Promise.resolve(fs.readFileSync(p, "utf8")),
    json: () => Promise.resolve(JSON.parse(fs.readFileSync(p, "utf8"))) });
};
const s = require(%s);
const input = JSON.parse(fs.readFileSync(dir + "/input.json", "utf8"));
(async () => {
  await s.init(".");
  await s.loadFold(JSON.stringify(input));  // the fold-table shards the inputs need
  const out = await (%s)(s, input);
  process.stdout.write(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""


def _node(tmp: Path, files: dict[str, bytes], data: object, body: str) -> object:
    for rel, content in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_bytes(content)
    (tmp / "input.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    script = HARNESS % (json.dumps(str(JS)), body)
    proc = subprocess.run(["node", "-e", script, str(tmp)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_python_examples() -> None:
    assert doc_tokens("B站", unigrams=False) == {"b", "b站"}
    assert doc_tokens("外賣騎手", unigrams=False) == {"外卖", "卖骑", "骑手"}
    assert doc_tokens("党", unigrams=False) == {"党"}
    assert runs(normalize("浦东 外卖")) == [["浦", "东"], ["外", "卖"]]
    assert doc_tokens("2019年", unigrams=False) == {"2019", "2019年"}
    assert numerals("三分钟 二十二个 3百多家 1.5万人 12,000人") == "3分钟 22个 300多家 15000人 12000人"
    assert numerals("千万 万一 十四五") == "千万 万一 十四五"  # words, not numbers


def test_is_word_is_false_for_chinese_bigrams() -> None:
    """The old JS test ``/^(?:[0-9a-z…]|..+)$/`` called every two-character string a word."""
    assert is_word("b") and is_word("2019") and is_word("café")
    assert not is_word("外卖") and not is_word("外") and not is_word("b站")


@needs_node
def test_js_normalizes_and_tokenizes_like_python(tmp_path: Path) -> None:
    files = build_search_files([])
    got = _node(
        tmp_path,
        files,
        SAMPLES,
        """(s, xs) => xs.map(x => [s.fold(x), s.normalize(x), s.runs(s.normalize(x)),
             s.docTokens(x, false), s.docTokens(x, true), s.docTokens(x, false).map(s.fnv1a),
             ["外卖", "b站", "b", "2019"].map(s.isWord)])""",
    )
    assert isinstance(got, list)
    for sample, (jfold, jnorm, jruns, jdoc, jdoc_uni, jhash, jword) in zip(SAMPLES, got, strict=True):
        assert jfold == fold(sample), sample
        assert jnorm == normalize(sample), sample
        assert jruns == runs(normalize(sample)), sample
        assert jdoc == sorted(doc_tokens(sample, unigrams=False)), sample
        assert jdoc_uni == sorted(doc_tokens(sample, unigrams=True)), sample
        assert jhash == [fnv1a(t) for t in sorted(doc_tokens(sample, unigrams=False))], sample
        assert jword == [False, False, True, True]


@needs_node
def test_js_fold_whole_table(tmp_path: Path) -> None:
    """Every table entry folds identically in JS (covers NFKC differences between engines)."""
    keys = "".join(fold_table())
    got = _node(tmp_path, build_search_files([]), keys, "(s, k) => s.fold(k)")
    assert got == fold(keys)


def _windows(text: str, rng_seed: int, count: int) -> list[str]:
    import random

    rng = random.Random(rng_seed)
    stretches = [s for s in re.findall("[\u4e00-\u9fff]+", text) if len(s) >= 2]
    out = []
    for _ in range(count):
        run = rng.choice(stretches)
        k = rng.randint(2, min(6, len(run)))
        i = rng.randrange(0, len(run) - k + 1)
        out.append(run[i : i + k])
    return out


@needs_node
def test_every_stretch_of_a_document_finds_it(tmp_path: Path) -> None:
    """Real paths: Python indexes documents, the JS plans and runs queries cut from them."""
    cases = synthetic_cases(40, seed=5)
    files = build_search_files(cases, load_vocabularies())
    docs = [
        d
        for k in range(len(cases))
        if f"search/m/{k}.json" in files
        for d in json.loads(files[f"search/m/{k}.json"])
    ]
    assert len(docs) == len(cases)
    queries = []
    for n, d in enumerate(docs):
        case = next(c for c in cases if c.id == d["id"])
        for text in (case.title, case.summary, case.practice):  # a stretch never spans two fields
            for q in _windows(text, n, 2):
                queries.append([q, n])
        for m in case.metrics:  # numbers typed in words find their digits
            label = re.findall("[\u4e00-\u9fff]*", m.label)[-2]  # the words right before the value
            if len(label) < 2 or label[-1] in "零一二三四五六七八九十百千万亿两":
                continue  # "…为一" + "1393家" would read as the number 一1393
            queries.append([f"{label}{m.value}{m.unit}", n])
            queries.append([f"{label}{chinese_number(int(m.value))}{m.unit}", n])
    got = _node(
        tmp_path,
        files,
        queries,
        """async (s, qs) => { const out = [];
             for (const [q, n] of qs) { const h = await s.run(q) || [];
               out.push([q, h.tier, h.some(x => x.n === n)]); }
             return out; }""",
    )
    assert isinstance(got, list)
    missed = [(q, tier) for q, tier, found in got if not found]
    assert missed == [], missed
    assert [q for q, tier, _ in got if tier != "exact"] == []


@needs_node
def test_a_middle_character_that_cannot_match_is_dropped(tmp_path: Path) -> None:
    """The isWord bug: 翡翠蛙琉璃 must still find 翡翠琉璃 (啊 matches nothing in the index)."""
    cases = synthetic_cases(3, seed=2)
    case = cases[0].model_copy(update={"title": "翡翠琉璃驿站"})
    case.bind("riders", None)  # type: ignore[arg-type]
    files = build_search_files([case, *cases[1:]], load_vocabularies())
    got = _node(
        tmp_path,
        files,
        ["翡翠蛙琉璃", "翡翠琉璃"],
        """async (s, qs) => { const out = [];
             for (const q of qs) { const h = await s.run(q) || []; out.push([h.tier, h.length]); }
             return out; }""",
    )
    assert got == [["exact", 1], ["exact", 1]]


@needs_node
def test_pinyin_queries_are_cut_every_shortest_way(tmp_path: Path) -> None:
    syl = ["chuang", "xin", "an", "li", "xi", "nan", "jin", "tou", "kui"]
    got = _node(
        tmp_path,
        build_search_files([]),
        ["chuangxinanli", "jīn tóu kuī", "jin1tou2kui1", "jintoukui", "kui", "b站"],
        f"(s, qs) => qs.map(q => s.syllables(q, new Set({json.dumps(syl)})))",
    )
    assert isinstance(got, list)
    assert sorted(got[0]) == [["chuang", "xi", "nan", "li"], ["chuang", "xin", "an", "li"]]
    assert got[1:] == [
        [["jin", "tou", "kui"]],
        [["jin", "tou", "kui"]],
        [["jin", "tou", "kui"]],
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("title", "typed"),
    [
        ("松江岳阳街道骑手“一分钟”计划", "yfzjh"),  # the quoted name read on into its head noun
        ("申通快递“四化四融”党建工作法", "shsrdj"),
        ("浦东「金头盔」骑手", "jtkqs"),
        ("松江岳阳街道骑手“一分钟”计划", "sjyy"),  # the title's own start still counts
    ],
)
def test_initials_of_a_quoted_name_run_on_into_the_words_after_it(title: str, typed: str) -> None:
    assert "^" + typed in initials_tokens([title])
