"""What every page shows a reviewer: how many safety flags wait unclaimed (issue 15, point 2)."""

from typing import Any

from django.http import HttpRequest

from screening.selectors import unclaimed_safety_count

REVIEW_PERMISSION = "screening.review_flag"


def unclaimed_safety(request: HttpRequest) -> dict[str, Any]:
    """The count for users who may review, one query; nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(REVIEW_PERMISSION):
        return {}
    return {"unclaimed_safety_count": unclaimed_safety_count()}
