"""Index the review queue's filters; built concurrently so a live flag table stays writable."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("screening", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="flag",
            index=models.Index(
                condition=~models.Q(status="resolved"),
                fields=["kind", "status", "assignee", "opened_at"],
                name="flag_queue_filter",
            ),
        ),
    ]
