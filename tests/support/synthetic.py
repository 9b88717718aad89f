"""Synthetic case sets for benchmarks: realistic field mixes and ~2,300-character pages."""

from __future__ import annotations

import datetime as _dt
import random
from pathlib import Path

import yaml

from site_builder.casefile.models import Case, none_word
from site_builder.casefile.models import _clean_line as clean_line
from site_builder.casefile.vocab import load_vocabularies

ROOT = Path(__file__).resolve().parents[2]

_PHRASES = [
    "区委组织部牵头建立联席会议机制",
    "在商务楼宇设立党群服务站",
    "为外卖骑手提供休息和充电服务",
    "组织快递员参与社区治理",
    "推动平台企业建立党组织",
    "开展党员亮身份活动",
    "建立货车司机之家",
    "把流动党员纳入街区党支部管理",
    "定期走访小微企业和个体工商户",
    "开设微讲堂组织青年员工学习",
    "整合商圈资源开展志愿服务",
    "设立楼宇联合党支部",
    "用网格化方式覆盖街区商户",
    "开展职业技能培训",
]


def _paragraph(rng: random.Random, sentences: int) -> str:
    return (
        "".join(rng.choice(_PHRASES) + rng.choice("，。；") for _ in range(sentences)).rstrip("，；") + "。"
    )


def make_case(i: int, rng: random.Random) -> dict[str, object]:
    """One valid synthetic case; about 2,300 characters of text in all."""
    vocab = load_vocabularies()
    district = rng.choice(vocab.districts.terms).name
    fields = rng.sample(vocab.fields.names(), rng.randint(1, 3))
    groups = rng.sample(vocab.groups.names(), rng.randint(0, 2))
    return {
        "title": f"案例{i:05d}：" + rng.choice(_PHRASES)[:14],
        "summary": _paragraph(rng, 4)[:190],
        "district": district,
        "fields": fields,
        "groups": groups,
        "tags": rng.sample(
            ["党员亮身份", "联席会议", "驿站", "微讲堂", "楼长制", "网格", "志愿服务", "暖心"], 2
        ),
        "year": rng.randint(1999, 2025),
        "highlights": [rng.choice(_PHRASES) for _ in range(3)],
        "metrics": [{"label": "服务站点", "value": rng.randint(1, 500), "unit": "个"}],
        "background": _paragraph(rng, 12),
        "practice": "\n".join(f"- {_paragraph(rng, 4)}" for _ in range(6)),
        "results": _paragraph(rng, 14),
        "insights": _paragraph(rng, 8),
        "sources": [{"title": f"报道{i}", "publisher": "文汇报", "date": "2023-04-13"}],
    }


def write_cases(folder: Path, n: int, seed: int = 7) -> list[dict[str, object]]:
    """Write ``n`` synthetic case files into ``folder`` (deterministic for a seed)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for i in range(n):
        data = make_case(i, rng)
        (folder / f"case-{i:05d}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        cases.append(data)
    return cases


def write_plain_markdown(docs: Path, cases: list[dict[str, object]]) -> None:
    """The same content as hand-written Markdown pages, for a plain ``mkdocs build`` baseline."""
    (docs / "cases").mkdir(parents=True, exist_ok=True)
    for i, c in enumerate(cases):
        lines = [f"# {c['title']}", "", str(c["summary"]), ""]
        lines += [
            f"- 所在区：{c['district']}",
            f"- 领域：{'、'.join(str(f) for f in c['fields'])}",  # type: ignore[attr-defined]
            f"- 年份：{c['year']}",
            "",
        ]
        lines += ["## 亮点", *[f"- {h}" for h in c["highlights"]], ""]  # type: ignore[attr-defined]
        for key, heading in (
            ("background", "背景"),
            ("practice", "主要做法"),
            ("results", "成效"),
            ("insights", "经验启示"),
        ):
            lines += [f"## {heading}", "", str(c[key]), ""]
        lines += ["## 来源", "", f"1. 《{c['sources'][0]['title']}》，文汇报"]  # type: ignore[index]
        (docs / "cases" / f"case-{i:05d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")


FALLBACK_TEXT = (
    "浦东新区在商圈设立骑手驿站，为外卖骑手提供休息、充电和饮水服务，并组织党员骑手参与社区治理。"
    "静安区街道组织快递员议事会，快递员与物业、居委一起商量小区配送难题，党建引领基层治理。"
    "宝山区在物流园区建设货车司机之家，为长途货车司机提供休息、就餐和党员学习的场所。"
    "杨浦区五角场的哔哩哔哩成立党支部，党支部借助直播和弹幕形式凝聚青年员工。"
    "徐汇区商务楼宇成立党建联盟，覆盖楼宇里的中小企业和白领，开展午间课堂和志愿服务活动。"
)


def corpus() -> str:
    """Chinese text from the real case files (falls back to a built-in sample)."""
    import yaml

    parts = []
    for p in sorted((ROOT / "cases").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        for k in ("title", "summary", "background", "practice", "results", "insights"):
            if isinstance(data.get(k), str):
                parts.append(data[k])
    text = "".join(parts) or FALLBACK_TEXT
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；")


def _usable(phrase: str) -> bool:
    """A drawn phrase that validation accepts as a one-line value (not 「无」, not a whole quotation)."""
    try:
        clean_line(phrase)
    except ValueError:
        return False
    return not none_word(phrase)


def case_from_data(case_id: str, data: dict[str, object]) -> Case:
    """A validated ``Case`` as the loader would produce it from a file named ``<case_id>.yaml``."""
    vocab = load_vocabularies()
    case = Case.model_validate(data, context={"vocab": vocab, "today": _dt.date(2026, 1, 1)})
    return case.bind(case_id, Path(f"cases/{case_id}.yaml"))


def synthetic_cases(n: int, seed: int = 1) -> list[Case]:
    """``n`` real ``Case`` models whose text is random phrases cut from the corpus (realistic bigrams)."""
    rnd = random.Random(seed)
    text = corpus()
    vocab = load_vocabularies()
    districts = [t.name for t in vocab.districts.terms]
    fields_ = [t.name for t in vocab.fields.terms]
    groups = [t.name for t in vocab.groups.terms]

    def phrase(lo: int, hi: int) -> str:
        while True:
            k = rnd.randint(lo, hi)
            i = rnd.randrange(0, max(1, len(text) - k))
            if _usable(text[i : i + k]):
                return text[i : i + k]

    def word(lo: int, hi: int) -> str:
        """A phrase without punctuation (tags and labels are single terms)."""
        while True:
            w = phrase(lo, hi)
            if all("\u4e00" <= ch <= "\u9fff" for ch in w):
                return w

    def para(chars: int) -> str:
        out = []
        total = 0
        while total < chars:
            p = phrase(4, 16)
            out.append(p)
            total += len(p)
        return "，".join(out) + "。"

    cases = []
    for i in range(n):
        data: dict[str, object] = {
            "title": phrase(8, 18),
            "summary": para(110)[:200],
            "district": rnd.choice(districts),
            "fields": rnd.sample(fields_, rnd.randint(1, 2)),
            "groups": rnd.sample(groups, rnd.randint(0, 2)),
            "tags": list(dict.fromkeys(word(2, 5) for _ in range(rnd.randint(1, 3)))),
            "year": rnd.randint(2012, 2025),
            "background": para(300),
            "practice": para(900),
            "results": para(300),
            "insights": para(200),
            "highlights": [phrase(8, 20) for _ in range(3)],
            "metrics": [
                {"label": phrase(2, 6), "value": rnd.randint(1, 5000), "unit": rnd.choice("个名家人")}
            ],
            "sources": [{"title": phrase(6, 20), "publisher": "文汇报", "date": "2023-04-13"}],
        }
        cases.append(case_from_data(f"case-{i:04d}", data))
    return cases
