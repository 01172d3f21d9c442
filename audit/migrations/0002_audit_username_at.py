"""Index the audit filter by username; built concurrently so the live audit table stays writable."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="audit",
            index=models.Index(fields=["username", "-at"], name="audit_username_at"),
        ),
    ]
