"""Helpers for the form-editor tests: write case data as the CMS does, drive its form."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DUMP_SCRIPT = Path(__file__).with_name("cms_yaml_dump.mjs")
SAVE_OPTIONS = "lineWidth:0,defaultKeyType:`PLAIN`"
"""Part of the bundle's YAML writer call that the dump script copies (checked against the bundle)."""

# A folder in the origin-private file system standing in for a clone of the repository.
STAND_IN_REPOSITORY = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.blockedURI));
window.showDirectoryPicker = async () => {
  const root = await navigator.storage.getDirectory();
  const repo = await root.getDirectoryHandle("repo", { create: true });
  await repo.getDirectoryHandle(".git", { create: true });
  const cases = await repo.getDirectoryHandle("cases", { create: true });
  for (const [name, text] of Object.entries(window.__seedCases || {})) {
    const writer = await (await cases.getFileHandle(name, { create: true })).createWritable();
    await writer.write(text);
    await writer.close();
  }
  return repo;
};
"""


def seed_cases_script(folder: Path) -> str:
    """An init script that puts copies of ``folder``'s case files into the stand-in repository."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}
    return f"window.__seedCases = {json.dumps(files, ensure_ascii=False)};"


def order_like_cms(data: Any, widgets: list[dict[str, Any]]) -> Any:
    """Data as the CMS saves it: keys in the order of the form's fields, empty optional values left out."""
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for w in widgets:
        name = w["name"]
        if name not in data or data[name] in (None, "", []):
            continue
        value = data[name]
        children = w.get("fields")
        if children and isinstance(value, list):
            value = [order_like_cms(v, children) for v in value]
        elif children:
            value = order_like_cms(value, children)
        out[name] = value
    for key, value in data.items():  # keys the form does not know stay, so validation reports them
        out.setdefault(key, value)
    return out


def dump_like_cms(items: list[tuple[str, Any]], folder: Path) -> None:
    """Write each ``(id, data)`` to ``folder/<id>.yaml`` with the CMS's YAML library under node."""
    if shutil.which("node") is None:
        raise AssertionError("找不到 node：请安装 Node.js 后运行 make install")
    payload = json.dumps([{"id": i, "data": d} for i, d in items], ensure_ascii=False)
    subprocess.run(
        ["node", str(DUMP_SCRIPT), str(folder)],
        input=payload,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
