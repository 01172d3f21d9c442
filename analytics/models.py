"""What the unfiltered analytics report reads instead of every visit (issue 19, point 6).

The database keeps these tables in step with the record itself: a statement trigger on
screening_visit (analytics migration 0001) updates them in the transaction of every write,
whoever writes (record_visit, amendments, the import, generate_visits' COPY, test factories). So
the report over all visits reads one row per patient and one per quarter hour of visits, not the
visits themselves, and stays exact. Nothing in Python writes them but
analytics.aggregates.compact, which folds the appended volume rows together.
"""

from django.db import models


class PatientLatest(models.Model):
    """A patient's latest current visit (newest visit_at, then id) and the first one (baseline):
    what analytics.selectors._PER_PATIENT computes for every patient when no filter narrows it."""

    patient = models.OneToOneField(
        "patients.Patient",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    visit_at = models.DateTimeField()
    back_pain = models.BooleanField()
    major_depression = models.BooleanField()
    regular_exercise = models.BooleanField(null=True)
    smoking = models.CharField(max_length=8, null=True)
    alcohol = models.CharField(max_length=16, null=True)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    base_at = models.DateTimeField()
    base_back_pain = models.BooleanField()
    base_depression = models.BooleanField()

    def __str__(self) -> str:
        return f"patient {self.patient_id}: latest visit {self.visit_at:%Y-%m-%d}"


class VisitVolume(models.Model):
    """Current visits per quarter hour (UTC), so months in any time zone add up exactly: rows
    to be added up (an amendment adds -1 for the visit it replaces), which
    analytics.aggregates.compact folds into one row per quarter hour."""

    bucket = models.DateTimeField()
    visits = models.BigIntegerField()
    back_pain = models.BigIntegerField()
    depression = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.bucket:%Y-%m-%d %H:%M}: {self.visits:+d} visits"
