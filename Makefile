# Policy Review Desk. `make run` and `make test` set everything up on a fresh machine.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The app runs as in production unless DJANGO_DEBUG=1. These targets are for development and ask for it unless
# the environment says otherwise; `make run` always does, `make load` serves as a deployment would.
export DJANGO_DEBUG ?= 1

# The first Python 3.12+ that actually runs: pyenv shims exist for every version but run only when selected.
FIND_PYTHON = for candidate in python3.13 python3.12 \
		$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) \
		/usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12 python3; do \
	if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		echo "$$candidate"; break; fi; done

.PHONY: setup run test test-fast test-browser hooks lint format check typecheck migrations-check template-messages bench demo-users clean backup restore load

setup: $(VENV)/.installed tests/js/node_modules/.installed

$(VENV)/.installed: requirements.txt
	@python="$$($(FIND_PYTHON))"; \
	if [ -z "$$python" ]; then echo "Python 3.12 or newer is needed (tried python3.13, python3.12, pyenv's versions, python3)." >&2; exit 1; fi; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$python ($$("$$python" --version))"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# js-yaml and gray-matter, the collection's own readers and writer: the tests compare the codec with them.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/js --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the tests that compare with js-yaml will be skipped." >&2; fi

run: export DJANGO_DEBUG = 1
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_example_collection
	$(PY) manage.py check_policies --if-owed
	$(PY) manage.py create_demo_users
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "Model changes without a migration." >&2; exit 1; }
	@[ -x /usr/bin/chromium ] || echo "No /usr/bin/chromium: the browser tests will be skipped (apt-get install chromium fonts-wqy-microhei)." >&2
	$(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the slow and browser tests, in under a minute. `make test` still runs them all.
test-fast: setup
	$(PY) -m pytest -m "not slow and not browser" --numprocesses 2 $(PYTEST_ARGS)

# The admin in headless Chromium only; also refreshes docs/screenshots.
test-browser: setup
	$(PY) -m pytest -m browser tests/browser $(PYTEST_ARGS)

# Checks every commit with ruff and mypy (.pre-commit-config.yaml).
hooks: setup
	$(VENV)/bin/pre-commit install

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint typecheck migrations-check
	$(PY) manage.py check

# Every app module (the packages are listed in pyproject.toml), checked with django-stubs.
typecheck: setup
	$(VENV)/bin/mypy

migrations-check: setup
	$(PY) manage.py makemigrations --check --dry-run

# The project catalogue (locale/): the templates' strings only (-e html,txt; the apps' Python is in <app>/locale/).
# Translate every new msgid in locale/zh_Hans/LC_MESSAGES/django.po, then run it again to compile the .mo.
template-messages: setup
	$(PY) manage.py makemessages -l zh_Hans -e html,txt --no-obsolete --ignore=.venv --ignore=node_modules \
		--ignore=tests --ignore=docs --ignore=examples --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

# A consistent copy of the running database (SQLite's online backup API, or pg_dump) in backups/.
backup: setup
	$(PY) manage.py backup_database backups

# Replaces the whole database with BACKUP (stop the app first): make restore BACKUP=backups/policies-....sqlite3
restore: setup
	@[ -n "$(BACKUP)" ] || { echo "Say which backup: make restore BACKUP=backups/<file>" >&2; exit 1; }
	$(PY) manage.py restore_database "$(BACKUP)"

# 20 reviewers and editors for LOAD_SECONDS against gunicorn on loopback, over 5,000 records, on the database
# DATABASE_URL names (default: var/load.sqlite3). Prints p50/p95 per page, the error rate and lost updates.
LOAD_SECONDS ?= 60
LOAD_PORT ?= 8765
LOAD_WORKERS ?= 4
LOAD_THREADS ?= 1
load: setup
	@set -euo pipefail; \
	export DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/var/load.sqlite3}" DJANGO_DEBUG=0 \
		DJANGO_SECRET_KEY="load-test-$$(date +%s)-$$RANDOM-not-for-production-xxxxxxxxxxxxxxxxxxxxxxxx" \
		DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_HSTS_SECONDS=0 \
		DJANGO_STATIC_ROOT="$(CURDIR)/var/static"; \
	mkdir -p var; \
	$(PY) manage.py migrate --no-input -v0; \
	$(PY) manage.py collectstatic --no-input -v0; \
	$(PY) bench/locustfile.py prepare 5000; \
	$(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi --bind 127.0.0.1:$(LOAD_PORT) --workers $(LOAD_WORKERS) --threads $(LOAD_THREADS) --log-level warning & \
	server=$$!; trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null || true' EXIT; \
	for _ in $$(seq 50); do curl -s -o /dev/null http://127.0.0.1:$(LOAD_PORT)/admin/login/ && break; sleep 0.2; done; \
	$(VENV)/bin/locust -f bench/locustfile.py --headless --users 20 --spawn-rate 10 --run-time $(LOAD_SECONDS)s \
		--host http://127.0.0.1:$(LOAD_PORT) --csv var/load --only-summary --loglevel WARNING || true; \
	$(PY) bench/locustfile.py report var/load_stats.csv

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) tests/js/node_modules .pytest_cache .hypothesis
