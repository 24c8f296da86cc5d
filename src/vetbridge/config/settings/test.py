"""Test settings: fast hashing, fixed throw-away secret, no throttling surprises."""

import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, env

SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="vetbridge-test-media-")
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not env("DATABASE_URL", default=""):
    # In-memory SQLite has no WAL (journal_mode answers "memory") and one connection per
    # thread; IMMEDIATE transactions and the busy timeout still apply. Tests that need a
    # real file (the concurrency test) point a connection at their own file.
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }

DATABASES["default"]["CONN_MAX_AGE"] = 0  # no connection outliving a test (live server threads)

# One process per test run: the memory cache keeps tests fast and isolated.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "vetbridge-test",
    },
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "vetbridge-test-fragments",
    },
}

MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]

# Tasks run at once, inside the request or test that enqueues them (no worker in tests or CI).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Name counts are counted at every search in tests (each test its own registry); the cache of
# counts has its own tests (tests/people/test_name_index.py).
VETBRIDGE_NAME_COUNTS_SECONDS = 0
