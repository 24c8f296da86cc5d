"""Settings shared by every environment. Values that differ come from the environment."""

from django.utils.translation import gettext_lazy as _

from vetbridge.config.env import BASE_DIR, SRC_DIR, env
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
    "axes",
    "vetbridge.core",
    "vetbridge.accounts",
    "vetbridge.people",
    "vetbridge.reparation",
    "vetbridge.memorial",
    "vetbridge.care",
    "vetbridge.reintegration",
    "vetbridge.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vetbridge.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vetbridge.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'vetbridge.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a connection between requests (opening a PostgreSQL backend costs more than most
# pages), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("VETBRIDGE_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers run beside a writer; a busy timeout avoids spurious "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling, checked first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Staff second factor: the seam is accounts.mfa; off until a TOTP device model is added.
VETBRIDGE_STAFF_MFA_REQUIRED = env.bool("VETBRIDGE_STAFF_MFA_REQUIRED", default=False)

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
VETBRIDGE_IMPORT_MAX_BYTES = env.int("VETBRIDGE_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
VETBRIDGE_DOCUMENT_MAX_BYTES = env.int("VETBRIDGE_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# A referral without an answer from the partner after this many days is flagged.
# Identical public memorial searches reuse their ranking this long (0: never).
VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS = env.int("VETBRIDGE_MEMORIAL_SEARCH_CACHE_SECONDS",
                                                  default=60)
# The cache shared by every process (web and task workers): the database by default,
# Redis when VETBRIDGE_CACHE_URL=redis://... (see core/cache.py).
CACHES = {"default": cache_config(env("VETBRIDGE_CACHE_URL", default="db://vetbridge_cache"))}
VETBRIDGE_REFERRAL_ANSWER_DAYS = env.int("VETBRIDGE_REFERRAL_ANSWER_DAYS", default=14)

# Analysts see aggregates only; cells below this count are suppressed.
VETBRIDGE_MIN_CELL_SIZE = env.int("VETBRIDGE_MIN_CELL_SIZE", default=5)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
