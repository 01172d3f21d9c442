"""What the screening browser tests share: a signed-in clinician's page, and a patient
registered by another clinician."""

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page

from patients.models import Patient
from tests.conftest import make_user
from tests.factories import PatientFactory


@pytest.fixture
def clinician_page(page: Page, sign_in: Any) -> Page:
    make_user("dr_e2e", "clinician")
    sign_in("dr_e2e")
    return page


def new_patient(**fields: Any) -> Patient:
    return PatientFactory(
        created_by=make_user(f"creator_{uuid.uuid4().hex[:6]}", "clinician"), **fields
    )
