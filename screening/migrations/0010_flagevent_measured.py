"""A recorded instrument (ASQ, PHQ-9, LBP+PEG) joins the case history of the flag it assesses."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0009_recorded_instrument"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="flagevent",
            name="flagevent_action_valid",
        ),
        migrations.AlterField(
            model_name="flagevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("attached", "Later visit attached"),
                    ("priority_raised", "Priority raised"),
                    ("claimed", "Claimed"),
                    ("released", "Released"),
                    ("taken_over", "Taken over"),
                    ("noted", "Note added"),
                    ("resolved", "Resolved"),
                    ("dismissed", "Dismissed"),
                    ("reopened", "Reopened"),
                    ("measured", "Instrument recorded"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="flagevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "opened",
                            "attached",
                            "priority_raised",
                            "claimed",
                            "released",
                            "taken_over",
                            "noted",
                            "resolved",
                            "dismissed",
                            "reopened",
                            "measured",
                        ],
                    )
                ),
                name="flagevent_action_valid",
            ),
        ),
    ]
