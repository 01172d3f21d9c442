"""Reads of visits and flags that pages and services share; the joins are set here."""

from django.db.models import QuerySet

from screening.models import Flag, FlagStatus


def open_flags(patient_id: int) -> QuerySet[Flag]:
    """The patient's unresolved flags with their assignees, most urgent first."""
    return (
        Flag.objects.filter(patient_id=patient_id)
        .exclude(status=FlagStatus.RESOLVED)
        .select_related("assignee")
        .order_by("-priority", "opened_at", "id")
    )
