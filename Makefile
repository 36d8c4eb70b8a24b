# Preheat: `make run` serves the app, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app

# Run a second time on real Celery workers over the local Redis: policy runs,
# schedules, restarts, a host's own image source, and what only Celery has (a
# killed worker, a lost broker).
CELERY_TESTS := tests/executions/test_runs.py tests/executions/test_schedules.py \
	tests/executions/test_restart.py tests/executions/test_celery.py \
	tests/executions/test_artifact_source.py \
	tests/executions/test_host_projects.py::test_a_policy_of_a_source_project_preheats_the_sources_images

# Two app replicas and two workers on PostgreSQL (TEST_DATABASE_URL; skipped without it).
REPLICA_TESTS := tests/executions/test_replicas.py

# Test processes: most tests wait on sockets, browsers and subprocesses.
TEST_WORKERS ?= 3
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What the app needs to run, and on top of it what the tests and benchmarks need.
$(BIN)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(BIN)/.installed-run

run: $(BIN)/.installed-run
	$(BIN)/flask upgrade-db
	$(BIN)/flask ensure-admin
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

test: $(BIN)/.installed-dev
	scripts/ensure-browser
	scripts/ensure-registry
	$(PYTEST) $(PYTEST_ARGS)
	env -u TEST_DATABASE_URL PREHEAT_TEST_CELERY=1 $(PYTEST) $(PYTEST_ARGS) $(CELERY_TESTS)
	PREHEAT_TEST_CELERY=1 $(PYTEST) $(PYTEST_ARGS) $(REPLICA_TESTS)

bench: $(BIN)/.installed-dev
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/load.py
	$(BIN)/python scripts/list_speed.py
	$(BIN)/python scripts/list_profile.py
	$(BIN)/python scripts/repositories_speed.py
	$(BIN)/python scripts/webhook_speed.py
	$(BIN)/python scripts/executions_speed.py
	$(BIN)/python scripts/celery_speed.py

clean:
	rm -rf $(VENV) .pytest_cache
