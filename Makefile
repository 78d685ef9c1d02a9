# Propulsons! — every day commands. `make run` and `make test` work on a fresh machine with
# only Python 3.11 (the browser and accessibility tests also want Chromium and npm).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test install install-dev migrate demo lint format ci clean lock bench bench-full loadtest messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@ $(VENV)/.installed-run

## Re-pin every package after changing requirements*.txt.
lock:
	rm -rf /tmp/propulsons-lock && $(PYTHON) -m venv /tmp/propulsons-lock
	/tmp/propulsons-lock/bin/pip install --quiet -r requirements-dev.txt
	( echo "# Every package of the environment, pinned (pip freeze of a fresh 'make install-dev')."; \
	  echo "# Used as pip constraints so that installs are reproducible; refresh with 'make lock'."; \
	  /tmp/propulsons-lock/bin/pip freeze --exclude-editable ) > constraints.txt

# axe-core for the accessibility tests; skipped (with a warning) where npm is missing.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm absent : les tests d'accessibilité seront ignorés."; fi

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev node_modules/.installed

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

## Serve the application on http://127.0.0.1:8000 with demo data (embedded default).
run: demo
	$(MANAGE) runserver 127.0.0.1:8000

## Run the whole test suite.
test: install-dev
	$(BIN)/pytest

## Benchmark on PostgreSQL, every page at dataset scales 1 and 100 served at once (about
## 10 minutes the first time, generated databases are reused); writes bench/results.json and
## the README's table. See bench/README.md. Options: make bench BENCH_ARGS="--runs 1"
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/run.py --readme

## The same with scale 1 000 too (generating it takes 10–20 minutes, once).
bench-full: install-dev
	$(BIN)/python bench/run.py --scales 1,100,1000 $(BENCH_ARGS)
	$(BIN)/python bench/run.py --readme

## Bounded load test: 50 clients for 30 s on gunicorn (scale-100 bench database).
loadtest: install-dev
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## After adding or changing a plural string ({% blocktranslate count %}, ngettext): French is
## the source language, but plurals need the catalogue for the French rule (0 is singular).
## Needs GNU gettext (apt-get install gettext); the compiled .mo file is committed.
messages: install-dev
	$(MANAGE) makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=bench --ignore="tests/*"
	$(BIN)/python bin/fill-french-catalogue locale/fr/LC_MESSAGES/django.po
	msgfmt --check -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
