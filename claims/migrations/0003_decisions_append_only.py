"""On PostgreSQL, refuse UPDATE and DELETE on the decisions table, whatever the client."""

from django.db import migrations

from claims.migrations._shared import postgresql_only

TABLE = "claims_verificationstatus"

FORWARD = f"""
CREATE OR REPLACE FUNCTION claims_refuse_decision_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'decisions are append-only: % on {TABLE} refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_decisions_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION claims_refuse_decision_change();
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS claims_decisions_append_only ON {TABLE};
DROP FUNCTION IF EXISTS claims_refuse_decision_change();
"""


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_groups")]

    operations = [postgresql_only([FORWARD], [BACKWARD])]
