from django.contrib import admin

from audit.models import Audit


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is insert-only. Patients show by id, as in the CSV: the admin
    writes no audit row of its own, so it shows no patient's name or MRN."""

    list_display = ("at", "username", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("username",)
    fields = (
        "at",
        "actor",
        "username",
        "action",
        "object_type",
        "object_id",
        "patient_number",
        "ip_address",
        "detail",
    )
    readonly_fields = fields

    @admin.display(description="Patient (id)")
    def patient_number(self, obj: Audit) -> int | None:
        return obj.patient_id

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
