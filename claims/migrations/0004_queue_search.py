"""Indexes for the triage queue's search and filters.

Raw SQL (not model Meta indexes) because the full-text index is PostgreSQL-only and the expression
must match the queue's query exactly: `to_tsvector('english'::regconfig, text)`
(claims.selectors.FullTextMatch). SQLite gets the plain indexes; its search is a substring match.
"""

from django.db import migrations

COMMON = [
    # hedged filter, newest first
    ("claim_hedged_idx", "CREATE INDEX claim_hedged_idx ON claims_claim (hedged, id DESC)"),
    # "Undecided" filter and the dashboard's articles with the most undecided claims
    ("claim_undecided_idx", "CREATE INDEX claim_undecided_idx ON claims_claim (id DESC) WHERE version = 0"),
    (
        "claim_undecided_article_idx",
        "CREATE INDEX claim_undecided_article_idx ON claims_claim (article_id) WHERE version = 0",
    ),
    # language filter (joins the article)
    ("article_language_idx", "CREATE INDEX article_language_idx ON claims_article (language)"),
]

POSTGRES = [
    (
        "claim_text_fts_idx",
        "CREATE INDEX claim_text_fts_idx ON claims_claim USING GIN (to_tsvector('english'::regconfig, text))",
    ),
]


def forward(apps, schema_editor):
    statements = COMMON + (POSTGRES if schema_editor.connection.vendor == "postgresql" else [])
    for _name, sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = COMMON + (POSTGRES if schema_editor.connection.vendor == "postgresql" else [])
    for name, _sql in statements:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_decisions_append_only")]

    operations = [migrations.RunPython(forward, backward)]
