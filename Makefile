# `make run`: install (CPU JAX) and run the main job.  `make test`: install with the dev extra and test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
# pytest workers: the suite is compile-bound, so one per core.
JOBS   ?= 2
PYTEST_ARGS ?=

.PHONY: run test lint bench check clean install install-dev

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Re-install whenever pyproject.toml changes (the stamp records the last install).
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/arcade list
	$(VENV)/bin/arcade bench CartPoleEasy --num-envs 64 --steps 128 --floor

test: install-dev
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(VENV)/bin/arcade check --all

bench: install
	$(PY) benchmarks/envs.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
