"""The shared cache is chosen by VETBRIDGE_CACHE_URL: database by default, Redis if given."""

from __future__ import annotations

import pytest

from vetbridge.core.cache import CacheURLError, cache_config


def test_database_cache_by_default_and_redis_when_given():
    assert cache_config("db://vetbridge_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "vetbridge_cache",
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    }
    assert cache_config("db://c?max_entries=5000")["OPTIONS"] == {"MAX_ENTRIES": 5000}
    redis = cache_config("redis://10.0.0.5:6379/1")
    assert (
        redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://10.0.0.5:6379/1"
    )
    assert cache_config("locmem://")["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    "url", ["memcached://x", "db://drop table;", "db://c?max_entries=0", "db://c?max_entries=x"]
)
def test_unknown_or_unsafe_urls_name_the_variable(url):
    with pytest.raises(CacheURLError, match="VETBRIDGE_CACHE_URL"):
        cache_config(url)


@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table(settings):
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {"default": cache_config("db://vb_test_cache")}
    call_command("migrate", verbosity=0)
    assert "vb_test_cache" in connection.introspection.table_names()
    caches["default"].set("k", "v")
    assert caches["default"].get("k") == "v"
