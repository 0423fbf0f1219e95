# The README's two quick-start commands: `make demo` and `make test`.
# Each creates .venv if it is missing and installs what it needs first.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint typecheck pytest bench bench-coop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)  # only create .venv and install syncd (then: export PATH="$$PWD/.venv/bin:$$PATH")

demo: $(STAMP)
	$(BIN)/syncd demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check syncd adapters tests bench
	$(BIN)/lint-imports  # the layer contracts in pyproject.toml [tool.importlinter]

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/core.py
	$(BIN)/python bench/propagation.py
	$(BIN)/python bench/propagation3.py
	$(BIN)/python bench/coop.py --quick

# The README's cooperative figures: 200 members, 10 minutes per policy (about 50 min).
bench-coop: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/coop.py --json bench/results/coop-200.json --png bench/results/coop-200.png

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
