"""API clients: an EHR or integration engine that calls the FHIR API with a bearer token.

The token is shown once when the client is created; only its SHA-256 is stored, with its first
characters to tell clients apart in lists and the audit trail.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiClient(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="Who calls, e.g. the EHR's name."
    )
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    token_prefix = models.CharField(
        max_length=8, help_text="The token's first characters, to tell clients apart."
    )
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_apiclient", "Can create and revoke API clients")]
        indexes = [
            # a request's token is looked up by its prefix, then compared by hash
            models.Index(fields=["token_prefix"], name="apiclient_token_prefix"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="apiclient_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: str) -> bool:
        """A write token may also read."""
        return self.scope == Scope.WRITE or scope == Scope.READ
