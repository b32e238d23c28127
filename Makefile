# Developer entry points. `make serve` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL ?= $(or $(ESCALATION_MODEL_PATH),artifacts/escalation-model.joblib)

.PHONY: setup model serve test test-fast test-engines lint sanitize report clean

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

test-fast: lint  ## the suite without real servers, Spark, MLflow or the real corpora
	$(BIN)/python -m pytest -q -m "not spark and not mlflow and not slow and not faults and not corpora"

test-engines: setup  ## Java (apt) and the frames/spark/mlflow/deploy extras, then their tests
	scripts/engines.sh

# The kernel built with ASan + UBSan into a copy of the sources under build/ (the normal build
# is left alone), then the model tests against it; any sanitizer finding fails the run.
SANITIZE_DIR := build/sanitize
PYCONFIG = $(BIN)/python -c 'import sysconfig as s; print(s.get_config_var("$(1)") or s.get_paths()["include"])'
sanitize: setup  ## model tests against an ASan + UBSan build of the C kernel
	rm -rf $(SANITIZE_DIR) && mkdir -p $(SANITIZE_DIR)
	cp -r model training tests pyproject.toml $(SANITIZE_DIR)/
	find $(SANITIZE_DIR) -name '*.so' -delete
	$(CC) -shared -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter \
		-I"$$($(call PYCONFIG,INCLUDEPY))" model/_kernel.c \
		-o $(SANITIZE_DIR)/model/_kernel$$($(call PYCONFIG,EXT_SUFFIX))
	cd $(SANITIZE_DIR) && LD_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
		ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(abspath $(BIN))/python -m pytest -q -p no:cacheprovider tests/model

report: model  ## regenerate docs/report (grouped CV, baseline, petrarch, actor swap)
	$(BIN)/escalation-evaluate --model $(MODEL) --cv --baseline --out docs/report

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
