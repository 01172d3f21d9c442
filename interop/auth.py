"""Bearer-token access for the FHIR API and CDS Hooks (docs/fhir-api.md "Access").

`api_view` is the only way a view of this app is reached. It reads `Authorization: Bearer
<token>`, refuses a missing, unknown or revoked token with 401 and a read token on a write with
403, each as an OperationOutcome, and never looks at the session: a signed-in browser without a
token gets 401 like anyone else. CSRF does not apply (no cookie authenticates these requests).
Every call that names a client is audited as API_CALL once the view has answered, with what the
view noted through `audit_api_call` (the resource, the patient) and the answer's status.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from audit.requests import client_ip
from interop import services
from interop.models import ApiClient, Scope
from interop.outcomes import Issue, outcome_response

REALM = 'Bearer realm="spine-mood-screen"'
View = Callable[..., HttpResponse]


@dataclass
class ApiCall:
    """What the audit row of one call says beyond the client and status; views fill it in."""

    resource: str
    interaction: str
    patient: Model | None = None
    obj: Model | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def audit_api_call(
    request: HttpRequest,
    *,
    resource: str | None = None,
    interaction: str | None = None,
    patient: Model | None = None,
    obj: Model | None = None,
    **extra: Any,
) -> None:
    """Note for the call's audit row the patient it touches (and what else is given); the row is
    written by `api_view` when the view answers. Never pass PHI in `extra` (ids and counts)."""
    call: ApiCall = request.api_call  # type: ignore[attr-defined]
    if resource is not None:
        call.resource = resource
    if interaction is not None:
        call.interaction = interaction
    if patient is not None:
        call.patient = patient
    if obj is not None:
        call.obj = obj
    call.extra.update(extra)


def _bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def unauthorized(diagnostics: str, *, invalid: bool) -> HttpResponse:
    """401 with the challenge RFC 6750 asks for."""
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return outcome_response(401, Issue("login", diagnostics), WWW_Authenticate=challenge)


def forbidden_scope(scope: str) -> HttpResponse:
    challenge = f'{REALM}, error="insufficient_scope", scope="{scope}"'
    return outcome_response(
        403,
        Issue("forbidden", f"This API client's token may not {scope}; ask for a {scope} token."),
        WWW_Authenticate=challenge,
    )


def check_scope(client: ApiClient, scope: str) -> HttpResponse | None:
    """403 when the client's scope does not cover the view's, else None."""
    return None if client.allows(scope) else forbidden_scope(scope)


def api_view(
    *,
    resource: str,
    interaction: str,
    scope: str = Scope.READ,
    methods: tuple[str, ...] = ("GET",),
    allow: tuple[str, ...] | None = None,
) -> Callable[[View], View]:
    """Guard a view of the API: bearer token, scope, allowed methods, and the audit row.
    `allow` is the 405's Allow header where the URL serves more methods than this view."""
    if scope not in Scope.values:
        raise ValueError(f"unknown scope {scope!r}")

    def decorator(view: View) -> View:
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.user = AnonymousUser()  # the session never stands behind an API call
            token = _bearer_token(request)
            if token is None:
                return unauthorized("An API client's bearer token is required.", invalid=False)
            client = services.client_for_token(token)
            if client is None:
                return unauthorized("The bearer token is not known.", invalid=True)
            request.api_client = client  # type: ignore[attr-defined]
            request.api_call = call = ApiCall(resource, interaction)  # type: ignore[attr-defined]
            if client.revoked:
                response = unauthorized("The bearer token was revoked.", invalid=True)
            elif request.method not in methods:
                response = outcome_response(
                    405,
                    Issue("not-supported", f"{request.method} is not supported here."),
                    Allow=", ".join(methods if allow is None else allow),
                )
            else:
                response = check_scope(client, scope) or view(request, *args, **kwargs)
            services.record_api_call(
                client=client,
                ip_address=client_ip(request),
                method=request.method or "",
                resource=call.resource,
                interaction=call.interaction,
                status=response.status_code,
                patient=call.patient,
                obj=call.obj,
                extra=call.extra,
            )
            return response

        return wrapper

    return decorator
