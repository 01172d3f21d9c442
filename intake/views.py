"""The clinician's invitation and sign-off pages, and the patient's pages under /self/ (issue 17).

Patient pages need no sign-in (intake.middleware signs a clinician out first), carry no
navigation out, show no other data than the questions, and are never stored (NoStoreMiddleware).
A patient's session holds only which invitation it opened and whether the date of birth was
confirmed; the answers travel in the form, never in the session.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from audit.requests import actor_for, client_ip
from intake import limits, selectors, services, tokens
from intake.forms import (
    SKIP_LOGIC_JSON,
    DateOfBirthForm,
    InvitationForm,
    PatientAnswersForm,
    ShortCodeForm,
    SignOffForm,
)
from intake.models import Invitation, InvitationMode, SelfEntry
from patients.models import Patient
from screening import criteria, questionnaire
from screening.services.visits import answer_label

PATIENT_KEY = "self_entry"
DONE_KEY = "self_entry_done"
WRONG_CODE = "This code did not work. Check it and try again, or ask the clinic staff."
WRONG_DATE = "That date of birth does not match. Check it and try again."

# Clinician pages ---------------------------------------------------------------------------


@permission_required("screening.add_visit", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.create_invitation(
            patient=patient,
            mode=InvitationMode(form.cleaned_data["mode"]),
            actor=actor_for(request),
        )
        # The secrets exist only in this response: the table keeps their hashes.
        link = f"{settings.SITE_URL}{reverse('intake:link', args=[created.token])}"
        qr = segno.make(link, error="m").svg_inline(scale=4, title="QR code of the link")
        context = {
            "patient": patient,
            "invitation": created.invitation,
            "link": link,
            "short_code": f"{created.short_code[:4]} {created.short_code[4:]}",
            "qr": mark_safe(qr),  # noqa: S308 (segno's own SVG of our link)
            "start_url": f"{settings.SITE_URL}{reverse('intake:start')}",
            "nav": "patients",
        }
        return render(request, "intake/invitation_created.html", context)
    services.record_invitations_view(patient=patient, actor=actor_for(request))
    context = {
        "patient": patient,
        "form": form,
        "invitations": selectors.patient_invitations(patient.pk),
        "waiting": selectors.waiting_for_sign_off(patient.pk),
        "nav": "patients",
    }
    return render(request, "intake/invitations.html", context)


@permission_required("screening.add_visit", raise_exception=True)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invitation = services.withdraw_invitation(invitation_id=pk, actor=actor_for(request))
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    except services.InvitationNotUsable:
        messages.error(request, "This invitation was already answered or withdrawn.")
        invitation = get_object_or_404(Invitation, pk=pk)
    else:
        messages.success(request, "Invitation withdrawn: its link and code no longer open.")
    return redirect("intake:invitations", patient_id=invitation.patient_id)


@permission_required("screening.add_visit", raise_exception=True)
def waiting(request: HttpRequest) -> HttpResponse:
    listed = selectors.waiting_for_sign_off()
    services.record_waiting_view(entries=[item.entry for item in listed], actor=actor_for(request))
    context = {"waiting": listed, "nav": "self_entry"}
    return render(request, "intake/waiting.html", context)


def _shown_answer(key: str, value: object) -> str:
    return "Not asked" if value is None else answer_label(key, value)


@permission_required("screening.add_visit", raise_exception=True)
@require_http_methods(["GET", "POST"])
def self_entry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.self_entry(pk)
    except SelfEntry.DoesNotExist:
        raise Http404("No such self-entry.") from None
    form = SignOffForm(request.POST or None, entered=entry.answers)
    if request.method == "POST" and entry.signed_at is None and form.is_valid():
        try:
            services.sign_self_entry(
                entry_id=entry.pk,
                corrections=form.corrections,
                reason=form.cleaned_data["reason"],
                actor=actor_for(request),
            )
        except services.AlreadySigned:
            messages.info(request, "This self-entry was already signed off.")
        except criteria.InvalidAnswers as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Signed off.")
            return redirect("intake:self_entry", pk=entry.pk)
    services.record_self_entry_view(entry=entry, actor=actor_for(request))
    rows = [
        (questionnaire.ITEMS[key].text, _shown_answer(key, value), field, key in entry.corrections)
        for key, value, field in form.rows()
    ]
    corrections = [
        (
            questionnaire.ITEMS[key].text,
            _shown_answer(key, entry.answers.get(key)),
            _shown_answer(key, value),
        )
        for key, value in entry.corrections.items()
    ]
    context = {
        "entry": entry,
        "patient": entry.invitation.patient,
        "form": form,
        "rows": rows,
        "corrections": corrections,
        "nav": "self_entry",
    }
    return render(request, "intake/self_entry.html", context, status=400 if form.errors else 200)


# Patient pages -----------------------------------------------------------------------------


def _patient_page(
    request: HttpRequest, template: str, context: dict[str, object] | None = None, status: int = 200
) -> HttpResponse:
    context = {"idle_seconds": settings.SELF_ENTRY_IDLE_SECONDS, **(context or {})}
    return render(request, template, context, status=status)


def _end_patient_mode(request: HttpRequest) -> None:
    request.session.pop(PATIENT_KEY, None)


def _unusable(request: HttpRequest) -> HttpResponse:
    _end_patient_mode(request)
    return _patient_page(request, "intake/unusable.html", status=410)


def _blocked(request: HttpRequest) -> HttpResponse:
    _end_patient_mode(request)
    return _patient_page(request, "intake/blocked.html", status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The neutral start page: whoever used the tablet before, nothing of theirs is left."""
    _end_patient_mode(request)
    request.session.pop(DONE_KEY, None)
    form = ShortCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_ip(request)
        if limits.address_blocked(address):
            return _blocked(request)
        try:
            invitation_id = services.open_invitation(
                code=form.cleaned_data["code"], actor=actor_for(request)
            )
        except services.InvitationNotUsable:
            limits.count_failure(address)
            form.add_error("code", WRONG_CODE)
        else:
            request.session.cycle_key()
            request.session[PATIENT_KEY] = {"id": invitation_id, "verified": False, "link": ""}
            return redirect("intake:entry")
    return _patient_page(request, "intake/start.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    digest = tokens.token_digest(token)
    state = request.session.get(PATIENT_KEY)
    if state is None or not tokens.same(state.get("link", ""), digest):
        try:
            invitation_id = services.open_invitation(token=token, actor=actor_for(request))
        except services.InvitationNotUsable:
            return _unusable(request)
        request.session.cycle_key()
        state = {"id": invitation_id, "verified": False, "link": digest}
        request.session[PATIENT_KEY] = state
    return _entry(request, state)


@login_not_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest) -> HttpResponse:
    state = request.session.get(PATIENT_KEY)
    if state is None:
        return redirect("intake:start")
    return _entry(request, state)


def _entry(request: HttpRequest, state: dict[str, object]) -> HttpResponse:
    invitation_id = int(str(state["id"]))
    try:
        services.live_invitation(invitation_id)
    except services.InvitationNotUsable:
        # A second click of the last Continue arrives after the first recorded the answers:
        # the same browser, past its date of birth, sees the same last page.
        if state["verified"] and (done := selectors.finished(invitation_id)) is not None:
            return _finish(request, mode=done[0], safety=done[1])
        return _unusable(request)
    if not state["verified"]:
        refused = _confirm_date_of_birth(request, invitation_id)
        if refused is not None:
            return refused
        state["verified"] = True
        request.session[PATIENT_KEY] = state
        if not any(key in request.POST for key in questionnaire.ANSWER_KEYS):
            return redirect(request.path)
    form = PatientAnswersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and form.complete:
        try:
            submitted = services.submit_self_entry(
                invitation_id=invitation_id, answers=form.answers, actor=actor_for(request)
            )
        except services.InvitationNotUsable:
            return _unusable(request)
        return _finish(request, mode=submitted.mode, safety=submitted.safety)
    context = {"form": form, "skip_logic": SKIP_LOGIC_JSON}
    return _patient_page(request, "intake/questions.html", context)


def _confirm_date_of_birth(request: HttpRequest, invitation_id: int) -> HttpResponse | None:
    """None once the posted date of birth is the patient's; else the page to show."""
    dob = DateOfBirthForm(request.POST if request.method == "POST" else None)
    if not (request.method == "POST" and dob.is_valid()):
        return _patient_page(request, "intake/date_of_birth.html", {"form": dob})
    address = client_ip(request)
    if limits.address_blocked(address):
        return _blocked(request)
    try:
        checked = services.check_date_of_birth(
            invitation_id=invitation_id,
            date_of_birth=dob.cleaned_data["date_of_birth"],
            actor=actor_for(request),
        )
    except services.InvitationNotUsable:
        return _unusable(request)
    if checked is services.BirthDateCheck.CONFIRMED:
        return None
    limits.count_failure(address)
    if checked is services.BirthDateCheck.WITHDRAWN:
        return _unusable(request)
    dob.add_error("date_of_birth", WRONG_DATE)
    return _patient_page(request, "intake/date_of_birth.html", {"form": dob}, status=400)


def _finish(request: HttpRequest, *, mode: str, safety: bool) -> HttpResponse:
    _end_patient_mode(request)
    request.session[DONE_KEY] = {"safety": safety, "mode": mode}
    return redirect("intake:done")


@login_not_required
def done(request: HttpRequest) -> HttpResponse:
    state = request.session.get(DONE_KEY)
    if state is None:
        return redirect("intake:start")
    context = {
        "tablet": state["mode"] == InvitationMode.TABLET,
        "crisis_text": settings.SELF_ENTRY_CRISIS_TEXT,
    }
    template = "intake/crisis.html" if state["safety"] else "intake/thanks.html"
    return _patient_page(request, template, context)
