"""The review queue and a review case: reviewers work flags to a documented close (issue 6)."""

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit.requests import actor_for
from review import selectors, services
from review.forms import (
    ACTION_FORMS,
    FlagActionForm,
    QueueFilterForm,
    QueueSearchForm,
    action_forms,
)
from screening.models import Flag

SERVICES = {
    "claim": services.claim_flag,
    "release": services.release_flag,
    "take_over": services.take_over_flag,
    "note": services.add_flag_note,
    "resolve": services.resolve_flag,
    "dismiss": services.dismiss_flag,
    "reopen": services.reopen_flag,
}
DONE = {
    "claim": "You have claimed this case.",
    "release": "You have released this case; it is open for anyone.",
    "take_over": "You have taken over this case; its history names the reviewer who had it.",
    "note": "Note added to the case history.",
    "resolve": "Case resolved.",
    "dismiss": "Case dismissed.",
    "reopen": "Case reopened.",
}


SEARCH_KEY = "review_queue_search"
SEARCHING = "1"  # ?search=1: the queue shows the session's search (the text is never in a URL)


def _queue_url(query: str) -> str:
    return f"{reverse('review:queue')}?{query}" if query else reverse("review:queue")


@require_GET
@permission_required("screening.review_flag", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    form.is_valid()  # invalid filters are shown with their errors; their defaults apply
    filters = form.filters()
    searched = request.session.get(SEARCH_KEY, "")
    searching = bool(searched) and request.GET.get("search") == SEARCHING
    if searching:
        filters = replace(filters, patient_search=searched)
    page = services.read_review_queue(
        filters=filters,
        cursor=selectors.Cursor.from_token(request.GET.get("cursor", "")),
        size=form.page_size(),
        actor=actor_for(request),
    )
    context = {
        "nav": "review",
        "form": form,
        "filters": filters,
        "page": page,
        "needs_action": selectors.needs_action_now(),
        "search_form": QueueSearchForm(initial={"q": searched if searching else ""}),
        "searching": searching,
    }
    return render(request, "review/queue.html", context)


@require_GET
@permission_required("screening.review_flag", raise_exception=True)
def rescreen(request: HttpRequest) -> HttpResponse:
    """Patients due or overdue to be screened for the other condition, most overdue first."""
    page = services.read_rescreen_list(
        cursor=selectors.RescreenCursor.from_token(request.GET.get("cursor", "")),
        actor=actor_for(request),
    )
    context = {"nav": "rescreen", "page": page, "interval": settings.RESCREEN_INTERVAL_MONTHS}
    return render(request, "review/rescreen.html", context)


@require_POST
@permission_required("screening.review_flag", raise_exception=True)
def queue_search(request: HttpRequest) -> HttpResponse:
    """The queue's patient search, as patient search does it: the text is POSTed and kept in the
    session, and the queue that follows carries only ?search=1 beside the filters (no PHI)."""
    filters = request.GET.copy()  # the filters shown when the search was sent: codes and dates
    filters.pop("cursor", None)
    filters.pop("search", None)
    if "clear" in request.POST:
        request.session.pop(SEARCH_KEY, None)
        return redirect(_queue_url(filters.urlencode()))
    form = QueueSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["q"][0])
        return redirect(_queue_url(filters.urlencode()))
    request.session[SEARCH_KEY] = form.cleaned_data["q"]
    filters["search"] = SEARCHING
    return redirect(_queue_url(filters.urlencode()))


def _case(pk: int) -> selectors.Case:
    try:
        return selectors.flag_case(flag_id=pk)
    except Flag.DoesNotExist:
        raise Http404("No such case") from None


def _render_case(
    request: HttpRequest, case: selectors.Case, bound: FlagActionForm | None = None
) -> HttpResponse:
    # every showing of the case is audited: on opening it, and with a refused action's errors
    services.record_case_view(flag=case.flag, actor=actor_for(request))
    suggested = case.measure.suggested_outcome if case.measure is not None else None
    forms = action_forms(case.flag, request.user, bound=bound, suggested=suggested)
    return render(request, "review/case.html", {"nav": "review", "case": case, "forms": forms})


@require_GET
@permission_required("screening.review_flag", raise_exception=True)
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case(pk))


@require_POST
@permission_required(("screening.review_flag", "screening.change_flag"), raise_exception=True)
def flag_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One case action (claim, release, take over, note, resolve, dismiss, reopen), as
    POST/redirect/GET."""
    form = ACTION_FORMS[action](request.POST, flag_id=pk)
    if not form.is_valid():  # show the case again, the errors beside the answers as typed
        case = _case(pk)
        return _render_case(request, case, bound=ACTION_FORMS[action](request.POST, flag=case.flag))
    try:
        SERVICES[action](flag_id=pk, actor=actor_for(request), **form.cleaned_data)
    except services.FlagActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE[action])
    return redirect("review:flag", pk=pk)
