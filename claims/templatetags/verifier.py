"""Template filters: showing imported (untrusted) data safely, and cheap pieces of the queue rows."""

import functools
import uuid
from urllib.parse import urlsplit

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html, format_html_join

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


@register.filter
def sentence_html(segments) -> str:
    """A claim's sentence with the source's name and the cue emphasised (selectors.sentence_segments),
    escaped, as one string: a template loop over the segments costs more than the rest of a queue row."""
    parts = []
    for seg in segments:
        if seg.kind == "source":
            parts.append(format_html('<strong class="src-name">{}</strong>', seg.text))
        elif seg.kind == "cue":
            parts.append(format_html('<em class="cue">{}</em>', seg.text))
        else:
            parts.append(conditional_escape(seg.text))
    return format_html_join("", "{}", ((part,) for part in parts))


_MARK = 987654321


@functools.lru_cache(maxsize=64)
def _pk_route(name: str, script_prefix: str) -> tuple[str, str]:
    head, tail = reverse(name, kwargs={"pk": _MARK}).split(str(_MARK), 1)
    return head, tail


@register.filter
def pk_url(pk, name: str) -> str:
    """`{% url name pk %}` for a route whose only argument is `pk`, reversed once per route: the
    queue's rows link three times each, and reversing 150 links was a fifth of the page's time."""
    head, tail = _pk_route(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@register.simple_tag
def decision_key():
    """A hidden per-form token for a decision form: the same form posted twice records one decision."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)
