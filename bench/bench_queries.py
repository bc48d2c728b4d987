"""PostgreSQL time of the queue's SQL, per filter, sort, page and search term (EXPLAIN ANALYZE).

Captures the exact SQL `claims.selectors.claim_queue` sends for each case and reports PostgreSQL's
planning + execution time (best of 3), so Python and the network are out of the picture:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verifier_bench_1000000 .venv/bin/python -m bench.bench_queries
"""

from __future__ import annotations

import os
import statistics
import sys

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-queries-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.bench_web import SEARCH_TERMS  # noqa: E402
from claims import selectors  # noqa: E402
from claims.models import UNDECIDED, Article, Claim  # noqa: E402


def server_ms(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
    return plan["Planning Time"] + plan["Execution Time"]


def best_of_3(run) -> tuple[float, int]:
    run()
    with CaptureQueriesContext(connection) as ctx:
        run()
    sqls = [q["sql"] for q in ctx.captured_queries]
    return min(sum(server_ms(sql) for sql in sqls) for _ in range(3)), len(sqls)


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_queries.py needs PostgreSQL (DATABASE_URL=postgres://...)", file=sys.stderr)
        return 2
    f = selectors.QueueFilters
    sources = list(
        Claim.objects.order_by()
        .values("source")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("source", flat=True)
    )
    n = Claim.objects.count()
    deep = Claim.objects.order_by("-id").values_list("id", flat=True)[int(n * 0.9)]
    analyst = User.objects.filter(username="demo.analyst3").values_list("pk", flat=True).first()
    cases = {
        "default": {"filters": f()},
        "oldest first": {"filters": f(sort="oldest")},
        "status=confirmed": {"filters": f(status="confirmed")},
        "status=being_clarified": {"filters": f(status="being_clarified")},
        "undecided": {"filters": f(status=UNDECIDED)},
        "busiest source": {"filters": f(source=sources[0])},
        "rarest source": {"filters": f(source=sources[-1])},
        "article": {"filters": f(article=Article.objects.order_by("-id").values_list("id", flat=True)[n // 20])},
        "assignee": {"filters": f(assignee=analyst)},
        "language=uk": {"filters": f(language="uk")},
        "keyset page 90% down": {"filters": f(), "after": deep},
        "page 200": {"filters": f(), "page": 200},
        "page 2000": {"filters": f(), "page": 2000},
    }
    cases.update({f"search {term!r}": {"filters": f(q=term)} for term in SEARCH_TERMS})
    print(f"{n:,} claims; PostgreSQL planning + execution, best of 3")
    print("| case | ms | queries |\n|---|---|---|")
    searches = []
    for name, kwargs in cases.items():
        ms, count = best_of_3(lambda kwargs=kwargs: selectors.claim_queue(**kwargs))
        if name.startswith("search"):
            searches.append(ms)
        print(f"| {name} | {ms:.2f} | {count} |", flush=True)
    ms, count = best_of_3(selectors.status_counts)
    print(f"| status counts | {ms:.2f} | {count} |")
    print(f"\nsearch: median {statistics.median(searches):.1f} ms, worst {max(searches):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
