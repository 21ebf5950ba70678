# The README's two commands: `make run` and `make test`. Everything else is created on demand.
APP_PYTHON  ?= $(shell scripts/find-python 3.11+)
RASA_PYTHON ?= $(shell scripts/find-python 3.10)
VENV        := .venv
RASA_VENV   := .venv-rasa
PIP_FLAGS   := --quiet --disable-pip-version-check

.PHONY: run test test-fast check setup model browser clean

run: setup model
	$(VENV)/bin/hotline up --no-train

# The unit tests on every core first (a fast answer), then the real stack's on two workers
# (pytest-xdist), each with a stack, ports, databases and Redis databases of its own; a file's
# tests stay together (--dist loadfile), the slowest files first (tests/conftest.py). Two, not
# one per core: each worker runs a Rasa server, an action server and the application.
E2E_WORKERS ?= 2
test: setup model browser
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto tests/unit
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(E2E_WORKERS) --dist loadfile --no-loadscope-reorder tests/e2e

# The unit tests alone: no Rasa, no model, no browser; on every core (pytest-xdist), under a minute.
test-fast: setup
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto tests/unit

# Lint, format, types (strict on bot/core) and the layers' import rules (pyproject.toml).
CHECKED := bot actions nlu tests bench scripts/predict_intents.py
check: setup
	$(VENV)/bin/ruff check $(CHECKED)
	$(VENV)/bin/ruff format --check $(CHECKED)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

setup: $(VENV)/.installed $(RASA_VENV)/.installed

# The application: Python 3.11+ with current libraries.
$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(APP_PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip
	$(VENV)/bin/pip install $(PIP_FLAGS) -e '.[test]'
	touch $@

# Rasa Open Source 3.6 pins old libraries and Python 3.10, so it lives apart.
$(RASA_VENV)/.installed: requirements/rasa.txt
	test -x $(RASA_VENV)/bin/python || $(RASA_PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip wheel setuptools
	$(RASA_VENV)/bin/pip install $(PIP_FLAGS) -r requirements/rasa.txt
	touch $@

# Trains only when data/, config.yml, domain.yml or nlu/ changed.
model: setup
	$(VENV)/bin/hotline nlu train

# The dashboard's browser tests drive Debian's Chromium through Playwright (no browser download).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) $(RASA_VENV) models var
