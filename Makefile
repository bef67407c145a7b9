# Thai HRD evaluation workbook. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := thai-hrd-workbook
# Notebooks are committed without outputs: git runs this on every notebook it stores (the
# filter is set up by `make setup` in this clone's .git/config; .gitattributes names it). Cell
# ids and the kernelspec stay; outputs, counts and what JupyterLab adds on save go.
NBSTRIPOUT := $(abspath $(BIN))/python -m nbstripout --keep-id --extra-keys metadata.language_info

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) \
		--display-name "Python (Thai HRD workbook)" > /dev/null
	@if git rev-parse --git-dir > /dev/null 2>&1; then \
		git config filter.nbstripout.clean "$(NBSTRIPOUT)" && \
		git config filter.nbstripout.smudge cat && \
		git config filter.nbstripout.required true && \
		git config diff.ipynb.textconv "$(NBSTRIPOUT) -t"; fi
	@touch $(STAMP)

## Create .venv, install the project (editable) and register its Jupyter kernel
setup: $(STAMP)

## Write the demo raw data (data/raw/<year>/) unless raw inputs are already there
demo-data: $(STAMP)
	$(BIN)/python -m helpers.demo --if-empty

## Set up, create demo data if data/raw holds no inputs, and run the pipeline for every year
reports: demo-data
	$(BIN)/workbook run

## Install Debian's chromium for the browser test of the reports (needs root or sudo)
browser:
	@command -v chromium > /dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium > /dev/null; }
	@command -v chromium > /dev/null && chromium --version 2> /dev/null

## Set up (with chromium) and run the test suite (PYTEST_ARGS="-k cleaning" to select)
test: $(STAMP) browser
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests; failing" >&2; fi; \
	exit $$status

## Run only the fast unit tests (skips notebook and end-to-end runs)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

## Check code style with ruff (notebooks included)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Format the code and regenerate notebooks (.ipynb) from their text twins (.py)
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/jupytext --sync notebooks/*.py

# JupyterLab shows Thai in the reports' embedded face and report fragments in the report CSS:
# helpers.app.lab writes build/lab/custom/custom.css; as a server extension it serves that
# folder as JupyterLab's custom/ (the user's Jupyter config is not touched).
LAB_CSS := --LabApp.custom_css=True --ServerApp.jpserver_extensions=helpers.app.lab=True

## Open JupyterLab on the notebooks with the project's kernel and the reports' Thai font
lab: $(STAMP)
	$(BIN)/python -m helpers.app.lab
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_CSS) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

## Time `workbook run` against a papermill + nbconvert CLI loop, and a national-size year
bench: $(STAMP)
	$(BIN)/python bench/bench_pipeline.py $(BENCH_ARGS)

## Remove processed data and reports (raw data is never touched)
clean:
	find data/processed reports -mindepth 1 ! -name README.md ! -name .gitkeep -delete

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-zA-Z_-]+:/{ if (doc) { split($$1,t,":"); \
		printf "  \033[36m%-12s\033[0m %s\n", t[1], doc }; doc="" }' $(MAKEFILE_LIST)

.PHONY: setup browser demo-data reports bench test test-fast lint format lab clean help
