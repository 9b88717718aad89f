"""Compiled Jinja templates kept between builds, in the project cache.

Every build compiles the same ~40 templates (Material's and this site's) from source: about a
second of CPU at any site size. Jinja can keep the compiled code; this cache stores it in the
content-addressed :class:`~site_builder.cache.Store` so a damaged entry is compiled again, never
loaded. Jinja itself checks each entry against the template's source (checksum) and the Python
and Jinja versions (magic header), so an edited template is always recompiled.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from site_builder.cache import Store, cache_key


class StoreBytecodeCache(jinja2.BytecodeCache):
    """A :class:`jinja2.BytecodeCache` backed by one namespace of the project cache."""

    def __init__(self, root: Path, label: str):
        self.store = Store(root, "jinja")
        self.label = label

    def _name(self, bucket: Bucket) -> str:
        return f"{cache_key('jinja', self.label, bucket.key)}.bc"

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.store.get(self._name(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store.put(self._name(bucket), bucket.bytecode_to_string())


def _settings_key(env: jinja2.Environment) -> str:
    """Hash of the environment settings that change generated code (Jinja's own key omits them)."""
    settings = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape if isinstance(env.autoescape, bool) else getattr(env.autoescape, "__qualname__", "fn"),
        env.finalize is not None,
        sorted(env.extensions),
    )
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:12]


def attach_bytecode_cache(env: jinja2.Environment, cache_root: Path, label: str) -> jinja2.Environment:
    """Give ``env`` a bytecode cache under ``cache_root`` (entries keyed by label and settings)."""
    env.bytecode_cache = StoreBytecodeCache(cache_root, f"{label}-{_settings_key(env)}")
    return env
