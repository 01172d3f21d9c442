"""The unfiltered report's aggregates, kept by the database (issue 19, point 6; analytics/models.py).

Statement triggers with transition tables, so one COPY or bulk INSERT costs one pass over its
rows: after visits are inserted, the patients they belong to get their latest and first current
visit recomputed from their own visits (under the patient's row lock, as record_visit takes it),
and the quarter hours get +1 per new visit and -1 per visit an amendment replaces. Then the
tables are filled from what is there. The migration is atomic: creating the trigger locks the
visit table against writes until the backfill commits (seconds at 3,000,000 visits). The flag
yield reads the flags (it splits outcomes by the instrument they rest on)."""

import django.db.models.deletion
from django.db import migrations, models

# A patient's latest current visit and first one, as analytics.selectors._PATIENTS ranks them.
PATIENT_ROWS = """
SELECT patient_id, visit_at, back_pain, major_depression, regular_exercise, smoking, alcohol,
    height_cm, weight_kg, base_at, base_back_pain, base_depression
FROM (
    SELECT v.patient_id, v.visit_at, v.back_pain, v.major_depression, v.regular_exercise,
        v.smoking, v.alcohol, v.height_cm, v.weight_kg,
        row_number() OVER newest_first AS rank,
        last_value(v.visit_at) OVER newest_first AS base_at,
        last_value(v.back_pain) OVER newest_first AS base_back_pain,
        last_value(v.major_depression) OVER newest_first AS base_depression
    FROM screening_visit v
    WHERE {where}
        AND NOT EXISTS (SELECT 1 FROM screening_visit a WHERE a.amends_id = v.id)
    WINDOW newest_first AS (
        PARTITION BY v.patient_id ORDER BY v.visit_at DESC, v.id DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
) ranked
WHERE rank = 1
"""
PATIENT_COLUMNS = (
    "patient_id, visit_at, back_pain, major_depression, regular_exercise, smoking, alcohol, "
    "height_cm, weight_kg, base_at, base_back_pain, base_depression"
)
UPSERT = ", ".join(f"{column} = EXCLUDED.{column}" for column in PATIENT_COLUMNS.split(", ")[1:])
BUCKET = "date_bin('15 minutes', {at}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"


SQL = f"""
CREATE FUNCTION analytics_visits_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    patients bigint[];
BEGIN
    patients := ARRAY(SELECT DISTINCT patient_id FROM new_visits ORDER BY 1);
    -- writers of one patient's visits take turns, so each recomputes from what the other wrote
    PERFORM 1 FROM patients_patient WHERE id = ANY(patients) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO analytics_patientlatest ({PATIENT_COLUMNS})
    {PATIENT_ROWS.format(where="v.patient_id = ANY(patients)")}
    ON CONFLICT (patient_id) DO UPDATE SET {UPSERT};
    INSERT INTO analytics_visitvolume (bucket, visits, back_pain, depression)
    SELECT bucket, sum(visits), sum(back_pain), sum(depression)
    FROM (
        SELECT {BUCKET.format(at="visit_at")} AS bucket, 1 AS visits,
            back_pain::int AS back_pain, major_depression::int AS depression
        FROM new_visits
        UNION ALL
        -- a visit an amendment replaces stops counting, once, the first time it is replaced
        SELECT {BUCKET.format(at="replaced.visit_at")}, -1, -replaced.back_pain::int,
            -replaced.major_depression::int
        FROM screening_visit replaced
        WHERE replaced.id IN (SELECT amends_id FROM new_visits WHERE amends_id IS NOT NULL)
            AND NOT EXISTS (
                SELECT 1 FROM screening_visit earlier
                WHERE earlier.amends_id = replaced.id
                    AND earlier.id NOT IN (SELECT id FROM new_visits))
    ) counted
    GROUP BY bucket;
    RETURN NULL;
END $$;

CREATE TRIGGER analytics_visits_inserted AFTER INSERT ON screening_visit
    REFERENCING NEW TABLE AS new_visits
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_visits_inserted();

INSERT INTO analytics_patientlatest ({PATIENT_COLUMNS})
{PATIENT_ROWS.format(where="TRUE")};
INSERT INTO analytics_visitvolume (bucket, visits, back_pain, depression)
SELECT {BUCKET.format(at="v.visit_at")}, count(*), count(*) FILTER (WHERE v.back_pain),
    count(*) FILTER (WHERE v.major_depression)
FROM screening_visit v
WHERE v.id NOT IN (SELECT amends_id FROM screening_visit WHERE amends_id IS NOT NULL)
GROUP BY 1;
"""  # noqa: S608 (this module's constants, no input)
REVERSE_SQL = """
DROP TRIGGER analytics_visits_inserted ON screening_visit;
DROP FUNCTION analytics_visits_inserted();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("patients", "0003_search_indexes"),
        ("screening", "0009_recorded_instrument"),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientLatest",
            fields=[
                (
                    "patient",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="patients.patient",
                    ),
                ),
                ("visit_at", models.DateTimeField()),
                ("back_pain", models.BooleanField()),
                ("major_depression", models.BooleanField()),
                ("regular_exercise", models.BooleanField(null=True)),
                ("smoking", models.CharField(max_length=8, null=True)),
                ("alcohol", models.CharField(max_length=16, null=True)),
                ("height_cm", models.DecimalField(decimal_places=1, max_digits=4, null=True)),
                ("weight_kg", models.DecimalField(decimal_places=1, max_digits=4, null=True)),
                ("base_at", models.DateTimeField()),
                ("base_back_pain", models.BooleanField()),
                ("base_depression", models.BooleanField()),
            ],
        ),
        migrations.CreateModel(
            name="VisitVolume",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("bucket", models.DateTimeField()),
                ("visits", models.BigIntegerField()),
                ("back_pain", models.BigIntegerField()),
                ("depression", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
