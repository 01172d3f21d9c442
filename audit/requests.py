"""Who a request acts as: the Actor a view builds and hands to the services it calls.

Services never see a request; this is the one place the client's address is read from one.
django-axes reads it here too (AXES_CLIENT_IP_CALLABLE), so a lockout and the audit row of a
sign-in always name the same address.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest

from audit.services import Actor


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket peer's, or with TRUSTED_PROXY_COUNT = N proxies in front,
    the address the outermost of them saw, N entries from the right of X-Forwarded-For."""
    peer = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops == 0:
        return peer
    # Each trusted proxy appends the address it was reached from; whatever stands further left
    # came from the client and proves nothing.
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return peer  # fewer hops than configured: not through the proxies, so their peer is all we know
    try:
        return str(ip_address(forwarded[-hops]))
    except ValueError:
        return peer  # not an address (e.g. "unknown"): never store what a header claims


def actor_for(request: HttpRequest) -> Actor:
    """The signed-in user (or AnonymousUser) of the request and the client's address."""
    return Actor(user=request.user, ip_address=client_ip(request))
