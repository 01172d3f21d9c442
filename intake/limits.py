"""How many wrong codes or dates of birth one client address may try (issue 17, point 5).

Counted in the shared cache (the database cache, so every worker and host sees one count); only
failures count, so a waiting-room tablet behind one address serves any number of patients.
"""

from django.conf import settings
from django.core.cache import cache

_PREFIX = "intake:failures:"


def _key(address: str | None) -> str:
    return f"{_PREFIX}{address or 'unknown'}"


def address_blocked(address: str | None) -> bool:
    """True when the address has used up its wrong tries in the current window."""
    return int(cache.get(_key(address), 0)) >= settings.SELF_ENTRY_ADDRESS_TRIES


def count_failure(address: str | None) -> None:
    """One more wrong try from the address; the window starts at its first."""
    key = _key(address)
    if cache.add(key, 1, timeout=settings.SELF_ENTRY_ADDRESS_WINDOW_MINUTES * 60):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.SELF_ENTRY_ADDRESS_WINDOW_MINUTES * 60)
