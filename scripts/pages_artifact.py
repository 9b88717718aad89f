"""Check a GitHub Pages artifact before it is uploaded: the tar that actions/upload-pages-artifact makes.

GitHub refuses to deploy an artifact whose folders are not 0755-like or whose files are not
world-readable (``deployment_perms_error``), and a site over 1 GB; nothing else checks this before
the first real deploy. The CI job builds the tar exactly as the action's script does
(``tar --dereference --hard-dereference --directory DIR -cvf artifact.tar --exclude=.git
--exclude=.github .``) and runs this on it; ``make ci`` runs the same.

    python scripts/pages_artifact.py ARTIFACT.tar      # exit 1 and one line per problem

Messages are Chinese, for whoever reads the CI log.
"""

from __future__ import annotations

import stat
import sys
import tarfile
from pathlib import Path

MAX_SITE_BYTES = 1024**3
"""GitHub Pages: a published site may be no larger than 1 GB."""
MAX_FILE_BYTES = 100 * 1024**2
"""GitHub refuses files over 100 MB in a repository; a site file that large is a mistake here."""
ALLOWED_DOT_ENTRIES = frozenset({".nojekyll", ".well-known"})
REQUIRED = ("index.html", "404.html", "sitemap.xml")
TAR_COMMAND = (
    "tar --dereference --hard-dereference --directory {dir} -cvf {out} --exclude=.git --exclude=.github ."
)
"""actions/upload-pages-artifact v3.0.1, action.yml (Linux)."""


def artifact_problems(path: Path) -> list[str]:
    """Every reason GitHub Pages would refuse or mis-serve the artifact at ``path`` ([] when fine)."""
    problems: list[str] = []
    total = 0
    names: set[str] = set()
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            names.add(name)
            shown = name or "./"
            mode = stat.S_IMODE(member.mode)
            if member.isdir():
                if mode & 0o555 != 0o555 or mode & 0o022:
                    problems.append(f"{shown}: 文件夹权限是 {mode:04o}，应为 0755（否则 Pages 部署失败）")
            elif member.isfile():
                total += member.size
                if mode & 0o444 != 0o444 or mode & 0o022:
                    problems.append(f"{shown}: 文件权限是 {mode:04o}，应为 0644（否则 Pages 部署失败）")
                if member.size > MAX_FILE_BYTES:
                    problems.append(f"{shown}: 文件有 {member.size / 1024**2:.0f} MB，超过 100 MB")
            else:
                problems.append(f"{shown}: 不是普通文件或文件夹（链接或设备文件），不能发布")
            top = name.split("/", 1)[0]
            if top.startswith(".") and top not in ALLOWED_DOT_ENTRIES and top not in (".", ""):
                problems.append(f"{shown}: 以“.”开头的文件不应发布（可能是构建留下的临时文件）")
    if total > MAX_SITE_BYTES:
        problems.append(f"网站共 {total / 1024**3:.2f} GB，超过 GitHub Pages 的 1 GB 上限")
    for required in REQUIRED:
        if required not in names:
            problems.append(f"{required}: 缺少这个文件，网站不完整")
    if "" not in names and "." not in names:
        problems.append("./: 缺少根目录条目（打包命令与 upload-pages-artifact 不一致）")
    return problems


def main(argv: list[str]) -> int:
    """Print each problem of the artifact named in ``argv``; exit 1 if there is any."""
    if len(argv) != 1:
        print("用法：python scripts/pages_artifact.py ARTIFACT.tar", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        problems = artifact_problems(path)
    except (OSError, tarfile.TarError) as exc:
        print(f"{path}: 无法读取发布包（{exc}）", file=sys.stderr)
        return 1
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    print(f"发布包检查通过：{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
