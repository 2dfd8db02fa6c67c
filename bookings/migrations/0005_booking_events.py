"""The bookings' audit trail; the database itself refuses to change or remove an event, whatever SQL asks."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLE = "bookings_bookingevent"
MESSAGE = "Booking events are immutable: the audit trail cannot be changed."

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
# Only UPDATE there: SQLite has no TRUNCATE, so emptying the database (manage.py flush, and the test runner
# after a live-server test on SQLite) deletes row by row, in no fixed order of tables, and a DELETE trigger
# would make that impossible. Deletes on SQLite are refused by the model, its queryset and the PROTECT key.
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0004_closure_sequence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BookingEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('created', 'created'), ('confirmed', 'confirmed'), ('cancelled', 'cancelled'), ('released', 'released (payment failed)'), ('expired', 'released (hold expired)'), ('completed', 'completed'), ('changed', 'changed')], max_length=10)),
                ('from_status', models.CharField(blank=True, max_length=10)),
                ('to_status', models.CharField(max_length=10)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('booking', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='bookings.booking')),
            ],
            options={
                'verbose_name': 'booking event',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
