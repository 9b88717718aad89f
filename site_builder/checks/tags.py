"""How many cases use each tag: kept apart from the lints, so ``validate`` on unchanged cases
counts the tags used once without importing the lint tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any


def count_tags(cases: Sequence[Any]) -> Counter[str]:
    """How many cases use each tag."""
    return Counter(t for case in cases for t in set(getattr(case, "tags", None) or ()))


def one_case_tags(cases: Sequence[Any]) -> list[str]:
    """Tags exactly one case uses (what ``validate`` over the whole folder counts in one line)."""
    return sorted(t for t, n in count_tags(cases).items() if n == 1)
