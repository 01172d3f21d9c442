"""`manage.py import_visits FILE`: visits from CSV or JSON (CRITERIA.md section 7 keys), all or none."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import Actor
from screening.importing.checking import validate_rows
from screening.importing.rows import ImportFileError, read_rows
from screening.services.imports import import_visits


class Command(BaseCommand):
    help = (
        "Import visits from a CSV or JSON file (or - for JSON on stdin) whose columns are the "
        "answer keys of CRITERIA.md section 7, the covariates, the patient columns (mrn, "
        "given_name, family_name, date_of_birth, sex, education, earnings), visit_at and an "
        "optional clinician username. Every row is checked first; any error writes nothing "
        "and exits with status 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .json file, or - for JSON on stdin")
        parser.add_argument(
            "--clinician",
            required=True,
            metavar="USER",
            help="who the import is recorded under (audit, new patients), and the clinician of "
            "rows without a clinician column",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["clinician"]).first()
        if user is None or not user.is_active:
            raise CommandError("--clinician: no active user with this username", returncode=2)
        name = options["file"]
        rows = self._read(name)
        self.stderr.write(f"read {len(rows)} rows")
        valid, errors = validate_rows(rows, default_clinician=user, progress=self.stderr.write)
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
        summary = import_visits(
            rows=valid, actor=Actor(user=user), source=source, progress=self.stderr.write
        )
        self.stdout.write(
            f"Imported {summary.visits} visits: {summary.patients_created} new patients, "
            f"{summary.patients_existing} already registered; {summary.flags} flags opened or "
            "attached."
        )

    def _read(self, name: str) -> list[Any]:
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
