"""The database itself refuses to change or remove a claim event, whatever SQL asks it to."""
from django.db import migrations

TABLE = "reimbursements_claimevent"
MESSAGE = "Claim events are immutable: the audit trail cannot be changed."

POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_immutable();
    """,
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_immutable();",
]
# RAISE(ABORT) is a constraint error in SQLite: the statement is undone and the driver raises IntegrityError.
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("reimbursements", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
