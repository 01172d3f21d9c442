"""Reading a QuestionnaireResponse back into answers (exports.sdc.read_answers): what a renderer
sends for a complete screen reads back exactly, and each way a response breaks the skip logic or
the Questionnaire is named by its linkId."""

from hypothesis import given, settings
from hypothesis import strategies as st

from exports import sdc
from screening import criteria, questionnaire
from tests.fhir_requests import response

quick = settings(database=None, max_examples=300, deadline=None)


def _values(key: str) -> list[object]:
    choices = questionnaire.ITEMS[key].choices
    return [True, False] if choices is None else [code for code, _ in choices]


DRAWS = st.fixed_dictionaries(
    {key: st.sampled_from(_values(key)) for key in questionnaire.ANSWER_KEYS}
)


def complete(draw: dict[str, object]) -> dict[str, object]:
    """A screen answered as the form requires: every asked item, in order, and nothing else."""
    answers: dict[str, object] = {}
    while missing := [
        k
        for k in questionnaire.ANSWER_KEYS
        if k in criteria.asked_items(answers) and k not in answers
    ]:
        answers[missing[0]] = draw[missing[0]]
    return answers


@quick
@given(DRAWS)
def test_a_complete_screen_reads_back_as_its_answers(draw):
    answers = complete(draw)

    read, problems = sdc.read_answers(response(answers, mrn="M1"))

    assert problems == []
    assert read == answers


@quick
@given(DRAWS, st.sampled_from(questionnaire.ANSWER_KEYS))
def test_an_answer_the_skip_logic_does_not_ask_is_named(draw, extra):
    answers = complete(draw)
    if extra in answers:
        return
    body = response({**answers, extra: draw[extra]}, mrn="M1")

    _, problems = sdc.read_answers(body)

    assert (
        sdc.Problem(
            "business-rule",
            sdc.item_path(extra),
            f"{extra} is answered, but the skip logic does not ask it given the other answers "
            "(its enableWhen is false): leave it out",
        )
        in problems
    )


@quick
@given(DRAWS, st.data())
def test_a_missing_answer_the_skip_logic_asks_is_named(draw, data):
    answers = complete(draw)
    dropped = data.draw(st.sampled_from(sorted(answers)))
    del answers[dropped]
    # Dropping an answer may close the items after it: then only the earlier one is missing.
    missing = sorted(criteria.asked_items(answers) - set(answers))

    _, problems = sdc.read_answers(response(answers, mrn="M1"))

    assert [p.expression for p in problems if p.code == "required"] == [
        sdc.item_path(key) for key in questionnaire.ANSWER_KEYS if key in missing
    ]
    assert dropped in missing


def test_a_response_to_another_questionnaire_or_in_progress_is_refused():
    body = {**response({}, mrn="M1"), "questionnaire": "urn:other", "status": "in-progress"}

    _, problems = sdc.read_answers(body)

    assert [p.expression for p in problems] == [
        "QuestionnaireResponse.questionnaire",
        "QuestionnaireResponse.status",
    ]


def test_a_versioned_canonical_is_accepted():
    answers = complete(
        dict.fromkeys(questionnaire.ANSWER_KEYS, "no")
        | {"backache_freq_30d": "not_at_all", "an_lost_interest_2wk": "no"}
    )
    body = {**response(answers, mrn="M1"), "questionnaire": f"{sdc.QUESTIONNAIRE_URL}|2026.1"}

    assert sdc.read_answers(body) == (answers, [])


def test_a_repeated_linkid_and_two_answers_are_refused():
    body = response(
        {"backache_freq_30d": "not_at_all", "da_sad_2wk": "no", "an_lost_interest_2wk": "no"},
        mrn="M1",
    )
    body["item"].append(dict(body["item"][0]))
    body["item"][1]["answer"] = body["item"][1]["answer"] * 2

    _, problems = sdc.read_answers(body)

    assert [(p.code, p.expression) for p in problems] == [
        ("structure", "QuestionnaireResponse.item.where(linkId='da_sad_2wk').answer"),
        ("structure", "QuestionnaireResponse.item.where(linkId='backache_freq_30d')"),
    ]
