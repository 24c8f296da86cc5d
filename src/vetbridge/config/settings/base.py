"""Settings shared by every environment. Values that differ come from the environment."""

import importlib.util

from django.utils.translation import gettext_lazy as _

from vetbridge.config.env import BASE_DIR, SRC_DIR, env
from vetbridge.config.installed_apps import PROJECT_APPS
from vetbridge.core.cache import cache_config

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",  # Swagger UI served from our static files (no CDN, no inline script: CSP)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    *PROJECT_APPS,  # config/installed_apps.py: the command line reads the same list
    "django_tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vetbridge.accounts.middleware.UserLanguageMiddleware",
    "vetbridge.core.debug_errors.FriendlyDebug404Middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vetbridge.accounts.middleware.SessionIdleMiddleware",
    "vetbridge.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vetbridge.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "vetbridge.core.middleware.InputGateMiddleware",
]

ROOT_URLCONF = "vetbridge.config.urls"
WSGI_APPLICATION = "vetbridge.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vetbridge.accounts.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer, with its select and input widgets written in Python (same HTML).
FORM_RENDERER = "vetbridge.core.form_renderer.QuickRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'vetbridge.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a connection between requests (opening a PostgreSQL backend costs more than most
# pages), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("VETBRIDGE_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
VETBRIDGE_SQLITE_BUSY_SECONDS = env.int("VETBRIDGE_SQLITE_BUSY_SECONDS", default=20)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite under concurrency (docs/decisions/sqlite-concurrency.md): WAL lets readers run
    # beside the one writer; every transaction takes the write lock when it begins
    # (IMMEDIATE), so waiting for it goes through the busy timeout instead of failing at
    # once when a read-then-write transaction (an audited read) tries to upgrade; the
    # timeout is both sqlite3's busy handler and PRAGMA busy_timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": VETBRIDGE_SQLITE_BUSY_SECONDS,
            # (env only for the benchmark's peer run, bench/sqlite_concurrency.py)
            "transaction_mode": env("VETBRIDGE_SQLITE_TRANSACTION_MODE", default="IMMEDIATE"),
            "init_command": (
                f"PRAGMA busy_timeout={VETBRIDGE_SQLITE_BUSY_SECONDS * 1000}; "
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "vetbridge.accounts.backends.AddressThrottleBackend",  # spraying from one address
    "axes.backends.AxesStandaloneBackend",  # login throttling, checked first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client address comes from VETBRIDGE_TRUSTED_PROXIES (core.client_ip), as for the audit.
AXES_CLIENT_IP_CALLABLE = "vetbridge.core.client_ip.axes_client_ip"
# One address failing across accounts (password spraying) is refused after this many
# failures within the cool-off period (accounts.backends).
VETBRIDGE_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("VETBRIDGE_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
# Reverse proxies in front of the application: a number of proxies, or their addresses /
# networks ("10.0.0.0/8,192.0.2.7"). 0: none, X-Forwarded-For is ignored. The audit,
# login throttling and the public tribute limit take the client address from it.
VETBRIDGE_TRUSTED_PROXIES = env("VETBRIDGE_TRUSTED_PROXIES", default="0")

# Second factor (accounts.mfa, django-otp): every staff role must enrol an authenticator app
# and give its code at sign-in when required (on in production settings; optional here, so
# the demo accounts sign in with their password alone). Accounts that enrolled are always
# asked for their code.
VETBRIDGE_MFA_REQUIRED = env.bool("VETBRIDGE_MFA_REQUIRED", default=False)
OTP_TOTP_ISSUER = "Vetbridge"
# API tokens expire after this many days (their owner can revoke them sooner).
VETBRIDGE_API_TOKEN_DAYS = env.int("VETBRIDGE_API_TOKEN_DAYS", default=90)
# Staff sessions end after this many minutes without a request (accounts.middleware).
VETBRIDGE_SESSION_IDLE_MINUTES = env.int("VETBRIDGE_SESSION_IDLE_MINUTES", default=30)
# Password reset e-mails (Django's e-mail framework; console backend in dev settings).
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="vetbridge@localhost")
PASSWORD_RESET_TIMEOUT = 3600  # a reset link works for one hour

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "vetbridge_language"
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("VETBRIDGE_PRIVATE_MEDIA", default=str(BASE_DIR / "var" / "private"))

# Uploads: anything larger is refused with a clear message (see people.importer).
# Web uploads of CSV imports (the command line has no limit). 5 MB is about 75,000 rows:
# a few seconds of one bulk transaction, well within the SQLite busy timeout, so a sign-in
# during a web import waits instead of failing.
VETBRIDGE_IMPORT_MAX_BYTES = env.int("VETBRIDGE_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
VETBRIDGE_DOCUMENT_MAX_BYTES = env.int("VETBRIDGE_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# A referral without an answer from the partner after this many days is flagged.
# The registry name search keeps, per process, how many people carry each name skeleton this
# long (0: counted at every search). The counts only order the search's steps: results,
# spellings and access checks are read live.
VETBRIDGE_NAME_COUNTS_SECONDS = env.int("VETBRIDGE_NAME_COUNTS_SECONDS", default=60)
# Identical public memorial searches reuse their ranking this long (0: never).
VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS = env.int(
    "VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS", default=60
)
# The memorial's public page fragments (a record's page, the tribute form, the region list)
# are kept this long per generation and language (0: never); any change of the memorial
# starts a new generation at once, so this only bounds the cache's size.
VETBRIDGE_MEMORIAL_CACHE_SECONDS = env.int("VETBRIDGE_MEMORIAL_CACHE_SECONDS", default=3600)
# The cache shared by every process (web and task workers): the database by default,
# Redis when VETBRIDGE_CACHE_URL=redis://... (see core/cache.py).
CACHES = {
    "default": cache_config(env("VETBRIDGE_CACHE_URL", default="db://vetbridge_cache")),
    # Page fragments that depend on the code only (the menu per role, language and badge):
    # each process keeps its own, no round trip to the shared cache.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}
VETBRIDGE_REFERRAL_ANSWER_DAYS = env.int("VETBRIDGE_REFERRAL_ANSWER_DAYS", default=14)
# Public pension simulator: computations per client address and hour (nothing stored).
VETBRIDGE_SIMULATOR_PER_HOUR = env.int("VETBRIDGE_SIMULATOR_PER_HOUR", default=120)

# Analysts see aggregates only; cells below this count are suppressed.
VETBRIDGE_MIN_CELL_SIZE = env.int("VETBRIDGE_MIN_CELL_SIZE", default=5)
# The input gate (core/inputs.py, core/uploads.py): how far ahead a planned date may be, and
# the largest image accepted (pixels, checked before decoding).
VETBRIDGE_FUTURE_HORIZON_DAYS = env.int("VETBRIDGE_FUTURE_HORIZON_DAYS", default=5 * 366)
VETBRIDGE_IMAGE_MAX_PIXELS = env.int("VETBRIDGE_IMAGE_MAX_PIXELS", default=24_000_000)

# E-mail notices (core/mail.py): EMAIL_URL such as smtp+tls://user:pass@host:587; the
# console by default (make run prints them), an SMTP server in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Vetbridge <no-reply@vetbridge.example.org>")
# The address of the platform as its users reach it, for links in e-mails.
VETBRIDGE_SITE_URL = env("VETBRIDGE_SITE_URL", default="http://127.0.0.1:8000")

# Content-Security-Policy (django-csp): scripts and styles from our own origin only — no
# inline script, no inline event handler, no eval (htmx runs with allowEval false, see
# base.html), no inline <style> or style attribute (htmx's indicator styles are in our CSS).
# The memorial's JSON-LD block is data (type application/ld+json), which CSP does not run.
# Images: our own, plus data: URIs (Swagger UI's icons at /api/docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Load balancers probe /health/ over plain HTTP: when SECURE_SSL_REDIRECT is on (production),
# it answers there instead of redirecting to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}


# Background tasks (django-tasks, the backport of Django's tasks API): simulations and other
# long jobs run in a worker (`vetbridge manage db_worker`), with progress in core.JobProgress.
# The database backend lives in the django-tasks-db package; without it, tasks run at once.
if importlib.util.find_spec("django_tasks_db") is not None:
    INSTALLED_APPS.append("django_tasks_db")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:  # pragma: no cover
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
