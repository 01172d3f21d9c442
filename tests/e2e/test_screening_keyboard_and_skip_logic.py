"""The screening form in the browser beyond the mouse: filled and sent with the keyboard only,
and its skip logic showing exactly the questions the criteria ask, over every stem answer.

The autouse `page_errors` fixture fails any of these tests on a CSP violation or script error.
"""

from typing import Any

from playwright.sync_api import Page, expect

from screening import criteria
from screening.models import Visit
from tests.e2e import screening_setup
from tests.e2e.screening_setup import new_patient
from tests.unit.criteria_cases import skip_logic_cases

# The shared fixture, bound here for pytest to find (ruff reads a bare import as unused).
clinician_page = screening_setup.clinician_page


def _tab_to(page: Page, name: str, limit: int = 250) -> None:
    """Press Tab until the focused element is the field `name`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def _choose(page: Page, name: str, option_index: int) -> None:
    """Pick option `option_index` of a radio group with the keyboard: Space, then arrows."""
    _tab_to(page, name)
    page.keyboard.press("Space")
    for _ in range(option_index):
        page.keyboard.press("ArrowDown")


def test_the_whole_form_can_be_filled_and_sent_with_the_keyboard_only(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    _choose(page, "backache_freq_30d", 1)  # several times a week
    _choose(page, "da_sad_2wk", 1)  # no
    _choose(page, "an_lost_interest_2wk", 0)  # yes
    _choose(page, "an_duration", 0)  # all day long
    _choose(page, "an_frequency", 0)  # every day
    for name in ("an_tired", "an_appetite_lost", "an_sleep_trouble"):
        _choose(page, name, 0)  # yes
    _choose(page, "an_sleep_frequency", 0)  # every night
    _choose(page, "an_concentration", 0)  # yes
    for name in ("an_worthless", "an_death_thoughts"):
        _choose(page, name, 1)  # no
    _choose(page, "smoking", 0)  # never
    _tab_to(page, "record")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Major depression: Screen positive")).to_be_visible()
    visit = Visit.objects.get(patient=patient)
    assert (visit.backache_freq_30d, visit.path, visit.symptom_count, visit.smoking) == (
        "several_times_a_week",
        "anhedonia",
        4,
        "never",
    )
    assert visit.an_appetite_increased is None  # appetite lost: the follow-up is not asked


SHOWN_FOR = """
(cases) => {
  const form = document.querySelector("form[data-skip-logic]");
  return cases.map((answers) => {
    form.querySelectorAll("input[type=radio]").forEach((radio) => { radio.checked = false; });
    for (const [name, value] of Object.entries(answers)) {
      const code = value === true ? "yes" : value === false ? "no" : value;
      form.querySelector(`input[name="${name}"][value="${code}"]`).checked = true;
    }
    form.dispatchEvent(new Event("change"));
    return [...form.querySelectorAll('[id^="div_id_"]')]
      .filter((el) => !el.hidden && el.closest("[data-section]") && !el.closest("[hidden]"))
      .map((el) => el.id.slice("div_id_".length));
  });
}
"""


def test_the_browser_shows_exactly_the_questions_criteria_asks(
    clinician_page: Page, live_server: Any
):
    patient = new_patient()
    page = clinician_page
    page.goto(f"{live_server.url}/patients/{patient.pk}/visits/new/")
    cases = skip_logic_cases()

    shown = page.evaluate(SHOWN_FOR, cases)

    mismatches = [
        (case, sorted(visible), sorted(criteria.asked_items(case)))
        for case, visible in zip(cases, shown, strict=True)
        if set(visible) != criteria.asked_items(case)
    ]
    assert len(cases) > 500
    assert mismatches == []
