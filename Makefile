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

# Start the platform on SQLite with demo data and one account per role, and a worker for
# background tasks (simulations, long imports, reports), stopped with the server.
run: $(STAMP)
	$(BIN)/vetbridge demo
	@echo ""
	@echo "Vetbridge is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@if $(BIN)/python -c "import django_tasks_db" 2>/dev/null; then \
	  $(BIN)/vetbridge manage db_worker --no-reload & WORKER=$$!; \
	  echo "Task worker started (pid $$WORKER)"; \
	  trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/vetbridge manage runserver 127.0.0.1:$(PORT); \
	else \
	  echo "django-tasks-db is not installed: tasks run inside the request"; \
	  $(BIN)/vetbridge manage runserver 127.0.0.1:$(PORT); \
	fi

# Browser tests need Debian's Chromium; install it if missing (root or sudo).
/usr/bin/chromium:
	@if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	(DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	 (DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null))

# ruff (lint and format), the rules' YAML, and the import contracts ([tool.importlinter] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/yamllint -s -c .yamllint src/vetbridge/rules
	$(BIN)/lint-imports

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
	$(BIN)/python bench/policylab_simulate.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
