"""Screening submit under load, beside two baselines on the same stack, in one run.

    .venv/bin/python -m bench.bench_screening [--seconds 5] [--rounds 3] [--connections 20]

Starts gunicorn (2 sync workers, DEBUG=0, persistent connections) against the benchmark database
`bench_spine_mood` on the app's database server (the embedded one when DATABASE_URL is unset;
created, migrated and filled with 1,000,000 visits by bench/common.py if absent; never the
development database), with bench/settings.py adding
baseline views: a trivial one, one that saves one row in one transaction (also behind a
permission check), and one that saves nine. wrk then drives 20 concurrent signed-in clinicians at each, in interleaved
rounds:

  trivial          GET  /bench/ok/              session + sign-in check, no other query
  one-row          POST /bench/one-row/         + CSRF, one INSERT in one transaction
  one-row-checked  POST /bench/one-row-checked/ the same behind @permission_required, which
                                                every view of the app has (for information)
  nine-rows        POST /bench/nine-rows/       nine INSERTs in one transaction: about the
                                                submit's extra statements at raw-SQL cost,
                                                without ORM or form (for information)
  floor            POST /bench/floor/           the nine INSERTs behind the permission check:
                                                what every submit must do (the target's baseline)
  submit           POST /patients/<id>/visits/new/  the screening form: permission, patient,
                                                validate, classify, visit, flags, audit, a
                                                fresh submission id each time

Beside latency, each run reads from /proc the CPU time gunicorn's and PostgreSQL's processes
spent per request (the machine's two cores are the limit), and the script times the screening
form's bind and validation alone: together they show where a submit's time goes.

Targets (DESIGN.md, issue 19): submit throughput at least half the floor view's, submit p95 at
most twice the floor's, and no errors (a refused connection, a 4xx/5xx, or a submit that is not a redirect to
the recorded visit). Exits 1 when one is missed.
"""

import argparse
import datetime as dt
import os
import secrets
import signal
import statistics
import string
import sys
import time
import uuid
from urllib.parse import urlencode

from bench.common import bench_database, session_key_for
from bench.load import cpu_seconds, run_wrk, start_gunicorn

PORT = 8765
CLINICIANS = 20
PATIENTS = 500
TARGET_RATIO = 0.5
TARGET_P95_FACTOR = 2.0  # submit p95 at most twice the floor's
SECRET_KEY = secrets.token_urlsafe(50)
# Answer sets sent in turn: a screen-out, back pain only, comorbid, and a safety answer (which
# e-mails reviewers on commit, through the dummy mail backend here).
ANSWER_SETS = ["negative", "back_pain_daily", "comorbid", "safety"]


def prepare_database(url: str) -> None:
    """The one-row baseline's raw table in the shared benchmark database (bench/common.py:
    1,000,000 visits, so the submit writes into tables of realistic size)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as bench:
        bench.execute(
            "CREATE TABLE IF NOT EXISTS bench_one_row ("
            "id bigserial PRIMARY KEY, saved_at timestamptz NOT NULL DEFAULT now(), note text)"
        )


def seed() -> tuple[list[tuple[str, str]], list[int], list[str]]:
    """Signed-in sessions (cookie header, CSRF token), patient ids and form bodies to send."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    from accounts.roles import CLINICIAN, REVIEWER
    from patients.models import Patient
    from screening.demo import ANSWER_SETS as DEMO_ANSWERS

    creator, _ = User.objects.get_or_create(username="bench_creator")
    reviewer, _ = User.objects.get_or_create(
        username="bench_reviewer", defaults={"email": "bench_reviewer@example.org"}
    )
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    Patient.objects.bulk_create(
        [
            Patient(
                mrn=f"BENCH-S-{n:05d}",
                given_name=f"Bench{n}",
                family_name="Submit",
                date_of_birth=dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                sex="female" if n % 2 else "male",
                created_by=creator,
            )
            for n in range(PATIENTS)
        ],
        ignore_conflicts=True,
    )
    patient_ids = list(
        Patient.objects.filter(mrn__startswith="BENCH-S-").values_list("pk", flat=True)
    )
    sessions = []
    alphabet = string.ascii_letters + string.digits
    for n in range(CLINICIANS):
        user, _ = User.objects.get_or_create(username=f"bench_clinician_{n}")
        user.groups.add(Group.objects.get(name=CLINICIAN))
        csrf = "".join(secrets.choice(alphabet) for _ in range(32))
        sessions.append((f"sessionid={session_key_for(user)}; csrftoken={csrf}", csrf))
    visit_at = dt.datetime.now().strftime("%Y-%m-%dT%H:%M")  # noqa: DTZ005 (the form's local time)
    bodies = []
    for name in ANSWER_SETS:
        fields = {
            key: ("yes" if value else "no") if isinstance(value, bool) else value
            for key, value in DEMO_ANSWERS[name].items()
            if value is not None
        }
        fields |= {"visit_at": visit_at, "submission_id": "__SUBMISSION__", "smoking": "never"}
        # 500 patients at ~200 submits/s see each other's visits within RECENT_VISIT_MINUTES, so
        # each submit confirms another encounter (as a clinician would); the lookup it skips is
        # one indexed query
        fields["another_encounter"] = "on"
        bodies.append(urlencode(fields))
    return sessions, patient_ids, bodies


LUA = r"""
local sessions = {%(sessions)s}
local patients = {%(patients)s}
local bodies = {%(bodies)s}
local mode = "%(mode)s"
local expected = %(expected)d
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  bad = 0
end

local function submission()
  counter = counter + 1
  return string.format("%%08x-%%04x-4%%03x-8%%03x-%%012x", math.random(0, 2147483647), id,
    math.random(0, 4095), math.random(0, 4095), counter)
end

function request()
  local session = sessions[math.random(#sessions)]
  local headers = {["Cookie"] = session[1]}
  if mode == "trivial" then
    return wrk.format("GET", "/bench/ok/", headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local token = "&csrfmiddlewaretoken=" .. session[2]
  if mode ~= "submit" then
    return wrk.format("POST", "/bench/" .. mode .. "/", headers, "note=bench" .. token)
  end
  local body = bodies[math.random(#bodies)]:gsub("__SUBMISSION__", submission()) .. token
  local path = "/patients/" .. patients[math.random(#patients)] .. "/visits/new/"
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  -- a submit must land on the recorded visit, not on the sign-in page or the form again
  local landed = mode ~= "submit" or string.match(headers["Location"] or "", "^/visits/%%d+/$")
  if status ~= expected or not landed then bad = bad + 1 end
end

function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d p99_us=%%d errors=%%d unexpected=%%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout, unexpected))
end
"""


def lua_script(mode: str, expected: int, sessions, patient_ids, bodies) -> str:  # type: ignore[no-untyped-def]
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return LUA % {
        "sessions": ", ".join(f"{{{quoted(c)}, {quoted(t)}}}" for c, t in sessions),
        "patients": ", ".join(str(pk) for pk in patient_ids),
        "bodies": ", ".join(quoted(body) for body in bodies),
        "mode": mode,
        "expected": expected,
    }


def form_cpu_ms(bodies: list[str], patient_id: int, repeat: int = 500) -> float:
    """CPU per bind and validation of the screening form alone (no database work)."""
    from django.http import QueryDict

    from patients.models import Patient
    from screening.forms import ScreeningForm

    patient = Patient.objects.get(pk=patient_id)
    data = [QueryDict(body.replace("__SUBMISSION__", str(uuid.uuid4()))) for body in bodies]
    started = time.process_time()
    for n in range(repeat):
        if not ScreeningForm(data[n % len(data)], patient=patient).is_valid():
            sys.exit("a benchmark answer set no longer validates")
    return (time.process_time() - started) / repeat * 1000


def bench_visits(patient_ids: list[int]) -> int:
    """How many visits the benchmark's patients have."""
    from screening.models import Visit

    return Visit.objects.filter(patient_id__in=patient_ids).count()


def summarize(rounds: list[dict[str, int]]) -> dict[str, float]:
    """The median of each figure over the rounds, and every round's errors."""
    return {
        "rps": statistics.median(raw["requests"] / (raw["duration_us"] / 1e6) for raw in rounds),
        "p50": statistics.median(raw["p50_us"] for raw in rounds) / 1000,
        "p95": statistics.median(raw["p95_us"] for raw in rounds) / 1000,
        "p99": statistics.median(raw["p99_us"] for raw in rounds) / 1000,
        "errors": sum(raw["errors"] + raw["unexpected"] for raw in rounds),
        "app_cpu": statistics.median(raw["app_cpu_us"] for raw in rounds) / 1000,
        "db_cpu": statistics.median(raw["db_cpu_us"] for raw in rounds) / 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each view, interleaved")
    parser.add_argument("--connections", type=int, default=CLINICIANS)
    args = parser.parse_args()

    url, _ = bench_database()
    prepare_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the sessions below are signed for gunicorn's key
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sessions, patient_ids, bodies = seed()

    visits_before = bench_visits(patient_ids)
    gunicorn = start_gunicorn(url, PORT, SECRET_KEY)
    modes = {
        "trivial": 200,
        "one-row": 200,
        "one-row-checked": 200,
        "nine-rows": 200,
        "floor": 200,
        "submit": 302,
    }
    runs: dict[str, list[dict[str, int]]] = {mode: [] for mode in modes}
    submits = 0
    try:
        scripts = {
            mode: lua_script(mode, expected, sessions, patient_ids, bodies)
            for mode, expected in modes.items()
        }
        for mode, script in scripts.items():
            warm = run_wrk(script, 2, args.connections, PORT)  # connections, caches, imports
            submits += warm["requests"] if mode == "submit" else 0
        # Rounds interleave the views, so a neighbour's load on the machine hits them all
        # alike; each figure is the median over the rounds.
        for _ in range(args.rounds):
            for mode, script in scripts.items():
                before = cpu_seconds()
                raw = run_wrk(script, args.seconds, args.connections, PORT)
                after = cpu_seconds()
                for kind in after:  # CPU microseconds per request
                    raw[f"{kind}_cpu_us"] = int(
                        (after[kind] - before[kind]) * 1e6 / raw["requests"]
                    )
                runs[mode].append(raw)
        submits += sum(raw["requests"] for raw in runs["submit"])
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    recorded = bench_visits(patient_ids) - visits_before
    results = {mode: summarize(rounds) for mode, rounds in runs.items()}

    print(
        f"\n{args.connections} concurrent clients; median of {args.rounds} interleaved "
        f"{args.seconds} s runs per view; gunicorn 2 sync workers"
    )
    print(
        f"{'view':<17}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'CPU ms/request: app':>22}{'db':>6}"
    )
    for mode, row in results.items():
        print(
            f"{mode:<17}{row['rps']:>9.0f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{row['p99']:>9.1f}{row['errors']:>8.0f}{row['app_cpu']:>22.2f}{row['db_cpu']:>6.2f}"
        )
    print(f"screening form bind + validate alone: {form_cpu_ms(bodies, patient_ids[0]):.2f} ms CPU")
    submit, floor = results["submit"], results["floor"]
    ratio = submit["rps"] / floor["rps"]
    for baseline in ("one-row", "one-row-checked", "nine-rows"):
        share = submit["rps"] / results[baseline]["rps"]
        print(f"submit/{baseline} throughput {share:.2f} (for information)")
    p95_limit = TARGET_P95_FACTOR * floor["p95"]
    checks = [
        (f"submit/floor throughput {ratio:.2f} >= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        (
            f"submit p95 {submit['p95']:.1f} ms <= {TARGET_P95_FACTOR:.0f} x floor p95 "
            f"{floor['p95']:.1f} ms = {p95_limit:.1f} ms",
            submit["p95"] <= p95_limit,
        ),
        (
            f"errors {sum(row['errors'] for row in results.values()):.0f} == 0",
            all(row["errors"] == 0 for row in results.values()),
        ),
        # wrk stops counting with requests still in flight, so a few more visits may exist
        (f"visits recorded {recorded} >= submits answered {submits}", recorded >= submits),
    ]
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
