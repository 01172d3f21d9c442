"""`manage.py import_instruments FILE --clinician USER`: recorded instruments (ASQ, PHQ-9,
LBP+PEG) from CSV or JSON, for registered patients, all or none."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import Actor
from screening.importing.instruments import validate_instrument_rows
from screening.importing.rows import ImportFileError, RawRow, read_rows
from screening.services.instrument_imports import InstrumentImportFailed, import_instruments

# the clinician role records visits and instruments (DESIGN.md "Roles") under one permission
PERMISSION = "screening.add_visit"


class Command(BaseCommand):
    help = (
        "Import recorded instruments from a CSV or JSON file (or - for JSON on stdin) with the "
        "columns mrn, administered_at, instrument (asq, phq9 or lbp_peg) and the instrument's "
        "answer keys of INSTRUMENTS.md (the other instruments' keys empty). Patients must be "
        "registered. Every row is checked first; any error writes nothing and exits with "
        "status 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file, or - for JSON on stdin")
        parser.add_argument(
            "--clinician",
            required=True,
            metavar="USER",
            help="who recorded the instruments (and the audit trail's actor)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["clinician"]).first()
        if user is None or not user.is_active or not user.has_perm(PERMISSION):
            raise CommandError(
                "--clinician: no active user with this username may record instruments",
                returncode=2,
            )
        name = options["file"]
        rows = self._read(name)
        self.stderr.write(f"read {len(rows)} rows")
        valid, errors = validate_instrument_rows(rows)
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            bad = len({error.line for error in errors})
            raise CommandError(
                f"{bad} of {len(rows)} rows have errors; nothing was written", returncode=2
            )
        if not valid:
            raise CommandError("the file has no rows; nothing was written", returncode=2)
        source = "json" if name == "-" else Path(name).suffix.lstrip(".").lower()
        try:
            summary = import_instruments(rows=valid, actor=Actor(user=user), source=source)
        except InstrumentImportFailed as failed:
            self.stderr.write(str(failed.error))
            raise CommandError(
                "a row could not be recorded; nothing was written", returncode=2
            ) from None
        self.stdout.write(
            f"Imported {summary.instruments} instruments: {summary.positive} positive; "
            f"{summary.safety_flags} safety flags opened or joined."
        )

    def _read(self, name: str) -> list[RawRow]:
        try:
            if name == "-":
                return read_rows(name, sys.stdin)
            with open(name, encoding="utf-8-sig", newline="") as stream:
                return read_rows(name, stream)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"{name}: cannot read the file ({exc.__class__.__name__})", returncode=2
            ) from None
        except ImportFileError as exc:
            raise CommandError(f"{name}: {exc}", returncode=2) from None
