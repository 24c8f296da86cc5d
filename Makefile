# Two commands for a newcomer:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test lint typecheck check unit browser bench clean

$(STAMP): requirements/base.txt requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Start the platform on SQLite with demo data and one account per role.
run: $(STAMP)
	$(BIN)/vetbridge demo
	@echo ""
	@echo "Vetbridge is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/vetbridge manage runserver 127.0.0.1:$(PORT)

# Browser tests need Debian's Chromium; install it if missing (root or sudo).
/usr/bin/chromium:
	@if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	(DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	 (DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null))

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/yamllint -s -c .yamllint src/vetbridge/rules

typecheck: $(STAMP)
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/vetbridge manage makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=vetbridge.config.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-$$(date +%s)-not-a-real-secret-xxxxxxxxxxxxxxxxxxxxxxxxx \
	DATABASE_URL=$${DATABASE_URL:-sqlite:///tmp/vetbridge-check.sqlite3} \
	DJANGO_ALLOWED_HOSTS=vetbridge.example.org \
	$(BIN)/vetbridge manage check --deploy --fail-level WARNING

unit: $(STAMP)
	$(BIN)/pytest -q -m "not browser"

browser: $(STAMP) /usr/bin/chromium
	$(BIN)/pytest -q -m browser

# The whole suite: lint, types, Django checks, unit and browser tests.
test: $(STAMP) /usr/bin/chromium lint typecheck check
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/rules_vs_openfisca.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
