"""On PostgreSQL, refuse UPDATE and DELETE on the decisions table, whatever the client."""

from django.db import migrations

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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as is; with parameters psycopg would read RAISE's '%' as a placeholder.
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_groups")]

    operations = [migrations.RunPython(forward, backward)]
