"""Fold the maintained analytics aggregates' appended rows together (analytics/aggregates.py)."""

from typing import Any

import psycopg
from django.core.management.base import BaseCommand, CommandParser

from analytics.aggregates import TABLES, compact, fold


class Command(BaseCommand):
    help = "Fold the rows the analytics triggers appended (run every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            help="fold on this database instead of the app's (a bulk loader's, e.g. generate_visits)",
        )
        parser.add_argument(
            "--analyze", action="store_true", help="then VACUUM (ANALYZE) the aggregates' tables"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_url"]:
            with psycopg.connect(options["database_url"]) as conn:
                with conn.transaction():
                    sizes = fold(conn.cursor())
                if options["analyze"]:
                    conn.autocommit = True
                    for table in TABLES:
                        conn.execute(f"VACUUM (ANALYZE) {table}")
        else:
            sizes = compact()
        for table, (before, after) in sizes.items():
            self.stdout.write(f"{table}: {before:,} rows folded to {after:,}")
