"""vsegrader settings: one file, read from the environment.

As `python3 dev.py serve` starts it (no variables but the keys it keeps in its data folder)
it runs the embedded default: SQLite, a filesystem Celery broker and local files under
./var. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS (and
optionally S3 storage, see STORAGES below). DEBUG is off unless asked for.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

# Every variable is read through these: a value that cannot mean what the variable needs
# (DEBUG=flase, SUBMISSION_MAX_MB=50MB) stops the site with a message naming it.
from vsegrader.environment import (
    LOG_LEVELS,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_str,
    kept_secret,
    require_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent


VAR_DIR = Path(env_str("VSEGRADER_VAR_DIR", str(BASE_DIR / "var")))

# Off unless asked for (DJANGO_DEBUG=1, or DEBUG=1, its older name; `dev.py serve --debug`):
# the README's first command may serve a real course, so by default it runs like production.
DEBUG = env_bool("DJANGO_DEBUG", env_bool("DEBUG", False))
# The variable, else the key `dev.py serve` made and keeps in this data folder, so that
# `manage.py` commands on that folder sign and name as its site does. With DEBUG off a
# missing key, or the public development one, stops the site (require_secret_key).
SECRET_KEY = require_secret_key(kept_secret("SECRET_KEY", VAR_DIR / "secret_key"), debug=DEBUG)
# Keys the students' pseudonyms and opaque team ids (challenges/boards/pseudonyms.py). Unset
# (and not kept by dev.py), it is SECRET_KEY, so names stay what they were; set it (once)
# before rotating SECRET_KEY.
PSEUDONYM_KEY = kept_secret("PSEUDONYM_KEY", VAR_DIR / "pseudonym_key") or SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    "http://127.0.0.1:8000,http://localhost:8000",
    prefixes=("http://", "https://"),
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "challenges",
    "vsegrader.course",
    "vsegrader.accounts",
    "vsegrader.training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vsegrader.uploads.UploadSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into a 429
]

ROOT_URLCONF = "vsegrader.urls"
WSGI_APPLICATION = "vsegrader.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vsegrader" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vsegrader.permissions.roles",
            ],
        },
    },
]

SQLITE_URL = f"sqlite:///{VAR_DIR / 'vsegrader.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", SQLITE_URL), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The client address (failed logins, anonymous API throttle) is the TCP peer, unless the site
# runs behind TRUSTED_PROXY_COUNT reverse proxies that append to X-Forwarded-For (the
# compose stack's nginx: 1); then it is the address the outermost of them saw.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Failed logins (login page, admin, POST /api/auth/token/) are counted per (username, client
# address) and per client address: at LOGIN_FAILURE_LIMIT failures that username is refused
# (429) at that address, or that address for every username, until LOGIN_COOLOFF_MINUTES have
# passed since its last counted failure. Attempts while locked are not counted (they do not
# start the cool-off again), and no failures lock a username for other addresses, so nobody
# can lock someone else out. django-axes keeps the counts in the cache (see CACHE_URL);
# vsegrader.accounts.lockout words the refusal.
AUTHENTICATION_BACKENDS = [
    "vsegrader.accounts.lockout.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "vsegrader.accounts.lockout.FailOpenCacheHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "vsegrader.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "vsegrader.accounts.clients.client_address"
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_VERBOSE = False  # no banner on every start; failures are still logged
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "challenge-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Europe/Prague"  # the course's zone: shown on pages, and where the day starts
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# No MEDIA_URL is routed: every stored file is served by a view that checks permissions.
MEDIA_ROOT = VAR_DIR / "media"
HIDDEN_ROOT = VAR_DIR / "hidden"
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": {}},
    # Hidden solutions: a separate location (or bucket) that no URL maps to; only workers read it.
    "hidden": {"BACKEND": STORAGE_BACKEND, "OPTIONS": {}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if STORAGE_BACKEND.endswith("FileSystemStorage"):
    STORAGES["default"]["OPTIONS"] = {"location": MEDIA_ROOT, "base_url": None}
    STORAGES["hidden"]["OPTIONS"] = {"location": HIDDEN_ROOT, "base_url": None}
else:  # e.g. storages.backends.s3.S3Storage, configured by django-storages' AWS_* variables
    STORAGES["default"]["OPTIONS"] = {"location": "media", "querystring_auth": True}
    STORAGES["hidden"]["OPTIONS"] = {"location": "hidden", "querystring_auth": True}

# Uploads: small bodies stay in memory, larger ones stream to a temporary file.
SUBMISSION_MAX_BYTES = env_int("SUBMISSION_MAX_MB", 50) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "vsegrader.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vsegrader@localhost")

# Celery. The embedded default is a filesystem broker (vsegrader/broker.py: kombu's
# filesystem transport with atomic writes and claims): no server to install.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "control", "tmp", "claimed", "unreadable"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Publishing gives up quickly when the broker is down (CELERY_TASK_PUBLISH_RETRY_POLICY).
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A publish while the broker is down must fail fast: the row stays `queued` and the
# periodic requeue sends it again later, so no upload waits on the broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_DEFAULT_QUEUE = "scoring"
# Fair scoring (submissions/intake.py: scoring_queue_for): a student's uploads behind their
# oldest waiting one
# go to this queue, which every scoring worker also consumes; empty sends all to "scoring".
SCORING_BULK_QUEUE = env_str("SCORING_BULK_QUEUE", "scoring-bulk")
# The file of a failed submission is deleted this long after it failed (the row and its
# message stay): failed uploads never count, so they must not fill the disk either.
FAILED_FILE_RETENTION_HOURS = env_int("FAILED_FILE_RETENTION_HOURS", 24)
# One pace per student for the page form and the API together ("10/min"; empty: none).
SUBMISSION_UPLOAD_RATE = env_rate("SUBMISSION_UPLOAD_RATE", "10/min")
# A project group keeps this many uploads of each deliverable kind (and its newest on-time one).
PROJECT_DELIVERABLE_VERSIONS = env_int("PROJECT_DELIVERABLE_VERSIONS", 5)
CELERY_TASK_ROUTES = {"baselines.*": {"queue": "gpu"}, "challenges.tasks.*": {"queue": "scoring"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-submissions": {
        "task": "challenges.tasks.requeue_stuck_submissions",
        "schedule": timedelta(seconds=env_int("REQUEUE_EVERY_SECONDS", 30)),
    },
    "compute-insights": {  # the post-deadline reports of revealed challenges, when stale
        "task": "challenges.tasks.compute_insights",
        "schedule": timedelta(minutes=env_int("INSIGHTS_EVERY_MINUTES", 5)),
    },
    "purge-failed-files": {
        "task": "challenges.tasks.purge_failed_files",
        "schedule": timedelta(minutes=env_int("PURGE_FAILED_EVERY_MINUTES", 60)),
    },
    "fail-lost-baseline-runs": {
        "task": "training.fail_lost_baseline_runs",
        "schedule": timedelta(seconds=env_int("REQUEUE_EVERY_SECONDS", 30)),
    },
}
# A submission waiting longer than this in `queued` (or `scoring`) is sent to a worker again.
# Redis hands back a message that a killed worker never acked only after the visibility
# timeout (an hour); scoring takes well under a second, so a minute is a safe wait.
REQUEUE_QUEUED_AFTER = timedelta(seconds=env_int("REQUEUE_QUEUED_AFTER_SECONDS", 60))
REQUEUE_SCORING_AFTER = timedelta(seconds=env_int("REQUEUE_SCORING_AFTER_SECONDS", 60))

# The cache holds API throttle counts, failed logins and rendered charts. Several web
# processes must share one (CACHE_URL=redis://…), or each would count on its own. When that
# Redis is down the site works on without it (nothing counted, nothing cached, a warning
# logged): it often is the broker too, and uploads must go on being accepted then.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if not CACHE_URL:
    # Per-process counts are right for one web process (the embedded default); axes warns
    # because several processes would each count failed logins on their own.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

# Baseline training (vsegrader.training): a run longer than this is stopped; keep it under
# the broker's visibility timeout, or a second worker could start the same run.
BASELINE_TIMEOUT_SECONDS = env_int("BASELINE_TIMEOUT_SECONDS", 2700)
BASELINES_PYTHON = env_str("BASELINES_PYTHON", "")  # another interpreter with torch, if any

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vsegrader.accounts.authentication.ApiTokenAuthentication",  # Token or Bearer
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "vsegrader.api_errors.ErrorAutoSchema",
    "EXCEPTION_HANDLER": "vsegrader.api_errors.json_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Per user (anonymous callers: per address); a 429 states the limit. "" turns one off.
    "DEFAULT_THROTTLE_CLASSES": [
        "vsegrader.accounts.throttling.UserRateThrottle",
        "vsegrader.accounts.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("VSEGRADER_API_RATE", "120/min") or None,
        "anon": env_rate("VSEGRADER_API_ANON_RATE", "30/min") or None,
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # never the client's own X-Forwarded-For
}
SPECTACULAR_SETTINGS = {
    "TITLE": "vsegrader API",
    "DESCRIPTION": "Kaggle-style challenges of the course: data, submissions, leaderboards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: they put a link inside each operation's button (a nested control that
    # keyboards and screen readers cannot reach properly). The page only, not the schema.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Request bodies get their own components (with minLength for required text), and a
    # PATCH must carry its one field (no "Patched…" copies with every field optional).
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_SPLIT_PATCH": False,
    "PATH_CONVERTER_OVERRIDES": {
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
        "int": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
}

# HTTPS: on in production (DEBUG off) unless SECURE_HTTPS=0 for a plain-HTTP local try
# (SECURE_COOKIES=0, its older name, does the same). Cookies travel only over HTTPS, plain
# HTTP is redirected, and browsers are told (HSTS) to use HTTPS for SECURE_HSTS_SECONDS.
# Behind TRUSTED_PROXY_COUNT proxies (they terminate TLS) the proxy's X-Forwarded-Proto,
# which nginx overwrites, says whether the request came over HTTPS.
SECURE_HTTPS = env_bool("SECURE_HTTPS", env_bool("SECURE_COOKIES", not DEBUG))
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600) if SECURE_HTTPS else 0
# The site usually lives on one host of a university domain whose other hosts it does not
# control: HSTS covers this host only unless these are turned on (Django's check warns).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Password-reset mails: at most this many per hour to one account and from one address.
PASSWORD_RESET_PER_ACCOUNT_HOUR = env_int("PASSWORD_RESET_PER_ACCOUNT_HOUR", 3)
PASSWORD_RESET_PER_ADDRESS_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_HOUR", 10)

# Challenge bundles (.zip) are unpacked within these limits (challenges.bundles.safety);
# a member over 1 MB may be compressed at most BUNDLE_MAX_RATIO to 1.
BUNDLE_MAX_MB = env_int("BUNDLE_MAX_MB", 10_240)
BUNDLE_MAX_FILES = env_int("BUNDLE_MAX_FILES", 200_000)
BUNDLE_MAX_RATIO = env_int("BUNDLE_MAX_RATIO", 200)
