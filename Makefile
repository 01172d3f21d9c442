# The two commands a newcomer runs: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Development defaults for make's own commands; production sets its environment itself.
DEV := DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT)
# `make run` shows times on this machine's clock unless TIME_ZONE is set; tests keep UTC.
TIME_ZONE ?= $(shell cat /etc/timezone 2>/dev/null || timedatectl show -p Timezone --value 2>/dev/null || readlink /etc/localtime 2>/dev/null | sed 's|.*zoneinfo/||' | grep . || echo UTC)
# Migrations connect as the role that owns the tables; the app as a runtime role that cannot
# rewrite the record (docs/deployment.md "Database roles").
OWNER := DATABASE_ROLE=owner

.PHONY: run test lint audit audit-when-reachable lock bench db db-stop worker-stop migrate demo venv chromium clean

# The background-job worker (exports over the threshold) runs beside the web server; its pid is
# kept here so Ctrl-C (the EXIT trap) and `make db-stop` stop it, by its pid only.
WORKER_PID := var/worker.pid

run: migrate demo ## Serve the app at http://127.0.0.1:$(PORT) with demo users and data, and its job worker
	@echo "Spine & Mood Screen: http://127.0.0.1:$(PORT)/  (stop with Ctrl-C; 'make db-stop' stops Postgres and the worker)"
	@echo "Times are shown in $(TIME_ZONE) (set TIME_ZONE=... to change)"
	@mkdir -p var; \
	TIME_ZONE=$(TIME_ZONE) $(DEV) $(BIN)/python manage.py db_worker --no-reload --interval 2 -v 1 & \
	echo $$! > $(WORKER_PID); \
	trap 'kill $$(cat $(WORKER_PID) 2>/dev/null) 2>/dev/null; rm -f $(WORKER_PID)' EXIT; \
	TIME_ZONE=$(TIME_ZONE) $(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker-stop: ## Stop the job worker `make run` started (by the pid it recorded)
	@if [ -f $(WORKER_PID) ]; then kill $$(cat $(WORKER_PID)) 2>/dev/null || true; rm -f $(WORKER_PID); fi

test: venv db chromium lint audit-when-reachable ## Lint, audit, then the whole suite: unit (with coverage), integration, browser
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/coverage run -m pytest tests/unit
	$(BIN)/coverage report --fail-under=100
	$(BIN)/python -m pytest tests/integration tests/e2e

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pip-audit asks PyPI's vulnerability feed about each pinned version; with the feed unreachable
# every package counts as not audited, and --strict fails on that too.
AUDIT_FEED := https://pypi.org/pypi/django/5.2/json

audit: venv ## Fail on any locked dependency with a known vulnerability (AUDIT_ARGS="-s osv" for OSV)
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --progress-spinner off $(AUDIT_ARGS) \
	  -r requirements-dev.txt

audit-when-reachable: venv
	@if $(BIN)/python -c "import urllib.request; urllib.request.urlopen('$(AUDIT_FEED)', timeout=15)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory audit; \
	elif [ -n "$$REQUIRE_AUDIT" ]; then \
	  echo "pip-audit: PyPI's vulnerability feed ($(AUDIT_FEED)) is unreachable and REQUIRE_AUDIT is set" >&2; exit 1; \
	else \
	  echo "WARNING: PyPI's vulnerability feed ($(AUDIT_FEED)) is unreachable from here, so the" >&2; \
	  echo "WARNING: locked dependencies were NOT checked for known vulnerabilities. Run 'make audit'" >&2; \
	  echo "WARNING: where it is reachable; REQUIRE_AUDIT=1 makes this an error." >&2; \
	fi

# The benchmark database holds at least VISITS visits (topped up when it holds fewer).
VISITS ?= 1000000

bench: migrate ## Benchmarks of docs/benchmarks.md (needs wrk; VISITS=3000000 for a larger database)
	@command -v wrk >/dev/null 2>&1 || $(MAKE) --no-print-directory apt-wrk
	@set -e; for script in bench/bench_*.py; do name=$$(basename $$script .py); echo "== bench.$$name"; BENCH_VISITS=$(VISITS) $(DEV) $(BIN)/python -m bench.$$name; done

venv: $(BIN)/.installed

# The lock files pin every package, pip included, with the hashes of its files: pip refuses
# anything else. Edit requirements*.in, then `make lock` (docs/deployment.md "Dependencies").
$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host

lock: venv ## Re-pin requirements*.txt from requirements*.in (LOCK_ARGS=--upgrade-package NAME)
	$(LOCK) $(LOCK_ARGS) --output-file requirements.txt requirements.in
	$(LOCK) $(LOCK_ARGS) --output-file requirements-dev.txt requirements-dev.in

db: venv ## Start the embedded PostgreSQL unless DATABASE_URL points elsewhere
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m config.devdb start >/dev/null && echo "PostgreSQL (embedded) is running; 'make db-stop' stops it"; else echo "Using DATABASE_URL"; fi

db-stop: worker-stop ## Stop the job worker and the embedded PostgreSQL
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m config.devdb stop; fi

migrate: db
	$(DEV) $(OWNER) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(OWNER) $(BIN)/python manage.py createcachetable
	$(DEV) $(OWNER) $(BIN)/python -m config.dbroles grant

demo: migrate ## Demo users and patients, plus a synthetic cohort so analytics has numbers
	$(DEV) $(BIN)/python manage.py generate_visits --visits 3000 --top-up
	$(DEV) $(BIN)/python manage.py load_demo

chromium: ## Debian's chromium for the browser tests (Playwright cannot download its own here)
	@command -v chromium >/dev/null 2>&1 || $(MAKE) --no-print-directory apt-chromium

apt-%:
	@if [ "$$(id -u)" = 0 ]; then APT=""; elif command -v sudo >/dev/null 2>&1; then APT=sudo; else \
	  echo "$* is missing and this user cannot install it: run 'sudo apt-get install $*' (Debian)" >&2; exit 1; fi; \
	$$APT apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$APT apt-get install -y -qq $* >/dev/null

clean: db-stop
	rm -rf $(VENV) .devdb staticfiles .coverage .pytest_cache .ruff_cache .hypothesis
