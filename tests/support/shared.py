"""Results made once per test run and shared by every pytest-xdist worker (sites, builds).

``make test`` runs pytest in several worker processes. A session fixture runs once per worker,
so without this each worker would build the same site again. :func:`made_once` lets the first
worker that asks make the folder while the others wait on a lock, then all of them read it
(pytest-xdist's "making session-scoped fixtures execute only once"). Without xdist it is a
plain folder in the session's temporary directory. What is made must be read-only for tests.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder all workers of this run see (the parent of each worker's own one)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder ``name``, filled by ``make(folder)`` once for the whole run, whatever the worker count.

    A failed ``make`` leaves no mark, so each worker that asks tries again and fails the same way.
    """
    root = shared_root(tmp_path_factory)
    folder = root / f"shared-{name}"
    done = root / f"shared-{name}.done"
    with (root / f"shared-{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                make(folder)
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder
