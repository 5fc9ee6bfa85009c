# Two entry points (see README.md):
#   make book   builds the book into _build/html
#   make test   runs every check: ruff, unit tests (under TensorFlow, then the layer and model
#               tests under JAX), nbval on every notebook (with oneDNN on and off), the
#               strict book build and the browser tests of the built book
# Both create (or reuse) the virtual environment in .venv with the pinned versions.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going
NBVAL := -p no:cacheprovider --nbval --sanitize-with nbval_sanitize.cfg

.PHONY: book test venv system-deps lint unit test-jax nbval nbval-onednn-off build-book browser clean

$(STAMP): pyproject.toml constraints.txt scripts/ipython_kernel_config.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[tf-cpu,book,test,jax]"
	mkdir -p $(VENV)/etc/ipython
	cp scripts/ipython_kernel_config.py $(VENV)/etc/ipython/
	touch $@

venv: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

book: $(STAMP) book-assets
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

unit: $(STAMP) system-deps
	$(PY) -m pytest tests -m "not browser"

# The layer, model and robustness tests again under the JAX backend: the package must not
# depend on TensorFlow. Tests marked tensorflow_only (tf.GradientTape, tf.data) are left out.
test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest tests/layers tests/models tests/robustness -m "not browser and not tensorflow_only"

nbval: $(STAMP) system-deps
	$(PY) -m pytest $(NBVAL) book

# The notebooks again with TensorFlow's oneDNN kernels off (as on CPUs or builds without them):
# the stored outputs must not depend on which matmul kernels rounded the last digits.
nbval-onednn-off: $(STAMP) system-deps
	TF_ENABLE_ONEDNN_OPTS=0 $(PY) -m pytest $(NBVAL) book

browser: $(STAMP) system-deps
	$(PY) -m pytest tests -m browser

test: lint unit test-jax nbval nbval-onednn-off book pdf browser

clean:
	rm -rf _build

# Browser files pinned in scripts/book-assets/package.json and its lock file, from the npm
# registry: MathJax (served by the book itself, so formulas render offline) and axe-core (the
# accessibility checks of the browser tests). `npm ci` writes node_modules/.package-lock.json.
BOOK_ASSETS := scripts/book-assets/node_modules/.package-lock.json
$(BOOK_ASSETS): scripts/book-assets/package.json scripts/book-assets/package-lock.json
	npm ci --prefix scripts/book-assets --no-audit --no-fund
	touch $@

.PHONY: book-assets pdf
book-assets: $(BOOK_ASSETS)

# The PDF edition: the book as one page, printed by headless Chromium (scripts/book_pdf.py),
# to _build/pdf/ and next to the HTML in _build/html/. tests/book/test_pdf.py checks it.
pdf: $(STAMP) book-assets system-deps
	$(VENV)/bin/jupyter-book build . --builder singlehtml $(JB_FLAGS)
	$(PY) scripts/book_pdf.py
