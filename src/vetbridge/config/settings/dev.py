"""Laptop settings: SQLite, debug on, a throw-away secret generated on first run."""

import secrets

from vetbridge.config.env import BASE_DIR

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_key_file = BASE_DIR / "var" / "dev-secret-key"
if not env("DJANGO_SECRET_KEY", default=""):
    _key_file.parent.mkdir(parents=True, exist_ok=True)
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

# Password reset e-mails are printed on the console.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
