# Developer entry points. `make serve` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL ?= $(or $(ESCALATION_MODEL_PATH),artifacts/escalation-model.joblib)

.PHONY: setup model serve test lint report clean

$(BIN)/.installed: pyproject.toml constraints.txt setup.py model/_kernel.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,report]'
	touch $@

setup: $(BIN)/.installed  ## virtual environment with the pinned dependencies

model: setup  ## train the default model unless a valid one is already at $(MODEL)
	$(BIN)/escalation-train --if-missing --out $(MODEL)

serve: model  ## run the service on the default model (gunicorn.conf.py: PORT, WEB_CONCURRENCY)
	exec env ESCALATION_MODEL_PATH=$(MODEL) $(BIN)/gunicorn 'service.app:create_app()'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint  ## ruff, then the whole test suite
	$(BIN)/python -m pytest -q

report: model  ## regenerate docs/report (grouped CV, baseline, petrarch, actor swap)
	$(BIN)/escalation-evaluate --model $(MODEL) --cv --baseline --out docs/report

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
