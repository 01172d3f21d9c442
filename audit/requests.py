"""Who a request acts as: the Actor a view builds and hands to the services it calls.

Services never see a request; this is the one place the client's address is read from one.
"""

from django.http import HttpRequest

from audit.services import Actor


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (a trusted proxy sets REMOTE_ADDR via gunicorn)."""
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request: HttpRequest) -> Actor:
    """The signed-in user (or AnonymousUser) of the request and the client's address."""
    return Actor(user=request.user, ip_address=client_ip(request))
