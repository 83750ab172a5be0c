# chiso — two commands: `make demo` (the nightly pipeline on sample data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chiso-installed
UV = $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)

# No telemetry: the project runs without internet and never phones home.
export GX_ANALYTICS_ENABLED := false
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Demo: a week of one-stop exports, then the nightly run of the day after.
DEMO_START ?= 2026-11-01
DEMO_DAYS ?= 7
DEMO_DATE ?= 2026-11-08
CHISO_HOME ?= $(CURDIR)/.chiso

.PHONY: demo test bench lint install clean-state bi bi-install

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@command -v uv >/dev/null 2>&1 || test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	@# Bytecode compiled once here: uv skips it by default, and a process that compiles
	@# Airflow, dbt and GX from source each start takes twice as long to import them.
	$(UV) pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	$(UV) pip install --python $(BIN)/python --quiet --no-deps -e .
	@touch $@

demo: $(STAMP)
	@mkdir -p $(CHISO_HOME)/logs
	@$(BIN)/chiso warehouse start >/dev/null && echo "warehouse: $$($(BIN)/chiso warehouse url | sed -E 's#//([^:]+):[^@]+@#//\1:***@#')"
	@$(BIN)/chiso sample --start $(DEMO_START) --days $(DEMO_DAYS) --seed 1
	@echo "airflow dags test chiso_nightly $(DEMO_DATE) (log: $(CHISO_HOME)/logs/demo-airflow.log) ..."
	@$(BIN)/chiso airflow dags test chiso_nightly $(DEMO_DATE) > $(CHISO_HOME)/logs/demo-airflow.log 2>&1 \
		|| { tail -40 $(CHISO_HOME)/logs/demo-airflow.log; $(BIN)/chiso status; exit 1; }
	@$(BIN)/chiso status --summary

# Lint first: CI runs `make test` (.ci/run), and a type or format error fails it as a test would.
# The BI environment too: the dashboard tests start Superset from it.
test: lint bi-install
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy  # chiso/, ingest/, expectations/ (settings in pyproject.toml)

clean-state:
	-$(BIN)/chiso warehouse stop
	rm -rf $(CHISO_HOME)

# BI: Apache Superset in its own environment (.venv-bi, from bi/requirements-bi.lock), so its
# pins never meet Airflow's. `make bi` sets it up, imports the dashboards and serves it on
# 127.0.0.1 (CHISO_BI_PORT, else a free port) until Ctrl-C.
BI_VENV := .venv-bi
BI_STAMP := $(BI_VENV)/.chiso-installed

bi-install: $(STAMP) $(BI_STAMP)

$(BI_STAMP): bi/requirements-bi.lock
	@test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(UV) pip install --python $(BI_VENV)/bin/python --quiet --compile-bytecode -r bi/requirements-bi.lock
	@touch $@

bi: bi-install
	@$(BIN)/chiso warehouse start >/dev/null
	$(BIN)/chiso bi serve
