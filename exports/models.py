"""A background export job: what was asked (no PHI), how far it got, and its file while it lasts."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from exports.export import Export, ExportFilters, ExportOptions, Format


class ExportJob(models.Model):
    """One export prepared by the worker (exports/jobs.py); its file is kept until `expires_at`."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (file deleted)"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs"
    )
    format = models.CharField(max_length=8, choices=Format.choices)
    deidentified = models.BooleanField()
    # ExportFilters.for_audit() and the other ExportOptions: dates, codes and a user id, no PHI
    filters = models.JSONField()
    options = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_announced = models.PositiveIntegerField()
    rows_written = models.PositiveIntegerField(default=0)
    # random, never derived from what the file holds
    file_name = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # shown to the requester: written by us, never an exception's text (it may hold PHI)
    error = models.CharField(max_length=300, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("download_any_exportjob", "Can download another user's export job")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "expired"]),
                name="exportjob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["csv", "xlsx", "fhir"]), name="exportjob_format_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file_name="") & Q(expires_at__isnull=False)),
                name="exportjob_done_has_file",
            ),
        ]
        indexes = [
            # the exports page: a user's recent jobs
            models.Index(fields=["requested_by", "-created_at"], name="exportjob_by_user"),
            # expiry: finished jobs whose time is up
            models.Index(
                fields=["expires_at"], condition=Q(status="done"), name="exportjob_done_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"export job {self.pk} ({self.format}, {self.status})"

    def export(self) -> Export:
        """The export this job was queued with, pinned to when it was asked."""
        options: dict[str, Any] = dict(self.options)
        return Export(
            format=self.format,
            filters=ExportFilters.from_json(self.filters),
            options=ExportOptions(deidentified=self.deidentified, **options),
        )

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
