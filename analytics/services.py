"""The analytics page's read: the report for some filters, cached and audited.

The report is cached under a key that includes a data version, so a new visit or a flag change
is seen on the next view without signals (docs/analytics.md).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace

from django.core.cache import cache
from django.db import transaction

from analytics.filters import Filters
from analytics.report import Report, compute_report
from analytics.selectors import data_version
from audit.models import AuditAction
from audit.services import Actor, record_audit
from config.replica import long_reads

# Reports are cached pickled: change the version whenever a class they hold moves or changes, so
# a deploy never reads an old shape (v2: the intervals moved to analytics.intervals).
CACHE_PREFIX = "analytics:v2"
# The data version catches new visits and flag changes at once; this only bounds how long an
# edit elsewhere (a patient's demographics) can take to show.
CACHE_SECONDS = 60 * 60


def clinic_report(*, filters: Filters, actor: Actor) -> Report:
    """The report for `filters`, from the cache while the data are unchanged; the view is audited.

    Read from the replica when there is one (config/replica.py), the data version too: a report
    is cached under the version of the data it was computed from, even if the replica lags."""
    with long_reads():
        version = data_version()
        key = cache_key(filters, version)
        report = _cached(key)
        if report is None:
            report = compute_report(filters, version=version)
            cache.set(key, report, CACHE_SECONDS)
        else:
            report = replace(report, from_cache=True)
    with transaction.atomic(durable=True):
        record_audit(
            actor=actor,
            action=AuditAction.ANALYTICS_VIEW,
            detail=filters.audit_detail() | {"cached": report.from_cache},
        )
    return report


def _cached(key: str) -> Report | None:
    """The cached report, or None; one pickled by code whose classes have since moved is a miss."""
    try:
        report: Report | None = cache.get(key)
    except (AttributeError, ImportError, pickle.UnpicklingError):
        return None
    return report


def cache_key(filters: Filters, version: str) -> str:
    digest = hashlib.sha256(f"{filters.cache_part()}#{version}".encode()).hexdigest()[:32]
    return f"{CACHE_PREFIX}:{digest}"
