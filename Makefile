# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
SUBSCRIBERS ?= 20000
SEED ?= 7

.PHONY: demo test install lint typecheck unit data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(DATA)/sim.sqlite: | $(STAMP)
	$(BIN)/hotline sim generate --subscribers $(SUBSCRIBERS) --seed $(SEED) --out $@

data: $(DATA)/sim.sqlite

demo: install data
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline serve

lint: install
	$(BIN)/ruff check copilot knowledge tools evals tests

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
