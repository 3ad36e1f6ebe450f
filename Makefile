# Set-up and everyday commands. Every target creates the virtual environment it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/.demo

.PHONY: demo test lint bench sysdeps clean

$(STAMP): pyproject.toml
	@bash scripts/ensure-sysdeps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

sysdeps:
	@bash scripts/ensure-sysdeps.sh

demo: $(STAMP)
	@bash scripts/demo.sh "$(DEMO_HOME)" "$(BIN)"

test: $(STAMP)
	@bash scripts/ensure-sysdeps.sh --postgres
	@$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	@$(BIN)/ruff check cli permits keys tests benchmarks
	@$(BIN)/ruff format --check cli permits keys tests benchmarks
	@$(BIN)/mypy

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_HOME) build *.egg-info
