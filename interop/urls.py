"""`/fhir/` URLs, generated from interop.registry: `<Type>` (search with GET, create with POST)
and `<Type>/<id>` (read) for each resource served, and `metadata`. Any other path under /fhir/
answers 404 with an OperationOutcome (after the token is checked)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from interop import capability
from interop.auth import api_view
from interop.outcomes import Issue, outcome_response
from interop.registry import RESOURCES, Resource

app_name = "fhir"


def _not_supported(entry: Resource, allow: tuple[str, ...]):
    """A view that answers every method 405 (after the token check), naming those served."""

    @api_view(resource=entry.type, interaction="unsupported", methods=(), allow=allow)
    def refuse(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        raise AssertionError("unreachable: api_view answers 405 to every method")

    return refuse


@api_view(resource="", interaction="unknown", methods=("GET", "POST", "PUT", "PATCH", "DELETE"))
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    return outcome_response(404, Issue("not-supported", "This server does not serve that URL."))


def _type_endpoint(entry: Resource):
    served = (("GET",) if entry.search else ()) + (("POST",) if entry.create else ())
    refuse = _not_supported(entry, served)

    def endpoint(request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and entry.search is not None:
            return entry.search(request, params=entry.search_params)
        if request.method == "POST" and entry.create is not None:
            return entry.create(request)
        return refuse(request)

    endpoint.login_required = False  # type: ignore[attr-defined]  # api_view guards each branch
    endpoint.csrf_exempt = True  # type: ignore[attr-defined]
    return endpoint


def _instance_endpoint(entry: Resource):
    refuse = _not_supported(entry, ("GET",))

    def endpoint(request: HttpRequest, id: str) -> HttpResponse:
        if request.method == "GET" and entry.read is not None:
            return entry.read(request, id)
        return refuse(request, id=id)

    endpoint.login_required = False  # type: ignore[attr-defined]
    endpoint.csrf_exempt = True  # type: ignore[attr-defined]
    return endpoint


urlpatterns = [path("metadata", capability.metadata, name="metadata")]
for _entry in RESOURCES:
    if _entry.search is not None or _entry.create is not None:
        urlpatterns.append(path(_entry.type, _type_endpoint(_entry), name=_entry.type))
    if _entry.read is not None:
        urlpatterns.append(
            path(f"{_entry.type}/<str:id>", _instance_endpoint(_entry), name=f"{_entry.type}-read")
        )
urlpatterns.append(re_path(r"^(?P<rest>.*)$", unknown, name="unknown"))
