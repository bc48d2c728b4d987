"""Pieces the claims migrations share. Django loads no module whose name starts with "_" as a migration."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.deconstruct import deconstructible


@deconstructible(path="claims.migrations._shared.PostgreSQLStatements")
class PostgreSQLStatements:
    """A RunPython callable that executes SQL statements in order on PostgreSQL and does nothing elsewhere."""

    def __init__(self, *statements: str) -> None:
        self.statements = statements

    def __call__(self, apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in self.statements:
                # params=None: the SQL is sent as is; with parameters psycopg would read '%' as a placeholder.
                schema_editor.execute(sql, params=None)

    def __eq__(self, other) -> bool:
        return isinstance(other, PostgreSQLStatements) and self.statements == other.statements


def postgresql_only(forward: list[str], backward: list[str]) -> migrations.RunPython:
    """Run the `forward` statements on PostgreSQL (`backward` to reverse); SQLite has nothing to do."""
    return migrations.RunPython(PostgreSQLStatements(*forward), PostgreSQLStatements(*backward))


def claim_extension_key(related_name: str) -> tuple[str, models.OneToOneField]:
    """The `claim` field of a table that extends claims one to one: its primary key, deleted with the claim."""
    return (
        "claim",
        models.OneToOneField(
            on_delete=django.db.models.deletion.CASCADE,
            primary_key=True,
            related_name=related_name,
            serialize=False,
            to="claims.claim",
        ),
    )
