"""PostgreSQL: drop the GIN index on to_tsvector(text) from 0004; search uses the stored vector (0005).

Nothing queries the expression any more (claims.selectors.FullTextMatch matches `search_vector`),
and keeping the index parsed every claim's text a second time on every insert: most of an
import's or generate_demo_data's index cost (bench/RESULTS.md).
"""

from django.db import migrations

EXPRESSION_INDEX = (
    "CREATE INDEX IF NOT EXISTS claim_text_fts_idx ON claims_claim USING GIN (to_tsvector('english'::regconfig, text))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS claim_text_fts_idx", params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXPRESSION_INDEX, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_perf_status_tally")]

    operations = [migrations.RunPython(forward, backward)]
