"""How a source date reads on a case page: no leading zeros, partial dates kept partial."""

from __future__ import annotations

import pytest

from site_builder.pages.render import template_env


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("2007-12-29", "2007年12月29日"),
        ("2023-04", "2023年4月"),
        ("2021", "2021年"),
        ("12-13", "12月13日"),
        ("09-10", "9月10日"),
    ],
)
def test_source_date_is_written_the_chinese_way(raw: str, shown: str) -> None:
    assert template_env().filters["cndate"](raw) == shown
