"""Cases are written anew: no run of 25+ characters shared with a source article.

The articles live outside the repository, in ``../shared/sources/`` beside the clone (or the
folder named by ``$SITE_BUILDER_SOURCES``). The repository check runs everywhere on the shipped
hashed windows of the articles (``tests/fixtures/source_shingles.txt``, written by
``tools/source_shingles.py``); where the articles are present, tests also check that the file is
current and finds what the articles' text finds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.copycheck import (
    DEFAULT_MIN_RUN,
    SHINGLES_FILE,
    Article,
    ShingleIndex,
    case_text_fields,
    check_case,
    find_runs,
    find_sources_dir,
    load_articles,
    normalize,
    render_shingles,
)

ROOT = Path(__file__).resolve().parent.parent
CASE_FILES = sorted((ROOT / "cases").glob("*.yaml"))
SOURCES = find_sources_dir(ROOT)


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    if SOURCES is None:
        pytest.skip(
            "未找到来源文章目录 ../shared/sources/（也可用环境变量 SITE_BUILDER_SOURCES 指定）："
            "跳过与原文的核对（照搬检查已用随仓库提供的哈希片段运行）"
        )
    found = load_articles(SOURCES)
    assert found, f"{SOURCES} 中没有文章（*.md）"
    return found


@pytest.fixture(scope="module")
def shingles() -> ShingleIndex:
    return ShingleIndex.load()


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_does_not_copy_articles(path: Path, shingles: ShingleIndex) -> None:
    runs = check_case(path, shingles, DEFAULT_MIN_RUN)
    assert not runs, (
        f"与来源文章相同的连续文字达到 {DEFAULT_MIN_RUN} 个字或以上，请用自己的话重写：\n"
        + "\n".join(run.describe() for run in runs)
    )


def test_shipped_shingles_are_current(articles: list[Article]) -> None:
    assert SHINGLES_FILE.read_text(encoding="utf-8") == render_shingles(articles), (
        f"{SHINGLES_FILE.name} 与来源文章不一致：请运行 .venv/bin/python tools/source_shingles.py"
    )


def test_shingles_find_what_the_articles_find(
    articles: list[Article], shingles: ShingleIndex, tmp_path: Path
) -> None:
    """Every real case, and a made-up case with runs of 24, 25 and 40 characters planted from each article."""
    for path in CASE_FILES:
        assert check_case(path, shingles, DEFAULT_MIN_RUN) == check_case(path, articles, DEFAULT_MIN_RUN)
    planted = {
        "practice": "".join(f"自己的话{a.text[100:140]}" for a in articles),
        "highlights": [a.text[200:225] for a in articles] + [a.text[300:324] for a in articles],
    }
    case = _case(tmp_path, **planted)
    runs = check_case(case, shingles, DEFAULT_MIN_RUN)
    assert runs == check_case(case, articles, DEFAULT_MIN_RUN)
    assert sorted((r.field, r.length) for r in runs) == sorted(
        [("practice", 40)] * len(articles) + [(f"highlights[{i}]", 25) for i in range(len(articles))]
    )
    assert all(r.article_offset in (100, 200) for r in runs)


# The checker itself, on a made-up pair: an "article" in traditional script with ASCII and
# full-width punctuation, and a "case" in simplified script with other punctuation.
PLANTED_25 = "区委组织部联合七家职能部门在区级层面组建快递外卖联"
ARTICLE = (
    "# 樣例文章\n\n前面是一段無關的文字。區委組織部, 聯合七家職能部門「在區級層面」組建快遞外賣聯席會議。"
    "後面還有別的話：騎手驛站共有三十二個。"
)


def _case(tmp_path: Path, **fields: object) -> Path:
    path = tmp_path / "made-up.yaml"
    path.write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")
    return path


def test_normalize_folds_script_and_drops_punctuation() -> None:
    assert normalize("區委組織部, 聯合「七家」——職能部門！") == "区委组织部联合七家职能部门"
    assert normalize("Ｂ站　２０２３年") == "b站2023年"
    assert normalize("文商旅融郃、躰驗") == "文商旅融合体验"


def test_finds_planted_run_across_punctuation_and_script(tmp_path: Path) -> None:
    assert len(PLANTED_25) == 25
    case_text = "背景：" + "区委组织部，联合七家职能部门在区级层面——组建快递外卖联" + "。其余是自己写的话。"
    assert normalize(case_text).count(PLANTED_25) == 1
    case = _case(tmp_path, title="样例", practice=case_text)
    runs = check_case(case, [Article("article.md", normalize(ARTICLE))], 25)
    assert [(r.field, r.article, r.text, r.length) for r in runs] == [
        ("practice", "article.md", PLANTED_25, 25)
    ]


def test_does_not_flag_a_24_character_run(tmp_path: Path) -> None:
    case_text = "背景：" + "区委组织部，联合七家职能部门在区级层面——组建快递外卖" + "，其余是自己写的话。"
    case = _case(tmp_path, practice=case_text)
    article = [Article("article.md", normalize(ARTICLE))]
    assert check_case(case, article, 25) == []
    runs = check_case(case, article, 24)
    assert [r.length for r in runs] == [24]


def test_quotes_and_source_titles_are_exempt_other_strings_are_not(tmp_path: Path) -> None:
    copied = "区委组织部联合七家职能部门在区级层面组建快递外卖联席会议"
    case = _case(
        tmp_path,
        quotes=[{"text": copied, "speaker": "某人"}],
        sources=[{"title": copied, "publisher": "某报", "date_note": "无"}],
        metrics=[{"label": "站点", "value": 1, "note": copied}],
        highlights=["自己写的", copied],
    )
    runs = check_case(case, [Article("article.md", normalize(ARTICLE))], DEFAULT_MIN_RUN)
    assert sorted({r.field for r in runs}) == ["highlights[1]", "metrics[0].note"]
    assert [field for field, _ in case_text_fields({"sources": [{"title": "x", "publisher": "y"}]})] == [
        "sources[0].publisher"
    ]


def test_shingles_find_the_planted_run_and_say_where(tmp_path: Path) -> None:
    """The hashed windows of the made-up article find the planted run with both positions, not 24."""
    index = ShingleIndex.from_articles([Article("article.md", normalize(ARTICLE))])
    case_text = "背景：" + "区委组织部，联合七家职能部门在区级层面——组建快递外卖联" + "。其余是自己写的话。"
    runs = check_case(_case(tmp_path, title="样例", practice=case_text), index)
    assert [(r.field, r.article, r.text, r.length, r.raw_offset) for r in runs] == [
        ("practice", "article.md", PLANTED_25, 25, 3)
    ]
    assert runs[0].article_offset == normalize(ARTICLE).index(PLANTED_25)
    assert runs[0].describe() == (
        f"made-up.yaml: practice（第 4 个字起）: 与《article.md》（去掉标点后第 {runs[0].article_offset + 1} "
        f"个字起）相同的 25 个字：{PLANTED_25}"
    )
    shorter = "背景：" + "区委组织部，联合七家职能部门在区级层面——组建快递外卖" + "。"
    assert check_case(_case(tmp_path, practice=shorter), index) == []
    with pytest.raises(ValueError):
        index.runs(normalize(shorter), 24)
    shipped = tmp_path / "shingles.txt"
    shipped.write_text(render_shingles([Article("article.md", normalize(ARTICLE))]), encoding="utf-8")
    assert ShingleIndex.load(shipped).articles == index.articles
    shipped.write_text(shipped.read_text(encoding="utf-8").rsplit("\n", 2)[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        ShingleIndex.load(shipped)


def test_find_runs_reports_maximal_runs_only() -> None:
    runs = find_runs("abcdefxyz", "zzabcdefzz", 3)
    assert runs == [(0, 2, 6)]
    assert find_runs("ab", "abc", 3) == []


def test_sources_are_found_beside_the_clone_or_its_main_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SITE_BUILDER_SOURCES", raising=False)
    clone = tmp_path / "work" / "repo"
    clone.mkdir(parents=True)
    assert find_sources_dir(clone) is None

    sources = tmp_path / "work" / "shared" / "sources"
    sources.mkdir(parents=True)
    assert find_sources_dir(clone) is None, "an empty folder holds no articles"
    (sources / "README.md").write_text("说明", encoding="utf-8")
    assert find_sources_dir(clone) is None, "a README is not an article"
    (sources / "a.md").write_text("文章", encoding="utf-8")
    assert find_sources_dir(clone) == sources
    assert [a.name for a in load_articles(sources)] == ["a.md"]

    # A linked worktree elsewhere finds the folder beside its main checkout.
    gitdir = clone / ".git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = tmp_path / "elsewhere" / "wt"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n", encoding="utf-8")
    assert find_sources_dir(worktree) == sources

    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text("文章", encoding="utf-8")
    monkeypatch.setenv("SITE_BUILDER_SOURCES", str(other))
    assert find_sources_dir(worktree) == other
