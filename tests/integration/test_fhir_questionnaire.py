"""The screen as an SDC Questionnaire: built from the one questionnaire definition, valid R4,
and its enableWhen enabling exactly the items criteria.asked_items asks, replayed through an
evaluator with LHC-Forms' semantics over the browser test's answer sets and generated ones."""

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import given, settings
from hypothesis import strategies as st

from exports import fhir, sdc
from screening import criteria, questionnaire
from tests.enable_when import enabled_items
from tests.unit.criteria_cases import (
    A_ENTERED,
    A_FAILED,
    A_SYMPTOMS,
    B_ENTERED,
    B_SYMPTOMS,
    answered,
    skip_logic_cases,
    yes_to,
)

SCREEN = sdc.questionnaire_resource()
HAND_WORKED = [
    {},
    A_ENTERED,
    answered(A_ENTERED, yes_to(A_SYMPTOMS)),
    answered(A_ENTERED, yes_to(A_SYMPTOMS[:3]), da_appetite_lost=False),
    answered(A_ENTERED, B_ENTERED, yes_to(B_SYMPTOMS)),
    answered(A_FAILED, B_ENTERED, yes_to(B_SYMPTOMS)),
    answered(A_FAILED, B_ENTERED, an_appetite_lost=False, an_sleep_trouble=True),
    answered(A_FAILED, an_lost_interest_2wk="no", an_duration="all_day_long"),
    {"da_duration": "all_day_long", "an_lost_interest_2wk": "yes"},
    {"da_sad_2wk": "yes", "da_duration": "about_half_the_day", "da_frequency": "every_day"},
    {"da_sad_2wk": "yes", "da_duration": "most_of_the_day", "da_frequency": "less_often"},
]


def _choices(key: str) -> list[object]:
    choices = questionnaire.ITEMS[key].choices
    return [None, True, False] if choices is None else [None, *(code for code, _ in choices)]


ANY_ANSWERS = st.fixed_dictionaries(
    {key: st.sampled_from(_choices(key)) for key in questionnaire.ANSWER_KEYS}
)
# Half the stems qualify, so that both paths and their follow-ups are reached often.
ENTERING = st.fixed_dictionaries(
    {
        key: st.sampled_from(
            sorted(spec.passing[spec.stems.index(key)]) * 3 + _choices(key)
            if (spec := next((s for s in questionnaire.PATHS if key in s.stems), None))
            else _choices(key)
        )
        for key in questionnaire.ANSWER_KEYS
    }
)


@pytest.mark.django_db
def test_the_api_serves_the_questionnaire_to_a_read_token(client, read_token):
    reply = client.get(
        "/fhir/Questionnaire/spine-mood-screen", HTTP_AUTHORIZATION=f"Bearer {read_token}"
    )

    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("application/fhir+json")
    served = reply.json()
    assert served == SCREEN
    for answers in HAND_WORKED:
        assert enabled_items(served, answers) == criteria.asked_items(answers)


@pytest.mark.django_db
def test_another_questionnaire_id_is_not_found_and_no_token_is_refused(client, read_token):
    other = client.get("/fhir/Questionnaire/phq-9", HTTP_AUTHORIZATION=f"Bearer {read_token}")
    anonymous = client.get("/fhir/Questionnaire/spine-mood-screen")

    assert other.status_code == 404
    assert other.json()["issue"][0]["code"] == "not-found"
    assert anonymous.status_code == 401


@pytest.mark.django_db
def test_the_capability_statement_lists_the_questionnaire_and_responses_in(client):
    statement = client.get("/fhir/metadata").json()

    served = {r["type"]: r["interaction"] for r in statement["rest"][0]["resource"]}
    assert {"code": "read"} in served["Questionnaire"]
    assert {"code": "create"} in served["QuestionnaireResponse"]
    assert {"code": "transaction"} in statement["rest"][0]["interaction"]


def test_questionnaire_is_valid_r4_when_built():
    get_fhir_model_class("Questionnaire").model_validate(SCREEN)


def test_export_carries_the_same_questionnaire_when_defined():
    (served,) = [r for r in fhir.definitions() if r["resourceType"] == "Questionnaire"]

    assert served == SCREEN


def test_every_item_is_coded_and_required_when_built():
    items = {item["linkId"]: item for item in SCREEN["item"]}

    assert list(items) == list(questionnaire.ANSWER_KEYS)
    for key, item in questionnaire.ITEMS.items():
        served = items[key]
        assert served["code"] == [
            {"system": sdc.ITEMS_SYSTEM, "code": item.midus, "display": item.text}
        ]
        assert served["required"] is True
        if item.choices is None:
            assert served["type"] == "boolean"
            assert "answerOption" not in served
            continue
        assert served["type"] == "choice"
        codings = [option["valueCoding"] for option in served["answerOption"]]
        assert [(c["code"], c["display"]) for c in codings] == list(item.choices)
        assert {c["system"] for c in codings} == {sdc.answer_system(item.choices)}


def test_enable_when_names_only_earlier_items_with_their_own_systems_when_built():
    items = {item["linkId"]: item for item in SCREEN["item"]}
    order = list(items)
    for key, item in items.items():
        for condition in item.get("enableWhen", []):
            question = condition["question"]
            assert order.index(question) < order.index(key)
            assert condition["operator"] in ("=", "!=", "exists")
            if "answerCoding" in condition:
                options = [o["valueCoding"] for o in items[question]["answerOption"]]
                assert condition["answerCoding"] in options
        if len(item.get("enableWhen", [])) > 1:
            assert item["enableBehavior"] in ("any", "all")


def test_items_asked_of_everyone_have_no_enable_when():
    always = [item["linkId"] for item in SCREEN["item"] if "enableWhen" not in item]

    assert set(always) == criteria.asked_items({})


@pytest.mark.parametrize("answers", skip_logic_cases())
def test_renderer_enables_what_asked_items_asks_when_the_browser_test_answers(answers):
    assert enabled_items(SCREEN, answers) == criteria.asked_items(answers)


@pytest.mark.parametrize("answers", HAND_WORKED)
def test_renderer_enables_what_asked_items_asks_when_hand_worked(answers):
    assert enabled_items(SCREEN, answers) == criteria.asked_items(answers)


@settings(database=None, max_examples=400, deadline=None)
@given(ANY_ANSWERS)
def test_renderer_enables_what_asked_items_asks_for_any_answers(answers):
    assert enabled_items(SCREEN, answers) == criteria.asked_items(answers)


@settings(database=None, max_examples=400, deadline=None)
@given(ENTERING)
def test_renderer_enables_what_asked_items_asks_when_paths_are_entered(answers):
    assert enabled_items(SCREEN, answers) == criteria.asked_items(answers)


def test_evaluator_refuses_a_coding_of_another_system_when_matching():
    """The evaluator itself: a gate whose coding carries another system enables nothing."""
    altered = {**SCREEN, "item": [dict(item) for item in SCREEN["item"]]}
    duration = next(item for item in altered["item"] if item["linkId"] == "da_duration")
    (condition,) = duration["enableWhen"]
    duration["enableWhen"] = [
        {**condition, "answerCoding": {**condition["answerCoding"], "system": "urn:other"}}
    ]

    assert "da_duration" not in enabled_items(altered, {"da_sad_2wk": "yes"})
    assert "da_duration" in enabled_items(SCREEN, {"da_sad_2wk": "yes"})
