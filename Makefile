# secpolicy developer entry points. Each target creates or refreshes .venv on
# its own, so `make demo` and `make test` work from a fresh clone with nothing
# but python3 (3.11+) and make. Installs are keyed on pyproject.toml: a second
# run with nothing changed installs nothing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

RUNTIME_STAMP := $(VENV)/.stamp-runtime
DEV_STAMP     := $(VENV)/.stamp-dev
BENCH_STAMP   := $(VENV)/.stamp-bench
HOOKS_STAMP   := $(VENV)/.stamp-hooks

.PHONY: help demo test lint typecheck unit docs bench schema hooks clean

help:
	@echo "make demo   create .venv, install secpolicy, run every example"
	@echo "make test   lint, type-check, tests with coverage gate, docs, examples"
	@echo "make docs   build the documentation into docs/_build/html"
	@echo "make bench  run the benchmarks side by side with the competitors"
	@echo "make hooks  install the pre-commit hooks (ruff and mypy from .venv) and run them on every file"
	@echo "make schema regenerate the JSON Schema and reference page of secpolicy.toml after changing its keys"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "secpolicy needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	# Dependency groups (PEP 735) need pip >= 25.1.
	$(PIP) install --upgrade "pip>=25.1"

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PIP) install --editable '.[django,fastapi,sqlalchemy]' 'httpx>=0.27'
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --editable . --group dev
	touch $@ $(RUNTIME_STAMP)

$(BENCH_STAMP): pyproject.toml | $(PY)
	$(PIP) install --editable . --group bench
	touch $@ $(RUNTIME_STAMP)

$(HOOKS_STAMP): pyproject.toml | $(PY)
	$(PIP) install --group hooks
	touch $@

demo: $(RUNTIME_STAMP)
	@set -e; for script in examples/*.py; do \
		echo "== $$script"; $(PY) "$$script"; \
	done

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests examples benchmarks docs scripts
	$(BIN)/ruff format --check src tests examples benchmarks docs scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict src tests/typing

# The whole suite, every docstring example of src/ (tests/test_doctests.py)
# and the long campaigns marked `campaign`, in one pytest run on two xdist
# workers (each module whole on one worker, so a module's fixtures, such as
# the Spark session, are built once), under one coverage measurement combined
# from the workers.
# Hypothesis runs derandomised (the `ci` profile in tests/conftest.py): the
# same answer on every run, never a clock. A test that skips fails the gate
# (SECPOLICY_NO_SKIPS, tests/conftest.py): every optional dependency is
# installed here, so a skip could only hide a test. XDIST=0 runs it in one
# process.
XDIST ?= 2
unit: export HYPOTHESIS_PROFILE = ci
unit: export SECPOLICY_NO_SKIPS = 1
unit: $(DEV_STAMP)
	sh scripts/ensure_chromium.sh
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -n $(XDIST) --dist loadfile -m "campaign or not campaign"
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

docs: $(DEV_STAMP)
	$(BIN)/sphinx-build -W -n --keep-going -q -b html docs docs/_build/html

test: lint typecheck unit docs

# The hooks run the tools of .venv, so they need the dev group too.
hooks: $(DEV_STAMP) $(HOOKS_STAMP)
	$(BIN)/pre-commit install
	$(BIN)/pre-commit run --all-files

bench: $(BENCH_STAMP)
	$(PY) -m benchmarks

schema: $(DEV_STAMP)
	$(BIN)/secpolicy schema --output src/secpolicy/policyfile/secpolicy.schema.json
	$(PY) scripts/build_policy_reference.py

clean:
	rm -rf $(VENV) docs/_build .coverage .mypy_cache .pytest_cache .ruff_cache .hypothesis
