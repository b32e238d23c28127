# Developer entry points. `make serve` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MODEL ?= $(or $(ESCALATION_MODEL_PATH),artifacts/escalation-model.joblib)

.PHONY: runtime setup model serve test test-fast test-engines lint typecheck sanitize report lock clean

# Install levels in one venv, all from hashed locks (requirements/*.lock, `make lock`): the runtime
# (serve, score: the image), the training extra on it (`make model`: rdata reads the Wikinews
# articles the article map is fitted on) and, on top of both, the
# development tools (tests, lint, report). The package itself goes in without its dependencies.
$(BIN)/.runtime: pyproject.toml requirements/runtime.lock setup.py model/_kernel.c model/_matcher.c model/features.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements/runtime.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python -m pip check || { echo 'pyproject.toml and requirements/*.lock disagree: run make lock' >&2; exit 1; }
	touch $@

$(BIN)/.train: $(BIN)/.runtime requirements/train.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements/train.lock
	$(BIN)/python -m pip check || { echo 'pyproject.toml and requirements/*.lock disagree: run make lock' >&2; exit 1; }
	touch $@

$(BIN)/.installed: $(BIN)/.train requirements/dev.lock
	$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip check || { echo 'pyproject.toml and requirements/*.lock disagree: run make lock' >&2; exit 1; }
	touch $@

runtime: $(BIN)/.runtime  ## the lean venv: runtime dependencies only (no test or report tools)

setup: $(BIN)/.installed  ## the development venv: runtime, train, then the dev and report extras

model: $(BIN)/.train  ## train the default model unless a valid one is already at $(MODEL)
	$(BIN)/escalation-train --if-missing --out $(MODEL)

serve: model  ## run the service on the default model (gunicorn.conf.py: PORT, WEB_CONCURRENCY)
	exec env ESCALATION_MODEL_PATH=$(MODEL) $(BIN)/gunicorn 'service.app:create_app()'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy: strict for model/ and service/, training/ and studies/ where annotated
	$(BIN)/mypy

test: lint typecheck  ## ruff, mypy, then the whole test suite
	$(BIN)/python -m pytest -q

test-fast: setup  ## the inner loop: no corpora, real gunicorn, fault injection, Spark or MLflow
	$(BIN)/python -m pytest -q -m "not corpora and not slow and not faults and not spark and not mlflow"

test-engines: setup  ## Java (apt) and the frames/spark/mlflow/deploy extras, then their tests
	scripts/engines.sh

# The kernel and the event reading's loops built with ASan + UBSan into a copy of the sources under
# build/ (the normal build is left alone), then the model tests against it (those on the default
# model aside: the copy has no corpora or model); any sanitizer finding fails the run (output is
# captured at the Python level only, so a finding's report reaches the terminal). Python's own
# allocator is off (PYTHONMALLOC=malloc), so ASan sees the small buffers the C code asks it for.
SANITIZE_DIR := build/sanitize
PYCONFIG = $(BIN)/python -c 'import sysconfig as s; print(s.get_config_var("$(1)") or s.get_paths()["include"])'
sanitize: setup  ## model tests against an ASan + UBSan build of the C kernel and event loops
	rm -rf $(SANITIZE_DIR) && mkdir -p $(SANITIZE_DIR)
	cp -r model training tests pyproject.toml $(SANITIZE_DIR)/
	find $(SANITIZE_DIR) -name '*.so' -delete
	for ext in _kernel _matcher; do \
		$(CC) -shared -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
			-fno-sanitize-recover=all -ffp-contract=off -Wall -Wextra -Wno-unused-parameter \
			-I"$$($(call PYCONFIG,INCLUDEPY))" model/$$ext.c -lm \
			-o $(SANITIZE_DIR)/model/$$ext$$($(call PYCONFIG,EXT_SUFFIX)) || exit 1; \
	done
	cd $(SANITIZE_DIR) && LD_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
		ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 PYTHONMALLOC=malloc \
		$(abspath $(BIN))/python -m pytest -q --capture=sys -p no:cacheprovider -m "not corpora" tests/model

# The seed article is read from the corpora mirror when one is named (its text is not ours).
SEED_ARTICLE = $(if $(ESCALATION_DATA_DIR),--seed-article $(ESCALATION_DATA_DIR)/seed/nato-preemptive-strike.txt)
CLEAN_MODEL ?= artifacts/escalation-model-clean.joblib
report: setup model  ## regenerate docs/report: the default model, then the clean-licence profile's
	$(BIN)/escalation-evaluate --model $(MODEL) --cv --baseline $(SEED_ARTICLE) --out docs/report
	$(BIN)/escalation-train --profile clean --if-missing --out $(CLEAN_MODEL)
	$(BIN)/escalation-evaluate --model $(CLEAN_MODEL) $(SEED_ARTICLE) --out docs/report/clean

# The locks, generated, never edited by hand. constraints.txt: every extra but LOCK_SKIP_EXTRAS,
# no hashes (for `pip install -c constraints.txt -e '.[EXTRA]'`); then requirements/runtime.lock
# (the dependencies) and requirements/dev.lock (plus DEV_EXTRAS), with hashes, resolved within
# constraints.txt so all three agree. Universal (markers for Python 3.11-3.13; the image's base
# is 3.11 or 3.12). Existing pins are kept unless they must move: LOCK_ARGS=--upgrade for new ones.
UV_VERSION := 0.13.9
UV := .cache/uv-venv/bin/uv
DEV_EXTRAS ?= dev report ui-test train
LOCK_SKIP_EXTRAS ?= bench
LOCK_ARGS ?=
ALL_EXTRAS = $(shell $(PYTHON) -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project'].get('optional-dependencies', {})))")
COMPILE = $(UV) pip compile pyproject.toml --universal --python-version 3.11 --quiet \
	--custom-compile-command 'make lock' $(LOCK_ARGS)
$(UV):
	$(PYTHON) -m venv .cache/uv-venv
	.cache/uv-venv/bin/python -m pip install -q uv==$(UV_VERSION)

lock: $(UV)  ## regenerate constraints.txt and requirements/*.lock from pyproject.toml
	@mkdir -p requirements
	$(COMPILE) $(foreach e,$(filter-out $(LOCK_SKIP_EXTRAS),$(ALL_EXTRAS)),--extra $(e)) \
		-o constraints.txt
	$(COMPILE) -c constraints.txt --generate-hashes -o requirements/runtime.lock
	$(COMPILE) -c constraints.txt --generate-hashes --extra train -o requirements/train.lock
	$(COMPILE) -c constraints.txt --generate-hashes $(foreach e,$(DEV_EXTRAS),--extra $(e)) \
		-o requirements/dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
