"""A random part in the idempotency keys sent to Stripe. Rows made before stay NULL (no default applied to them):
a refund Stripe may have received under its old key must be resent under that same key."""
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="idempotency_uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="idempotency_uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="refund",
            name="idempotency_uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="refund",
            name="idempotency_uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True),
        ),
    ]
