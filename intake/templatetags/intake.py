"""The patient page's "Waiting for sign-off" box, drawn by intake so patients/ knows no intake."""

from typing import Any

from django import template

from intake.selectors import waiting_for_sign_off

register = template.Library()


@register.inclusion_tag("intake/_patient_waiting.html")
def self_entries_waiting(patient: Any) -> dict[str, Any]:
    """The patient's self-entries waiting for sign-off (one query), if any."""
    return {"waiting": waiting_for_sign_off(patient.pk), "patient": patient}
