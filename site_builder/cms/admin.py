"""Write the form editor into the built site at ``/admin/``.

The Sveltia CMS bundle comes from the npm package pinned in ``package.json`` (installed by
``make install`` with ``npm ci``, which checks the package-lock integrity). Here each file is
checked once more against the sha256 recorded below before it is copied, and every outside
address the bundle loads (fonts and icons on jsDelivr, interface strings and the version check on
unpkg.com, the GitHub status check) is pointed at files served beside it, so ``/admin/`` loads
nothing from another host. The page's Content Security Policy allows only this site and the
GitHub API the editor signs in to.

Two things a Pages site cannot do with headers are done by ``guard.js``, which runs before the
editor: it refuses to run inside another site's frame (clickjacking; ``X-Frame-Options`` and
``frame-ancestors`` need HTTP headers), and it keeps the signed-in account (with the GitHub token)
in ``sessionStorage`` instead of ``localStorage``, so the token is gone when the tab is closed
and other tabs of the same origin (every Pages site of the owner shares it) cannot read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.browse import urls
from site_builder.cache import Store, cache_key, cache_root
from site_builder.errors import EnvironmentProblem

PACKAGE = "@sveltia/cms"
VERSION = "0.221.1"
LOCALE = "zh-CN"
UNPKG = "https://unpkg.com/"
VENDOR = "./vendor/"
"""Where the bundle's unpkg.com addresses point instead (relative to /admin/)."""
FONTSOURCE = "https://cdn.jsdelivr.net/fontsource/fonts/"
GITHUB_STATUS = "https://www.githubstatus.com/api/v2/status.json"


@dataclass(frozen=True)
class Vendored:
    """One file taken from a pinned npm package into ``/admin/``; ``url`` is the address it replaces."""

    package: str
    version: str
    file: str
    sha256: str
    dest: str
    url: str | None = None


VENDORED = (
    Vendored(
        PACKAGE,
        VERSION,
        "dist/sveltia-cms.js",
        "2fc783907e1a4a70783f155cc28435c70b8f79792f2aab75e787984e84aa413a",
        f"{urls.ADMIN}sveltia-cms.js",
    ),
    Vendored(
        PACKAGE,
        VERSION,
        f"locales/{LOCALE}.json",
        "d7614d8608207066a1aa144e4cc64bd14a244e31681c60ac60b375ab311f28c7",
        f"{urls.ADMIN}vendor/sveltia-cms@{VERSION}/locales/{LOCALE}.json",
    ),
    Vendored(
        "@fontsource-variable/material-symbols-outlined",
        "5.3.7",
        "files/material-symbols-outlined-latin-wght-normal.woff2",
        "98db9feefa170bf76e9c19d19af6dd62054165efc89c4b506c361e069719e884",
        f"{urls.ADMIN}vendor/fonts/material-symbols-outlined-latin-wght-normal.woff2",
        f"{FONTSOURCE}material-symbols-outlined:vf@5.3.7/latin-wght-normal.woff2",
    ),
    Vendored(
        "@fontsource-variable/source-sans-3",
        "5.3.0",
        "files/source-sans-3-latin-wght-normal.woff2",
        "7a19a7027e125257d310c6dbd78ae3a30b5ea1e3794d60b12bb28227a003bfda",
        f"{urls.ADMIN}vendor/fonts/source-sans-3-latin-wght-normal.woff2",
        f"{FONTSOURCE}source-sans-3:vf@5.3.0/latin-wght-normal.woff2",
    ),
    Vendored(
        "@fontsource/noto-mono",
        "5.3.0",
        "files/noto-mono-latin-400-normal.woff2",
        "2787a2983d94072a2c6262b1992a2642519800a889bd90ca1042d04a89852d58",
        f"{urls.ADMIN}vendor/fonts/noto-mono-latin-400-normal.woff2",
        f"{FONTSOURCE}noto-mono@5.3.0/latin-400-normal.woff2",
    ),
    # A custom preview template (the case page look) is rendered with React, loaded on demand.
    Vendored(
        PACKAGE,
        VERSION,
        "dist/chunks/react-dom.js",
        "e6834ea4cc69293d31245d76953c635ea37783aa5598eb375ea41845cb5e7af6",
        f"{urls.ADMIN}chunks/react-dom.js",
    ),
    # The case preview template hands entries over as Immutable maps; the bundle imports the
    # library from unpkg (as immutable@5.1.9, its declared minimum): the locked copy serves instead.
    Vendored(
        "immutable",
        "5.2.1",
        "dist/immutable.es.js",
        "d2e54f23d5d58510ab23edd8425b2f4ebaee738cff9e5265d35a2877eabe646d",
        f"{urls.ADMIN}vendor/unpkg/immutable@5.1.9/dist/immutable.es.js",
    ),
)

ZH_CN_ADDITIONS: dict[str, Any] = {
    "select_item": "选择 {$name}",
    "sign_in_using_access_token_workflow_note": "由于启用了编辑工作流，令牌还需要有拉取请求（Pull requests）的读写权限。",
    "file_unavailable": "无法使用",
    "file_unavailable_description": "无法加载此文件，它可能已被移动或删除。",
    "replace_file": "替换文件",
    "replace_image": "替换图片",
    "remove_file": "移除文件",
    "remove_image": "移除图片",
    "show_errors": "查看错误",
    "list_item_options": "列表项选项",
    "entry_sidebar": {
        "slug": {
            "title": "案例编号",
            "generated_on_save": "编号在保存时根据条目内容生成。",
            "unavailable": "此条目没有编号。",
        }
    },
    "save_conflict": {
        "title": "条目已被他人修改",
        "modified_by": "{$name} 在您打开此条目之后（{$date}）修改了它。",
        "modified": "您打开此条目之后，仓库中的它已被修改。",
        "deleted": "您打开此条目之后，仓库中的它已被删除。",
        "overwrite_warning": "如果现在保存，对方的修改将会丢失。",
        "recreate_warning": "如果现在保存，此条目将被重新创建。",
        "save_anyway": "仍然保存",
        "branch_moved": "保存时仓库被他人更新了，请重试。",
    },
    "remote_change": {
        "reload_entry": "重新加载条目",
        "confirm_reloading_entry": "确定要重新加载此条目吗？未保存的修改将会丢失。",
    },
    "relation_field": {
        "save_together_hint": "新的{$name}会和正在编辑的条目一起保存。",
        "add_failed": "无法添加{$name}，详情请查看浏览器控制台。",
    },
    "status": {"deploying": "部署中"},
    # the media dialog (choosing or uploading a photo) and deleting: editors see these
    "folders": "文件夹",
    "more_folders": "更多文件夹",
    "back_to_parent_folder": "返回上一级文件夹",
    "new_folder": "新建文件夹",
    "new_folder_name": "文件夹名称",
    "new_folder_create": "创建",
    "new_folder_description": "新文件夹将创建在「{$folder}」中。",
    "new_folder_error": {
        "empty": "文件夹名称不能为空。",
        "invalid": "文件夹名称不能包含斜杠，也不能以点开头。",
        "duplicate": "这里已有同名的文件夹或文件。",
    },
    "creating_folder": "正在创建文件夹…",
    "creating_folder_failed": "无法创建文件夹。",
    "folder_options": "文件夹选项",
    "show_folder_options": "显示文件夹选项",
    "rename_folder": "重命名文件夹",
    "delete_folder": "删除文件夹",
    "enter_new_name_for_folder": ".input {$count :integer} .match $count 0 {{请在下面输入新名称。}} "
    "* {{请在下面输入新名称。文件夹中的 {$count} 个资源会一起移动，使用它们的条目也会随之更新。}}",
    "enter_new_name_for_external_folder": ".input {$count :integer} .match $count 0 {{请在下面输入新名称。}} "
    "* {{请在下面输入新名称。文件夹中的 {$count} 个文件会一起移动，它们的网址会改变，请更新使用它们的条目。}}",
    "confirm_deleting_folder": ".input {$count :integer} .match $count 0 {{确定要删除空文件夹「{$name}」吗？}} "
    "* {{确定要删除文件夹「{$name}」和其中的 {$count} 个资源吗？}}",
    "renaming_folder": "正在重命名文件夹…",
    "renaming_folder_failed": "无法重命名文件夹。",
    "deleting_folder": "正在删除文件夹…",
    "deleting_folder_failed": "无法删除文件夹。",
    "deleting_referenced_assets_note": ".input {$count :integer} .match $count one {{条目中对它的引用也会一并删除。}} "
    "* {{{$count} 个条目中对它的引用也会一并删除。}}",
    "cannot_delete_referenced_assets": ".input {$count :integer} .match $count * "
    "{{无法删除：使用它的条目中的下列字段没有它就不再有效。请先修改这些条目。}}",
    "deleting_referenced_entries_note": ".input {$count :integer} .match $count one {{另一个条目中对它的引用也会一并删除。}} "
    "* {{另外 {$count} 个条目中对它的引用也会一并删除。}}",
    "cannot_delete_referenced_entries": ".input {$count :integer} .match $count * "
    "{{无法删除：其他条目中的下列字段没有它就不再有效。请先修改这些条目。}}",
    "folder_created": "文件夹已创建。",
    "folder_path": "文件夹路径",
    "folder_contents": "内容",
    "x_folders": ".input {$count :integer} .match $count 0 {{没有文件夹}} * {{{$count} 个文件夹}}",
    "folder_renamed": "文件夹已重命名。",
    "folder_deleted": "文件夹已删除。",
    "assets_dialog": {
        "title": {"folder": "选择文件夹"},
        "selected_folder": "已选文件夹：{$path}",
        "selected_folders": ".input {$count :integer} .match $count * {{已选 {$count} 个文件夹}}",
        "no_subfolders": "这个文件夹没有子文件夹。",
    },
    "sign_in_with_link": "使用链接登录",
    "sign_in_with_link_confirmation": "此链接会以 {$account} 的身份登录 {$service}，并复制创建链接的设备上的设置。"
    "只有链接是您自己创建的才继续。",
    "domain": "域名",
    "cloud_storage": {"bunny_storage": {"auth_key_label": "存储区密码"}},
    "workflow": {"deploying_deletion": "删除"},
}
"""Interface strings the pinned zh-CN locale lacks (it falls back to English) on the case form's path."""


def _merge_missing(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_missing(out[key], value)
        else:
            out.setdefault(key, value)
    return out


ZH_CN_RENAMES = {"别名": "案例编号"}
"""Words of the pinned zh-CN strings replaced everywhere: the id is 案例编号 in the form, in every
message of ``site-builder validate`` and in the guide (Sveltia calls it 别名, "alias")."""


def _rename(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v) for k, v in value.items()}
    if isinstance(value, str):
        for old, new in ZH_CN_RENAMES.items():
            value = value.replace(old, new)
    return value


def complete_locale(raw: bytes) -> bytes:
    """The pinned zh-CN strings plus :data:`ZH_CN_ADDITIONS` for keys it lacks (never overriding a
    translation), with the words of :data:`ZH_CN_RENAMES` replaced."""
    merged = _rename(_merge_missing(json.loads(raw.decode("utf-8")), ZH_CN_ADDITIONS))
    return json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; "
    "connect-src 'self' data: blob: https://api.github.com; worker-src 'self' blob:; "
    "frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'none'"
)

INDEX_HTML = """\
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title}</title>
<link href="config.yml" type="application/yaml" rel="cms-config-url">
</head>
<body>
<noscript>案例编辑器需要启用 JavaScript。也可以直接在 GitHub 上编辑 cases/ 文件夹中的文件，见投稿指南。</noscript>
<script src="guard.js?v={version}"></script>
<script src="prefs.js"></script>
<script src="pinyin.js?v={pinyin}"></script>
<script src="sveltia-cms.js?v={version}"></script>
<script src="case-editor.js?v={editor}"></script>
</body>
</html>
"""

PREFS_JS = """\
// Show the editor in Simplified Chinese unless the editor picked another language in its settings.
(function () {
  var key = "sveltia-cms.prefs";
  try {
    var prefs = JSON.parse(localStorage.getItem(key) || "{}") || {};
    if (!prefs.locale) {
      prefs.locale = "LOCALE";
      localStorage.setItem(key, JSON.stringify(prefs));
    }
  } catch (e) {}
})();
""".replace("LOCALE", LOCALE)


_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


def cached_pinyin_script(root: Path) -> bytes:
    """:func:`pinyin_script` from the project's cache ("pinyin" row): it depends on pypinyin's
    version and this code only, and making it imports pypinyin's whole dictionary."""
    store = Store(cache_root(root), "pinyin")
    name = cache_key("pinyin") + ".js"
    script = store.get(name)
    if script is None:
        script = pinyin_script()
        store.put(name, script)
    return script


def pinyin_script() -> bytes:
    """``window.__sbPinyin``: each pinyin syllable and the characters read so (the first reading
    pypinyin gives), for proposing a case id from a Chinese title in the browser (~60 KB)."""
    from pypinyin.pinyin_dict import pinyin_dict

    groups: dict[str, list[str]] = {}
    for point, readings in sorted(pinyin_dict.items()):
        if 0x4E00 <= point <= 0x9FFF:
            syllable = readings.split(",")[0].strip().lower().translate(_TONES)
            if syllable.isascii() and syllable.isalpha():
                groups.setdefault(syllable, []).append(chr(point))
    data = {k: "".join(v) for k, v in sorted(groups.items())}
    return (
        "window.__sbPinyin = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"
    ).encode()


def case_editor_script(cases_dir: str = "cases") -> bytes:
    """``case_editor.js`` with the form's field labels, sections and id rules filled in."""
    from site_builder.casefile.fields import case_fields
    from site_builder.casefile.models import ID_MAX
    from site_builder.cms.config import ID_LABEL
    from site_builder.pages.render import SECTIONS

    form = {
        "collection": "cases",
        "idLabel": ID_LABEL,
        "idMax": ID_MAX,
        "labels": {spec.key: spec.label for spec in case_fields()},
        "sections": [key for key, _ in SECTIONS],
    }
    source = (Path(__file__).parent / "case_editor.js").read_text(encoding="utf-8")
    blob = json.dumps(form, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return source.replace("/*SB_FORM*/ {}", blob).encode("utf-8")


ACCOUNT_KEY = "sveltia-cms.user"
"""Where Sveltia keeps the signed-in account, GitHub token included (its storage wraps localStorage)."""

GUARD_JS = """\
// Runs before the editor. 1. Inside another site's frame the editor does not start (clickjacking:
// Pages cannot send X-Frame-Options). 2. The signed-in account, with its GitHub token, lives in
// sessionStorage: it ends with the tab, and other tabs of this origin never see it.
(function () {
  if (window.top !== window.self) {
    window.CMS_MANUAL_INIT = true;
    document.documentElement.style.display = "none";
    try { window.top.location = window.self.location.href; } catch (e) {}
    return;
  }
  var KEY = "ACCOUNT_KEY";
  var proto = Storage.prototype;
  var get = proto.getItem, set = proto.setItem, remove = proto.removeItem, clear = proto.clear;
  var local, session;
  try { local = window.localStorage; session = window.sessionStorage; } catch (e) { return; }
  try {
    var left = get.call(local, KEY);  // an account an earlier version kept: move it, then forget it
    if (left !== null) { set.call(session, KEY, left); remove.call(local, KEY); }
  } catch (e) {}
  proto.getItem = function (k) { return this === local && k === KEY ? get.call(session, k) : get.call(this, k); };
  proto.setItem = function (k, v) {
    return this === local && k === KEY ? set.call(session, k, v) : set.call(this, k, v);
  };
  proto.removeItem = function (k) {
    return this === local && k === KEY ? remove.call(session, k) : remove.call(this, k);
  };
  proto.clear = function () {
    if (this === local) { remove.call(session, KEY); }
    return clear.call(this);
  };
})();
""".replace("ACCOUNT_KEY", ACCOUNT_KEY)


def find_package(root: Path, package: str) -> Path:
    """An installed npm package: in ``root``'s node_modules, else in the repository beside this code."""
    candidates = [
        root / "node_modules" / package,
        Path(__file__).resolve().parents[2] / "node_modules" / package,
    ]
    for path in candidates:
        if (path / "package.json").is_file():
            return path
    raise EnvironmentProblem(
        f"找不到表单编辑器需要的 npm 包 {package}（{candidates[0]}）：请先运行 make install（其中的 npm ci 会安装它）。"
    )


def load_vendored(root: Path) -> dict[Vendored, bytes]:
    """Read every pinned file and check its package version and sha256; refuse anything else."""
    out: dict[Vendored, bytes] = {}
    for item in VENDORED:
        folder = find_package(root, item.package)
        try:
            version = json.loads((folder / "package.json").read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            version = None
        if version != item.version:
            raise EnvironmentProblem(
                f"npm 包 {item.package} 的版本是 {version}，应为 {item.version}：请运行 make install（npm ci）重新安装。"
            )
        path = folder / item.file
        try:
            raw = path.read_bytes()
        except OSError:
            raise EnvironmentProblem(f"缺少表单编辑器文件 {path}：请运行 make install（npm ci）。") from None
        digest = hashlib.sha256(raw).hexdigest()
        if digest != item.sha256:
            raise EnvironmentProblem(
                f"表单编辑器文件 {path} 的校验值不对（sha256 {digest}，应为 {item.sha256}），"
                "没有复制：请删除 node_modules 后运行 make install。"
            )
        out[item] = raw
    return out


def _replace(script: str, old: str, new: str) -> str:
    if old not in script:
        raise EnvironmentProblem(f"表单编辑器的代码与预期不符（没有找到 {old}），请检查 {PACKAGE} 的版本。")
    return script.replace(old, new)


def localize_bundle(script: str) -> str:
    """Point every outside address the bundle loads at files served beside it under ``/admin/``.

    Fonts and icons come from the vendored font packages, interface strings and the hourly
    version check from ``vendor/sveltia-cms``, optional widgets' modules (maps, code highlighting,
    not used by the case form) from ``vendor/unpkg`` (absent: they fail on this site instead of
    reaching unpkg.com), and the GitHub status check from a file that always says "no incident".
    """
    for item in VENDORED:
        if item.url:
            script = _replace(script, item.url, "./" + item.dest.removeprefix(f"{urls.ADMIN}"))
    script = _replace(script, f"{UNPKG}{PACKAGE}", f"{VENDOR}sveltia-cms")
    script = script.replace(UNPKG, f"{VENDOR}unpkg/")
    return _replace(script, GITHUB_STATUS, f"{VENDOR}githubstatus.json")


def admin_files(
    root: Path, *, repo: str, branch: str, site_url: str, site_name: str, cases_dir: str
) -> dict[str, bytes]:
    """Every file of ``/admin/`` by its path inside the site folder."""
    from site_builder.cms.config import render_cms_config  # the models and Pillow: only when made

    files = {item.dest: raw for item, raw in load_vendored(root).items()}
    locale = f"{urls.ADMIN}vendor/sveltia-cms@{VERSION}/locales/{LOCALE}.json"
    files[locale] = complete_locale(files[locale])
    files[f"{urls.ADMIN}sveltia-cms.js"] = localize_bundle(
        files[f"{urls.ADMIN}sveltia-cms.js"].decode("utf-8")
    ).encode("utf-8")
    config = render_cms_config(
        repo=repo,
        branch=branch,
        site_url=site_url,
        site_name=site_name,
        cases_dir=cases_dir,
        today=dt.date.today(),  # the latest year the form accepts, as validate on this day
    )
    title = f"案例编辑器 · {site_name}" if site_name else "案例编辑器"
    pinyin = cached_pinyin_script(root)
    editor = case_editor_script(cases_dir)
    files.update(
        {
            f"{urls.ADMIN}index.html": INDEX_HTML.format(
                csp=CSP,
                title=html.escape(title),
                version=VERSION,
                pinyin=hashlib.sha256(pinyin).hexdigest()[:12],
                editor=hashlib.sha256(editor).hexdigest()[:12],
            ).encode("utf-8"),
            f"{urls.ADMIN}guard.js": GUARD_JS.encode("utf-8"),
            f"{urls.ADMIN}prefs.js": PREFS_JS.encode("utf-8"),
            f"{urls.ADMIN}pinyin.js": pinyin,
            f"{urls.ADMIN}case-editor.js": editor,
            f"{urls.ADMIN}preview.css": (Path(__file__).parent / "preview.css").read_bytes(),
            f"{urls.ADMIN}config.yml": config.encode("utf-8"),
            # Asked hourly for the newest version: answer with the pinned one, so no update prompt.
            f"{urls.ADMIN}vendor/sveltia-cms/package.json": json.dumps({"version": VERSION}).encode("utf-8"),
            f"{urls.ADMIN}vendor/githubstatus.json": b'{"status": {"indicator": "none"}}\n',
        }
    )
    return dict(sorted(files.items()))


def cached_admin_files(
    root: Path,
    *,
    repo: str,
    branch: str = "main",
    site_url: str = "",
    site_name: str = "",
    cases_dir: str = "cases",
) -> dict[str, Path]:
    """Every file of ``/admin/`` (site path -> its entry in the "admin" cache), made when missing.

    :func:`admin_files` reads and checks 3.5 MB of pinned npm files and renders the form's
    configuration; the result depends on the arguments, the date (the form's latest year), the
    code and those files, so a build whose inputs are unchanged links the entries of the last one.
    The installed files enter the key by their stat (size, times, inode): a reinstall, an edit or
    another checkout is read and checked against its sha256 again.
    """
    store = Store(cache_root(root), "admin")
    args = {
        "repo": repo,
        "branch": branch,
        "site_url": site_url,
        "site_name": site_name,
        "cases_dir": cases_dir,
    }
    name = f"{cache_key('admin', sorted(args.items()), dt.date.today(), _installed_signature(root))}.json"
    blob = store.get(name)
    try:
        manifest = json.loads(blob) if blob is not None else None
    except ValueError:
        manifest = None
    if not (
        isinstance(manifest, dict)
        and manifest
        and all(isinstance(v, str) and store.has(v) for v in manifest.values())
    ):
        manifest = {rel: store.put_content(data) for rel, data in admin_files(root, **args).items()}
        store.put(name, json.dumps(manifest, sort_keys=True).encode("utf-8"))
    return {rel: store.path(content) for rel, content in sorted(manifest.items())}


def _installed_signature(root: Path) -> list[list[object]]:
    """Where each pinned file is installed and its stat (a changed file is read and checked again)."""
    rows: list[list[object]] = []
    for item in VENDORED:
        folder = find_package(root, item.package)
        for path in (folder / "package.json", folder / item.file):
            try:
                st = path.stat()
            except OSError:
                rows.append([str(path), None])
                continue
            rows.append([str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return rows
