"""`manage.py expire_exports`: delete the files of export jobs past EXPORT_JOB_EXPIRY_HOURS.

The worker runs the same cleanup when each job's file expires; this command is the schedule's
backstop (cron or a systemd timer, hourly; docs/deployment.md "Background jobs")."""

from typing import Any

from django.core.management.base import BaseCommand

from exports.jobs import expire_jobs


class Command(BaseCommand):
    help = "Delete expired export job files, mark their jobs expired and audit each."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_jobs()
        self.stdout.write(f"expired {expired} export job{'s' if expired != 1 else ''}")
