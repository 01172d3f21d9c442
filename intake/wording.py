"""The questionnaire as the patient reads it: second person, plain language, keyed by the answer
keys of screening/questionnaire.py, whose items, codes and skip logic stay the one definition.
Standard library only; a test checks every answer key and code has its wording here."""

from screening import questionnaire

_DURING = "During those two weeks, did you "
_SYMPTOMS = {
    "lost_interest": _DURING + "lose interest in most things?",
    "tired": _DURING + "feel more tired or low on energy than usual?",
    "appetite_lost": _DURING + "lose your appetite?",
    "appetite_increased": "Did your appetite increase instead?",
    "sleep_trouble": _DURING + "have more trouble falling asleep than usual?",
    "sleep_frequency": "How often did you have trouble falling asleep?",
    "concentration": _DURING + "have a lot more trouble concentrating than usual?",
    "worthless": _DURING + "feel down on yourself, no good, or worthless?",
    "death_thoughts": _DURING + "think a lot about death? This can be your own death, someone "
    "else's, or death in general.",
}

PATIENT_TEXT: dict[str, str] = {
    "backache_freq_30d": "In the past 30 days, how often have you had backaches?",
    "da_sad_2wk": "In the past 12 months, was there a time when you felt sad, blue, or depressed "
    "for two weeks or more in a row?",
    "da_duration": "During those two weeks, how long did these feelings usually last each day?",
    "da_frequency": "During those two weeks, how often did you feel this way?",
    "an_lost_interest_2wk": "In the past 12 months, was there a time of two weeks or more when "
    "you lost interest in most things, like hobbies, work, or activities that usually give you "
    "pleasure?",
    "an_duration": "How long did the loss of interest usually last each day?",
    "an_frequency": "During those two weeks, how often did you feel this way?",
    **{
        f"{prefix}_{name}": text
        for prefix in ("da", "an")
        for name, text in _SYMPTOMS.items()
        if f"{prefix}_{name}" in questionnaire.ITEMS
    },
}

# Options the interviewer's wording does not fit a patient answering alone; others read as is.
PATIENT_CHOICE_LABELS: dict[str, str] = {
    questionnaire.Stem.ON_ANTIDEPRESSANTS.value: "I was taking medicine for depression",
    "dont_know": "I don't know",
    "refused": "I'd rather not say",
}

YES_NO = (("yes", "Yes"), ("no", "No"))


def patient_choices(key: str) -> tuple[tuple[str, str], ...]:
    """The item's options with the patient's labels, same codes in the same order."""
    choices = questionnaire.ITEMS[key].choices
    if choices is None:
        return YES_NO
    return tuple((code, PATIENT_CHOICE_LABELS.get(code, label)) for code, label in choices)
