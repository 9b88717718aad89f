"""The one parallel helper: same results as serial, failures reported, never a hang."""

from __future__ import annotations

import pytest

from site_builder import parallel
from site_builder.errors import InternalError


def _square_all(items: list[int]) -> list[int]:
    return [i * i for i in items]


def test_split_keeps_order_and_balance() -> None:
    chunks = parallel.split(list(range(10)), 3)
    assert chunks == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert parallel.split([1], 4) == [[1]]


def test_map_chunks_forked_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    items = list(range(50))
    serial = parallel.map_chunks(_square_all, items, allow=False)
    monkeypatch.setattr(parallel, "cpu_count", lambda: 3)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)  # other tests' servers run threads here
    assert parallel.should_split(len(items), threshold=2)
    assert parallel.map_chunks(_square_all, items, threshold=2) == serial


def test_env_overrides_every_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_FROM", "2")
    assert parallel.should_split(2, threshold=10_000)
    monkeypatch.setenv("SITE_BUILDER_PARALLEL_FROM", "999999")
    assert not parallel.should_split(5_000)


def test_a_failing_child_raises_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)

    def boom(items: list[int]) -> list[int]:
        if 0 not in items:
            raise ValueError("bad chunk")
        return items

    with pytest.raises(InternalError, match="bad chunk"):
        parallel.map_chunks(boom, list(range(10)), threshold=2)


def test_fork_call_returns_the_value() -> None:
    assert parallel.fork_call(lambda: sum(range(100))).result() == 4950


def test_no_fork_beside_other_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("threading.active_count", lambda: 3)
    assert not parallel.can_fork()
