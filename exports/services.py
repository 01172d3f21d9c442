"""Starting and ending an export: count the visits and write the audit row before any byte is
sent, and a closing row saying how it ended once the last byte is out or it stops early."""

from dataclasses import dataclass

from django.db import transaction

from audit.models import Audit, AuditAction
from audit.services import Actor, record_audit
from config.replica import long_reads
from exports.export import Export
from exports.selectors import count_rows


@dataclass(frozen=True)
class StartedExport:
    """An export under way: pinned to when it started, the count announced, its audit row."""

    export: Export
    row_count: int
    audit: Audit
    actor: Actor


def start_export(*, export: Export, actor: Actor) -> StartedExport:
    """The export pinned to now and its row count, audited in one transaction.

    The file streams after the response has started, outside any transaction of ours, so the
    audit row records the request with the count announced to the user; pinning `as_of` makes
    the stream contain exactly the visits recorded by then (docs/exports.md).
    """
    pinned = export.as_of_now()
    with transaction.atomic(durable=True), long_reads():
        row_count = count_rows(pinned)  # where the rows will come from
        audit = record_audit(
            actor=actor, action=AuditAction.EXPORT, detail=pinned.audit_detail(row_count)
        )
    return StartedExport(export=pinned, row_count=row_count, audit=audit, actor=actor)


def end_export(
    *, started: StartedExport, rows_written: int, stopped: BaseException | None
) -> Audit:
    """The export's closing audit row, pointing at its starting one: complete, or stopped early
    by `stopped` (the reader went away, or an error: its type only, a message may hold PHI)."""
    detail: dict[str, object] = {"rows_written": rows_written, "row_count": started.row_count}
    if stopped is None:
        action = AuditAction.EXPORT_COMPLETE
    else:
        action = AuditAction.EXPORT_INCOMPLETE
        detail["complete"] = False
        if isinstance(stopped, GeneratorExit):
            detail["stopped"] = "disconnected"
        else:
            detail["stopped"] = "error"
            detail["error"] = type(stopped).__name__
    with transaction.atomic(durable=True):
        return record_audit(actor=started.actor, action=action, obj=started.audit, detail=detail)
