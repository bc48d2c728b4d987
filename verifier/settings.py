"""Verifier settings: one module, driven by the environment (verifier/env.py, README, docs/interfaces.md)."""

from django.utils.csp import CSP

from verifier.env import BASE_DIR, read

# Every environment value, read and checked in verifier/env.py; nothing below reads os.environ.
_env = read()
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
STATIC_ROOT = _env["STATIC_ROOT"]
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

# Security headers. HTTPS-only parts follow DJANGO_HTTPS (docs/interfaces.md); always off in DEBUG.
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
SECURE_HSTS_PRELOAD = _env["HSTS_PRELOAD"]
if not SECURE_HSTS_PRELOAD:
    # security.W021 asks every site to preload, but preloading is a commitment a site opts into
    # (DJANGO_HSTS_PRELOAD=1): browsers then refuse plain HTTP for the domain and all its
    # subdomains, and leaving the list takes months. Without it the deploy check stays clean.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
if _env["HTTPS"]:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sign-in throttling (django-axes): lock the username+IP pair, so one attacker cannot lock
# everybody out of an account from elsewhere. Behind N reverse proxies, set DJANGO_PROXY_COUNT=N
# so that the client address is read from X-Forwarded-For (see claims.ratelimit.client_ip_address).
AXES_FAILURE_LIMIT = _env["AXES_FAILURE_LIMIT"]
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "claims.ratelimit.client_ip_address"
VERIFIER_PROXY_COUNT = _env["PROXY_COUNT"]

# Caches: in-process memory by default (tests, `make run`); VERIFIER_CACHE_URL=redis://host:port/db
# shares the rate-limit counters between server processes (Django's own Redis backend).
if _env["CACHE_URL"]:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _env["CACHE_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "verifier"}}

# Rate limits as (requests, seconds), answered 429 with Retry-After (claims/ratelimit.py, README):
# failed sign-ins from one address whatever the usernames (axes locks username+address at 5); API
# requests from one address, and with one token; API requests from one address without a valid token.
VERIFIER_RATE_LIMITS = _env["RATE_LIMITS"]

# Import limits (bytes / characters).
VERIFIER_MAX_FILE_BYTES = _env["MAX_FILE_BYTES"]
VERIFIER_MAX_ARTICLE_CHARS = _env["MAX_ARTICLE_CHARS"]
# The site's public base URL, when set: exported links and ClaimReviews use it. Unset, a web export
# uses the request's host, and a command-line export the HOST and PORT the app is served on.
VERIFIER_SITE_URL = _env["SITE_URL"]
# The installed spaCy pipeline English extraction parses with (claims/extraction/nlp.py).
VERIFIER_NLP_MODEL = _env["NLP_MODEL"]
# Import pipeline: one article's claim extraction may take this long (0: no limit); a runner or
# extraction worker beats every HEARTBEAT seconds and counts as dead after STALL seconds of silence;
# a job's watchdog task looks every WATCH seconds; dry-run previews are kept PREVIEW_HOURS.
VERIFIER_EXTRACTION_SECONDS = _env["EXTRACTION_SECONDS"]
VERIFIER_IMPORT_HEARTBEAT_SECONDS = _env["IMPORT_HEARTBEAT_SECONDS"]
VERIFIER_IMPORT_STALL_SECONDS = _env["IMPORT_STALL_SECONDS"]
VERIFIER_IMPORT_WATCH_SECONDS = _env["IMPORT_WATCH_SECONDS"]
VERIFIER_IMPORT_PREVIEW_HOURS = _env["IMPORT_PREVIEW_HOURS"]
# The organisation named as author of exported ClaimReviews.
VERIFIER_ORGANIZATION = {"name": _env["ORG_NAME"], "url": _env["ORG_URL"]}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
