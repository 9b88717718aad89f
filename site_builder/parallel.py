"""The one parallel helper: split work over forked processes, join the results in order.

Builds are CPU-bound Python (YAML, Jinja, Pillow), so threads do not help; forked children
share the parent's loaded cases and templates without pickling them, and only their results
come back. Forking is skipped where it is unsafe or pointless: small inputs, platforms without
``fork`` (macOS, Windows) and processes that run other threads (``mkdocs serve``'s server).
Results are identical to a serial run, which tests check by lowering the threshold.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from site_builder.cache import note_used, save_stamps, used_entries
from site_builder.errors import InternalError

log = logging.getLogger("mkdocs.plugins.site_builder.parallel")

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 200
"""Below this many items, starting processes costs more than it saves."""


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """True where forking is available and safe (no other threads running in this process)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def effective_threshold(default: int) -> int:
    """The item count from which to fork; ``SITE_BUILDER_PARALLEL_FROM`` overrides every default.

    Tests set it to 2 and to a huge number to build the same site both ways and compare the bytes.
    """
    raw = os.environ.get("SITE_BUILDER_PARALLEL_FROM", "")
    return int(raw) if raw.isdigit() else default


def should_split(n_items: int, threshold: int = PARALLEL_FROM, *, allow: bool = True) -> bool:
    """Whether :func:`map_chunks` would fork for ``n_items``."""
    return allow and n_items >= max(effective_threshold(threshold), 2) and cpu_count() > 1 and can_fork()


def split(items: Sequence[T], parts: int) -> list[list[T]]:
    """Contiguous, near-equal chunks, in order (no empty chunk)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def _child(func: Callable[[], Any], conn: Connection) -> None:
    try:
        result: tuple[bool, Any, Any] = (True, func(), used_entries())
        save_stamps()  # the cache entries this worker verified, for the next build
    except BaseException:  # report every failure to the parent, never hang it
        result = (False, traceback.format_exc(), {})
    try:
        conn.send(result)
    finally:
        conn.close()
        os._exit(0)


@dataclass
class Forked(Generic[R]):
    """A function running in a forked child; :meth:`result` waits for its return value."""

    _process: Any
    _conn: Connection | None
    _value: R | None = None
    _done: bool = False

    def result(self) -> R:
        """The child's return value (raises :class:`InternalError` if it failed)."""
        if not self._done:
            assert self._conn is not None
            try:
                ok, payload, used = self._conn.recv()
            except EOFError:
                ok, payload, used = False, "worker process ended without a result", {}
            finally:
                self._conn.close()
                self._process.join()
            self._done = True
            if not ok:
                raise InternalError("a build worker failed:\n" + str(payload))
            note_used(used)  # the cache entries the worker made are this build's too
            self._value = payload
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child without waiting for its result (the build failed)."""
        if not self._done:
            self._process.terminate()
            self._process.join()
            if self._conn is not None:
                self._conn.close()
            self._done = True


def fork_call(func: Callable[[], R]) -> Forked[R]:
    """Run ``func()`` in a forked child now; the caller keeps working and collects the result later.

    Only call when :func:`can_fork` is true. ``func`` is not pickled (the child is a copy of this
    process); its return value is.
    """
    log.debug("site_builder: started a worker process")
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(func, sender), daemon=True)
    process.start()
    sender.close()
    return Forked(process, receiver)


def map_chunks(
    func: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    jobs: int | None = None,
    threshold: int = PARALLEL_FROM,
    allow: bool = True,
) -> list[R]:
    """``func`` applied to contiguous chunks of ``items`` on every core; results joined in order.

    ``func`` takes a list and returns one result per item. The first chunk runs in this process.
    """
    if not should_split(len(items), threshold, allow=allow):
        return func(list(items))
    chunks = split(items, jobs or cpu_count())
    children = [fork_call(lambda chunk=chunk: func(chunk)) for chunk in chunks[1:]]  # type: ignore[misc]
    try:
        out = func(chunks[0])
        for child in children:
            out.extend(child.result())
    except BaseException:
        for child in children:
            child.cancel()
        raise
    return out
