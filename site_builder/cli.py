"""``site-builder``: validate case files, start a new case, build the site safely."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.errors import CaseError, InternalError, Location, display_path, format_errors

# Each command imports what it uses: `validate` on unchanged cases reads its caches and never
# loads YAML, Pillow, the search code or MkDocs.


def _print_errors(errors: list[CaseError], annotate: bool) -> None:
    if not errors:
        return
    print(format_errors(errors), file=sys.stderr)
    if annotate:
        for e in errors:
            print(e.github_annotation())


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate case files; exit 1 if any error (or, with --strict, any warning).

    Within ``cases/`` each clean file's checks and the cross-case findings are kept in the
    project's cache (:class:`~site_builder.casefile.loader.CheckedPack`,
    :func:`~site_builder.casefile.loader.remembered_findings`): a run re-checks only what changed.
    """
    from site_builder.cache import cache_root, save_stamps
    from site_builder.casefile.loader import check_cache, use_check_cache

    paths = [Path(p) for p in args.paths] or [Path("cases")]
    root = _cases_root(paths)
    before = check_cache()
    if root is not None:  # the build then finds each photo already processed, and each case checked
        cache = cache_root(root.resolve().parent)
        use_check_cache(cache)
        if _has_photos(root):
            from site_builder.media.photos import use_photo_cache

            use_photo_cache(cache / "images")
    try:
        return _validate(paths, root, args.strict)
    finally:
        use_check_cache(before)
        save_stamps()


def _validate(paths: list[Path], root: Path | None, strict: bool) -> int:
    """The checks of :func:`cmd_validate`, its report printed; the exit code."""
    from site_builder.casefile.loader import load_cases, remembered_findings
    from site_builder.checks.tags import one_case_tags

    result = load_cases(paths, cases_root=root)
    errors = list(result.errors)
    config = Path("mkdocs.yml")
    if root is not None and config.is_file():  # what the build would refuse to publish, named here too
        from site_builder import sitedir

        published = [f for f in _source_folders(config.resolve())[1:3] if f.is_dir()]
        for problem in sitedir.symlink_problems(published, Path.cwd()):
            shown, _, message = problem.partition(": ")
            errors.append(CaseError(Location(shown), "", message))
    given = {g.resolve() for g in paths if g.is_file()}
    named = {
        c.id for c in result.cases if given and c.source_path is not None and c.source_path.resolve() in given
    }
    if result.cases:
        counts = _tag_counts(root, result.cases) if named else None
        options = (strict, sorted(named), sorted((counts or {}).items()), [str(p.resolve()) for p in paths])
        errors.extend(
            remembered_findings(
                result,
                "validate",
                options,
                lambda: _collection_findings(result, paths, strict, named, counts),
            )
        )
    if _cases_root(paths) is not None:  # the whole project: strays, links to renamed or deleted cases
        from site_builder.checks.strays import find_stray_cases, loose_photo_problems

        broken = {Path(e.path) for e in errors if e.severity == "error" and e.path.endswith(".yaml")}
        if any(e.field.startswith("related[") for e in errors):  # only these can name a former case
            from site_builder.history import explain_references

            errors = explain_references(errors, Path.cwd())
        errors = (
            errors
            + find_stray_cases(Path.cwd())
            + loose_photo_problems(Path("cases"), result.cases, sorted(broken))
        )
    errors.sort()
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    _print_errors(errors, annotate)
    failed = any(e.severity == "error" for e in errors) or (strict and errors)
    if not failed:
        n = len(result.cases)
        print(f"检查通过：{n} 个案例，{sum(1 for e in errors if e.severity == 'warning')} 条提醒。")
    lonely = one_case_tags([c for c in result.cases if c.id not in named]) if len(result.cases) > 1 else []
    if lonely:
        print(
            f"另有 {len(lonely)} 个标签只有一个案例使用（例如「{'」「'.join(lonely[:3])}」）："
            "site-builder summary 和 site-builder validate <文件> 会逐个列出，并给出相近的已有标签。"
        )
    return 1 if failed else 0


def _collection_findings(
    result: Any, paths: list[Path], strict: bool, named: set[str], counts: Counter[str] | None
) -> list[CaseError]:
    """What ``validate`` finds across cases: the cross-case lints and the search's colloquial table."""
    from site_builder.checks.lint import lint_cases
    from site_builder.outputs.search.vocabulary import check_colloquial_cases

    found = lint_cases(
        result.cases,
        result.positions,
        strict=strict,
        tag_hints=named,
        tag_counts=counts,
        known=result.findings,
    )
    return found + check_colloquial_cases(result.cases, paths)


def _has_photos(root: Path) -> bool:
    """Whether anything besides case files lies under ``root`` (photos to check with Pillow)."""
    return any(not name.endswith(".yaml") for _folder, _dirs, files in os.walk(root) for name in files)


def _tag_counts(root: Path | None, cases: list[Any]) -> Counter[str]:
    """How many cases use each tag: all of ``cases/`` when the files checked are part of it, so a tag
    shared with a case not named on the command line is not reported as used once."""
    import yaml

    from site_builder.checks.tags import count_tags

    counts = count_tags(cases)
    if root is None:
        return counts
    loaded = {c.id for c in cases}
    for path in sorted(root.glob("*.yaml")):
        if path.stem in loaded:
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        tags = data.get("tags") if isinstance(data, dict) else None
        if isinstance(tags, list):
            counts.update({t for t in tags if isinstance(t, str)})
    return counts


def _cases_root(paths: list[Path]) -> Path | None:
    default = Path("cases")
    if default.is_dir() and all(p.resolve().is_relative_to(default.resolve()) for p in paths):
        return default
    return None


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented skeleton case ``cases/<id>.yaml`` that editors fill in."""
    from site_builder.casefile.models import ID_MAX, ID_PATTERN
    from site_builder.casefile.skeleton import DEFAULT_YEAR, SKELETON
    from site_builder.casefile.vocab import load_vocabularies

    case_id: str = args.id
    if not re.match(ID_PATTERN, case_id) or len(case_id) > ID_MAX:
        print(
            f"编号「{case_id}」不符合要求：只能由小写英文字母、数字和连字符组成，最多 {ID_MAX} 个字符，"
            "例如 pudong-golden-helmet-riders",
            file=sys.stderr,
        )
        return 2
    target = Path(args.dir) / f"{case_id}.yaml"
    if target.exists():
        print(f"{target} 已经存在，没有覆盖。", file=sys.stderr)
        return 2
    vocab = load_vocabularies()
    interactive = sys.stdin.isatty() and not args.no_input

    def ask(value: str | None, prompt: str, default: str) -> str:
        if value:
            return value
        if interactive:
            answer = input(f"{prompt}（回车使用「{default}」）：").strip()
            return answer or default
        return default

    title = ask(args.title, "标题", "……")
    district = ask(args.district, "所在区", "……")
    field = ask(args.field, "领域", vocab.fields.names()[0])
    year = ask(args.year, "年份", DEFAULT_YEAR)
    for value, voc, label in ((district, vocab.districts, "区"), (field, vocab.fields, "领域")):
        if value != "……" and voc.resolve(value) is None:
            hint = voc.suggest(value)
            print(
                f"未知的{label}「{value}」" + (f"，您是不是要找「{hint}」？" if hint else ""), file=sys.stderr
            )
            return 2
    if not year.isdigit():
        print(f"年份「{year}」应为整数，例如 2021", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        SKELETON.format(
            title=title,
            district=district,
            field=field,
            year=year,
            fields="、".join(vocab.fields.names()),
            groups="、".join(vocab.groups.names()),
        ),
        encoding="utf-8",
    )
    print(f"已创建 {target}。填写后运行 site-builder validate {target} 检查。")
    return 0


GUIDE_PATH = Path("docs/guide.md")


def cmd_schema(args: argparse.Namespace) -> int:
    """Write (or with --check, compare) the committed JSON Schema and the guide's field table."""
    from site_builder.casefile.fields import fill_guide_table
    from site_builder.casefile.jsonschema import SCHEMA_PATH, render_schema

    code = _write_or_check(
        Path(args.output or SCHEMA_PATH), render_schema(), args.check, "请运行 site-builder schema"
    )
    if GUIDE_PATH.exists():
        guide = fill_guide_table(GUIDE_PATH.read_text(encoding="utf-8"))
        code = max(
            code, _write_or_check(GUIDE_PATH, guide, args.check, "字段表过期了，请运行 site-builder schema")
        )
    return code


def _write_or_check(path: Path, text: str, check: bool, stale: str) -> int:
    """Write a generated file, or with ``check`` only say (exit 1) when the committed one is stale."""
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} 已过期：{stale}", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"已写入 {path}")
    return 0


def _source_folders(config: Path) -> list[Path]:
    """The folders a build reads (cases, docs, theme) according to ``config``."""
    from site_builder.publish import read_mkdocs_yml

    data = read_mkdocs_yml(config)
    root = config.parent
    theme = data["theme"] if isinstance(data.get("theme"), dict) else {}
    cases = "cases"
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("site_builder"), dict):
            cases = str(plugin["site_builder"].get("cases_dir") or cases)
    names = [cases, str(data.get("docs_dir") or "docs"), str(theme.get("custom_dir") or "theme"), ".git"]
    return [root / n for n in names]


def cmd_cms_config(args: argparse.Namespace) -> int:
    """Write (or with --check, compare) the form editor's configuration generated from the models."""
    from site_builder.cms.config import project_settings, render_cms_config

    settings = project_settings(Path(args.config))
    text = render_cms_config(branch=args.branch, cases_dir=args.cases_dir, **settings)
    return _write_or_check(
        Path(args.output), text, args.check, "案例字段或词表改了，请运行 site-builder cms-config"
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Build with the chosen engine into a scratch folder, check it, then swap it into place.

    A failed or interrupted build (invalid case, strict-mode warning, crash, Ctrl-C) and a site
    that lacks a published case's page, search entry or data row (an engine that skipped the
    ``site_builder`` plugin) leave the previous site untouched; a target that holds sources is
    refused before anything runs.
    """
    from site_builder import sitedir

    config = Path(args.config).resolve()
    target = Path(args.site_dir).resolve()
    reason = sitedir.refuse_reason(target, config.parent, _source_folders(config))
    if reason:
        print(f"没有构建：{reason}。", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    sitedir.recover(target)
    sitedir.clean_leftovers(target)
    # MkDocs builds over the last site in place (only what changed is written); Zensical's adapter
    # merges its pages into an empty folder
    with sitedir.scratch_folder(target, reuse=args.engine == "mkdocs") as scratch:
        made = sitedir.identity(scratch)
        code = (
            _render_with_drafts(args.engine, config, scratch)
            if args.offline
            else _render(args.engine, config, scratch)
        )
        if code == 0:
            sitedir.localize_theme_scripts(scratch)  # whichever engine: no CDN script in the theme bundle
            code = _check_built(config, scratch)
        if code == 0 and args.offline:
            from site_builder.outputs.offline import make_offline

            make_offline(scratch)
        if code == 0:
            try:
                sitedir.swap_in(scratch, target, expected=made)
            except sitedir.ScratchLost:
                print(
                    f"构建期间临时文件夹「{scratch}」被其他程序删除或替换，生成的网站不完整，没有发布。请重新构建。",
                    file=sys.stderr,
                )
                code = 1
    if code != 0:
        kept = "之前的网站保持不变" if target.exists() else "没有生成网站"
        print(f"构建失败，{kept}（{target}）。", file=sys.stderr)
        return 1
    print(f"网站已生成：{target}" + ("（离线预览版：双击 index.html 即可打开）" if args.offline else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """``make serve``: build, serve with live reload, and show a saved case before the rest follows."""
    import logging

    from site_builder.serve import serve

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        print(f"地址「{args.dev_addr}」应写成 主机:端口，例如 127.0.0.1:8000", file=sys.stderr)
        return 2
    saved = {key: os.environ.get(key) for key in ("SITE_URL", "NO_MKDOCS_2_WARNING")}
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}/")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # the plugin prints the project's own notice
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    root = logging.getLogger("mkdocs")
    before = (root.level, root.propagate)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    try:
        return serve(Path(args.config).resolve(), host, int(port), args.engine)
    finally:
        root.removeHandler(handler)
        root.setLevel(before[0])
        root.propagate = before[1]
        for key, value in saved.items():  # called in process (tests), the address must not outlive the server
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _render_with_drafts(engine: str, config: Path, out: Path) -> int:
    """:func:`_render` with drafts shown with their banner: the pull request's preview (never
    published). The guard then checks the published cases, as drafts have no data rows."""
    before = os.environ.get("SITE_BUILDER_DRAFTS")
    os.environ["SITE_BUILDER_DRAFTS"] = "always"
    try:
        return _render(engine, config, out)
    finally:
        if before is None:
            os.environ.pop("SITE_BUILDER_DRAFTS", None)
        else:
            os.environ["SITE_BUILDER_DRAFTS"] = before


def _render(engine: str, config: Path, out: Path) -> int:
    """Render the site of ``config`` into ``out`` with ``engine``; the exit code."""
    from site_builder.engines import run_mkdocs
    from site_builder.engines.zensical import plugin_options
    from site_builder.publish import read_mkdocs_yml

    if engine == "mkdocs":
        code = run_mkdocs(config, out)
        if code != 0 and plugin_options(read_mkdocs_yml(config)) is None:
            print(
                f"{config.name} 的 plugins 里没有 site_builder：案例页面、搜索和数据都由它生成，请加回去。",
                file=sys.stderr,
            )
        return code
    from site_builder.engines import NOTICE, zensical
    from site_builder.errors import CaseFileError, EnvironmentProblem

    logging.basicConfig(format="%(levelname)-7s -  %(message)s", level=logging.INFO)
    warnings = _WarningCount()
    logging.getLogger("mkdocs.plugins.site_builder").addHandler(warnings)
    print(f"INFO    -  {NOTICE}", file=sys.stderr)
    try:
        zensical.render_site(config, out)
    except CaseFileError as exc:
        print("案例文件有错误，网站没有生成：\n" + str(exc), file=sys.stderr)
        return 1
    except (EnvironmentProblem, zensical.EngineFailed) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        logging.getLogger("mkdocs.plugins.site_builder").removeHandler(warnings)
    if warnings.count:  # as `mkdocs build --strict` does with the same warnings
        print(f"构建中有 {warnings.count} 条警告（严格模式），见上文。", file=sys.stderr)
        return 1
    return 0


class _WarningCount(logging.Handler):
    """Counts the build's warnings, which fail it (the Zensical path's ``--strict``)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _check_built(config: Path, out: Path) -> int:
    """The guard (:mod:`site_builder.engines.guard`): 1 with a message when a published case is missing."""
    from site_builder.engines.guard import check_site, failure_message, published_case_ids
    from site_builder.engines.zensical import read_project

    ids, errors = published_case_ids(read_project(config, site_dir=out))
    if errors:
        print("案例文件有错误，网站没有发布：\n" + format_errors(errors), file=sys.stderr)
        return 1
    problems = check_site(out, ids)
    if problems:
        print(failure_message(problems), file=sys.stderr)
        return 1
    return 0


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _photo_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths or ["cases"]:
        p = Path(raw)
        if p.is_dir():
            found += sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in PHOTO_SUFFIXES and not f.is_symlink()
            )
        else:
            found.append(p)
    return found


def cmd_photos_fix(args: argparse.Namespace) -> int:
    """Rewrite committed photos in place: no location or other metadata, no bigger than the site needs."""
    from site_builder.media.photos import FIX_MAX_SIDE, ImageRejectedError, fix_photo

    files = _photo_files(args.paths)
    failed = fixed = 0
    for path in files:
        shown = display_path(path)
        if not path.is_file():
            print(f"{shown}：找不到这个文件", file=sys.stderr)
            failed += 1
            continue
        try:
            done = fix_photo(path, force=args.all)
        except (ImageRejectedError, OSError) as exc:
            print(f"{shown}：没有处理，{exc}", file=sys.stderr)
            failed += 1
            continue
        if done is None:
            print(f"{shown}：不需要处理")
            continue
        fixed += 1
        mb = 1024 * 1024
        what = [f"{done.before[0]}×{done.before[1]} → {done.after[0]}×{done.after[1]} 像素"]
        what.append(f"{done.bytes_before / mb:.1f} MB → {done.bytes_after / mb:.1f} MB")
        if done.had_gps:
            what.append("去掉了 GPS 定位")
        print(f"{shown}：已处理（{'，'.join(what)}，其他拍摄信息也已去掉）")
    if not files:
        print("没有找到照片（只处理 .jpg、.jpeg、.png、.webp）。")
    else:
        print(
            f"共 {len(files)} 张照片，处理了 {fixed} 张（最长边不超过 {FIX_MAX_SIDE} 像素）。请提交改过的文件。"
        )
    return 1 if failed else 0


def cmd_rename(args: argparse.Namespace) -> int:
    """Rename a case, update the links to it, and keep its old address (a redirect page)."""
    from site_builder.history import ADDRESSES_FILE, rename_case

    try:
        done = rename_case(Path.cwd(), args.old, args.new, args.cases_dir)
    except ValueError as exc:
        print(f"没有改名：{exc}", file=sys.stderr)
        return 2
    how = "（git mv）" if done.moved_with_git else ""
    print(f"已改名{how}：{args.cases_dir}/{args.old}.yaml → {args.cases_dir}/{args.new}.yaml")
    for path in done.updated:
        print(f"已更新 related：{display_path(path)}")
    print(
        f"已记入 {ADDRESSES_FILE}：旧地址 cases/{args.old}/ 会跳转到 cases/{args.new}/。请把这些改动一起提交。"
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Write the pull request's table of changed cases (to $GITHUB_STEP_SUMMARY when set, and stdout)."""
    from site_builder.checks.summary import write_changed_page, write_summary

    try:
        if args.preview_dir:
            print(f"已写入 {write_changed_page(Path.cwd(), args.base, Path(args.preview_dir))}")
            return 0
        print(write_summary(Path.cwd(), args.base, dict(os.environ)), end="")
    except (RuntimeError, OSError) as exc:
        print(f"无法生成检查摘要（需要在 git 仓库里运行）：{exc}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (Chinese help for editors)."""
    parser = argparse.ArgumentParser(
        prog="site-builder", description="上海新兴领域党建案例库：检查案例、生成网站"
    )
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="检查案例文件（默认检查 cases/ 文件夹）")
    v.add_argument("paths", nargs="*", help="案例文件或文件夹")
    v.add_argument("--strict", action="store_true", help="把提醒也当作错误")
    v.set_defaults(func=cmd_validate)
    n = sub.add_parser("new", help="新建一个案例模板 cases/<编号>.yaml")
    n.add_argument("id", help="案例编号，例如 pudong-golden-helmet-riders")
    n.add_argument("--title")
    n.add_argument("--district")
    n.add_argument("--field")
    n.add_argument("--year")
    n.add_argument("--dir", default="cases")
    n.add_argument("--no-input", action="store_true", help="不提问，直接写出模板")
    n.set_defaults(func=cmd_new)
    s = sub.add_parser("schema", help="生成 JSON Schema（编辑器自动补全用）")
    s.add_argument("--output", help="默认 schema/case.schema.json")
    s.add_argument("--check", action="store_true", help="只检查是否过期")
    s.set_defaults(func=cmd_schema)
    m = sub.add_parser("cms-config", help="生成表单编辑器（/admin/）的配置")
    m.add_argument("--output", default="schema/cms-config.yml")
    m.add_argument("--config", default="mkdocs.yml", help="从中读取仓库地址和网站地址")
    m.add_argument("--branch", default="main")
    m.add_argument("--cases-dir", default="cases")
    m.add_argument("--check", action="store_true", help="只检查是否过期")
    m.set_defaults(func=cmd_cms_config)
    b = sub.add_parser("build", help="构建网站（失败时保留之前的网站）")
    b.add_argument("--site-dir", default="site")
    b.add_argument("--config", default="mkdocs.yml")
    b.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help="渲染引擎：mkdocs（默认，经 site_builder 插件）或 zensical（Material 的后继者，经适配器）",
    )
    b.add_argument(
        "--offline", action="store_true", help="生成可以双击 index.html 直接打开的预览版（不用于发布）"
    )
    b.set_defaults(func=cmd_build)
    sv = sub.add_parser(
        "serve", help="构建并在本机预览；保存案例后先显示它的页面，其余随后更新（make serve）"
    )
    sv.add_argument("--config", "-f", default="mkdocs.yml")
    sv.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="主机:端口（默认 127.0.0.1:8000）")
    sv.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help="渲染预览的引擎：mkdocs（默认，进程内常驻）或 zensical（Zensical 自己的预览服务器渲染页面）",
    )
    sv.set_defaults(func=cmd_serve)
    r = sub.add_parser("rename", help="给案例改名：更新其他案例的 related，旧地址自动跳转到新地址")
    r.add_argument("old", help="原来的案例编号")
    r.add_argument("new", help="新的案例编号")
    r.add_argument("--cases-dir", default="cases")
    r.set_defaults(func=cmd_rename)
    ph = sub.add_parser("photos", help="处理照片")
    photos_sub = ph.add_subparsers(dest="photos_command", required=True)
    pf = photos_sub.add_parser(
        "fix",
        help="就地改写照片：去掉拍摄地点等信息，缩小到网站需要的大小，方向不变（默认处理 cases/ 里的全部照片）",
    )
    pf.add_argument("paths", nargs="*", help="照片文件或文件夹（默认 cases）")
    pf.add_argument("--all", action="store_true", help="没有问题的照片也重新保存（去掉全部拍摄信息）")
    pf.set_defaults(func=cmd_photos_fix)
    m = sub.add_parser("summary", help="列出本次改动的案例及其检查结果（写入 GitHub 的运行摘要）")
    m.add_argument("--base", help="与哪个提交比较（默认：合并提交的第一个父提交，或 main）")
    m.add_argument(
        "--preview-dir", help="只在这个预览文件夹里写出 changed.html（直接打开本次改动的页面），不写摘要"
    )
    m.set_defaults(func=cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``site-builder`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InternalError as exc:
        print(f"site_builder 内部错误（请报告给开发者）：{exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
