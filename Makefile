# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
SUBSCRIBERS ?= 20000
SEED ?= 7

.PHONY: demo test install lint typecheck unit data bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(DATA)/sim.sqlite: | $(STAMP)
	$(BIN)/hotline sim generate --subscribers $(SUBSCRIBERS) --seed $(SEED) --out $@

$(DATA)/kb/corpus/knowledge_points.jsonl: $(DATA)/sim.sqlite
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline kb generate --seed $(SEED)

$(DATA)/kb/index/CURRENT: $(DATA)/kb/corpus/knowledge_points.jsonl
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline kb rebuild --corpus $(DATA)/kb/corpus

data: $(DATA)/sim.sqlite $(DATA)/kb/index/CURRENT

bench: data
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline kb bench --json

# an edited lexicon re-cuts the serving index's words first (ingested bulletins are kept)
demo: install data
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline kb rebuild --if-lexicon-changed
	HOTLINE_DATA_DIR=$(DATA) $(BIN)/hotline serve

lint: install
	$(BIN)/ruff check copilot knowledge tools evals tests

typecheck: install
	$(BIN)/mypy

# Debian's Chromium and CJK fonts for the browser tests (never a downloaded browser build)
browser:
	@command -v chromium >/dev/null || ( SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk )

unit: install browser
	$(BIN)/python -m pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
