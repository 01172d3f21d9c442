"""Demo patients and visits for `make run`. Placeholder until record_visit exists (issue 5)."""

from typing import Any


def load_demo_patients(clinician: Any) -> int:
    """Create the demo patients and their visits once; return how many patients were added."""
    return 0
