# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make plan   offline plan of the dev stack (STACK=prod for another stack file)
#   make test   lint, type check and the whole test suite
# Both create .venv and install the pinned requirements the first time (and again when
# requirements.txt or pyproject.toml change).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
# Python caches what it imports as bytecode on first use (the install compiles nothing: see
# below). Some images set PYTHONDONTWRITEBYTECODE, which makes every process compile the
# ~1,600 SDK modules a plan imports again; the project's own commands keep the cache.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACK ?= dev

.PHONY: install servers policy-pack plan test lint typecheck unit docs bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt -e '.[dev]'
	touch $(STAMP)

# CI's set-up step: the program's virtualenv without running anything.
install: $(STAMP)

# The policy pack's own virtualenv (policy/PulumiPolicy.yaml: virtualenv venv), which
# `pulumi preview --policy-pack policy` runs the pack in. `make test` does not need it: the tests
# run the pack in-process from .venv.
policy-pack: policy/venv/.installed

policy/venv/.installed: policy/requirements.txt
	test -x policy/venv/bin/python || $(PYTHON) -m venv policy/venv
	policy/venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r policy/requirements.txt
	touch $@

plan: $(STAMP)
	$(BIN)/python -m tools.plan --stack $(STACK) --diagrams build/diagrams

# The validators and servers the tests run against, from Debian's packages (.ci/servers).
servers:
	.ci/servers

# Lint first (seconds); then the type checker and the tests side by side: pyright is mostly one
# core, and the two pytest workers leave the CPU idle while they start and collect.
test: lint servers
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/pyright

unit: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/python -m tools.docs

# Wall time of the offline plans of dev and prod against the import floor (tools/bench.py).
bench: $(STAMP)
	$(BIN)/python -m tools.bench

clean:
	rm -rf $(VENV) policy/venv build *.egg-info .pytest_cache .ruff_cache .hypothesis
