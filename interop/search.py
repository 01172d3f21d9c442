"""FHIR search: the parameters a search accepts, its paging, and the searchset Bundle.

Paging is by offset in SQL: `_count` (default 20, at most 100; 0 gives the total alone) and
`_offset`; the Bundle's `link` carries `self`, `first`, `previous` and `next` with the same
parameters. A parameter the search does not know is ignored and left out of `self`, as FHIR
servers do by default; with `Prefer: handling=strict` it is refused with 400 instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from interop.outcomes import Issue, outcome_response
from interop.selectors import as_pk

DEFAULT_COUNT = 20
MAX_COUNT = 100
_PAGING = ("_count", "_offset")
_IGNORED = ("_format",)  # every answer is JSON


def base_url() -> str:
    """The API's base URL, for links and fullUrls (SITE_URL, never a request's Host)."""
    return f"{settings.SITE_URL}/fhir"


class SearchRefused(Exception):
    """A search that cannot run; answered 400 with the issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.diagnostics)
        self.issue = issue

    def response(self) -> HttpResponse:
        return outcome_response(400, self.issue)


def refuse(parameter: str, diagnostics: str) -> SearchRefused:
    return SearchRefused(Issue("invalid", diagnostics, expression=[parameter]))


@dataclass(frozen=True)
class Query:
    values: dict[str, str]  # each known parameter given, as sent
    count: int
    offset: int

    def require(self, name: str) -> str:
        if name not in self.values:
            raise refuse(name, f"This search needs the {name} parameter.")
        return self.values[name]

    def ors(self, name: str) -> list[str]:
        """The comma-separated alternatives of a parameter (FHIR's OR), none if not given."""
        raw = self.values.get(name)
        return [] if raw is None else [part for part in raw.split(",") if part]


def _number(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise refuse(name, f"{name} must be a whole number, 0 or more.")
    return int(raw)


def _strict(request: HttpRequest) -> bool:
    prefer = request.headers.get("Prefer", "")
    return any(part.strip() == "handling=strict" for part in prefer.split(";"))


def parse(request: HttpRequest, params: Sequence[Any]) -> Query:
    """The search's parameters (each of `params`, a registry SearchParam) and its page."""
    known = {param.name for param in params}
    values: dict[str, str] = {}
    for name in request.GET:
        given = request.GET.getlist(name)
        if name in known:
            if len(given) > 1:
                raise refuse(name, f"Give {name} once; separate alternatives with commas.")
            values[name] = given[0]
        elif name not in _PAGING and name not in _IGNORED and _strict(request):
            raise SearchRefused(
                Issue(
                    "not-supported",
                    f"Unknown search parameter {name!r}; this search takes "
                    f"{', '.join(sorted(known))}.",
                    expression=[name],
                )
            )
    count = min(_number(request, "_count", DEFAULT_COUNT), MAX_COUNT)
    return Query(values=values, count=count, offset=_number(request, "_offset", 0))


def _link(type_name: str, query: Query, offset: int) -> str:
    params = {**query.values, "_count": query.count, "_offset": offset}
    return f"{base_url()}/{type_name}?{urlencode(params)}"


def bundle(
    type_name: str, query: Query, total: int, resources: list[dict[str, Any]]
) -> dict[str, Any]:
    """A searchset Bundle of one page of matches, with its links."""
    links = [
        {"relation": "self", "url": _link(type_name, query, query.offset)},
        {"relation": "first", "url": _link(type_name, query, 0)},
    ]
    if query.offset > 0 and query.count > 0:
        previous = max(0, min(query.offset, total) - query.count)
        links.append({"relation": "previous", "url": _link(type_name, query, previous)})
    if query.count > 0 and query.offset + query.count < total:
        links.append(
            {"relation": "next", "url": _link(type_name, query, query.offset + query.count)}
        )
    result: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    }
    if resources:
        result["entry"] = [
            {
                "fullUrl": f"{base_url()}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return result


def patient_id(query: Query) -> int | None:
    """The patient a `patient` parameter names (`<id>`, `Patient/<id>` or a full URL), or None
    when it names none of ours (the search then matches nothing)."""
    raw = query.require("patient")
    if "," in raw:
        raise refuse("patient", "Search one patient at a time.")
    reference = raw.rstrip("/")
    if "/" in reference:
        kind, _, reference = reference.rpartition("/")
        if not (kind == "Patient" or kind.endswith("/Patient")):
            return None
    return as_pk(reference)
