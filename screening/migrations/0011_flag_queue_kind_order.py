"""Index the review queue filtered to one kind in the queue's order (issue 19, point 6); built
concurrently so a live flag table stays writable."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("screening", "0010_flagevent_measured"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="flag",
            index=models.Index(
                condition=~models.Q(status="resolved"),
                fields=["kind", "-priority", "opened_at", "id"],
                name="flag_queue_kind_order",
            ),
        ),
    ]
