# news-etl — every target bootstraps what it needs on a machine that has only python3 and pip.
#   make demo   set up, then load the generated sample through the news_daily DAG (Airflow, SQLite)
#   make test   set up, then lint, type-check and run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AIRFLOW_PORT ?= 8080
WORKERS ?= 2
WAREHOUSE ?= warehouse/news.duckdb
REPEAT ?= 5
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy
export GX_ANALYTICS_ENABLED := false

.PHONY: setup demo test test-fast lint typecheck bench bench-day bench-scale bench-queries \
  bench-search airflow airflow-celery airflow-stop clean help mutation mutation-sample

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

setup: ## install uv if missing, then the locked environment into .venv (with bytecode)
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@PY="$$($(PYTHON) -c 'import sys; print(sys.executable)')" || \
	  { echo "make: PYTHON=$(PYTHON) does not run; pass a Python 3.11/3.12 interpreter" >&2; exit 2; }; \
	  UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; \
	  $$UV sync --frozen --python "$$PY" --quiet

demo: setup ## generate the sample landing zone and load it through Airflow, then summarise
	$(BIN)/news-etl demo

test: setup lint typecheck ## lint, type-check and run every test (unit, integration, dags)
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: setup ## unit tests only
	$(BIN)/pytest tests/unit -q

# Mutation testing (mutmut, config in pyproject.toml's [tool.mutmut]): not part of `make test`.
# MUTANTS selects mutants by name glob (default: every module in scope); MUTATION_JOBS the
# parallel workers. Results stay in mutants/ (resumable); scripts/mutation_report.py prints the
# per-module table.
MUTANTS ?=
MUTATION_JOBS ?= 2
CORPORA_DIR ?= $(abspath ../shared/corpora)
mutation: setup ## mutation testing of ingest, load, validate, errors and query (slow: hours)
	NEWS_ETL_CORPORA_DIR=$(CORPORA_DIR) $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python scripts/mutation_report.py

# A fixed-seed random sample of MUTATION_SAMPLE mutants of each of MUTATION_MODULES, for when the
# full run does not fit in the time there is. Its score per module is an ESTIMATE of the full
# run's score, with a 95 % (Wilson) interval; only a module whose every mutant was drawn
# (etl/errors.py: 36) gets an exact score. The estimate is unbiased only for a fresh seed: once
# tests are written for a draw's survivors, that draw's "after" score overstates the full score.
MUTATION_SAMPLE ?= 50
MUTATION_SEED ?= 1201
MUTATION_MODULES ?= etl/ingest etl/load etl/validate etl/query.py etl/errors.py
# MUTATION_CHUNKS=K: the undecided drawn mutants in a seeded random order, K per mutmut invocation,
# so a run stopped between invocations has decided a random subset of the draw (mutmut itself
# runs the fastest first); MUTATION_UNTIL=HH:MM (UTC): no invocation starts after that time.
# Each invocation pays mutmut's set-up once (test listing, a clean run of the chunk's tests, the
# forced-fail run): 160-200 s on one shared core on 2026-12-02, against 18-27 s per load/validate
# mutant, so K=20 spent about a third of the wall time in set-up; a larger K costs less but
# stops only every K mutants.
MUTATION_CHUNKS ?= 0
MUTATION_UNTIL ?=
mutation-sample: setup ## ESTIMATE of each module's mutation score from a random sample (with its 95 % interval)
	NEWS_ETL_CORPORA_DIR=$(CORPORA_DIR) $(BIN)/python scripts/mutation_sample.py \
	  --per-module $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) --jobs $(MUTATION_JOBS) \
	  --modules $(MUTATION_MODULES) --shuffled-chunks $(MUTATION_CHUNKS) \
	  $(if $(MUTATION_UNTIL),--until $(MUTATION_UNTIL))
	$(BIN)/python scripts/mutation_report.py --sample

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

bench-scale: setup ## whole runs by warehouse size, workers, near-copies and one file (slow; tables for docs/performance.md)
	$(BIN)/python benchmarks/bench_scale.py

bench-queries: setup ## time every example query, view and macro on WAREHOUSE=FILE or a DuckLake URL (read-only), flag any >= 1 s
	$(BIN)/python benchmarks/bench_queries.py --warehouse "$(WAREHOUSE)"

bench-search: setup ## fts extension vs SQL BM25 search, on a scratch copy of WAREHOUSE=FILE
	$(BIN)/python benchmarks/bench_search.py --warehouse $(WAREHOUSE)

airflow: setup ## start Airflow standalone on 127.0.0.1:$(AIRFLOW_PORT) (.airflow/, pool, warehouse); print the password, landing zone, warehouse, DAG states
	$(BIN)/news-etl airflow start --port $(AIRFLOW_PORT)

airflow-celery: setup ## start Airflow on the Celery executor with WORKERS=$(WORKERS) workers on 127.0.0.1:$(AIRFLOW_PORT); needs NEWS_ETL_AIRFLOW_DB (Postgres) and NEWS_ETL_AIRFLOW_BROKER (Redis), see README
	$(BIN)/news-etl airflow start --executor celery --workers $(WORKERS) --port $(AIRFLOW_PORT)

airflow-stop: ## stop exactly the processes `make airflow` or `make airflow-celery` started (their process groups and children)
	$(BIN)/news-etl airflow stop

bench: setup ## throughput benchmark over the reuters corpus, against naive, regex and spaCy baselines (best of REPEAT=5)
	@UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; $$UV sync --frozen --group bench --quiet
	$(BIN)/python benchmarks/bench_pipeline.py --repeat $(REPEAT)

bench-day: setup ## the benchmark over a generated 10,000-article day: validate share of the run
	@UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; $$UV sync --frozen --group bench --quiet
	$(BIN)/python benchmarks/bench_pipeline.py --articles 10000 --repeat $(REPEAT)

clean: ## remove the virtualenv, the demo warehouse and Airflow's local state
	rm -rf $(VENV) .airflow warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.lock \
	  warehouse/staging warehouse/sample-landing mutants
