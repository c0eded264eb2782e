# BuildingParty 楼宇党建管理平台
#
# The two commands:
#   make run    set up .venv, migrate, collect static files, seed the demo data once, then run the web
#               server (http://127.0.0.1:8000/, or another port: make run PORT=8001) and a Celery worker
#               with embedded beat; Ctrl-C stops both. Links in emails use SITE_URL, by default that address
#   make test   set up .venv with the test requirements and run the whole pytest suite
#               (SQLite unless DATABASE_URL is set; extra arguments: make test PYTEST_ARGS="-k dues -x";
#               PYTEST_WORKERS=0 runs in one process)
#
# `make help` lists every target.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
# Two test processes (pytest-xdist) on the two cores; each gets its own test database and Redis database. A process
# that runs out of tests takes half of the other's (--dist worksteal), so the slow browser and migration tests at
# the end of the list never leave one core idle.
PYTEST_WORKERS ?= 2
# Follows settings.py: the runtime folder is BUILDINGPARTY_VAR_DIR when set, else var/.
VAR_DIR := $(or $(BUILDINGPARTY_VAR_DIR),var)
# One seed stamp per database, so pointing DATABASE_URL at a new database seeds that one too.
SEED_STAMP := $(VAR_DIR)/.demo-seeded$(if $(DATABASE_URL),-$(shell printf '%s' '$(DATABASE_URL)' | sha1sum | cut -c1-12))

# Stamps inside .venv: pip runs again only when a requirements file is newer than its stamp.
RUN_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev

.PHONY: help run test check messages clean distclean bench

# make run: plain HTTP on localhost, static files from WhiteNoise (collectstatic below), a quick heartbeat.
# `?=` keeps any value already set in the environment, e.g. DJANGO_DEBUG=true make run.
run: export DJANGO_DEBUG ?= false
run: export DJANGO_SECURE ?= false
# otp: the demo signs in with a password alone (two-factor sign-in is on by default when DEBUG is off).
run: export DJANGO_REQUIRE_2FA ?= false
run: export HEARTBEAT_INTERVAL_SECONDS ?= 30
run: export PORT ?= 8000
run: $(RUN_STAMP) ## set up, seed the demo once, run web server + Celery worker/beat (Ctrl-C stops)
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	@if [ -f "$(SEED_STAMP)" ]; then \
		echo "Demo data already seeded ($(SEED_STAMP) exists; delete it to seed again)."; \
	else \
		$(MANAGE) seed_demo && mkdir -p "$(dir $(SEED_STAMP))" && touch "$(SEED_STAMP)"; \
	fi
	bin/run-dev

test: $(DEV_STAMP) ## run the whole pytest suite (PYTEST_ARGS="..." passes arguments on)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(if $(filter 0,$(PYTEST_WORKERS)),,--dist worksteal) $(PYTEST_ARGS)

# make bench: seeds a throwaway PostgreSQL database (on DATABASE_URL's server, else postgres://postgres@127.0.0.1:5432/)
# at BENCH_SCALE, prints each figure as a ratio with its limit and PASS/FAIL, writes var/bench/latest.md and drops
# the database (DEBUG off, plain HTTP on 127.0.0.1). More options: make bench BENCH_ARGS="--only pages --rounds 3"
# (manage.py bench --help lists them).
BENCH_SCALE ?= 100
BENCH_ARGS ?=
bench: $(RUN_STAMP) ## measure pages, dues job, export, load as ratios (BENCH_SCALE=100, BENCH_ARGS=...)
	$(MANAGE) bench --scale $(BENCH_SCALE) $(BENCH_ARGS)

# check also runs bandit (code security lint, medium and up) and bin/audit-deps (known vulnerabilities in the pinned
# dependencies; it says loudly when no vulnerability database can be reached, instead of passing silently).
check: $(DEV_STAMP) ## Django system checks, "no missing migrations", lint and formatting, bandit, pip-audit
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive . --severity-level medium --confidence-level medium \
		--exclude ./$(VENV),./tests,./staticfiles,./var,'*/tests/*','*/migrations/*'
	$(BIN)/python bin/audit-deps requirements.txt

messages: $(RUN_STAMP) ## update and compile locale/zh_Hans (needs gettext)
	@command -v msgfmt >/dev/null || { echo "gettext is missing: apt-get install gettext" >&2; exit 1; }
	$(MANAGE) makemessages -l zh_Hans --no-wrap --ignore=$(VENV) --ignore=staticfiles --ignore=var
	$(MANAGE) compilemessages -l zh_Hans --ignore=$(VENV)

clean: ## remove var/ (SQLite database, secret key, media, broker files), staticfiles/ and caches
	rm -rf "$(VAR_DIR)" staticfiles .pytest_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so a change to either reinstalls.
$(DEV_STAMP): requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@
