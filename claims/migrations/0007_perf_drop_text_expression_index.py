"""PostgreSQL: drop the GIN index on to_tsvector(text) from 0004; search uses the stored vector (0005).

Nothing queries the expression any more (claims.selectors.FullTextMatch matches `search_vector`),
and keeping the index parsed every claim's text a second time on every insert: most of an
import's or generate_demo_data's index cost (bench/RESULTS.md).
"""

from django.db import migrations

from claims.migrations._shared import postgresql_only

EXPRESSION_INDEX = (
    "CREATE INDEX IF NOT EXISTS claim_text_fts_idx ON claims_claim USING GIN (to_tsvector('english'::regconfig, text))"
)


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_perf_status_tally")]

    operations = [postgresql_only(["DROP INDEX IF EXISTS claim_text_fts_idx"], [EXPRESSION_INDEX])]
