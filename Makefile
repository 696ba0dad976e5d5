# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-sqlite test-postgres lint mutation install install-test system-packages translations translations-update bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

# axe-core (npm) checks every page's accessibility in the browser tests (tests/browser/test_every_page.py).
AXE_VERSION := 4.11.0
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
$(AXE): | $(BIN)/python
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@$(AXE_VERSION)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(VENV)/.installed
	@if ls ledger/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --statistics -d ledger/translations 2>&1 | tail -n 2; fi

# Re-extract the messages after changing strings, then translate the new ones in messages.po.
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
	  --project "Solidarity ledger" -o ledger/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i ledger/translations/messages.pot -d ledger/translations

# The demo lives in its own instance folder (its database, keys and mail files), so that a real
# organisation started from this folder (instance/, or DATABASE_URL) never inherits its keys.
# The worker runs beside the web server and stops with it; mail goes to instance-demo/mail-outbox/.
DEMO := env -u DATABASE_URL -u MAIL_SERVER LEDGER_ENV=development LEDGER_INSTANCE_PATH=$(CURDIR)/instance-demo
run: install translations
	$(DEMO) $(FLASK) db upgrade
	$(DEMO) $(FLASK) demo --if-empty
	$(DEMO) $(FLASK) ledger checkpoint --if-due
	@$(DEMO) $(FLASK) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(DEMO) $(FLASK) run --host 127.0.0.1 --port 5000

# Debian packages the tests need: PostgreSQL for the second run, hledger to check exports,
# Chromium and its driver for the browser journeys.
system-packages:
	@missing=""; \
	command -v hledger >/dev/null || missing="$$missing hledger"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The same checks as .pre-commit-config.yaml; mypy and lint-imports (the import contracts) read
# their settings from pyproject.toml.
LINTED := ledger tests bench config.py wsgi.py migrations
lint: install-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo --no-cache

# The two suites run side by side (two cores); each one's output is printed when it ends.
test: install-test system-packages $(AXE) translations lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# Bytecode is written even where the environment says not to: without it, the suite and each
# of the processes it starts (workers, gunicorn, `flask mail send`) compile the package again.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

test-sqlite: install-test translations
	$(PYTEST) -q

test-postgres: install-test translations
	scripts/throwaway-postgres.sh $(PYTEST) -q

# Mutation testing of the ledger's rules (issue #19), by hand only (not part of make test): mutmut
# mutates ledger/books/posting.py, ledger/books/hashchain.py and ledger/money.py and runs
# tests/books/ and tests/test_money.py against each mutant (pyproject.toml [tool.mutmut]).
# Niced: it runs for a long time on a shared machine.  Prints the score; fails below 90 %.
mutation: install-test
	rm -rf mutants
	nice -n 15 $(BIN)/mutmut run --max-children 2 >/dev/null || true
	$(BIN)/python scripts/mutation_score.py

# The benchmark (issue #9), by hand only: SQLite, then PostgreSQL on a throwaway server.
# wrk is the load generator when apt can install it; otherwise bench/http.py uses Python threads.
# BENCH_ARGS passes flags through, e.g. make bench BENCH_ARGS="--postings 200000" or "--quick".
BENCH_ARGS ?=
bench: install-test system-packages
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends wrk >/dev/null) || echo "wrk unavailable: Python load generator"
	$(BIN)/python -m bench.run --backend sqlite $(BENCH_ARGS)
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  scripts/throwaway-postgres.sh $(BIN)/python -m bench.run --backend postgres $(BENCH_ARGS); \
	else echo "PostgreSQL not installed: its figures are skipped"; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
