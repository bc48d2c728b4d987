"""Small factories: real rows with sensible defaults, overridable by keyword."""

import hashlib
import itertools

from django.contrib.auth.models import Group, User

from claims.models import Article, Claim, Source, SourceAlias

_seq = itertools.count(1)

BODY = (
    "Officials in the region said that the bridge was damaged overnight, the regional governor reports.\n\n"
    "According to the General Staff, 14 drones were shot down over the south."
)


def make_user(*, username=None, group=None, password="correct horse battery staple", **extra):
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=password, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_analyst(**kwargs):
    return make_user(group="Analysts", **{"username": kwargs.pop("username", None) or f"analyst{next(_seq)}", **kwargs})


def make_viewer(**kwargs):
    return make_user(group="Viewers", **{"username": kwargs.pop("username", None) or f"viewer{next(_seq)}", **kwargs})


def make_source(*, name=None, kind="organization", aliases=(), **extra):
    source = Source.objects.create(name=name or f"Source {next(_seq)}", kind=kind, **extra)
    for alias in (source.name, *aliases):
        SourceAlias.objects.create(source=source, name=alias)
    return source


def make_article(*, title=None, body=BODY, url=None, **extra):
    n = next(_seq)
    body = f"{body}\n\n(Article {n}.)" if "content_hash" not in extra else body
    return Article.objects.create(
        title=title or f"Article {n}",
        body=body,
        original_text=body,
        url=url or "",
        url_key=url or None,
        content_hash=extra.pop("content_hash", hashlib.sha256(body.encode()).hexdigest()),
        **extra,
    )


def make_claim(*, article=None, source=None, start=0, end=None, **extra):
    article = article or make_article()
    source = source or make_source()
    if end is None:
        end = article.body.index(".") + 1
    return Claim.objects.create(
        article=article, source=source, start=start, end=end, text=article.body[start:end], **extra
    )
