"""The one operation each audit migration that adds actions runs (0004 onwards): replace the
check constraint that lists the actions without a scan under an exclusive lock, as
0004_audit_queue_view explains (added NOT VALID, then validated in its own transaction).

Migrations import it, so it stays as it is: a change here changes what old migrations do.
"""

from django.db import migrations, models

VALIDATE = "ALTER TABLE audit_audit VALIDATE CONSTRAINT audit_action_valid;"


def _replace_check(actions: list[str]) -> str:
    allowed = ", ".join(f"'{action}'" for action in actions)
    return (
        "ALTER TABLE audit_audit DROP CONSTRAINT audit_action_valid, "
        f'ADD CONSTRAINT audit_action_valid CHECK ("action" IN ({allowed})) NOT VALID;'
    )


def replace_action_check(
    old_actions: list[str], actions: list[str], choices: list[tuple[str, str]]
) -> migrations.SeparateDatabaseAndState:
    """The model state's new choices and constraint, and the SQL that swaps the constraint; the
    migration running it sets `atomic = False`, so each statement commits on its own."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.RemoveConstraint(model_name="audit", name="audit_action_valid"),
            migrations.AlterField(
                model_name="audit",
                name="action",
                field=models.CharField(choices=choices, max_length=32),
            ),
            migrations.AddConstraint(
                model_name="audit",
                constraint=models.CheckConstraint(
                    condition=models.Q(action__in=actions), name="audit_action_valid"
                ),
            ),
        ],
        database_operations=[
            migrations.RunSQL(_replace_check(actions), [_replace_check(old_actions), VALIDATE]),
            migrations.RunSQL(VALIDATE, migrations.RunSQL.noop),
        ],
    )
