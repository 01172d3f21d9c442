"""Every place that shows or stores the questionnaire says what screening.questionnaire says:
the visit table, the form, the browser's skip-logic data, the export column dictionary and the
FHIR definitions, codes and labels alike."""

import datetime as dt
import html
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports import fhir
from screening import questionnaire
from screening.forms import ScreeningForm
from screening.models import Visit
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ASKED = {**questionnaire.ITEMS, **questionnaire.COVARIATES}


def _codes_and_labels(choices):
    return [(str(code), str(label)) for code, label in choices]


@pytest.mark.parametrize("key", list(ASKED))
def test_visit_column_has_the_wording_code_and_choices_when_defined(key):
    asked = ASKED[key]
    field = Visit._meta.get_field(key)

    assert field.verbose_name == asked.text
    assert field.help_text == asked.midus
    if asked.choices is not None:
        assert _codes_and_labels(field.choices) == list(asked.choices)
    assert field.null


def _in_lookups(condition):
    """The `field__in` lookups anywhere in a constraint's condition, as {field: codes}."""
    found = {}
    for child in condition.children:
        if isinstance(child, tuple) and child[0].endswith("__in"):
            found[child[0].removesuffix("__in")] = list(child[1])
        elif not isinstance(child, tuple):
            found |= _in_lookups(child)
    return found


def test_visit_table_accepts_exactly_the_questionnaire_codes_when_constrained():
    constrained = {}
    for constraint in Visit._meta.constraints:
        constrained |= _in_lookups(constraint.condition)

    for key, asked in ASKED.items():
        if asked.choices is not None:
            assert constrained[key] == [code for code, _ in asked.choices], key


@pytest.mark.parametrize("key", list(ASKED))
def test_form_field_asks_the_question_with_its_answers_when_built(key):
    asked = ASKED[key]
    field = ScreeningForm(patient=PatientFactory.build()).fields[key]

    assert field.label.endswith(asked.text)
    if asked.choices is not None:
        assert list(field.choices) == list(asked.choices)
    elif getattr(asked, "low", None) is not None:
        assert (field.min_value, field.max_value) == (asked.low, asked.high)
    else:
        assert list(field.choices) == [("yes", "Yes"), ("no", "No")]


def test_stem_labels_carry_the_interview_numbers_when_built():
    fields = ScreeningForm(patient=PatientFactory.build()).fields

    assert fields["da_sad_2wk"].label.startswith("A1. ")
    assert fields["an_frequency"].label.startswith("B3. ")


def test_browser_reads_the_questionnaire_gates_when_the_form_is_served(client, clinician):
    patient = PatientFactory()
    client.force_login(clinician)

    page = client.get(reverse("screening:visit_new", args=[patient.pk])).content.decode()
    logic = json.loads(html.unescape(re.search(r'data-skip-logic="([^"]*)"', page).group(1)))

    assert logic["always"] == [questionnaire.BACKACHE]
    assert logic["items"] == list(questionnaire.ANSWER_KEYS)
    for served, spec in zip(logic["paths"], questionnaire.PATHS, strict=True):
        assert served["stems"] == list(spec.stems)
        assert [set(codes) for codes in served["passing"]] == [set(p) for p in spec.passing]
        assert served["symptoms"] == list(spec.symptoms)
        assert served["followups"] == [
            [rule.key, rule.after, "yes" if rule.when else "no"] for rule in spec.followups
        ]
    for key, item in questionnaire.ITEMS.items():
        for code, label in item.choices or ():
            assert f'name="{key}" value="{code}"' in page
            assert html.escape(label) in page


def test_export_column_dictionary_words_each_column_as_asked_when_downloaded(client, admin_user):
    client.force_login(admin_user)
    today = timezone.localdate()
    query = {
        "date_from": (today - dt.timedelta(days=1)).isoformat(),
        "date_to": today.isoformat(),
        "format": "xlsx",
        "labels": "codes",
        "dates": "shifted",
    }

    response = client.get(reverse("exports:export_download"), query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Columns"]
    described = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}

    for key, asked in ASKED.items():
        _group, description, midus, codes = described[key]
        assert description == asked.text
        assert (midus or "") == asked.midus
        if asked.choices is not None:
            assert codes == "; ".join(f"{code} = {label}" for code, label in asked.choices)


def test_fhir_code_systems_and_questionnaire_say_the_same_when_defined():
    resources = fhir.definitions()
    systems = {r["url"]: r for r in resources if r["resourceType"] == "CodeSystem"}
    (form,) = [r for r in resources if r["resourceType"] == "Questionnaire"]

    items = {c["code"]: c["display"] for c in systems[fhir.ITEMS_SYSTEM]["concept"]}
    assert items == {item.midus: item.text for item in questionnaire.ITEMS.values()}
    served = {entry["linkId"]: entry for entry in form["item"]}
    assert list(served) == list(questionnaire.ANSWER_KEYS)
    for key, item in questionnaire.ITEMS.items():
        assert served[key]["text"] == item.text
        if item.choices is None:
            assert served[key]["type"] == "boolean"
            continue
        codings = [option["valueCoding"] for option in served[key]["answerOption"]]
        assert [(c["code"], c["display"]) for c in codings] == list(item.choices)
        (system,) = {c["system"] for c in codings}
        assert [(c["code"], c["display"]) for c in systems[system]["concept"]] == list(item.choices)
