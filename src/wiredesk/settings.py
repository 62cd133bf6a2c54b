"""All settings come from environment variables, with embedded defaults.

Every variable read here is listed in the README's settings table; keep them in step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from wiredesk import datadir
from wiredesk.inbox import parse_mailbox_url
from wiredesk.mail import email_settings_from_url


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("WIREDESK_DATA_DIR", "./wiredesk-data")).expanduser().resolve()


def _secret_key() -> str:
    """Use WIREDESK_SECRET_KEY, else one generated once and kept in the data directory."""
    configured = os.environ.get("WIREDESK_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    datadir.private_dir(DATA_DIR)
    key = secrets.token_urlsafe(50)
    # Exclusive create: two processes starting at once agree on one key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("WIREDESK_DEBUG", False)
# Hosts answered besides the editions' own and the WIREDESK_BASE_URL host (and loopback);
# "*" answers any host. Editions gain host names at run time, so the check is
# editions.hosts, per request; Django's fixed list lets every host through to it.
WIREDESK_ALLOWED_HOSTS = _env_list("WIREDESK_ALLOWED_HOSTS", "")
ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = _env_list("WIREDESK_CSRF_TRUSTED_ORIGINS", "")
# A data directory built by `wiredesk demo` records the demo's address (datadir.py):
# commands run by hand on it link to the demo's own port unless WIREDESK_BASE_URL is set.
_DEMO_RECORD = datadir.demo_record(DATA_DIR)
BASE_URL = (os.environ.get("WIREDESK_BASE_URL") or _DEMO_RECORD.get("base_url")
            or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin as the desk: branded, with a second factor for staff (core/signin.py,
    # WIREDESK_STAFF_2FA); in place of django.contrib.admin.
    "wiredesk.core.admin_site.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "wiredesk.core",
    "wiredesk.newsroom",
    "wiredesk.editions",
    "wiredesk.search",
    "wiredesk.publishing",
    "wiredesk.api",
    "wiredesk.releases",
    "wiredesk.desk",
    "wiredesk.digest",
    "wiredesk.syndication",
    "ninja",  # the API docs page's static files
    "wiredesk.ops",
    "wiredesk.staticsite",  # static mode: WIREDESK_STATIC_DIR kept current
    "axes",  # failed sign-ins counted, and locked out (AXES_* below)
    "django_otp",  # staff's one-time codes (WIREDESK_STAFF_2FA below)
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics: first, so they answer on any host without a DB lookup.
    "wiredesk.ops.middleware.OperationsMiddleware",
    # A body past WIREDESK_MAX_REQUEST_BYTES is refused before anything reads it.
    "wiredesk.core.limits.RequestSizeMiddleware",
    "wiredesk.core.headers.SecurityHeadersMiddleware",
    # Then: a request for a host that is no edition's nor the site's goes no further.
    "wiredesk.editions.middleware.EditionHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wiredesk.core.staticfiles.StaticFilesMiddleware",  # whitenoise
    # Inside whitenoise (static files come pre-compressed) and outside everything that
    # reads or writes the body (the page cache stores and hashes the plain page).
    "wiredesk.core.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /admin/ and /desk/ in the editor's language; edition pages set their own (editions.pages).
    "wiredesk.core.editor_language.EditorLanguageMiddleware",
    # request.user.is_verified(): whether this session gave a one-time code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wiredesk.publishing.cache.PublicPageCacheMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wiredesk.urls"
# For a request whose Host names an edition (editions.middleware): the edition lives at /.
HOST_URLCONF = "wiredesk.host_urls"
WSGI_APPLICATION = "wiredesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "OPTIONS": {
            # An edition's own templates first, for its pages only (editions/overrides.py).
            "loaders": [
                "wiredesk.editions.overrides.Loader",
                ("django.template.loaders.cached.Loader", [
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ]),
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_SQLITE_PATH = DATA_DIR / "wiredesk.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"),
        conn_max_age=int(os.environ.get("WIREDESK_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The data directory 0700, the database, key and backups 0600 (see datadir.py). A
# directory that cannot be made private now (read-only) fails later, where it is used.
with contextlib.suppress(OSError):
    _sqlite_name = str(DATABASES["default"].get("NAME") or "")
    datadir.secure(DATA_DIR, Path(_sqlite_name) if DATABASES["default"]["ENGINE"].endswith(
        "sqlite3") and _sqlite_name not in ("", ":memory:") else None)
_ON_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if _ON_SQLITE:
    # Django's backend, with each statement's placeholders converted once per text
    # (core/db_sqlite3).
    DATABASES["default"]["ENGINE"] = "wiredesk.core.db_sqlite3"
    # Kept open between requests too (WIREDESK_DB_CONN_MAX_AGE): opening a file and
    # running the PRAGMAs below cost more than a cached page's own work.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while a poll writes; IMMEDIATE transactions take the
        # write lock up front instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

else:
    # Every query wiredesk sends is a short indexed lookup, where LLVM compilation
    # (PostgreSQL's JIT, on by default since 11) cannot pay back; a plan misestimated past
    # jit_above_cost (stale statistics after a bulk load) would pay it on every call.
    # At 1M articles the ingest step and search measured the same either way
    # (BENCHMARKS.md: scale, search latency).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

if not _ON_SQLITE and os.environ.get("WIREDESK_DB_POOL"):
    # A psycopg connection pool per process ("MIN:MAX", e.g. "2:8"), instead of one
    # persistent connection per thread: fewer server connections for many threads.
    _pool_min, _, _pool_max = os.environ["WIREDESK_DB_POOL"].partition(":")
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(_pool_min or 1), "max_size": int(_pool_max or _pool_min or 4),
        "timeout": 10}

if os.environ.get("WIREDESK_TEST_DB_NAME") and not _ON_SQLITE:
    # Lets several test runs share one PostgreSQL server without clobbering each other
    # (SQLite test databases are in memory, one per run, and need no name).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["WIREDESK_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in (the admin) through django-axes first, which refuses a locked-out attempt
# before the password is even checked, then the ordinary accounts.
# Axes first (a locked-out pair is refused before any password is checked); then Django's
# own (global permissions: administrators, desk editors); then the editions' roles (what an
# edition editor may do on their editions' fronts and articles: editions/roles.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend",
                           "wiredesk.editions.roles.EditionRoleBackend"]
# After WIREDESK_LOGIN_FAILURE_LIMIT wrong passwords for one account from one address,
# that pair may not sign in (not even with the right password) for
# WIREDESK_LOGIN_LOCKOUT_MINUTES. Counting per pair, not per account, keeps an attacker
# from locking editors out from elsewhere. Attempts and lockouts are listed in the admin
# (Axes: access attempts); deleting an attempt there lifts its lockout.
AXES_FAILURE_LIMIT = int(os.environ.get("WIREDESK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("WIREDESK_LOGIN_LOCKOUT_MINUTES",
                                                           "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The one rule for a client's address (WIREDESK_TRUSTED_PROXIES), not X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "wiredesk.core.clients.client_ip_or_none"
AXES_LOCKOUT_TEMPLATE = "wiredesk/locked_out.html"

# Staff sign-in's second factor (core/signin.py): "optional" asks for a one-time code
# from whoever enrolled an authenticator app (`wiredesk otp add USER`), "required" from
# every staff member (one without a device cannot sign in), "off" from nobody.
WIREDESK_STAFF_2FA = os.environ.get("WIREDESK_STAFF_2FA", "optional").strip().lower()
if WIREDESK_STAFF_2FA not in ("off", "optional", "required"):
    raise ValueError(f"WIREDESK_STAFF_2FA must be off, optional or required, not "
                     f"{WIREDESK_STAFF_2FA!r}")
# The admin is the only sign-in: where it lands when `next=` is missing or points off-site
# (Django's default, /accounts/profile/, is no page here).
LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = os.environ.get("WIREDESK_OTP_ISSUER", "wiredesk")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface languages: an edition's pages and mail speak its language when it is one
# of these (``pt-BR`` is served ``pt``), English otherwise (editions/languages.py); the
# admin and the desk follow the editor's browser among them (core/editor_language.py).
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The package's own static/ (site.css): not inside an app, so named here.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Production serves what collectstatic gathered (with its compressed copies); debug
# mode serves straight from the source directories.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# collectstatic (run by `wiredesk serve` and `publish --static`) writes each file under a
# content-hashed name too, the manifest {% static %} reads, and .gz copies (see
# core/staticfiles.py); whitenoise serves the hashed names as immutable.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "wiredesk.core.staticfiles.StaticStorage"},
}
# The media store of agency pictures' renditions: files under MEDIA_ROOT (served at
# /media/pictures/ as immutable), or any S3-compatible bucket through django-storages
# (`pip install 'wiredesk[s3]'`; credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, as boto3 reads them). The bucket serves the files itself: its
# objects are written public-read-able by URL and with the same immutable Cache-Control.
WIREDESK_MEDIA_STORAGE = os.environ.get("WIREDESK_MEDIA_STORAGE", "files").strip().lower()
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
if WIREDESK_MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("WIREDESK_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("WIREDESK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("WIREDESK_S3_REGION") or None,
            "custom_domain": os.environ.get("WIREDESK_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("WIREDESK_S3_PREFIX", "").strip("/"),
            "default_acl": os.environ.get("WIREDESK_S3_ACL") or None,
            # Plain addresses (pages are cached; signed ones would expire in them).
            "querystring_auth": False,
            # Names hash their content: a name written twice holds the same bytes.
            "file_overwrite": True,
            "object_parameters": {"CacheControl": IMMUTABLE_CACHE_CONTROL},
        },
    }
elif WIREDESK_MEDIA_STORAGE != "files":
    raise ValueError(f"WIREDESK_MEDIA_STORAGE must be files or s3, not "
                     f"{WIREDESK_MEDIA_STORAGE!r}")

# Outgoing mail: one URL (see mail.py); the console backend prints messages.
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
vars().update(email_settings_from_url(EMAIL_URL))
# Demo only: `wiredesk demo` sets WIREDESK_DEMO_MAILBOX for its own processes, so mail is
# kept as files in the data directory's mailbox/ and read at /_mail/ on the demo server
# (`wiredesk serve` refuses to start with it). Commands run by hand on a demo's data
# directory leave their mail there too, unless EMAIL_URL says otherwise.
WIREDESK_DEMO_MAILBOX = _env_bool("WIREDESK_DEMO_MAILBOX", False)
WIREDESK_MAILBOX_DIR = DATA_DIR / "mailbox"
if WIREDESK_DEMO_MAILBOX or (_DEMO_RECORD and "EMAIL_URL" not in os.environ):
    EMAIL_BACKEND = "wiredesk.demo.mailbox.MailboxBackend"
DEFAULT_FROM_EMAIL = os.environ.get("WIREDESK_FROM_EMAIL", "wiredesk <news@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# DKIM keys, one per sending domain: <selector>._domainkey.<domain>.pem (mail/dkim.py).
WIREDESK_DKIM_KEYS = Path(os.environ.get("WIREDESK_DKIM_KEYS", "")
                          or DATA_DIR / "dkim").expanduser()
# `wiredesk mail check`: the resolver(s) asked (host[:port], comma-separated; empty: the
# system's), and what the sending domain's SPF must permit (empty: EMAIL_URL's host).
WIREDESK_DNS_RESOLVER = os.environ.get("WIREDESK_DNS_RESOLVER", "")
WIREDESK_SPF_RELAY = os.environ.get("WIREDESK_SPF_RELAY", "")
# Test copies of a digest an editor may send from the admin, per editor.
WIREDESK_DIGEST_TEST_SEND_RATE = os.environ.get("WIREDESK_DIGEST_TEST_SEND_RATE", "10/h")

REDIS_URL = os.environ.get("REDIS_URL", "")
# Celery: a broker turns on background workers; without one, jobs run in-process.
CELERY_BROKER_URL = os.environ.get("WIREDESK_BROKER_URL", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "wiredesk"
# Workers log through LOGGING below (so WIREDESK_LOG_FORMAT=json applies to them too).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task a killed worker had taken (acks late) goes back to the queue after this long.
# Polls are idempotent, so redelivery is safe; it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("WIREDESK_TASK_VISIBILITY_TIMEOUT", "900")),
}

# Local memory by default; Redis (shared by every process and node) when REDIS_URL is set.
# Three aliases that never share a store: "pages" (the full-page cache, which may evict
# freely), "counters" (rate limits, core.ratelimit: filling the page cache must never
# evict one) and "default" (anything else). With Redis, give pages and counters their
# own databases or instances (docs/deployment.md: maxmemory and eviction policies).
if REDIS_URL:
    def _redis(url: str, prefix: str) -> dict:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url, "KEY_PREFIX": prefix}

    CACHES = {
        "default": _redis(REDIS_URL, "wiredesk"),
        "pages": _redis(os.environ.get("WIREDESK_PAGE_CACHE_URL", REDIS_URL), "wiredesk-pages"),
        "counters": _redis(os.environ.get("WIREDESK_COUNTERS_URL", REDIS_URL),
                           "wiredesk-counters"),
    }
else:
    def _local(name: str, entries: int) -> dict:
        # LOCATION names the store: aliases with the same one would share it.
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": entries}}

    CACHES = {"default": _local("wiredesk-default", 5000),
              "pages": _local("wiredesk-pages", 5000),
              "counters": _local("wiredesk-counters", 100_000)}
# Full-page cache of public edition pages purged by per-edition generations.
WIREDESK_PAGE_CACHE = _env_bool("WIREDESK_PAGE_CACHE", True)
WIREDESK_PAGE_CACHE_SECONDS = int(os.environ.get("WIREDESK_PAGE_CACHE_SECONDS", "600"))
WIREDESK_PAGE_MAX_AGE = int(os.environ.get("WIREDESK_PAGE_MAX_AGE", "60"))
# Static mode: the `publish --static` copy in this folder kept current on every change
# (staticsite/mirror.py; docs/static-mode.md). Empty: off.
WIREDESK_STATIC_DIR = os.environ.get("WIREDESK_STATIC_DIR", "")
# JSON API: requests a minute from one address without an API key.
WIREDESK_API_ANON_PER_MINUTE = int(os.environ.get("WIREDESK_API_ANON_PER_MINUTE", "60"))
# The change stream keeps a withdrawn article's change this long; older cursors get 410.
WIREDESK_CHANGES_RETENTION_DAYS = int(os.environ.get("WIREDESK_CHANGES_RETENTION_DAYS", "30"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
WIREDESK_HTTPS = _env_bool("WIREDESK_HTTPS", False)
if WIREDESK_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browsers that once reached the site over https never try plain http again. Sent
    # on https answers only (SecurityMiddleware); no includeSubDomains, since editions
    # may sit on other subdomains the publisher does not serve over https.
    SECURE_HSTS_SECONDS = int(os.environ.get("WIREDESK_HSTS_SECONDS", "31536000"))

# Fetch limits for feeds and pages.
WIREDESK_FETCH_TIMEOUT = float(os.environ.get("WIREDESK_FETCH_TIMEOUT", "20"))
WIREDESK_FETCH_MAX_BYTES = int(os.environ.get("WIREDESK_FETCH_MAX_BYTES", str(10 * 1024 * 1024)))
# Hosts (names, addresses, networks) a fetch may reach although they are not on the
# public Internet, e.g. an intranet agency feed; everything else internal is refused.
WIREDESK_FETCH_ALLOW = _env_list("WIREDESK_FETCH_ALLOW", "")
# Pushes to partners (syndication.sending): one delivery's time limit, retries with full
# jitter on a capped exponential, dead letters after so many attempts or hours.
WIREDESK_PUSH_TIMEOUT = float(os.environ.get("WIREDESK_PUSH_TIMEOUT", "10"))
WIREDESK_PUSH_RETRY_BASE = float(os.environ.get("WIREDESK_PUSH_RETRY_BASE", "30"))
WIREDESK_PUSH_RETRY_CAP = float(os.environ.get("WIREDESK_PUSH_RETRY_CAP", "3600"))
WIREDESK_PUSH_MAX_ATTEMPTS = int(os.environ.get("WIREDESK_PUSH_MAX_ATTEMPTS", "15"))
WIREDESK_PUSH_MAX_AGE_HOURS = float(os.environ.get("WIREDESK_PUSH_MAX_AGE_HOURS", "72"))
WIREDESK_PUSH_CONCURRENCY = int(os.environ.get("WIREDESK_PUSH_CONCURRENCY", "8"))
WIREDESK_PUSH_BATCH = int(os.environ.get("WIREDESK_PUSH_BATCH", "100"))
WIREDESK_PUSH_CLAIM_TIMEOUT = int(os.environ.get("WIREDESK_PUSH_CLAIM_TIMEOUT", "300"))
WIREDESK_PUSH_SECRET_GRACE_HOURS = float(
    os.environ.get("WIREDESK_PUSH_SECRET_GRACE_HOURS", "72"))
# A PEM file of CAs trusted besides the system's for pushes (a partner's private CA).
WIREDESK_PUSH_CA_BUNDLE = os.environ.get("WIREDESK_PUSH_CA_BUNDLE", "")
# WebSub: the hub every feed names (empty: none); wiredesk's own is <base URL>/websub/.
WIREDESK_WEBSUB_HUB = os.environ.get("WIREDESK_WEBSUB_HUB", "").strip()
WIREDESK_WEBSUB_LEASE_SECONDS = int(os.environ.get("WIREDESK_WEBSUB_LEASE_SECONDS",
                                                   str(10 * 24 * 3600)))
WIREDESK_SCHEDULER = _env_bool("WIREDESK_SCHEDULER", True)
# Drop folders (newsroom.services.intake): a file is taken once two listings at least this
# many seconds apart show it with the same size and time (still being written otherwise).
WIREDESK_DROP_SETTLE_SECONDS = float(os.environ.get("WIREDESK_DROP_SETTLE_SECONDS", "30"))
# Mailbox feeds: a larger message is recorded and skipped without being downloaded (each
# attachment is held to WIREDESK_FETCH_MAX_BYTES, like any feed or file).
WIREDESK_MAIL_MAX_BYTES = int(os.environ.get("WIREDESK_MAIL_MAX_BYTES", str(25 * 1024 * 1024)))
# Agency pictures (newsroom.services.renditions): fetched by the fetch-pictures job through
# the same guarded fetcher (WIREDESK_FETCH_ALLOW), never by ingest; re-encoded into
# WIREDESK_PICTURE_WIDTHS. A failure is tried again after RETRY_BASE seconds, doubled each
# time, MAX_ATTEMPTS times in all.
WIREDESK_PICTURE_MAX_BYTES = int(os.environ.get("WIREDESK_PICTURE_MAX_BYTES",
                                                str(20 * 1024 * 1024)))
WIREDESK_PICTURE_MAX_PIXELS = int(os.environ.get("WIREDESK_PICTURE_MAX_PIXELS", "40000000"))
WIREDESK_PICTURE_TIMEOUT = float(os.environ.get("WIREDESK_PICTURE_TIMEOUT", "20"))
WIREDESK_PICTURE_WIDTHS = tuple(sorted({int(w) for w in _env_list(
    "WIREDESK_PICTURE_WIDTHS", "320,640,1024,1600")}))
WIREDESK_PICTURE_BATCH = int(os.environ.get("WIREDESK_PICTURE_BATCH", "10"))
WIREDESK_PICTURE_MAX_ATTEMPTS = int(os.environ.get("WIREDESK_PICTURE_MAX_ATTEMPTS", "6"))
WIREDESK_PICTURE_RETRY_BASE = float(os.environ.get("WIREDESK_PICTURE_RETRY_BASE", "300"))

# Search: the PostgreSQL text search configuration the index is built with
# (run `wiredesk search reindex` after changing it); SQLite always uses FTS5 porter.
WIREDESK_SEARCH_LANGUAGE = os.environ.get("WIREDESK_SEARCH_LANGUAGE", "english")
# How much of an article's body text the index holds (a longer body is searchable on its
# first this-many characters), and how long one search may run before it is stopped: a
# single hostile body must not make every matching search slow.
WIREDESK_SEARCH_INDEX_CHARS = int(os.environ.get("WIREDESK_SEARCH_INDEX_CHARS", "100000"))
WIREDESK_SEARCH_TIMEOUT_MS = int(os.environ.get("WIREDESK_SEARCH_TIMEOUT_MS", "3000"))
# News releases from the public (wiredesk.releases). Rate limits are "count/period"
# with period s, m, h or d, counted in the Django cache (per process with the default
# local-memory cache: use a shared cache such as Redis when several processes serve).
WIREDESK_RELEASE_RATE_IP = os.environ.get("WIREDESK_RELEASE_RATE_IP", "10/h")
WIREDESK_RELEASE_RATE_EMAIL = os.environ.get("WIREDESK_RELEASE_RATE_EMAIL", "5/d")
WIREDESK_RELEASE_RATE_ORG = os.environ.get("WIREDESK_RELEASE_RATE_ORG", "10/d")
WIREDESK_RELEASE_MIN_FILL_SECONDS = float(
    os.environ.get("WIREDESK_RELEASE_MIN_FILL_SECONDS", "4"))
WIREDESK_RELEASE_MAX_IMAGE_BYTES = int(
    os.environ.get("WIREDESK_RELEASE_MAX_IMAGE_BYTES", str(5 * 1024 * 1024)))
# Checking runs in the web worker: a PNG or GIF costs about 5 bytes and 80 ns of CPU a
# pixel at most, so 24 Mpx (6000x4000) is ~120 MB and ~2 s; a WebP may have a quarter of
# it, a JPEG is decoded at reduced scale (releases/images.py).
WIREDESK_RELEASE_MAX_IMAGE_PIXELS = int(
    os.environ.get("WIREDESK_RELEASE_MAX_IMAGE_PIXELS", str(24_000_000)))
# The largest request body any page or API call takes (413 from its declared length,
# before it is read): the release form with its image is the largest wiredesk sends.
WIREDESK_MAX_REQUEST_BYTES = int(os.environ.get(
    "WIREDESK_MAX_REQUEST_BYTES", str(WIREDESK_RELEASE_MAX_IMAGE_BYTES + 3 * 1024 * 1024)))
# Form fields in one request (Django's own check answers 400 past it).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
WIREDESK_RELEASE_VERIFY_HOURS = int(os.environ.get("WIREDESK_RELEASE_VERIFY_HOURS", "72"))
# The daily email digest (README, "The daily email digest").
WIREDESK_DIGEST_RATE_PER_SECOND = float(os.environ.get("WIREDESK_DIGEST_RATE_PER_SECOND", "20"))
WIREDESK_DIGEST_RATE_PER_HOUR = int(os.environ.get("WIREDESK_DIGEST_RATE_PER_HOUR", "0"))
WIREDESK_DIGEST_MESSAGES_PER_CONNECTION = int(
    os.environ.get("WIREDESK_DIGEST_MESSAGES_PER_CONNECTION", "100"))
WIREDESK_DIGEST_BATCH = int(os.environ.get("WIREDESK_DIGEST_BATCH", "50"))
WIREDESK_DIGEST_CLAIM_TIMEOUT = float(os.environ.get("WIREDESK_DIGEST_CLAIM_TIMEOUT", "600"))
WIREDESK_DIGEST_IN_FLIGHT_ON_CRASH = os.environ.get("WIREDESK_DIGEST_IN_FLIGHT_ON_CRASH",
                                                    "resend")
WIREDESK_DIGEST_MAX_ATTEMPTS = int(os.environ.get("WIREDESK_DIGEST_MAX_ATTEMPTS", "5"))
WIREDESK_DIGEST_RETRY_BASE = float(os.environ.get("WIREDESK_DIGEST_RETRY_BASE", "60"))
WIREDESK_DIGEST_BOUNCE_THRESHOLD = int(os.environ.get("WIREDESK_DIGEST_BOUNCE_THRESHOLD", "3"))
WIREDESK_DIGEST_MAX_STORIES = int(os.environ.get("WIREDESK_DIGEST_MAX_STORIES", "20"))
WIREDESK_DIGEST_CONFIRM_MAX_AGE = int(os.environ.get("WIREDESK_DIGEST_CONFIRM_MAX_AGE",
                                                     str(3 * 86400)))
WIREDESK_DIGEST_CONFIRM_INTERVAL = int(os.environ.get("WIREDESK_DIGEST_CONFIRM_INTERVAL", "600"))
WIREDESK_DIGEST_CONFIRM_PER_DAY = int(os.environ.get("WIREDESK_DIGEST_CONFIRM_PER_DAY", "3"))
WIREDESK_DIGEST_SIGNUPS_PER_IP = int(os.environ.get("WIREDESK_DIGEST_SIGNUPS_PER_IP", "20"))
# Bounces and complaints (README, "Bounces and complaints"). The return path each digest
# goes out with: "bounces@example.org" becomes bounces+<token>@example.org (VERP).
WIREDESK_BOUNCE_ADDRESS = os.environ.get("WIREDESK_BOUNCE_ADDRESS", "").strip()
# imap://user:pass@host:143/INBOX, imaps://, pop3://, pop3s://: read by `wiredesk bounces
# fetch` and the fetch-bounces job (only scheduled when set).
WIREDESK_BOUNCE_MAILBOX = os.environ.get("WIREDESK_BOUNCE_MAILBOX", "").strip()
if WIREDESK_BOUNCE_ADDRESS and (
        WIREDESK_BOUNCE_ADDRESS.count("@") != 1 or "+" in WIREDESK_BOUNCE_ADDRESS
        or any(ch.isspace() or ch in "<>,;\"" for ch in WIREDESK_BOUNCE_ADDRESS)
        or not all(WIREDESK_BOUNCE_ADDRESS.split("@"))):
    raise ValueError(f"WIREDESK_BOUNCE_ADDRESS must be one plain address without '+' "
                     f"(bounces@example.org), not {WIREDESK_BOUNCE_ADDRESS!r}")
if WIREDESK_BOUNCE_MAILBOX:
    parse_mailbox_url(WIREDESK_BOUNCE_MAILBOX)  # a wrong URL stops the start, said plainly
WIREDESK_SOFT_BOUNCE_LIMIT = int(os.environ.get("WIREDESK_SOFT_BOUNCE_LIMIT", "5"))
# Provider webhooks at /hooks/bounces/<provider>; each is off until its secret is set.
WIREDESK_SES_TOPIC_ARNS = _env_list("WIREDESK_SES_TOPIC_ARNS", "")
# Where SNS signing certificates may come from (host[:port], a regular expression).
WIREDESK_SNS_CERT_HOST = os.environ.get("WIREDESK_SNS_CERT_HOST",
                                        r"sns\.[a-z0-9-]+\.amazonaws\.com")
WIREDESK_POSTMARK_WEBHOOK_TOKEN = os.environ.get("WIREDESK_POSTMARK_WEBHOOK_TOKEN", "")
WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY = os.environ.get("WIREDESK_SENDGRID_WEBHOOK_PUBLIC_KEY", "")
WIREDESK_MAILGUN_SIGNING_KEY = os.environ.get("WIREDESK_MAILGUN_SIGNING_KEY", "")
# Operations (wiredesk.ops): who may read /metrics, and which proxies' X-Forwarded-For
# to believe. Polls at most this many feeds of one host at once on Celery workers.
WIREDESK_METRICS_ALLOW = _env_list("WIREDESK_METRICS_ALLOW", "127.0.0.0/8,::1")
# A scraper elsewhere sends it as `Authorization: Bearer ...` (empty: addresses only).
WIREDESK_METRICS_TOKEN = os.environ.get("WIREDESK_METRICS_TOKEN", "")
WIREDESK_TRUSTED_PROXIES = _env_list("WIREDESK_TRUSTED_PROXIES", "")
WIREDESK_POLL_PER_HOST = int(os.environ.get("WIREDESK_POLL_PER_HOST", "2"))
# Seconds a queued or running Celery poll holds its feed (claim and lock expiry).
WIREDESK_POLL_LEASE = int(os.environ.get("WIREDESK_POLL_LEASE", "300"))
# Story intelligence (copies, stories, SEE ALSO, tags, sections) in each item's own
# transaction ("inline"), or as its own stage after storing ("deferred": one writer per
# installation, in arrival order; pages show a new item at once, its decisions follow).
WIREDESK_INTELLIGENCE = os.environ.get("WIREDESK_INTELLIGENCE", "inline").strip().lower()
if WIREDESK_INTELLIGENCE not in ("inline", "deferred"):
    raise ValueError(f"WIREDESK_INTELLIGENCE must be inline or deferred, not "
                     f"{WIREDESK_INTELLIGENCE!r}")
# PostgreSQL: the statements of a document's items (storing and inline intelligence) and
# of the intelligence stage's batches bound and prepared by the server and planned once,
# for that document or batch (``core.prepared``). Off behind a pooler that cannot carry
# prepared statements (PgBouncer in transaction mode before 1.22, or without
# max_prepared_statements). WIREDESK_STAGE_PREPARED, its name when it covered the stage
# alone, is still read.
WIREDESK_PREPARED_STATEMENTS = _env_bool(
    "WIREDESK_PREPARED_STATEMENTS", _env_bool("WIREDESK_STAGE_PREPARED", True))
WIREDESK_LOG_FORMAT = os.environ.get("WIREDESK_LOG_FORMAT", "plain").strip().lower()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "wiredesk.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if WIREDESK_LOG_FORMAT == "json" else "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WIREDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its start-up banner, in every process and every CLI command; failures still log.
        "axes.apps": {"level": "WARNING"},
    },
}
