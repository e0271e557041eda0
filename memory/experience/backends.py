"""`open_store(settings)`: the experience store backend the settings name, SQLite or Redis."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core.redaction import Redactor
from memory.experience.store import ExperienceStore, IndexedStore, MemoryStoreError, MemoryUnavailable

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger("swe_team.memory")


def sqlite_path(settings: Settings) -> str:
    return str(settings.home / "experience.sqlite")


def open_store(
    settings: Settings,
    *,
    backend: str | None = None,
    key_prefix: str | None = None,
    ttl_days: float | None = None,
    fallback: str | None = None,
) -> ExperienceStore:
    """The store `settings.memory` names. Redis unreachable → `MemoryUnavailable` naming the URL, unless
    `settings.memory_fallback == "sqlite"`, which opens the embedded store with a warning. Keyword arguments
    override the settings (`memory_key_prefix`, `memory_ttl_days`, `memory_fallback`). Lessons are redacted
    with the settings' `[redaction]` rules before they are stored."""
    store = _open(settings, backend, key_prefix, ttl_days, fallback)
    if isinstance(store, IndexedStore):
        store.redactor = Redactor(settings.redaction)
    return store


def _open(
    settings: Settings, backend: str | None, key_prefix: str | None, ttl_days: float | None, fallback: str | None
) -> ExperienceStore:
    kind = backend or settings.memory
    if ttl_days is None:
        ttl_days = settings.memory_ttl_days
    if kind == "redis":
        from memory.experience.redis_store import RedisExperienceStore

        try:
            return RedisExperienceStore.connect(
                settings.redis_url.get_secret_value(),
                prefix=key_prefix or settings.memory_key_prefix,
                ttl_days=ttl_days,
                queue_root=settings.home / "memory-queue",
            )
        except MemoryUnavailable as exc:
            if (fallback or settings.memory_fallback) != "sqlite":
                raise
            log.warning("%s; using the SQLite store in %s (memory_fallback = sqlite)", exc, settings.home)
    elif kind != "sqlite":
        raise MemoryStoreError(f"unknown memory backend {kind!r}", hint='use memory = "sqlite" or "redis"')
    from memory.experience.sqlite_store import SqliteExperienceStore

    return SqliteExperienceStore(sqlite_path(settings), ttl_days=ttl_days)
