"""Accent- and case-folded text for patient search, in a form an index can hold.

PostgreSQL's `unaccent()` is only STABLE (its dictionary could change), so no index may use it.
`public.immutable_unaccent(text)` (patients migration 0003) wraps it with the dictionary named,
declared IMMUTABLE; the trigram indexes on the patient's names hold `UPPER(immutable_unaccent(
name))`, and search compares the same expression, or the planner would not use them.
"""

from django.db.models import Func, TextField
from django.db.models.functions import Upper

FUNCTION = "public.immutable_unaccent"


class ImmutableUnaccent(Func):
    function = FUNCTION
    output_field = TextField()


def folded(expression):  # type: ignore[no-untyped-def]
    """UPPER(immutable_unaccent(expression)): what the name indexes hold and search compares."""
    return Upper(ImmutableUnaccent(expression))
