"""Helpers for self-entry tests: an invitation created as the clinician does, and the patient's
steps as a browser sends them."""

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from intake.models import Invitation


def patient_answers(answers: dict[str, Any]) -> dict[str, str]:
    """POST data of the patient's form: Yes/No radios as "yes"/"no"."""
    return {
        key: ("yes" if value else "no") if isinstance(value, bool) else value
        for key, value in answers.items()
    }


def invite(client: Client, patient: Any, mode: str = "tablet") -> tuple[str, str, Invitation]:
    """(link path, short code, invitation) from the clinician's POST, as the page shows them."""
    response = client.post(reverse("intake:invitations", args=[patient.pk]), {"mode": mode})
    assert response.status_code == 200
    page = response.content.decode()
    link = re.search(r'data-testid="invitation-link">https?://[^/]+(/self/[^<]+)<', page)
    code = re.search(r'data-testid="invitation-code">([^<]+)<', page)
    assert link is not None
    assert code is not None
    return link.group(1), code.group(1), Invitation.objects.filter(patient=patient).latest("id")


def open_and_confirm(client: Client, link: str, patient: Any) -> Any:
    """The patient opens the link and confirms the date of birth; the questions' page."""
    assert client.get(link).status_code == 200
    response = client.post(link, {"date_of_birth": patient.date_of_birth.isoformat()})
    assert response.status_code == 302
    return client.get(response["Location"])
