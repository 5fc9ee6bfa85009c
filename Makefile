# Two entry points (see README.md):
#   make book   builds the book into _build/html
#   make test   runs every check: ruff, unit tests, nbval on every notebook, the strict
#               book build and the browser tests of the built book
# Both create (or reuse) the virtual environment in .venv with the pinned versions.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going
NBVAL := -p no:cacheprovider --nbval --sanitize-with nbval_sanitize.cfg

.PHONY: book test venv system-deps lint unit nbval build-book browser clean

$(STAMP): pyproject.toml constraints.txt scripts/ipython_kernel_config.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[tf-cpu,book,test]"
	mkdir -p $(VENV)/etc/ipython
	cp scripts/ipython_kernel_config.py $(VENV)/etc/ipython/
	touch $@

venv: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

unit: $(STAMP) system-deps
	$(PY) -m pytest tests -m "not browser"

nbval: $(STAMP) system-deps
	$(PY) -m pytest $(NBVAL) book

browser: $(STAMP) system-deps
	$(PY) -m pytest tests -m browser

test: lint unit nbval book browser

clean:
	rm -rf _build
