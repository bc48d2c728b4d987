"""Undecided apart from Unverified in the PostgreSQL status tally; an index for "article order".

The tally (migration 0006) counted stored statuses, so claims nobody had decided (`unverified` at
version 0) and claims an analyst decided unverified were one number. It now counts the status a
page shows: `undecided` at version 0, else the stored status. The trigger function is replaced and
the tally rebuilt from the claims (under the triggers' lock, so the rebuild is exact).

The queue's "article order" (articles newest first, each article's claims top-down) walks
`claim_article_order_idx` (article DESC, start ASC); the (article, start) index cannot give that order.
The decided-Unverified queue walks a partial index of its own (the Undecided queue has had one since
0004), so it never reads past the undecided claims.
"""

from django.db import migrations, models

from claims.migrations._shared import postgresql_only

SHOWN = "CASE WHEN version = 0 THEN 'undecided' ELSE status END"

CHANGE_TEMPLATE = """
    CREATE OR REPLACE FUNCTION claims_status_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO claims_status_tally (status, n) SELECT SHOWN_STATUS, count(*) FROM new_rows GROUP BY 1;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO claims_status_tally (status, n) SELECT SHOWN_STATUS, -count(*) FROM old_rows GROUP BY 1;
        ELSE
            INSERT INTO claims_status_tally (status, n)
            SELECT shown, sum(d) FROM (
                SELECT SHOWN_STATUS AS shown, 1 AS d FROM new_rows UNION ALL SELECT SHOWN_STATUS, -1 FROM old_rows
            ) AS moves GROUP BY shown HAVING sum(d) <> 0;
        END IF;
        IF random() < 0.001 THEN
            PERFORM claims_status_tally_compact();
        END IF;
        RETURN NULL;
    END;
    $$
"""

# Constant SQL (no input): the shown-status expression, or the stored status to go back.
CHANGE = CHANGE_TEMPLATE.replace("SHOWN_STATUS", SHOWN)
OLD_CHANGE = CHANGE_TEMPLATE.replace("SHOWN_STATUS", "status")


def _rebuild(shown: str) -> list[str]:
    """The statements that refill the tally from the claims, counting `shown` as each claim's status."""
    return [
        "LOCK TABLE claims_claim IN SHARE ROW EXCLUSIVE MODE",
        "DELETE FROM claims_status_tally",
        "INSERT INTO claims_status_tally (status, n) SELECT SHOWN_STATUS, count(*) FROM claims_claim GROUP BY 1".replace(
            "SHOWN_STATUS", shown
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_audit_actor_protect")]

    operations = [
        postgresql_only([CHANGE, *_rebuild(SHOWN)], [OLD_CHANGE, *_rebuild("status")]),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["-article", "start"], name="claim_article_order_idx"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(status="unverified", version__gt=0),
                fields=["-id"],
                name="claim_unverified_decided_idx",
            ),
        ),
    ]
