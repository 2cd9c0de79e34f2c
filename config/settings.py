"""Settings for Policy Review Desk, read from the environment.

DATABASE_URL selects the database (SQLite in the checkout by default); DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS
configure a deployment. The app runs as in production unless DJANGO_DEBUG=1 asks for development (`make run` and
the tests do).
"""

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", False)

# Without a key outside DEBUG the app does not serve (config/wsgi.py) and Django refuses anything that signs;
# commands that sign nothing (makemigrations, migrate, an import) still run.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    # Development only: a key that is obviously not a secret.
    SECRET_KEY = "insecure-development-key-" + "x" * 40


def require_secret_key() -> None:
    """Refuse to serve without a secret key: sessions, CSRF tokens and password resets are signed with it."""
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY: the app runs as in production unless DJANGO_DEBUG=1 (`make run` sets it)."
        )


ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver leaves static files to WhiteNoise, as gunicorn does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "policies",
    "reviews",
    "accounts",
    "api",
    "samples",  # a development tool, installed for its command: generate_sample_policies
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the one a signed-in person chose (accounts.languages, below), else the language cookie, else
    # the browser's, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.languages.preferred_language",
    # After the user is known, so that its 400 page shows the links they may follow.
    "config.middleware.refuse_nul_in_query",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A deployment keeps each worker's connection (a new PostgreSQL connection per request costs a
        # backend process); the development server starts a thread per request, so there it would only leak.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Exports read one snapshot through a connection of their own (policies.snapshots); this routes their reads.
DATABASE_ROUTERS = ["policies.transfer.snapshots.SnapshotRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The desk speaks Simplified Chinese and English; the team reads Chinese first, so that is the default for a
# browser that asks for neither.
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "zh-hans").strip().lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"DJANGO_LANGUAGE_CODE={LANGUAGE_CODE!r} is not a language of the desk: use one of "
        f"{', '.join(code for code, _name in LANGUAGES)}."
    )
# The project catalogue (the templates), then config's own: config is no app, so Django would not find it.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "config" / "locale"]
USE_I18N = True
# Dates in each language's own format: Django's for Chinese, config/formats/en for English (day, month, 24 h).
FORMAT_MODULE_PATH = ["config.formats"]

# Times are stored in UTC and shown, and dates stamped (an approval's lastAuditDate), in the deployment's zone.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Shanghai").strip()
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"DJANGO_TIME_ZONE={TIME_ZONE!r} is not a time zone name such as Asia/Shanghai, Europe/Berlin or UTC."
    )
USE_TZ = True

# The app serves its own static files (WhiteNoise), so one process is a working deployment and a proxy is
# optional. A deployment serves them from STATIC_ROOT, which `manage.py collectstatic` fills (the image's build
# does): each name carries its content's hash, so browsers keep them for good, and gzip and Brotli copies are
# made once there. Development (and the tests) finds them in the apps' folders on each request, uncollected.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Pages name static files by their hashed names only, and nobody downloads source maps often enough to compress
# them: both halve the time collectstatic takes.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

LOGIN_URL = "admin:login"

# Django logs every failed request (a 500 with its traceback) and every refused one (4xx) on `django.request`,
# and suspicious ones on `django.security`. Its default prints them only with DEBUG on and otherwise mails ADMINS,
# of whom there are none: a deployment's 500s left no trace. They go to stderr either way, as gunicorn's own log
# does, where the container keeps them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "[{asctime}] [{process}] [{levelname}] {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "INFO"}},
}

# Policy files larger than this are refused before they are parsed, and so are files whose aliases would
# expand their text beyond it.
POLICY_FILE_MAX_BYTES = int(os.environ.get("POLICY_FILE_MAX_BYTES", str(2 * 1024 * 1024)))

# The admin's import runs inside the request, which gunicorn ends after 30 s: one upload may hold this many
# files (zip members counted) and bytes of them, uncompressed (policies/transfer/uploads.py). Uploaded through the admin
# on 2 cores (SQLite), 500 generated records (6.7 MB) took 1.7-1.9 s new and 3.4 s changed, ten 2 MB files of
# 130,000 facility ids each (20 MB) 2.9 s: room for a busy machine. `manage.py import_policies` has no limit.
WEB_IMPORT_MAX_FILES = int(os.environ.get("WEB_IMPORT_MAX_FILES", "500"))
WEB_IMPORT_MAX_BYTES = int(os.environ.get("WEB_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# Django answers a request with more files than this with a bare 400, before any view runs. One more than the
# import takes lets the import's own limit see the file too many and say what to do instead.
DATA_UPLOAD_MAX_NUMBER_FILES = WEB_IMPORT_MAX_FILES + 1
# Form fields other than files (a record's texts in the change form); uploaded files do not count here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Uploaded files larger than this are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Deployment: HTTPS only. Each default follows DJANGO_DEBUG and can be overridden, e.g. to serve plain HTTP on
# loopback behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The container's health check asks from inside, over plain HTTP; the page holds nothing but "ok".
SECURE_REDIRECT_EXEMPT = [r"^health/\Z"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", not DEBUG)
# Trusting X-Forwarded-Proto is only safe behind a proxy that always sets it, so it is opt-in.
if env_flag("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Scripts and styles only from our own origin, or inline with the request's nonce ({{ csp_nonce }}): a stored
# `<script>` that escaped sanitizing still would not run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Login throttling (django-axes): failures counted per username and address together, so one attacker cannot
# lock a colleague out from elsewhere. An admin unlocks early by deleting the access attempts in the admin
# (Axes > Access attempts) or with `manage.py axes_reset_username USERNAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# The JSON API (api/): tokens for scripts and the publishing site, the session for the browsable API. Anonymous
# requests get 401, so that a script learns it forgot its token. Tokens are django-rest-knox's: stored as a hash,
# shown once when issued (accounts.tokens), valid until revoked, sent as `Authorization: Token <key>`.
REST_KNOX = {"TOKEN_TTL": None}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy Review Desk API",
    "DESCRIPTION": (
        "Policy records as frontmatter-shaped JSON, their history and review events, edits and review decisions. "
        "Authenticate with `Authorization: Token <key>`: issue a token on the admin's API tokens page, which "
        "shows its key once."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ReviewStateEnum": "policies.models.ReviewState"},
}
