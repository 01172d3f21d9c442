"""The review queue and a review case: reviewers work flags to a documented close (issue 6)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.requests import actor_for
from review import selectors, services
from review.forms import ACTION_FORMS, FlagActionForm, QueueFilterForm, action_forms
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


@require_GET
@permission_required("screening.review_flag", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    form.is_valid()  # invalid filters are shown with their errors; their defaults apply
    filters = form.filters()
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
    }
    return render(request, "review/queue.html", context)


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
    forms = action_forms(case.flag, request.user, bound=bound)
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
