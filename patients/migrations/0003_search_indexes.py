"""Patient search by index (issue 19, point 7): pg_trgm, an IMMUTABLE unaccent wrapper, trigram
indexes on the MRN and the accent-folded names, and the list order, built CONCURRENTLY so
registering patients goes on while they build (hence not atomic).

pg_trgm and unaccent are trusted extensions: the database's owner may create them."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models

import patients.folding

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION public.immutable_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS public.immutable_unaccent(text)"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("patients", "0002_refuse_invisible_characters"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        AddIndexConcurrently(
            model_name="patient",
            index=models.Index(
                fields=["family_name", "given_name", "id"], name="patient_name_order"
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("mrn"), name="gin_trgm_ops"
                ),
                name="patient_mrn_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(
                        patients.folding.ImmutableUnaccent("given_name")
                    ),
                    name="gin_trgm_ops",
                ),
                name="patient_given_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(
                        patients.folding.ImmutableUnaccent("family_name")
                    ),
                    name="gin_trgm_ops",
                ),
                name="patient_family_trgm",
            ),
        ),
    ]
