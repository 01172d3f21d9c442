"""Which visits a report covers. Apart from the statistics, so the filter form loads without
pandas, SciPy and scikit-learn (they load with the first report: analytics/views.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Filters:
    """Which visits the report covers: a date range (inclusive, local dates) and a clinician."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    clinician_id: int | None = None

    @property
    def narrowed(self) -> bool:
        """Some filter is set: the report reads the visits; else the maintained aggregates."""
        return (self.date_from, self.date_to, self.clinician_id) != (None, None, None)

    def cache_part(self) -> str:
        return f"{self.date_from or ''}|{self.date_to or ''}|{self.clinician_id or ''}"

    def audit_detail(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "clinician_id": self.clinician_id,
        }
