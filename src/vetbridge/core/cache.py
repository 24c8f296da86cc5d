"""The shared cache, one setting for every process: `VETBRIDGE_CACHE_URL`.

- `db://TABLE` (the default, `db://vetbridge_cache`): Django's database cache, shared by every
  web and task worker that reaches the database; the table is created by `migrate` (a
  `post_migrate` hook runs `createcachetable`) and by `vetbridge demo`. It keeps up to
  `DB_MAX_ENTRIES` entries (`db://TABLE?max_entries=N` to change it): Django's default of 300
  is emptied by a few hundred public pages, and Django counts the table at every write, so
  far more would make every write slower; Redis is the cache for national traffic.
- `redis://HOST:PORT/DB` or `rediss://…`: Redis, for many workers on several machines.
- `locmem://NAME`: the memory of one process (tests, a laptop).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

DB_MAX_ENTRIES = 2_000


class CacheURLError(ValueError):
    pass


def cache_config(url: str) -> dict[str, Any]:
    """The `CACHES["default"]` entry for a cache URL; raises CacheURLError naming the
    variable when the scheme is unknown."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "vetbridge",
        }
    if scheme == "db":
        table = (parts.netloc + parts.path).strip("/") or "vetbridge_cache"
        if not table.replace("_", "").isalnum():
            raise CacheURLError(f"VETBRIDGE_CACHE_URL: not a table name: {table!r}")
        raw = parse_qs(parts.query).get("max_entries", [str(DB_MAX_ENTRIES)])[-1]
        if not raw.isdigit() or int(raw) < 1:
            raise CacheURLError(
                f"VETBRIDGE_CACHE_URL: max_entries is not a positive number: {raw!r}"
            )
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
            "OPTIONS": {"MAX_ENTRIES": int(raw)},
        }
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": (parts.netloc + parts.path).strip("/") or "vetbridge",
        }
    raise CacheURLError(
        f"VETBRIDGE_CACHE_URL: unknown scheme {scheme!r} "
        "(use db://TABLE, redis://HOST:PORT/DB or locmem://)"
    )


def create_cache_table(**_kwargs: Any) -> None:
    """`post_migrate` hook: the database cache's table exists after every migrate."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("db.DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", verbosity=0)
