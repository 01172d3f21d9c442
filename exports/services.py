"""Starting an export: count the visits and write the audit row, before any byte is sent."""

from django.db import transaction

from audit.models import AuditAction
from audit.services import Actor, record_audit
from exports.export import Export, size_problem
from exports.selectors import count_visits


class ExportTooLarge(Exception):
    """The format cannot hold this many visits (Excel's sheet limit)."""


def start_export(*, export: Export, actor: Actor) -> tuple[Export, int]:
    """The export pinned to now and its visit count, audited in one transaction.

    The file streams after the response has started, outside any transaction of ours, so the
    audit row records the request with the count announced to the user; pinning `as_of` makes
    the stream contain exactly the visits recorded by then (docs/exports.md).
    """
    pinned = export.as_of_now()
    with transaction.atomic(durable=True):
        row_count = count_visits(pinned.filters)
        problem = size_problem(export.format, row_count)
        if problem:
            raise ExportTooLarge(problem)
        record_audit(actor=actor, action=AuditAction.EXPORT, detail=pinned.audit_detail(row_count))
    return pinned, row_count
