"""A site for the showcase tests: the fixture cases plus an unseen case written by the test."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import yaml

from site_builder.casefile.vocab import load_vocabularies
from tests.support.project import FIXTURE_CASES, build_in_process, make_project

SHOWCASE_URL = "https://example.github.io/site_builder/"
"""The published address the showcase site is built for (an explicit SITE_URL wins over derivation)."""
UNSEEN_ID = "unseen-showcase-case"
UNSEEN_DRAFT_ID = "unseen-showcase-draft"


def unseen_case(seed: int = 15) -> dict[str, Any]:
    """A rich case no fixture has: every list field, a former district, awkward CSV characters."""
    rng = random.Random(seed)
    vocab = load_vocabularies()
    fields = rng.sample(vocab.fields.names(), 3)
    groups = rng.sample(vocab.groups.names(), 2)
    return {
        "title": "闸北“夜间驿站”联合服务点",
        "summary": '原闸北区在商圈设立夜间驿站，为快递员和网约车司机提供热水、充电和法律咨询，逗号, 引号" 和分号；都要原样进入数据文件。',
        "district": "闸北区",
        "locality": "芷江西路街道",
        "fields": fields,
        "groups": groups,
        "tags": ["夜间驿站", "法律咨询", "a,b"],
        "year": 2019,
        "organizations": ["某街道党工委", "某快递网点, 分部"],
        "awards": ["示范点"],
        "highlights": ["夜间开放到凌晨两点", "律师每周值守一次"],
        "metrics": [
            {"label": "服务人次", "value": 12345, "unit": "人次", "note": "截至年底"},
            {"label": "驿站", "value": 2.5, "unit": "个"},
        ],
        "background": '商圈夜间配送多，司机和快递员缺少歇脚处。\n\n第二段，带逗号, 和引号"。\n',
        "practice": "- 设立驿站\n- 律师值守\n",
        "results": "服务人次逐年增加。\n",
        "quotes": [{"text": "晚上也有地方喝口热水了", "speaker": "王师傅", "role": "网约车司机"}],
        "location": {"lat": 31.26, "lon": 121.45},
        "sources": [
            {
                "title": "夜间驿站测试报道",
                "publisher": "测试日报",
                "date": "2019-12",
                "url": "https://example.org/night",
            },
            {"title": "第二篇报道", "publisher": "测试晚报", "date": "12-13", "date_note": "年份据文意推断"},
        ],
        "related": ["couriers-joint-meeting"],
        "status": "published",
        "updated": "2026-06",
    }


def write_showcase_cases(folder: Path) -> Path:
    """The fixture cases, the unseen case and an unseen draft in ``folder``."""
    shutil.copytree(FIXTURE_CASES, folder, dirs_exist_ok=True)
    case = unseen_case()
    (folder / f"{UNSEEN_ID}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    draft = {**unseen_case(16), "title": "未发布的夜间驿站草稿", "status": "draft", "related": []}
    (folder / f"{UNSEEN_DRAFT_ID}.yaml").write_text(
        yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8"
    )
    return folder


def build_showcase_site(base: Path, *, env: dict[str, str] | None = None, out_name: str = "site") -> Path:
    """Build the showcase cases with MkDocs (in this process) into ``base/out_name``; returns the site folder."""
    cases = write_showcase_cases(base / "cases")
    config = make_project(base / "project", cases)
    out = base / out_name
    proc = build_in_process(config, out, env={"SITE_URL": SHOWCASE_URL, **(env or {})})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out
