"""PostgreSQL: claims per status, maintained by triggers, so the queue's counts need no full count.

Why: the queue header and every decision show how many claims are in each status. Counting them
is a scan of the whole claims table (~370 ms at 1M claims, bench/RESULTS.md), on every page.

`claims_status_tally` holds signed deltas, one row per status per statement that inserts, updates
or deletes claims (statement-level triggers with transition tables, so COPY and bulk writes add
one row, not one per claim). Writers only ever INSERT into it, so concurrent decisions and a long
import never wait on each other for a counter row. The count of a status is `sum(n)`; now and then
(about one statement in a thousand) a writer folds the rows no one else holds into one per status
(SKIP LOCKED: folding never waits). TRUNCATE of the claims table empties it. Read with:

    SELECT status, sum(n) FROM claims_status_tally GROUP BY status

SQLite: nothing here (development databases are small enough to count).
"""

from django.db import migrations

from claims.migrations._shared import postgresql_only

FORWARD = [
    """
    CREATE TABLE claims_status_tally (
        id bigserial PRIMARY KEY,
        status varchar(20) NOT NULL,
        n bigint NOT NULL
    )
    """,
    """
    CREATE FUNCTION claims_status_tally_compact() RETURNS void LANGUAGE sql AS $$
        WITH folded AS (
            DELETE FROM claims_status_tally
            WHERE id IN (SELECT id FROM claims_status_tally FOR UPDATE SKIP LOCKED)
            RETURNING status, n
        )
        INSERT INTO claims_status_tally (status, n)
        SELECT status, sum(n) FROM folded GROUP BY status HAVING sum(n) <> 0
    $$
    """,
    """
    CREATE FUNCTION claims_status_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO claims_status_tally (status, n) SELECT status, count(*) FROM new_rows GROUP BY status;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO claims_status_tally (status, n) SELECT status, -count(*) FROM old_rows GROUP BY status;
        ELSE
            INSERT INTO claims_status_tally (status, n)
            SELECT status, sum(d) FROM (
                SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 FROM old_rows
            ) AS moves GROUP BY status HAVING sum(d) <> 0;
        END IF;
        IF random() < 0.001 THEN
            PERFORM claims_status_tally_compact();
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION claims_status_tally_reset() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM claims_status_tally;
        RETURN NULL;
    END;
    $$
    """,
    "CREATE TRIGGER claims_status_tally_insert AFTER INSERT ON claims_claim REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_status_tally_change()",
    "CREATE TRIGGER claims_status_tally_update AFTER UPDATE ON claims_claim "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_status_tally_change()",
    "CREATE TRIGGER claims_status_tally_delete AFTER DELETE ON claims_claim REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_status_tally_change()",
    "CREATE TRIGGER claims_status_tally_truncate AFTER TRUNCATE ON claims_claim "
    "FOR EACH STATEMENT EXECUTE FUNCTION claims_status_tally_reset()",
    # The triggers' lock on claims_claim holds writers back until this commits: the backfill is exact.
    "INSERT INTO claims_status_tally (status, n) SELECT status, count(*) FROM claims_claim GROUP BY status",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_status_tally_truncate ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_status_tally_delete ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_status_tally_update ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_status_tally_insert ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_status_tally_reset()",
    "DROP FUNCTION IF EXISTS claims_status_tally_change()",
    "DROP FUNCTION IF EXISTS claims_status_tally_compact()",
    "DROP TABLE IF EXISTS claims_status_tally",
]


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_perf_search_vector")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
