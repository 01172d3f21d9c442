"""Fold the maintained analytics aggregates' appended rows together (analytics/aggregates.py)."""

from typing import Any

from django.core.management.base import BaseCommand

from analytics.aggregates import compact


class Command(BaseCommand):
    help = "Fold the rows the analytics triggers appended (run every few minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        for table, (before, after) in compact().items():
            self.stdout.write(f"{table}: {before:,} rows folded to {after:,}")
