"""Patients: who is screened. Demographic covariates follow CRITERIA.md section 5."""

from datetime import date

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from lib.dates import EARLIEST_DAY
from lib.text import refuse_invisible_characters
from patients.folding import folded


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"


class Education(models.TextChoices):
    HIGH_SCHOOL_OR_LESS = "hs_or_less", "High school / GED or less"
    SOME_COLLEGE = "some_college", "Some college or associate degree"
    BACHELORS_OR_MORE = "bachelors_plus", "Bachelor's degree or higher"


class Earnings(models.TextChoices):
    UNDER_25K = "lt_25k", "Under $25,000"
    FROM_25K_TO_50K = "25k_50k", "$25,000 to under $50,000"
    FROM_50K_TO_75K = "50k_75k", "$50,000 to under $75,000"
    OVER_75K = "ge_75k", "$75,000 or more"
    REFUSED = "refused", "Refused"


class Patient(models.Model):
    mrn = models.CharField(
        "medical record number",
        max_length=32,
        unique=True,
        help_text="The clinic's MRN.",
        validators=[refuse_invisible_characters],
    )
    given_name = models.CharField(max_length=100, validators=[refuse_invisible_characters])
    family_name = models.CharField(max_length=100, validators=[refuse_invisible_characters])
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=6, choices=Sex.choices, help_text="MIDUS B1PRSEX.")
    education = models.CharField(
        max_length=16,
        choices=Education.choices,
        blank=True,
        null=True,
        help_text="Highest level completed (MIDUS B1PB1, grouped).",
    )
    earnings = models.CharField(
        "personal earnings",
        max_length=8,
        choices=Earnings.choices,
        blank=True,
        null=True,
        help_text="Annual personal earnings band, USD (MIDUS B1SG8A).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The names as search compares them (patients.folding): stored, so the recheck of a trigram
    # match reads a column instead of calling unaccent again for every candidate row.
    given_folded = models.GeneratedField(
        expression=folded("given_name"), output_field=models.TextField(), db_persist=True
    )
    family_folded = models.GeneratedField(
        expression=folded("family_name"), output_field=models.TextField(), db_persist=True
    )

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="patient_dob"),
            # search (patients.selectors.search_patients): trigram indexes for "contains" on
            # the MRN and on the accent- and case-folded names
            GinIndex(OpClass(Upper("mrn"), name="gin_trgm_ops"), name="patient_mrn_trgm"),
            GinIndex(
                OpClass("given_folded", name="gin_trgm_ops"), name="patient_given_folded_trgm"
            ),
            GinIndex(
                OpClass("family_folded", name="gin_trgm_ops"), name="patient_family_folded_trgm"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex__in=Sex.values), name="patient_sex_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(education__in=Education.values)
                | models.Q(education__isnull=True),
                name="patient_education_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(earnings__in=Earnings.values) | models.Q(earnings__isnull=True),
                name="patient_earnings_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gte=EARLIEST_DAY), name="patient_dob_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        """Whole years of age on `day`."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday
