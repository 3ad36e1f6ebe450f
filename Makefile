# Set-up and everyday commands. Every target creates the virtual environment it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= $(CURDIR)/.demo

.PHONY: demo test lint bench sysdeps clean fuzz audit-deps

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
	@$(BIN)/ruff check cli permits keys tests benchmarks fuzz
	@$(BIN)/ruff format --check cli permits keys tests benchmarks fuzz
	@$(BIN)/mypy

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_HOME) build *.egg-info

FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= verify importers
fuzz: $(STAMP)
	@$(BIN)/python -c "import atheris" 2>/dev/null || $(BIN)/python -m pip install --quiet "atheris>=2.3,<4"
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/out/$$target; \
	  seeds=fuzz/corpus/$$target; [ $$target = importers ] && seeds=tests/registry/fixtures; \
	  echo "== fuzz $$target for $(FUZZ_SECONDS) s"; \
	  $(BIN)/python -m fuzz.fuzz_$$target fuzz/out/$$target $$seeds -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=fuzz/out/$$target- || exit 1; \
	done

audit-deps: $(STAMP)
	@$(BIN)/python -c "import pip_audit" 2>/dev/null || $(BIN)/python -m pip install --quiet "pip-audit>=2.7,<3"
	@$(BIN)/python -m pip freeze --exclude-editable > .venv/requirements.lock
	@$(BIN)/pip-audit --strict --progress-spinner off --timeout 20 -r .venv/requirements.lock
