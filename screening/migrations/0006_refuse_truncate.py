"""Refuse TRUNCATE of visits and flag events in Postgres, whoever asks (see audit 0003)."""

from django.db import migrations

TABLES = ("screening_visit", "screening_flagevent")


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0005_visit_covariates_from_questionnaire"),
        ("audit", "0003_refuse_truncate"),  # the refuse_truncate() function
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TRIGGER refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();",
            f"DROP TRIGGER refuse_truncate ON {table};",
        )
        for table in TABLES
    ]
