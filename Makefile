# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install serve site test lint typecheck validate linkcheck ci bench bench-search lighthouse clean lock system-deps

install: $(STAMP)

$(STAMP): requirements.lock requirements-bootstrap.lock pyproject.toml package-lock.json
	@bash scripts/system-deps.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本，请先安装（例如 brew install python@3.12）。")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements-bootstrap.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

## Build and serve on http://127.0.0.1:8000 with live reload (drafts shown); a saved case's page first.
serve: $(STAMP) system-deps
	SITE_URL=http://127.0.0.1:8000/ $(BIN)/site-builder serve -a 127.0.0.1:8000

## Build into site/ with --strict; a failed build keeps the previous site/.
site: $(STAMP) system-deps
	$(BIN)/site-builder build --site-dir site

validate: $(STAMP)
	$(BIN)/site-builder validate cases

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## Everything CI checks, browser tests included (installs Chromium and a CJK font with apt-get if missing).
test: $(STAMP)
	@bash scripts/system-deps.sh --browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/site-builder schema --check
	$(BIN)/site-builder cms-config --check
	$(BIN)/site-builder validate cases
	@# One worker per core (pytest-xdist); each site is built once and shared (tests/support/shared.py).
	$(BIN)/python -m pytest -q -n auto --dist worksteal

linkcheck: site
	$(BIN)/python -m site_builder.checks.linkcheck site

## The pull-request workflow's steps, in order, on this machine.
ci:
	bash scripts/ci_local.sh

## Every speed goal of issues 20 and 26 in one interleaved run (1,000 and 3,000 cases, 3 rounds, both
## engines, plain MkDocs and plain Zensical beside them; ~35 min on an idle 2-core machine). Smoke:
## make bench BENCH_ARGS="--sizes 100 --rounds 1". Search budgets: make bench-search.
bench: $(STAMP) system-deps
	$(BIN)/python benchmarks/bench_build.py $(BENCH_ARGS)

## Search budgets at 1,000 and 10,000 cases (bytes before the first result, ms at 4x CPU throttle)
## and hit@3 of the query set derived from cases/, typed into the header box in Chromium.
bench-search: $(STAMP)
	$(BIN)/python benchmarks/bench_search.py --sizes 1000 10000 --queries

## Lighthouse on every page type at the phone and desktop presets, served like GitHub Pages; see benchmarks/README.md.
lighthouse: $(STAMP) system-deps
	cd benchmarks/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python benchmarks/lighthouse.py

## Regenerate the lock file from pyproject.toml (needs network to PyPI).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements.lock
	$(BIN)/uv pip compile requirements-bootstrap.in --generate-hashes --python-version 3.11 -q -o requirements-bootstrap.lock

clean:
	rm -rf site .site-* .cache .pytest_cache .mypy_cache .ruff_cache
