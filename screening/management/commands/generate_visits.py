"""Synthetic patients, visits and the flags they raise, loaded in bulk with COPY, for benchmarks.

    manage.py generate_visits --visits 1000000 [--database-url URL] [--seed N] [--force]

About one patient per four visits, spread over three years. Each visit's answers are one of a few
hundred answer sets drawn from plausible clinic frequencies and stored with what criteria.classify
says of them, so stored results always match the answers. A patient's back pain and depression
carry from one visit to the next and each makes the other more likely at the next visit, so the
cohort shows about the study's rates (docs/analytics.md: about 17% depression with back pain vs
10% without, and a follow-up association in both directions). Flags follow the rules of
record_visit: flags.flags_for opens a flag, a later visit attaches to the patient's unresolved flag
of that kind (raising its priority when warranted), and reviewers claim and close them as a
working clinic does: SAFETY flags within hours (only the last day's may still be open), most
assess-the-other flags within two weeks, with a backlog of open, in-review and a few overdue ones.
The same seed gives the same data on an empty database; on top of earlier rows (--top-up) the
stream also depends on where the run starts, so topping up works with any seed (random_for).
"""

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg.conninfo import make_conninfo

from accounts.roles import CLINICIAN, REVIEWER
from screening import criteria, flags, questionnaire
from screening.models import FlagEventAction, FlagOutcome, FlagStatus

YEARS = 3
ANSWER_SETS = 400  # a quarter for each cell of back pain x major depression
HOUR, DAY = 3600.0, 86400.0
# A patient's state from visit to visit: (back pain, major depression). The first visit has the
# study's cross-sectional rates (CRITERIA.md section 6: 17.4% vs 10.5% depression with and without
# back pain); at each later visit a condition persists or begins, and each condition makes the
# other more likely to begin, which is the follow-up association in both directions. Tuned on a
# million visits to about 17% vs 11% depression with and without back pain at a patient's latest
# visit (odds ratio about 1.7), and prevalence ratios of about 1.4 each way after 6+ months.
BACK_PAIN_FIRST = 0.28
DEPRESSION_FIRST = {True: 0.174, False: 0.105}  # by back pain
BACK_PAIN_KEEPS, BACK_PAIN_BEGINS = 0.55, 0.12
DEPRESSION_KEEPS, DEPRESSION_BEGINS = 0.30, 0.07
OTHER_RAISES = 2.5  # each condition multiplies the chance that the other begins
CLINICIANS, REVIEWERS = 40, 12
UTC = dt.UTC

GIVEN = (  # noqa: SIM905 (a readable list of names)
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Maria Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Andrew Emily Kenneth Donna "
    "Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Aisha Wei Priya "
    "Jose Mei Omar Fatima Hiroshi Ngozi Carlos Ana Dmitri Olga Kwame Leila Rahul Sofia Tariq "
    "Yuki"
).split()
FAMILY = (  # noqa: SIM905 (a readable list of names)
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Chen Patel Kim Okafor Haddad Ivanova Tanaka Mensah Kowalski Silva Rossi Novak "
    "Cohen Murphy Schmidt Ali"
).split()

PATIENT_COLUMNS = (
    "id, mrn, given_name, family_name, date_of_birth, sex, education, earnings, "
    "created_by_id, created_at"
)
RESULT_KEYS = (
    "back_pain",
    "major_depression",
    "path",
    "symptom_count",
    "safety_flag",
    "antidepressant_volunteered",
    "back_pain_answered",
    "stopped_at",
)
VISIT_COLUMNS = ", ".join(
    (
        "id, patient_id, clinician_id, visit_at, recorded_at, submission_id",
        "antidepressant_use, regular_exercise, smoking, alcohol, height_cm, weight_kg",
        "presenting_concern",
        *questionnaire.ANSWER_KEYS,
        *RESULT_KEYS,
        "criteria_version",
    )
)
FLAG_COLUMNS = (
    "id, patient_id, visit_id, kind, priority, status, reason, assignee_id, outcome, "
    "resolution_note, opened_at, updated_at, resolved_at, resolved_by_id"
)
EVENT_COLUMNS = "flag_id, actor_id, at, action, visit_id, note, outcome"

OUTCOMES = {
    flags.FlagKind.SAFETY: (
        (FlagOutcome.SAFETY_ASSESSED, 85),
        (FlagOutcome.DECLINED, 5),
        (FlagOutcome.UNABLE_TO_REACH, 7),
        (FlagOutcome.DISMISSED, 3),
    ),
    "other": (
        (FlagOutcome.CONFIRMED_REFERRED, 20),
        (FlagOutcome.CONFIRMED_MANAGED, 20),
        (FlagOutcome.NOT_PRESENT, 40),
        (FlagOutcome.DECLINED, 7),
        (FlagOutcome.UNABLE_TO_REACH, 8),
        (FlagOutcome.DISMISSED, 5),
    ),
}
NOTES = {
    FlagOutcome.SAFETY_ASSESSED: "Columbia screen done by phone; low risk; safety plan reviewed.",
    FlagOutcome.CONFIRMED_REFERRED: "Assessed at follow-up; criteria confirmed; referred.",
    FlagOutcome.CONFIRMED_MANAGED: "Assessed at follow-up; confirmed; plan started in clinic.",
    FlagOutcome.NOT_PRESENT: "Assessed at follow-up; other condition not present.",
    FlagOutcome.DECLINED: "Patient declined the assessment after discussion.",
    FlagOutcome.UNABLE_TO_REACH: "Three calls and a letter without reply.",
    FlagOutcome.DISMISSED: "Already under specialist care for this; no assessment needed.",
}


def copy_text(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def row(*values: object) -> str:
    return "\t".join(copy_text(v) for v in values) + "\n"


def stamp(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass(frozen=True)
class AnswerSet:
    """One precomputed answer set: its COPY columns from presenting concern on, and its flags."""

    text: str
    flags: tuple[flags.FlagSpec, ...]


def _pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


BACKACHE_FREQUENCIES = {
    True: {"almost_every_day": 12, "several_times_a_week": 13},
    False: {
        "once_a_week": 9,
        "several_times_a_month": 15,
        "once_a_month": 12,
        "not_at_all": 37,
        "refused": 2,
    },
}


def _sample_answers(rng: random.Random, *, back_pain: bool, depressed: bool) -> dict[str, object]:
    """Answers a clinic might record: a latent severity makes stems and symptoms go together.

    The backache answer meets the back-pain criterion when `back_pain`; a severity from the upper
    half makes major depression likely when `depressed` (the caller keeps the sets that match).
    Thoughts of death are endorsed mostly alongside major depression, as in a clinic where a
    few visits in a hundred raise a SAFETY flag.
    """
    severity = rng.uniform(0.5, 1.0) if depressed else rng.random()
    death = 0.2 if depressed else 0.015
    answers: dict[str, object] = {
        questionnaire.BACKACHE: _pick(rng, BACKACHE_FREQUENCIES[back_pain]),
    }
    for spec in (questionnaire.PATH_A, questionnaire.PATH_B):
        yes = 60 * severity
        answers[spec.stems[0]] = _pick(
            rng,
            {"yes": int(yes), "no": int(100 - yes), "on_antidepressants": 3, "dont_know": 2},
        )
        answers[spec.stems[1]] = _pick(
            rng,
            {
                "all_day_long": 25,
                "most_of_the_day": 35,
                "about_half_the_day": 20,
                "less_than_half_the_day": 17,
                "dont_know": 3,
            },
        )
        answers[spec.stems[2]] = _pick(
            rng, {"every_day": 35, "almost_every_day": 35, "less_often": 27, "refused": 3}
        )
        p = 0.25 + 0.55 * severity
        for key in spec.symptoms:
            answers[key] = rng.random() < (p * death if key in questionnaire.DEATH_ITEMS else p)
        answers[f"{spec.prefix}_appetite_increased"] = rng.random() < 0.3
        answers[f"{spec.prefix}_sleep_frequency"] = _pick(
            rng, {"every_night": 40, "nearly_every_night": 35, "less_often": 20, "dont_know": 5}
        )
    return criteria.strip_unasked(answers)


def _concern(result: criteria.Result, rng: random.Random) -> str:
    if result.back_pain and result.major_depression:
        return "both"
    if result.back_pain:
        return "back_pain"
    if result.major_depression:
        return "low_mood"
    return rng.choice(("back_pain", "low_mood", "other", "other"))


Cell = tuple[bool, bool]  # (back pain, major depression)
CELLS: tuple[Cell, ...] = ((True, True), (True, False), (False, True), (False, False))


def answer_pool(rng: random.Random) -> dict[Cell, list[AnswerSet]]:
    """ANSWER_SETS answer sets, a quarter in each cell of back pain x major depression."""
    pool: dict[Cell, list[AnswerSet]] = {cell: [] for cell in CELLS}
    for cell in CELLS:
        while len(pool[cell]) < ANSWER_SETS // len(CELLS):
            back_pain, depressed = cell
            answers = _sample_answers(rng, back_pain=back_pain, depressed=depressed)
            result = criteria.classify(answers)
            if (result.back_pain, result.major_depression) == cell:
                pool[cell].append(_answer_set(answers, result, rng))
    return pool


def _answer_set(
    answers: dict[str, object], result: criteria.Result, rng: random.Random
) -> AnswerSet:
    """One answer set with its COPY columns and the flags it raises."""
    stored = result.as_dict()
    text = "\t".join(
        copy_text(v)
        for v in (
            _concern(result, rng),
            *(answers[key] for key in questionnaire.ANSWER_KEYS),
            *(stored[key] for key in RESULT_KEYS),
            criteria.CRITERIA_VERSION,
        )
    )
    return AnswerSet(text, flags.flags_for(answers, result))


@dataclass
class OpenFlag:
    """A flag while the simulation walks a patient's visits."""

    id: int
    kind: str
    priority: int
    reason: str
    visit_id: int
    opened: float
    claim_at: float
    close_at: float
    events: list[str] = field(default_factory=list)
    last: float = 0.0


@dataclass
class Ids:
    patient: int
    visit: int
    flag: int


class Simulation:
    """Turns patients and their visits into COPY rows, batch by batch."""

    def __init__(
        self, rng: random.Random, now: float, clinicians: list[int], reviewers: list[int]
    ) -> None:
        self.rng, self.now = rng, now
        self.clinicians, self.reviewers = clinicians, reviewers
        self.pool = answer_pool(rng)
        self.unresolved = 0
        self.reasons = {
            spec.reason: copy_text(spec.reason)
            for sets in self.pool.values()
            for answer in sets
            for spec in answer.flags
        }

    def visit_counts(self, visits: int) -> Iterator[int]:
        """Visits per patient (mean about four, a long tail of frequent attenders), summing to
        exactly `visits`."""
        left = visits
        while left > 0:
            count = min(left, 1 + min(int(self.rng.expovariate(1 / 3.5)), 40))
            left -= count
            yield count

    def _delays(self, kind: str) -> tuple[float, float]:
        """Seconds until a reviewer claims and closes a new flag, as a working clinic does.

        SAFETY: claimed within the hour, closed within hours (at most 20), so only the last
        day's can still be open. Assess-the-other: most closed within two weeks (a median of
        about three days); one in eight waits two to seven weeks, which is the backlog of
        overdue flags, and one in fifty seven to thirteen weeks.
        """
        rng = self.rng
        if kind == flags.FlagKind.SAFETY:
            claim = rng.uniform(2 * 60, HOUR)
            return claim, claim + min(rng.expovariate(1 / (3 * HOUR)), 20 * HOUR)
        chance = rng.random()
        if chance < 0.02:
            close = rng.uniform(49 * DAY, 91 * DAY)
        elif chance < 0.14:
            close = rng.uniform(14 * DAY, 49 * DAY)
        else:
            close = min(rng.expovariate(1 / (4 * DAY)), 14 * DAY)
        return close * rng.uniform(0.05, 0.6), close

    def states(self, visits: int) -> Iterator[Cell]:
        """A patient's (back pain, major depression) at each of `visits` visits."""
        rng = self.rng
        back_pain = rng.random() < BACK_PAIN_FIRST
        depressed = rng.random() < DEPRESSION_FIRST[back_pain]
        yield back_pain, depressed
        for _ in range(visits - 1):
            back_pain_begins = BACK_PAIN_BEGINS * (OTHER_RAISES if depressed else 1)
            depression_begins = DEPRESSION_BEGINS * (OTHER_RAISES if back_pain else 1)
            back_pain = rng.random() < (BACK_PAIN_KEEPS if back_pain else back_pain_begins)
            depressed = rng.random() < (DEPRESSION_KEEPS if depressed else depression_begins)
            yield back_pain, depressed

    def patient(self, ids: Ids, visits: int, out: dict[str, list[str]]) -> None:
        rng, now = self.rng, self.now
        pid = ids.patient
        ids.patient += 1
        clinician = rng.choice(self.clinicians)
        times = sorted(now - rng.uniform(0, YEARS * 365 * 86400) for _ in range(visits))
        first_visit = dt.datetime.fromtimestamp(times[0], UTC).date()
        born = first_visit - dt.timedelta(days=rng.randint(18 * 365, 89 * 365))
        sex = rng.choice(("male", "female"))
        out["patients"].append(
            row(
                pid,
                f"SYN-{pid:09d}",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                born.isoformat(),
                sex,
                rng.choice(("hs_or_less", "some_college", "bachelors_plus", None)),
                rng.choice(("lt_25k", "25k_50k", "50k_75k", "ge_75k", "refused", None)),
                clinician,
                stamp(times[0]),
            )
        )
        height = rng.gauss(176 if sex == "male" else 163, 7)
        covariates = "\t".join(
            copy_text(v)
            for v in (
                rng.random() < 0.12,
                rng.random() < 0.45,
                rng.choice(("never", "never", "former", "current")),
                rng.choice(("none", "lt_1_day_wk", "1_4_days_wk", "5_plus_days_wk")),
                f"{height:.1f}",
                f"{max(45.0, height - 100 + rng.gauss(0, 12)):.1f}",
            )
        )
        open_flags: dict[str, OpenFlag] = {}
        for at, state in zip(times, self.states(visits), strict=True):
            vid = ids.visit
            ids.visit += 1
            answer = rng.choice(self.pool[state])
            seen_by = rng.choice(self.clinicians) if rng.random() < 0.3 else clinician
            submission = uuid.UUID(int=rng.getrandbits(128), version=4)
            out["visits"].append(
                f"{vid}\t{pid}\t{seen_by}\t{stamp(at)}\t{stamp(at + rng.uniform(60, 900))}\t"
                f"{submission}\t{covariates}\t{answer.text}\n"
            )
            for kind, flag in list(open_flags.items()):
                if flag.close_at <= at:
                    self._finish(flag, pid, out)
                    del open_flags[kind]
            for spec in answer.flags:
                self._raise(spec, open_flags, ids, vid, seen_by, at)
        for flag in open_flags.values():
            self._finish(flag, pid, out)

    def _raise(
        self,
        spec: flags.FlagSpec,
        open_flags: dict[str, OpenFlag],
        ids: Ids,
        vid: int,
        actor: int,
        at: float,
    ) -> None:
        """Open a flag, or attach the visit to the patient's unresolved flag of that kind."""
        reason = self.reasons[spec.reason]
        flag = open_flags.get(spec.kind)
        if flag is None:
            claim, close = self._delays(spec.kind)
            flag = OpenFlag(
                ids.flag,
                spec.kind,
                int(spec.priority),
                spec.reason,
                vid,
                at,
                at + claim,
                at + close,
            )
            ids.flag += 1
            open_flags[spec.kind] = flag
            action = FlagEventAction.OPENED
        else:
            action = FlagEventAction.ATTACHED
        flag.events.append(f"{flag.id}\t{actor}\t{stamp(at)}\t{action}\t{vid}\t{reason}\t\\N\n")
        if spec.priority > flag.priority:
            note = (
                f"Priority raised from {flags.Priority(flag.priority).name.lower()} "
                f"to {spec.priority.name.lower()}."
            )
            flag.events.append(row(flag.id, actor, stamp(at), "priority_raised", vid, note, None))
            flag.priority = int(spec.priority)
        flag.last = at

    def _finish(self, flag: OpenFlag, pid: int, out: dict[str, list[str]]) -> None:
        """The flag's row and its reviewer events, as they stand now."""
        rng = self.rng
        reviewer = rng.choice(self.reviewers)
        closed = flag.close_at <= self.now
        claimed = flag.claim_at <= min(flag.close_at, self.now)
        status, assignee = FlagStatus.OPEN, None
        outcome = note = resolved_at = resolved_by = None
        last = flag.last
        if claimed:
            status, assignee = FlagStatus.IN_REVIEW, reviewer
            flag.events.append(
                row(flag.id, reviewer, stamp(flag.claim_at), "claimed", None, "", None)
            )
            last = max(last, flag.claim_at)
        if closed:
            weights = OUTCOMES.get(flag.kind, OUTCOMES["other"])
            outcome = rng.choices([o for o, _ in weights], weights=[w for _, w in weights])[0]
            note, resolved_at, resolved_by = NOTES[outcome], stamp(flag.close_at), reviewer
            status, assignee = FlagStatus.RESOLVED, reviewer
            action = "dismissed" if outcome == FlagOutcome.DISMISSED else "resolved"
            flag.events.append(row(flag.id, reviewer, resolved_at, action, None, note, outcome))
            last = max(last, flag.close_at)
        self.unresolved += status != FlagStatus.RESOLVED
        out["flags"].append(
            row(
                *(flag.id, pid, flag.visit_id, flag.kind, flag.priority, status, flag.reason),
                *(assignee, outcome, note or "", stamp(flag.opened), stamp(last)),
                *(resolved_at, resolved_by),
            )
        )
        out["events"].extend(flag.events)


def _conninfo(url: str | None) -> str:
    if url:
        return url
    # As the owner: LOCK TABLE ... SHARE ROW EXCLUSIVE and setval() on the record's tables need
    # more than the runtime role's INSERT (config/dbroles.py).
    db = settings.DATABASES.get("owner", settings.DATABASES["default"])
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    return make_conninfo(**{k: v for k, v in params.items() if v is not None})


def _synthetic_users(cursor: psycopg.Cursor[Any], role: str, prefix: str, count: int) -> list[int]:
    """Ids of `count` synthetic users in `role` (created once; they cannot sign in)."""
    names = [f"{prefix}{n:02d}" for n in range(1, count + 1)]
    for name in names:
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "VALUES (%s, false, %s, %s, %s, %s, false, true, now()) ON CONFLICT DO NOTHING",
            ["!" + uuid.uuid4().hex, name, "Synthetic", name, f"{name}@example.invalid"],
        )
    cursor.execute(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u, "
        "auth_group g WHERE u.username = ANY(%s) AND g.name = %s ON CONFLICT DO NOTHING",
        [names, role],
    )
    cursor.execute("SELECT id FROM auth_user WHERE username = ANY(%s) ORDER BY id", [names])
    return [r[0] for r in cursor.fetchall()]


def random_for(seed: int, ids: Ids) -> random.Random:
    """The random stream for a run that starts at `ids`: the seed's own on an empty database, so
    the same seed gives the same data; (seed, first visit id) on top of earlier rows, so a top-up
    with any seed, the same included, draws other submission ids (MRNs follow the patient ids,
    which continue after the highest one held)."""
    start = seed if ids.visit == 1 else f"{seed}:{ids.visit}"
    return random.Random(start)  # noqa: S311 (repeatable synthetic data, not secrets)


TABLES = {
    "patients": ("patients_patient", PATIENT_COLUMNS),
    "visits": ("screening_visit", VISIT_COLUMNS),
    "flags": ("screening_flag", FLAG_COLUMNS),
    "events": ("screening_flagevent", EVENT_COLUMNS),
}


class Command(BaseCommand):
    help = "Generate synthetic patients, visits and flags in bulk (development and benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--visits", type=int, default=1000, help="How many visits to add.")
        parser.add_argument("--database-url", help="Load this database instead of the default.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (repeatable).")
        parser.add_argument("--batch", type=int, default=10000, help="Patients per COPY batch.")
        parser.add_argument(
            "--top-up",
            action="store_true",
            help="Add only what the database lacks to hold --visits visits in all (checked under "
            "the table lock, so concurrent runs never add twice).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("synthetic data is for development: refusing with DEBUG off")
        if options["visits"] < 1:
            raise CommandError("--visits must be at least 1")
        started = time.monotonic()
        conninfo = _conninfo(options["database_url"])
        with psycopg.connect(conninfo) as conn:
            totals = self._generate(conn, options, started)
            conn.commit()
            self.stdout.write(f"committed in {time.monotonic() - started:.1f} s; analysing")
            conn.autocommit = True
            for table in (table for table, _ in TABLES.values()):
                conn.execute(f"VACUUM (ANALYZE) {table}")  # visibility map for index-only scans
        # the analytics step's triggers kept its aggregates; it folds them (by name: screening
        # imports no later step)
        call_command("compact_analytics", database_url=conninfo, analyze=True, stdout=self.stdout)
        self.stdout.write(
            f"added {totals['patients']:,} patients, {totals['visits']:,} visits, "
            f"{totals['flags']:,} flags ({totals['unresolved']:,} unresolved), "
            f"{totals['events']:,} flag events in {time.monotonic() - started:.1f} s"
        )

    def _generate(
        self, conn: psycopg.Connection[Any], options: dict[str, Any], t0: float
    ) -> dict[str, int]:
        cursor = conn.cursor()
        # Writers of these tables (and other runs of this command) wait until we commit, so the
        # ids we hand out stay ours and a top-up counts what is really there.
        cursor.execute(
            "LOCK TABLE patients_patient, screening_visit, screening_flag "
            "IN SHARE ROW EXCLUSIVE MODE"
        )
        visits, batch = options["visits"], options["batch"]
        if options["top_up"]:
            cursor.execute("SELECT count(*) FROM screening_visit")
            visits -= cursor.fetchone()[0]
            if visits <= 0:
                self.stdout.write(f"the database already holds {options['visits']:,} visits")
                return dict.fromkeys([*TABLES, "unresolved"], 0)
        clinicians = _synthetic_users(cursor, CLINICIAN, "synthetic_clinician_", CLINICIANS)
        reviewers = _synthetic_users(cursor, REVIEWER, "synthetic_reviewer_", REVIEWERS)
        next_ids = []
        for name in ("patients", "visits", "flags"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {TABLES[name][0]}")  # noqa: S608
            next_ids.append(cursor.fetchone()[0])
        ids = Ids(*next_ids)
        sim = Simulation(random_for(options["seed"], ids), time.time(), clinicians, reviewers)
        totals = dict.fromkeys(TABLES, 0)
        done = 0
        counts = sim.visit_counts(visits)
        while done < visits:
            out: dict[str, list[str]] = {name: [] for name in TABLES}
            for count in counts:
                sim.patient(ids, count, out)
                done += count
                if len(out["patients"]) >= batch:
                    break
            for name, lines in out.items():
                table, columns = TABLES[name]
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write("".join(lines))
                totals[name] += len(lines)
            self.stdout.write(
                f"  {done:>10,} / {visits:,} visits, {totals['flags']:,} flags "
                f"({time.monotonic() - t0:.1f} s)"
            )
        for name in ("patients", "visits", "flags", "events"):
            table = TABLES[name][0]
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        return totals | {"unresolved": sim.unresolved}
