"""Keys for "same article": a normalised URL and a hash of the normalised body."""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(?:utm_.*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}

_QUOTE_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
}
_QUOTE_CHARS = re.compile("[" + "".join(_QUOTE_MAP) + "]")
_WS = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")


def normalise_url(url: str) -> str | None:
    """The URL in a canonical form for dedupe, or None when there is no usable http(s) URL.

    Lower-case scheme and host, no default port, no fragment, no trailing slash, no tracking
    parameters (utm_*, fbclid, gclid, ...), the remaining query parameters sorted.
    """
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 literal
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port in (None, _DEFAULT_PORTS[scheme]) else f"[{host}]:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~") or "/"
    path = re.sub(r"/{2,}", "/", path)
    path = path.rstrip("/") if path != "/" else ""
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    key = urlunsplit((scheme, netloc, path, urlencode(query), ""))
    return key[:2000]


def normalise_text(text: str) -> str:
    """Text with white space, quotes, dashes and case made uniform (for comparing bodies)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE.sub("", text)
    # Replacing only what matches is much faster than str.translate with a dict over every character.
    text = _QUOTE_CHARS.sub(lambda m: _QUOTE_MAP[m.group()], text)
    return _WS.sub(" ", text).strip().casefold()


def content_hash(body: str) -> str:
    """SHA-256 of the normalised body: equal for the same article whatever its formatting."""
    return hashlib.sha256(normalise_text(body).encode("utf-8")).hexdigest()
