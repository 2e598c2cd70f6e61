# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make plan   offline plan of the dev stack (STACK=prod for another stack file)
#   make test   lint, type check and the whole test suite
# Both create .venv and install the pinned requirements the first time (and again when
# requirements.txt or pyproject.toml change).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACK ?= dev

.PHONY: plan test lint typecheck unit docs clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt -e '.[dev]'
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/python -m tools.plan --stack $(STACK)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/pyright

unit: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/python -m tools.docs

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
