"""`manage.py export_visits --user USER --output FILE`: the exports page's download, without the web.

`--dataset instruments` exports the recorded instruments instead (ASQ, PHQ-9, LBP+PEG), as the
page's "What to export" choice does.

The same choices as the page (the same form checks them), the same writer and so the same bytes,
and the same EXPORT audit row, under the user named.
"""

import os
import sys
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict

from audit.services import Actor
from exports import writers
from exports.export import Dataset, DateDetail, Format, rows_noun
from exports.forms import ExportForm
from exports.services import StartedExport, start_export
from screening.instruments import Instrument
from screening.models import FlagKind

PERMISSION = "screening.export_visit"
PROGRESS_EVERY = 10_000  # rows between progress lines


class Command(BaseCommand):
    help = (
        "Export visits (or, with --dataset instruments, recorded instruments) as the exports "
        "page does: CSV, Excel or FHIR NDJSON, identified or "
        "de-identified, with the page's filters. The export is audited under --user, who must "
        "be allowed to export. Bad choices exit with status 2 and write nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="USER", help="who exports (audit)")
        parser.add_argument(
            "--dataset",
            choices=Dataset.values,
            default=Dataset.VISITS,
            help="one row per visit (default) or per recorded instrument",
        )
        parser.add_argument(
            "--instrument",
            choices=[kind.value for kind in Instrument],
            help="instruments: only this one",
        )
        parser.add_argument("--output", required=True, metavar="FILE", help="the file, or -")
        parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
        parser.add_argument("--clinician", metavar="USER", help="only this clinician's visits")
        parser.add_argument("--back-pain", choices=("yes", "no"))
        parser.add_argument("--major-depression", choices=("yes", "no"))
        parser.add_argument("--flag-kind", choices=FlagKind.values)
        parser.add_argument("--flag-status", metavar="STATUS", help="unresolved, open, ...")
        parser.add_argument(
            "--all-visits",
            action="store_true",
            help="include visits a later amendment corrected",
        )
        parser.add_argument("--format", choices=Format.values, default=Format.CSV)
        parser.add_argument("--labels", action="store_true", help="answers as labels, not codes")
        parser.add_argument("--midus-names", action="store_true")
        parser.add_argument(
            "--excel-bom", action="store_true", help="begin the CSV with a byte-order mark"
        )
        parser.add_argument("--deidentified", action="store_true")
        parser.add_argument("--dates", choices=DateDetail.values, default=DateDetail.SHIFTED)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None or not user.has_perm(PERMISSION):
            raise CommandError("--user: no active user with this username may export", returncode=2)
        form = ExportForm(_form_data(options))
        if not form.is_valid():
            problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
            raise CommandError("; ".join(problems), returncode=2)
        started = start_export(export=form.export(), actor=Actor(user=user))
        count = started.row_count
        dataset = started.export.options.dataset
        label = Format(started.export.format).label
        self.stderr.write(f"exporting {count:,} {rows_noun(dataset, count)} as {label}")
        written = self._write(started, options["output"])
        self.stderr.write(f"wrote {written:,} {rows_noun(dataset, written)} to {options['output']}")

    def _write(self, started: StartedExport, output: str) -> int:
        """The file (a workbook built in the app's folder first), and the export's closing audit
        row; the rows written."""
        count = started.row_count
        reported = [0]

        def progress(done: int) -> None:
            if done - reported[0] >= PROGRESS_EVERY:
                reported[0] = done
                noun = rows_noun(started.export.options.dataset, count)
                self.stderr.write(f"wrote {min(done, count):,} of {count:,} {noun}")

        if output == "-":
            return writers.write_audited(started, sys.stdout.buffer, progress)
        # owner-only from the first byte: the file holds patient data
        target: IO[bytes] = os.fdopen(
            os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"
        )
        try:
            with target:
                return writers.write_audited(started, target, progress)
        except BaseException:
            os.unlink(output)  # never leave half a file of patient data behind
            raise


def _form_data(options: dict[str, Any]) -> QueryDict:
    """The command's options as the exports page would send them, defaults included."""
    data = QueryDict(mutable=True)
    data.update(ExportForm.default_data())
    for name in (
        "dataset",
        "instrument",
        "date_from",
        "date_to",
        "back_pain",
        "major_depression",
        "flag_kind",
        "flag_status",
    ):
        if options[name]:
            data[name] = options[name]
    if options["clinician"]:
        clinician = get_user_model().objects.filter(username=options["clinician"]).first()
        data["clinician"] = str(clinician.pk) if clinician else "unknown"
    if options["all_visits"]:
        data.pop("current_only")
    data["format"] = options["format"]
    data["labels"] = "labels" if options["labels"] else "codes"
    data["dates"] = options["dates"]
    for flag in ("midus_names", "deidentified", "excel_bom"):
        if options[flag]:
            data[flag] = "on"
    return data
