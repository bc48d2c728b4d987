"""Template filters for showing imported (untrusted) data safely."""

import uuid
from urllib.parse import urlsplit

from django import template
from django.utils.html import format_html

register = template.Library()

LINK_SCHEMES = {"http", "https"}


@register.filter
def safe_url(value) -> str:
    """`value` if it is an absolute http(s) URL, else "": `javascript:`, `data:` and the like never become links.

    Use as `{% with href=article.url|safe_url %}{% if href %}<a href="{{ href }}" rel="noopener noreferrer">`.
    Autoescaping still applies to the result; this filter only decides whether it may be a link.
    """
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside URLs ("java\\tscript:"); refuse them rather than guess.
    if not url or any(ord(ch) < 0x21 or ch == "\x7f" for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return url


@register.filter
def timeuntil_or_minutes(value) -> str:
    """A cool-off timedelta as "N minutes" (at least 1)."""
    try:
        minutes = max(1, round(value.total_seconds() / 60))
    except AttributeError:
        return ""
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@register.simple_tag
def decision_key():
    """A hidden per-form token for a decision form: the same form posted twice records one decision."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)
