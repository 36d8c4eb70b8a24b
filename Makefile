# Preheat: `make run` serves the app, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app

.PHONY: run test bench venv clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

run: venv
	$(BIN)/flask upgrade-db
	$(BIN)/flask ensure-admin
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

test: venv
	scripts/ensure-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/load.py

clean:
	rm -rf $(VENV) .pytest_cache
