"""Settings for the call-centre QA service.

Everything comes from the environment through the small typed helpers below.
With nothing set, the service runs on SQLite in ./data.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envfloat(name: str, default: str) -> float:
    return float(os.environ.get(name, default))


DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "data"))).resolve()
# The SQLite database, audio and model cache live here by default.
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = envbool("DEBUG", "True")
ALLOWED_HOSTS = [h for h in envstr("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Production (DEBUG=false) is served over HTTPS by default, directly or behind a TLS proxy
# (BEHIND_PROXY=true trusts its X-Forwarded-Proto and X-Forwarded-For). A site that must serve
# plain HTTP says so with HTTPS=false, and `check --deploy` then warns about it.
HTTPS = envbool("HTTPS", "False" if DEBUG else "True")
BEHIND_PROXY = envbool("BEHIND_PROXY", "False")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if HTTPS:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
    # The health of a deployment is checked over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

INSTALLED_APPS = [
    "qa.apps.BrandedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "axes",
    "csp",
    # Ours, lowest layer first (see the import-linter contracts in pyproject.toml).
    "qa.apps.ProjectConfig",
    "qa.audit",
    "qa.accounts",
    "recordings",
    "qa.autoqa",
    "qa.reviews",
    "qa.performance",
    "qa.retention",
    "qa.portal",
    "qa.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "qa.audit.context.AuditAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qa.middleware.RejectNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qa.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qa.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "qa.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Per-connection planner settings (bench_dashboards): JIT compiles the figures' short aggregate queries for
    # longer than they run, and on SSDs (or a database that fits in memory) an index probe costs about as much
    # as a sequential read, so the team and agent scopes use their indexes. Empty leaves the server's own.
    DATABASES["default"].setdefault("OPTIONS", {})
    pg_options = envstr("DB_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1")
    if pg_options:
        DATABASES["default"]["OPTIONS"]["options"] = pg_options
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Workers and the web server write to one file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Login throttling (django-axes): repeated wrong passwords lock that username from that address.
AXES_ENABLED = envbool("AXES_ENABLED", "True")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "qa.accounts.views.locked_out"
# recordings cannot import the audit app; its audio view calls this to log each playback and download.
RECORDING_ACCESS_AUDIT = "qa.audit.services.recording_accessed"
# Transcripts read outside the QA team, and every unredacted one, reach the audit log the same way.
TRANSCRIPT_ACCESS_AUDIT = "qa.audit.services.transcript_viewed"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]
# Wrong API tokens count against the caller's address (qa.api_auth).
API_TOKEN_FAILURE_LIMIT = envint("API_TOKEN_FAILURE_LIMIT", "20")
API_TOKEN_FAILURE_WINDOW = envint("API_TOKEN_FAILURE_WINDOW", "600")

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "static"))).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves the collected files in production; in development it finds them in the apps.
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "qa" / "static"]

# Audio lives outside the source tree and has no public URL: it is only ever
# streamed through an authorised view.
AUDIO_ROOT = Path(envstr("AUDIO_ROOT", str(DATA_DIR / "audio"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in production (after collectstatic), served by WhiteNoise.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", "False" if DEBUG else "True")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(AUDIO_ROOT), "base_url": "/no-public-url/"},
    },
}
RECORDINGS_MAX_UPLOAD_BYTES = envint("RECORDINGS_MAX_UPLOAD_BYTES", str(500 * 1024 * 1024))
# Uploads above this many bytes go to a temp file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = envint("DATA_UPLOAD_MAX_NUMBER_FILES", "200")
# Queue each ingested call for transcription (issue: transcription pipeline).
TRANSCRIBE_ON_INGEST = envbool("TRANSCRIBE_ON_INGEST", "True")

# Transcription
WHISPER_ENGINE = envstr("WHISPER_ENGINE", "faster-whisper")  # or "openai-whisper"
WHISPER_MODEL = envstr("WHISPER_MODEL", "")  # empty: the packaged tiny.en
WHISPER_DEVICE = envstr("WHISPER_DEVICE", "cpu")
WHISPER_COMPUTE_TYPE = envstr("WHISPER_COMPUTE_TYPE", "int8")
WHISPER_THREADS = envint("WHISPER_THREADS", "0")  # 0: one per core
# Beam 5 hears the samples markedly better than greedy decoding and still runs at ~0.05 RTF on 2 cores (bench_transcription).
WHISPER_BEAM_SIZE = envint("WHISPER_BEAM_SIZE", "5")
WHISPER_LANGUAGE = envstr("WHISPER_LANGUAGE", "en")
# The two channels of a call are transcribed at once, each with half the threads (bench_transcription).
WHISPER_PARALLEL_CHANNELS = envint("WHISPER_PARALLEL_CHANNELS", "2")
WHISPER_MODEL_CACHE = Path(envstr("WHISPER_MODEL_CACHE", str(DATA_DIR / "models"))).resolve()
TRANSCRIBE_MAX_ATTEMPTS = envint("TRANSCRIBE_MAX_ATTEMPTS", "3")
# Redaction: the default phone region for clients without a country (ISO 3166 code).
REDACTION_DEFAULT_REGION = envstr("REDACTION_DEFAULT_REGION", "US")
# Tasks (dotted paths taking a call id) queued once a call's transcript is stored: recordings imports no
# QA app, so they are named here. Re-transcribing a call therefore recomputes its automatic evaluation.
AFTER_TRANSCRIPT_TASKS = ["qa.reviews.tasks.auto_evaluate_call"]
# Tasks (dotted paths taking an evaluation id) queued once an evaluation is submitted or amended: how apps
# above qa.reviews hear of new scores, without signals (the training-need rules).
QA_EVALUATION_TASKS = ["qa.performance.tasks.training_rules_after_evaluation"]
# Extra figures `bench_transcription` prints (dotted paths; see qa/reviews/auto_bench.py).
BENCH_TRANSCRIPTION_EXTRAS = ["qa.reviews.auto_bench.auto_qa_figures"]

REDIS_URL = envstr("REDIS_URL", "")
Q_TIMEOUT = envint("Q_TIMEOUT", "1800")
# A transcription claim older than the task timeout belongs to a dead worker: it may be taken again.
# A queued call whose task was lost (never started) is queued again after this long.
TRANSCRIBE_STALE_AFTER = envint("TRANSCRIBE_STALE_AFTER", str(Q_TIMEOUT))
# A worker beats on the call it transcribes; a claim silent this long belongs to a dead worker and
# is taken again by the minutely sweep: a killed worker's call finishes within about 3 minutes.
TRANSCRIBE_HEARTBEAT_SECONDS = envint("TRANSCRIBE_HEARTBEAT_SECONDS", "30")
TRANSCRIBE_HEARTBEAT_STALE = envint("TRANSCRIBE_HEARTBEAT_STALE", "90")
# A call still `received` this long after ingest found the broker down: the sweep queues it.
TRANSCRIBE_RECEIVED_AFTER = envint("TRANSCRIBE_RECEIVED_AFTER", "60")
Q_CLUSTER = {
    "name": envstr("Q_NAME", "callqa"),
    "workers": envint("Q_WORKERS", "1"),
    "recycle": 500,
    # django-q2 hands a task out again after `retry` seconds, so it must exceed `timeout`.
    "timeout": Q_TIMEOUT,
    "retry": envint("Q_RETRY", str(Q_TIMEOUT + 300)),
    "max_attempts": envint("Q_MAX_ATTEMPTS", "3"),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Task queue",
    # The queue's own lines (every scheduled sweep, every task) only when asked; our tasks log what they do.
    "log_level": envstr("Q_LOG_LEVEL", "WARNING"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
Q_CLUSTER["sync"] = envbool("Q_SYNC", "False")

# Every page may load only this service's own scripts, styles, images, media and data: no CDN, no
# inline script. The API's ReDoc page alone allows inline styles (qa/urls.py), which its renderer injects.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Plus a per-response nonce, for the <style> the wavesurfer player puts in its shadow DOM.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

if REDIS_URL:
    # Shared by every web and worker process: login and token-guessing counters, waveform peaks.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "qa.api_auth.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": envint("API_PAGE_SIZE", "50"),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qa.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Call-centre QA API",
    "DESCRIPTION": "Ingest call recordings, read transcripts and analytics, sync rosters.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "/api/redoc-dist",  # the sidecar's bundle, minus its one request outside (qa.api_docs)
    "COMPONENT_SPLIT_REQUEST": True,
}

# One login page for everyone outside the admin; after it, `qa.views.home` sends each role to its page.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "callqa@localhost")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_for_refusals": {"()": "qa.lib.logs.NoTracebackForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_for_refusals"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Django's own console handler would print each request warning a second time.
    "loggers": {
        "django": {"handlers": [], "level": envstr("LOG_LEVEL", "INFO"), "propagate": True},
        # Every login is in its tables (and the audit log); lockouts are warnings and still show.
        "axes": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
