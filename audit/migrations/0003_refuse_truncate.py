"""Refuse TRUNCATE of the audit trail in Postgres, whoever asks.

Row triggers (audit_insert_only) do not fire on TRUNCATE, so a statement trigger does. The runtime
role lacks the TRUNCATE privilege anyway (config/dbroles.py); this also stops the owner, e.g. a
`manage.py flush` pointed at production, until someone who owns the table disables the trigger.
django-pgtrigger cannot declare it: its Protect is a row trigger, or at statement level needs
transition tables, which TRUNCATE has none of. screening's migration 0006 reuses the function.
"""

from django.db import migrations

FUNCTION = """
CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Cannot truncate %: its rows are the record', TG_TABLE_NAME;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_audit_username_at"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION refuse_truncate();"),
        migrations.RunSQL(
            "CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON audit_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            "DROP TRIGGER refuse_truncate ON audit_audit;",
        ),
    ]
