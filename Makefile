# The two commands a user needs (see README):
#   make demo   install into .venv (created when missing, reused otherwise), run the workflow
#               on the bundled demo config, and print where results and report are.
#   make test   install the same way, then run ruff and the whole test suite.
#
# TORCH_SPEC is installed before the package so pip never resolves a bare `torch`
# requirement on its own: on a CPU machine with a local CPU wheel (pip find-links) that
# wheel is used; on a GPU node the same pin pulls PyPI's regular CUDA build.
# Override it, e.g. `make demo TORCH_SPEC="torch==2.5.1"`.

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
CORES ?= 2
CONFIG ?= config/config.yaml
PYTEST_ARGS ?=

BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install demo test lint report clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[test]"  # test = peers + workflow + test tools
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)
	$(BIN)/snakemake --cores 1 --configfile $(CONFIG) --report results/report.html
	@echo ""
	@echo "Results: $(abspath results)/"
	@echo "Report:  $(abspath results/report.html)"

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The documentation: installs the docs extra, then builds HTML with every tutorial executed
# (warnings, and so any failing cell, are errors). Open docs/_build/html/index.html.
$(VENV)/.docs-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

docs: $(VENV)/.docs-installed
	$(BIN)/python -m sphinx -b html -W --keep-going docs docs/_build/html
	@echo ""
	@echo "Docs: $(abspath docs/_build/html/index.html)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/snakemake --lint --configfile $(CONFIG)
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results logs .snakemake docs/_build docs/api docs/generated
