"""Store the folded names search compares (issue 19, point 7): a trigram match is rechecked on
each candidate row, and calling unaccent there for every row cost more than the index saved (a
one-word name search took 115 ms at 746,011 patients). The list-order index goes too: for a
rare name the planner walked it, calling unaccent on most of the table. Adding the two stored
columns rewrites the patient table under lock (seconds at 750,000 patients)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

import patients.folding


class Migration(migrations.Migration):
    atomic = False  # the indexes are built and dropped concurrently

    dependencies = [
        ("patients", "0003_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        RemoveIndexConcurrently(
            model_name="patient",
            name="patient_name_order",
        ),
        RemoveIndexConcurrently(
            model_name="patient",
            name="patient_given_trgm",
        ),
        RemoveIndexConcurrently(
            model_name="patient",
            name="patient_family_trgm",
        ),
        migrations.AddField(
            model_name="patient",
            name="family_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    patients.folding.ImmutableUnaccent("family_name")
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="patient",
            name="given_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    patients.folding.ImmutableUnaccent("given_name")
                ),
                output_field=models.TextField(),
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("given_folded", name="gin_trgm_ops"),
                name="patient_given_folded_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("family_folded", name="gin_trgm_ops"),
                name="patient_family_folded_trgm",
            ),
        ),
    ]
