"""Visits (answers as asked + the stored classification), flags and their append-only history.

Answer fields are named by the answer keys of CRITERIA.md section 7, so forms, exports and the batch
classifier share one vocabulary; each takes its wording, MIDUS code (help_text) and choices from
screening.questionnaire. NULL means the skip logic did not ask the item; False means the patient
answered "No".
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from screening import instruments, questionnaire


class Path(models.TextChoices):
    DEPRESSED_AFFECT = "depressed_affect", "Depressed affect"
    ANHEDONIA = "anhedonia", "Anhedonia (loss of interest)"
    NONE = "none", "None entered"


def _answer(key: str, max_length: int = 0):  # type: ignore[no-untyped-def]
    """Questionnaire item `key` as a column: its wording, MIDUS code and choices; NULL = not asked."""
    item = questionnaire.ITEMS[key]
    if item.choices is None:
        return models.BooleanField(item.text, null=True, blank=True, help_text=item.midus)
    return models.CharField(
        item.text,
        max_length=max_length,
        choices=item.choices,
        null=True,
        blank=True,
        help_text=item.midus,
    )


def _covariate(key: str, max_length: int = 0):  # type: ignore[no-untyped-def]
    """Covariate `key` as an optional column: its wording, MIDUS source and choices or unit."""
    covariate = questionnaire.COVARIATES[key]
    common = {"null": True, "blank": True, "help_text": covariate.midus}
    if covariate.choices is not None:
        return models.CharField(
            covariate.text, max_length=max_length, choices=covariate.choices, **common
        )
    if covariate.low is not None:
        return models.DecimalField(covariate.text, max_digits=4, decimal_places=1, **common)
    return models.BooleanField(covariate.text, **common)


def _in_range(key: str) -> Q:
    """A measurement within the covariate's bounds, or NULL."""
    covariate = questionnaire.COVARIATES[key]
    bounds = {f"{key}__gte": covariate.low, f"{key}__lte": covariate.high}
    return Q(**{f"{key}__isnull": True}) | Q(**bounds)


def _in(field: str) -> Q:
    """The field holds one of its questionnaire codes (an item's or a covariate's) or NULL."""
    asked = questionnaire.ITEMS.get(field) or questionnaire.COVARIATES[field]
    codes = [code for code, _ in asked.choices or ()]
    return Q(**{f"{field}__in": codes}) | Q(**{f"{field}__isnull": True})


class EnteredBy(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    PATIENT = "patient", "Patient (self-entry, signed off by the clinician)"


class Visit(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visit_at = models.DateTimeField("visit time", db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        help_text="The visit this one corrects; the corrected visit stays as it was signed.",
    )
    # db_default: bulk loaders that COPY named columns (generate_visits) leave it empty
    amendment_reason = models.TextField(
        blank=True,
        db_default="",
        help_text="Why the clinician amended the visit this one corrects.",
    )
    # db_default: bulk loaders that COPY named columns (generate_visits) leave it empty
    entered_by = models.CharField(
        max_length=12,
        choices=EnteredBy.choices,
        db_default=EnteredBy.CLINICIAN,
        default=EnteredBy.CLINICIAN,
        help_text="Who entered the answers; `clinician` is then the clinician who signed them off.",
    )
    submission_id = models.UUIDField(
        unique=True, help_text="One per form served, so a double submit records one visit."
    )
    presenting_concern = _covariate("presenting_concern", 16)

    # Back pain (CRITERIA.md section 1)
    backache_freq_30d = _answer("backache_freq_30d", 24)

    # Depression, path A: depressed affect (CRITERIA.md section 2)
    da_sad_2wk = _answer("da_sad_2wk", 20)
    da_duration = _answer("da_duration", 24)
    da_frequency = _answer("da_frequency", 20)
    da_lost_interest = _answer("da_lost_interest")
    da_tired = _answer("da_tired")
    da_appetite_lost = _answer("da_appetite_lost")
    da_appetite_increased = _answer("da_appetite_increased")
    da_sleep_trouble = _answer("da_sleep_trouble")
    da_sleep_frequency = _answer("da_sleep_frequency", 20)
    da_concentration = _answer("da_concentration")
    da_worthless = _answer("da_worthless")
    da_death_thoughts = _answer("da_death_thoughts")

    # Depression, path B: anhedonia (asked only if path A was not entered)
    an_lost_interest_2wk = _answer("an_lost_interest_2wk", 20)
    an_duration = _answer("an_duration", 24)
    an_frequency = _answer("an_frequency", 20)
    an_tired = _answer("an_tired")
    an_appetite_lost = _answer("an_appetite_lost")
    an_appetite_increased = _answer("an_appetite_increased")
    an_sleep_trouble = _answer("an_sleep_trouble")
    an_sleep_frequency = _answer("an_sleep_frequency", 20)
    an_concentration = _answer("an_concentration")
    an_worthless = _answer("an_worthless")
    an_death_thoughts = _answer("an_death_thoughts")

    # Covariates (CRITERIA.md section 5); all optional
    antidepressant_use = _covariate("antidepressant_use")
    regular_exercise = _covariate("regular_exercise")
    smoking = _covariate("smoking", 8)
    alcohol = _covariate("alcohol", 16)
    height_cm = _covariate("height_cm")
    weight_kg = _covariate("weight_kg")
    # The stored result of screening.criteria.classify, with the version that produced it
    back_pain = models.BooleanField(help_text="Meets the back-pain criterion.")
    major_depression = models.BooleanField(help_text="Meets the major-depression criterion.")
    path = models.CharField(max_length=16, choices=Path.choices)
    symptom_count = models.PositiveSmallIntegerField()
    safety_flag = models.BooleanField(help_text="Thoughts of death endorsed on any path.")
    antidepressant_volunteered = models.BooleanField()
    back_pain_answered = models.BooleanField(help_text="False marks the visit incomplete.")
    stopped_at = models.CharField(max_length=32, null=True, blank=True)
    criteria_version = models.CharField(max_length=16)

    class Meta:
        ordering = ["-visit_at", "-id"]
        permissions = [
            ("export_visit", "Can export visit records"),
            ("view_analytics", "Can view clinic analytics"),
        ]
        indexes = [
            # the patient's timeline, newest first
            models.Index(fields=["patient", "-visit_at"], name="visit_patient_time"),
            # "current" visits are those no amendment points to
            models.Index(fields=["amends"], name="visit_amends"),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("backache_freq_30d"), name="visit_backache_valid"),
            models.CheckConstraint(condition=_in("da_sad_2wk"), name="visit_da_sad_valid"),
            models.CheckConstraint(
                condition=_in("an_lost_interest_2wk"), name="visit_an_lost_interest_valid"
            ),
            models.CheckConstraint(condition=_in("da_duration"), name="visit_da_duration_valid"),
            models.CheckConstraint(condition=_in("an_duration"), name="visit_an_duration_valid"),
            models.CheckConstraint(condition=_in("da_frequency"), name="visit_da_frequency_valid"),
            models.CheckConstraint(condition=_in("an_frequency"), name="visit_an_frequency_valid"),
            models.CheckConstraint(
                condition=_in("da_sleep_frequency"),
                name="visit_da_sleep_frequency_valid",
            ),
            models.CheckConstraint(
                condition=_in("an_sleep_frequency"),
                name="visit_an_sleep_frequency_valid",
            ),
            models.CheckConstraint(condition=_in("presenting_concern"), name="visit_concern_valid"),
            models.CheckConstraint(condition=_in("smoking"), name="visit_smoking_valid"),
            models.CheckConstraint(condition=_in("alcohol"), name="visit_alcohol_valid"),
            models.CheckConstraint(condition=Q(path__in=Path.values), name="visit_path_valid"),
            models.CheckConstraint(
                condition=Q(entered_by__in=EnteredBy.values), name="visit_entered_by_valid"
            ),
            # branch consistency: a follow-up is never answered without its stem
            models.CheckConstraint(
                condition=Q(da_sad_2wk__isnull=False) | Q(da_duration__isnull=True),
                name="visit_da_duration_needs_stem",
            ),
            models.CheckConstraint(
                condition=Q(an_lost_interest_2wk__isnull=False) | Q(an_duration__isnull=True),
                name="visit_an_duration_needs_stem",
            ),
            # the result: path A counts 0-7, path B 0-6, no path 0
            models.CheckConstraint(
                condition=(Q(path="depressed_affect") & Q(symptom_count__lte=7))
                | (Q(path="anhedonia") & Q(symptom_count__lte=6))
                | (Q(path="none") & Q(symptom_count=0)),
                name="visit_symptom_count_range",
            ),
            models.CheckConstraint(
                condition=Q(major_depression=False) | ~Q(path="none"),
                name="visit_depression_needs_path",
            ),
            models.CheckConstraint(
                condition=_in_range("height_cm"),
                name="visit_height_range",
            ),
            models.CheckConstraint(
                condition=_in_range("weight_kg"),
                name="visit_weight_range",
            ),
        ]
        triggers = [
            # signed visits are immutable: corrections are new visits that point to the old one
            pgtrigger.Protect(name="visit_immutable", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} on {self.visit_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("screening:visit", args=[self.pk])

    @property
    def bmi(self) -> float | None:
        """Body-mass index in kg/m², from height and weight when both are recorded."""
        if self.height_cm is None or self.weight_kg is None:
            return None
        metres = float(self.height_cm) / 100
        return round(float(self.weight_kg) / (metres * metres), 1)


class FlagKind(models.TextChoices):
    ASSESS_DEPRESSION = "assess_depression", "Assess for depression"
    ASSESS_BACK_PAIN = "assess_back_pain", "Assess for back pain"
    SAFETY = "safety", "Safety: thoughts of death"


class FlagPriority(models.IntegerChoices):
    ROUTINE = 1, "Routine"
    RAISED = 2, "Raised: other condition near threshold"
    COMORBID = 3, "Comorbid"
    URGENT = 4, "Urgent"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    RESOLVED = "resolved", "Resolved"


class FlagOutcome(models.TextChoices):
    CONFIRMED_REFERRED = "confirmed_referred", "Other condition assessed and confirmed; referred"
    CONFIRMED_MANAGED = "confirmed_managed", "Other condition assessed and confirmed; managed here"
    NOT_PRESENT = "not_present", "Assessed; other condition not present"
    SAFETY_ASSESSED = "safety_assessed", "Suicide risk assessed; plan documented"
    DECLINED = "declined", "Patient declined assessment"
    UNABLE_TO_REACH = "unable_to_reach", "Unable to reach patient"
    DISMISSED = "dismissed", "Dismissed without assessment"


class Flag(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="flags")
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="flags", help_text="The visit that raised it."
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    priority = models.PositiveSmallIntegerField(choices=FlagPriority.choices)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reason = models.TextField(help_text="The finding and the study figure behind it.")
    patient_reported = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Raised by the patient's own answers (self-entry), before a clinician looked.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=24, choices=FlagOutcome.choices, null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    outcome_instrument = models.ForeignKey(
        "RecordedInstrument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The recorded instrument the outcome rests on; empty for an unmeasured outcome.",
    )
    opened_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "opened_at", "id"]
        permissions = [("review_flag", "Can work the review queue")]
        indexes = [
            # the review queue: unresolved flags, most urgent first, then oldest
            models.Index(
                fields=["-priority", "opened_at", "id"],
                condition=~Q(status="resolved"),
                name="flag_queue_order",
            ),
            # the queue filtered to one kind, in the queue order: the rows of that kind come
            # from the index in order instead of walking flag_queue_order past the other kinds
            models.Index(
                fields=["kind", "-priority", "opened_at", "id"],
                condition=~Q(status="resolved"),
                name="flag_queue_kind_order",
            ),
            # the queue's filters (kind, status, assignee, opened date) and their counts
            models.Index(
                fields=["kind", "status", "assignee", "opened_at"],
                condition=~Q(status="resolved"),
                name="flag_queue_filter",
            ),
            models.Index(fields=["patient", "status"], name="flag_patient_status"),
            models.Index(fields=["assignee", "status"], name="flag_assignee_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=~Q(status="resolved"),
                name="flag_one_open_per_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=FlagPriority.values), name="flag_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=FlagOutcome.values) | Q(outcome__isnull=True),
                name="flag_outcome_valid",
            ),
            # a resolved flag always carries its outcome and when; an unresolved one neither
            models.CheckConstraint(
                condition=(
                    Q(status="resolved", outcome__isnull=False, resolved_at__isnull=False)
                    | (~Q(status="resolved") & Q(outcome__isnull=True, resolved_at__isnull=True))
                ),
                name="flag_resolution_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_review") | Q(assignee__isnull=False),
                name="flag_in_review_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("review:flag", args=[self.pk])


class FlagEventAction(models.TextChoices):
    OPENED = "opened", "Opened"
    ATTACHED = "attached", "Later visit attached"
    PRIORITY_RAISED = "priority_raised", "Priority raised"
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released"
    TAKEN_OVER = "taken_over", "Taken over"
    NOTED = "noted", "Note added"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"
    REOPENED = "reopened", "Reopened"
    MEASURED = "measured", "Instrument recorded"


class FlagEvent(models.Model):
    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20, choices=FlagEventAction.choices)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    outcome = models.CharField(max_length=24, choices=FlagOutcome.choices, null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["flag", "at"], name="flagevent_flag_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=FlagEventAction.values), name="flagevent_action_valid"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="flagevent_insert_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


class RecordedInstrument(models.Model):
    """One administration of an instrument of INSTRUMENTS.md (ASQ, PHQ-9, LBP+PEG) for a patient,
    optionally against the flag it assesses. Immutable like a visit: a correction is a new row
    that `amends` the old one, with a reason."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="instruments"
    )
    flag = models.ForeignKey(
        Flag,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
        help_text="The flag it assesses; empty when recorded on its own from the patient page.",
    )
    instrument = models.CharField(max_length=8, choices=list(instruments.Instrument.choices()))
    answers = models.JSONField(help_text="Every key of the instrument; unasked = null.")
    result = models.JSONField(help_text="The result keys of INSTRUMENTS.md section 5.")
    positive = models.BooleanField(help_text="The result's `positive`, for queries and the queue.")
    rules_version = models.CharField(max_length=16)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    administered_at = models.DateTimeField("administered", db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        help_text="The record this one corrects; the corrected record stays as it was.",
    )
    amendment_reason = models.TextField(blank=True, db_default="")
    submission_id = models.UUIDField(
        unique=True, help_text="One per form served, so a double submit records one instrument."
    )

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "-administered_at"],
                name="instrument_patient_time",
            ),
            models.Index(fields=["flag"], name="instrument_flag"),
            models.Index(fields=["amends"], name="instrument_amends"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(instrument__in=[kind.value for kind in instruments.Instrument]),
                name="instrument_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="instrument_amendment_has_reason",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="instrument_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.pk} on {self.administered_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("screening:instrument", args=[self.pk])
