# `make run`: install (CPU JAX, agents+viz extras) and run the main job (a short training run).  `make test`: install with the dev extra and test.
# `make docs`: build the documentation site into site/ (`make docs-serve` previews it).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
# pytest workers: the suite is compile-bound, so one per core.
JOBS   ?= 2
PYTEST_ARGS ?=

# Separately installable plugins (each folder under plugins/ with a pyproject.toml): installed
# editable into the venv without their dependencies (the venv has them), tested from their own
# folder as a third party would run them.
PLUGINS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
PLUGIN_STAMPS := $(foreach p,$(PLUGINS),$(VENV)/.plugin-$(notdir $(p)))

.PHONY: run test test-plugins lint lint-imports bench check clean install install-dev install-plugins docs docs-test docs-serve

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

$(VENV)/.plugin-%: plugins/%/pyproject.toml | $(VENV)/.installed-dev
	$(PIP) install --no-deps -e plugins/$*
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-plugins: $(PLUGIN_STAMPS)

# `make run`: the main job as a newcomer meets it: list the envs, train PQN on CartPoleEasy
# (MDP, 128 px) for a few minutes on CPU with a progress line, then evaluate the agent and
# record it. Leaves runs/quickstart/{curve.png,agent.gif,metrics.csv,config.toml,tb/,...}.
RUN_DIR   ?= runs/quickstart
RUN_TRAIN ?= --algo pqn --env CartPoleEasy --no-partial --obs-size 128 --num-envs 16 \
             --num-steps 32 --total-frames 65536 --features 64 --set lr=0.001 eps_decay=0.2

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install -e ".[agents,viz]"
	touch $@

run: install $(VENV)/.installed-run
	$(VENV)/bin/arcade list
	rm -rf $(RUN_DIR)
	$(VENV)/bin/arcade train $(RUN_TRAIN) --out $(RUN_DIR)
	$(VENV)/bin/arcade eval $(RUN_DIR) --episodes 32 --record $(RUN_DIR)/agent.gif

# the import contracts, the docs site built strictly, the core's and built-ins' suite (the
# docs' code blocks included: tests/test_docs.py), then every plugin's own tests, then
# `arcade new-plugin`'s skeletons: written, installed (in a throwaway overlay venv) and run
# through their tests
test: install-dev install-plugins lint-imports docs-test
	$(PY) -m pytest -n $(JOBS) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-plugins

# the site (mkdocs.yml): pages, the API reference from docstrings, the CLI reference from the
# parsers. docs-test fails on any warning: a broken link, a page missing from docs/, a
# docstring the reference cannot read
# (the theme prints a banner about mkdocs 2 on every build unless told not to)
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs

docs: install-dev
	$(MKDOCS) build

docs-test: install-dev
	$(MKDOCS) build --strict --site-dir $(VENV)/.site-check

docs-serve: install-dev
	$(MKDOCS) serve

test-plugins: install-plugins
	@set -e; for p in $(PLUGINS); do echo "== $$p"; (cd $$p && $(abspath $(PY)) -m pytest -q); done
	$(PY) plugins/check_new_plugin.py

lint: install-dev lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# the layer contracts of [tool.importlinter] in pyproject.toml (docs/architecture.md)
lint-imports: install-dev
	$(VENV)/bin/lint-imports

check: install
	$(VENV)/bin/arcade check --all

bench: install
	$(PY) benchmarks/envs.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info site
