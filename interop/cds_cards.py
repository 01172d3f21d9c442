"""CDS Hooks `patient-view` (https://cds-hooks.hl7.org/2.0/): the service's discovery entry and
the cards for a patient found by MRN (issue 18, point 4); interop.cds serves them.

Cards, most urgent first: `critical` for an unresolved SAFETY flag, `warning` for each open
assess flag (its reason, the study's figure and DOI), `info` when the re-screen list has the
patient due. The links go into the app; the EHR shows them to a user who signs in there.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone

from interop.responses import is_mrn
from patients.models import Patient
from screening.models import Flag, FlagKind
from screening.selectors import next_rescreen, open_flags
from screening.study import (
    BACK_PAIN_FINDING,
    CITATION,
    DEPRESSION_FINDING,
    DOI_URL,
    FIGURES,
    SHORT_CITATION,
)

SERVICE_ID = "spine-mood-screen"
HOOK = "patient-view"
APP_LABEL = "Spine & Mood Screen"
SUMMARY_LIMIT = 140  # characters, CDS Hooks 2.0 "Card Attributes"
CARD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://spine-mood-screen.example/cds-services")
# The flag kind's card: what it asks, and the study finding behind it.
_ASSESS = {
    FlagKind.ASSESS_DEPRESSION: ("Assess for depression", BACK_PAIN_FINDING),
    FlagKind.ASSESS_BACK_PAIN: ("Assess for back pain", DEPRESSION_FINDING),
}


def service() -> dict[str, Any]:
    """This service's entry in the discovery document of `GET /cds-services`."""
    return {
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "Back pain and depression screen",
        "description": (
            "At chart open, shows the patient's unresolved screening flags from "
            f"{APP_LABEL}: a safety alert, 'assess for depression' after back pain or "
            "'assess for back pain' after major depression (MIDUS, Yang et al. 2023), "
            "and when a re-screen is due. The patient is matched by the MRN "
            "identifier of the prefetched Patient."
        ),
        "prefetch": {"patient": "Patient/{{context.patientId}}"},
    }


def mrn_of(request: Mapping[str, Any]) -> str | None:
    """The MRN the hook request names: an MRN identifier of the prefetched Patient (system
    the MRN system or type MR), else `context.patientIdentifier`; None when neither has one."""
    candidates: list[object] = []
    prefetch = request.get("prefetch")
    if isinstance(prefetch, dict):
        for value in prefetch.values():
            # CDS Hooks 1.0 drafts wrapped prefetched resources as a Bundle entry.
            resource = value.get("resource", value) if isinstance(value, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                identifiers = resource.get("identifier")
                candidates.extend(identifiers if isinstance(identifiers, list) else [])
    context = request.get("context")
    if isinstance(context, dict):
        named = context.get("patientIdentifier")
        candidates.extend(named if isinstance(named, list) else [named])
    found = [c for c in candidates if isinstance(c, dict) and is_mrn(c)]
    return found[0]["value"] if found else None


def _uuid(name: str) -> str:
    return str(uuid.uuid5(CARD_NAMESPACE, name))


def _links(app_url: str, flag: Flag | None, patient: Patient) -> list[dict[str, str]]:
    links = []
    if flag is not None:
        links.append(
            {
                "label": f"Open the case in {APP_LABEL}",
                "url": app_url + reverse("review:flag", args=[flag.pk]),
                "type": "absolute",
            }
        )
    links.append(
        {
            "label": f"Open the patient in {APP_LABEL}",
            "url": app_url + reverse("patients:detail", args=[patient.pk]),
            "type": "absolute",
        }
    )
    return links


def _status(flag: Flag) -> str:
    claimed = "claimed by a reviewer" if flag.assignee_id else "not yet claimed by a reviewer"
    opened = timezone.localdate(flag.opened_at).isoformat()
    return f"Flag opened {opened}, {flag.get_status_display().lower()}, {claimed}."


def _safety_card(flag: Flag, patient: Patient, app_url: str) -> dict[str, Any]:
    return {
        "uuid": _uuid(f"flag/{flag.pk}"),
        "summary": "Safety: thoughts of death endorsed on the screen; assess suicide risk",
        "indicator": "critical",
        "detail": f"The patient {flag.reason}.\n\n{_status(flag)}",
        "source": {"label": APP_LABEL, "url": app_url + "/"},
        "links": _links(app_url, flag, patient),
    }


def _assess_card(flag: Flag, patient: Patient, app_url: str) -> dict[str, Any]:
    action, finding = _ASSESS[FlagKind(flag.kind)]
    figure = FIGURES[finding.figure_key]
    summary = (
        f"{action}: {finding.condition} predicts {finding.other} "
        f"(PR {figure.value:.2f}, {SHORT_CITATION})"
    )
    reason = flag.reason[:1].upper() + flag.reason[1:]
    return {
        "uuid": _uuid(f"flag/{flag.pk}"),
        "summary": summary,
        "indicator": "warning",
        "detail": f"{reason}.\n\n{_status(flag)}\n\nSource: {CITATION} ({DOI_URL})",
        "source": {"label": f"{SHORT_CITATION} (doi:10.3390/ijerph20054217)", "url": DOI_URL},
        "links": _links(app_url, flag, patient),
    }


def _rescreen_card(patient: Patient, app_url: str, today: dt.date) -> dict[str, Any] | None:
    """The "due for re-screen" card when the re-screen list names the patient (due or overdue)."""
    entry = next_rescreen(patient, today)
    if entry is None or not entry.due:
        return None
    when = "overdue since" if entry.overdue else "due since"
    return {
        "uuid": _uuid(f"rescreen/{patient.pk}/{entry.due_on.isoformat()}"),
        "summary": f"Due for re-screen ({when} {entry.due_on.isoformat()})",
        "indicator": "info",
        "detail": str(entry.reason),
        "source": {"label": f"{SHORT_CITATION} (doi:10.3390/ijerph20054217)", "url": DOI_URL},
        "links": _links(app_url, None, patient),
    }


def cards_for(patient: Patient, app_url: str) -> list[dict[str, Any]]:
    """The patient's cards, most urgent first (`app_url`: the app's origin, no trailing /)."""
    cards = []
    for flag in open_flags(patient.pk):
        if flag.kind == FlagKind.SAFETY:
            cards.append(_safety_card(flag, patient, app_url))
        else:
            cards.append(_assess_card(flag, patient, app_url))
    if (card := _rescreen_card(patient, app_url, timezone.localdate())) is not None:
        cards.append(card)
    order = {"critical": 0, "warning": 1, "info": 2}
    return sorted(cards, key=lambda card: order[card["indicator"]])


def patient_view(request: Mapping[str, Any], app_url: str) -> tuple[Patient | None, list[Any]]:
    """The patient a patient-view request names, and their cards; an MRN no patient has (or
    none) finds no one and gets no cards. The caller's API_CALL row names the patient."""
    mrn = mrn_of(request)
    patient = Patient.objects.filter(mrn=mrn).first() if mrn else None
    return patient, [] if patient is None else cards_for(patient, app_url)
