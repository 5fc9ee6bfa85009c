# Two entry points (see README.md):
#   make book   builds the book into _build/html
#   make test   runs every check: ruff (lint and format), the unit tests under each Keras
#               backend (TensorFlow, JAX, PyTorch), nbval on every notebook under each backend
#               (and under TensorFlow once more with oneDNN off), the wheel and sdist build with a
#               fresh-environment install, the strict book build and the browser tests
# Both create (or reuse) the virtual environment in .venv with the pinned versions.
# Each step is also a target of its own; .github/workflows/test.yml runs them as CI jobs.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JB_FLAGS := -W -n --keep-going
# pytest-xdist: one worker per core. `--dist loadscope` keeps each test module (and so each
# notebook, whose cells must run top to bottom in one kernel, as nbval's README asks) on one
# worker, where its module fixtures are built once. WORKERS=0 runs everything in one process.
WORKERS ?= auto
XDIST := $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadscope)
# Every run ends with its slowest tests, so where the suite's time goes is always on screen.
DURATIONS := --durations=15
NBVAL := -p no:cacheprovider --nbval --sanitize-with nbval_sanitize.cfg

.PHONY: book test venv system-deps data browser-deps lint unit test-jax test-torch nbval nbval-jax \
	nbval-torch nbval-onednn-off run-all build \
	build-book browser clean speed mutation test-next

$(STAMP): pyproject.toml constraints.txt scripts/ipython_kernel_config.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[tf-cpu,book,test,jax,torch,export]"
	mkdir -p $(VENV)/etc/ipython
	cp scripts/ipython_kernel_config.py $(VENV)/etc/ipython/
	touch $@

venv: $(STAMP)

# Fashion-MNIST for the unit tests and the notebooks; Chromium and a Korean font for the browser
# tests. Each installs what it can and fails, saying what to do, only when the piece is missing.
data:
	PYTHON=$(PYTHON) bash scripts/system-deps.sh data

browser-deps:
	bash scripts/system-deps.sh browser

system-deps: data browser-deps

book: $(STAMP) book-assets
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS)

# actionlint: the workflows' syntax, expressions, action inputs and runtimes (shellcheck and
# pyflakes off, so the result does not depend on what else is installed).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/actionlint -shellcheck= -pyflakes= .github/workflows/*.yml

unit: $(STAMP) data
	$(PY) -m pytest tests -m "not browser and not packaging and not run_all" $(XDIST) $(DURATIONS)

# The package's tests again under JAX and under PyTorch: layers, models, helpers and exercise
# checkers must not depend on TensorFlow. Tests marked tensorflow_only (a TensorFlow API such as
# tf.data, or a fact about TensorFlow itself) are skipped there; tests/book checks files, not a
# backend, and runs once.
BACKEND_TESTS := tests --ignore=tests/book -m "not browser and not tensorflow_only and not packaging and not run_all"

test-jax: $(STAMP) data
	KERAS_BACKEND=jax $(PY) -m pytest $(BACKEND_TESTS) $(XDIST) $(DURATIONS)

# PyTorch on CPU: one intra-op thread per process. With one xdist worker (or notebook kernel)
# per core, PyTorch's default of one OpenMP thread per core oversubscribes the cores and its
# spinning threads stall each other: two processes training the VAE side by side took 13-52 s
# for 300 steps with 2 threads each and 0.9 s with 1 thread each, 0.9 s alone
# (`.venv/bin/python benchmarks/torch_threads.py`). TensorFlow's and JAX's pools do not do this.
TORCH_THREADS := OMP_NUM_THREADS=1

test-torch: $(STAMP) data
	$(TORCH_THREADS) KERAS_BACKEND=torch $(PY) -m pytest $(BACKEND_TESTS) $(XDIST) $(DURATIONS)

# nbval as "모두 실행" runs a chapter: scripts/reader_copy.py copies every notebook into an empty
# folder outside the checkout with the skip tags lifted (the checker calls then expect their
# "⏳ … 아직 채점할 …" report, the empty answer cells and the Colab cell run unchecked), so one run
# per backend checks every stored output and that every cell runs with the answers empty.
# $(1): the environment of the run (the backend). NOTEBOOKS="book/10_performance.ipynb" runs fewer.
reader_nbval = set -e; export $(1); dest=$$(mktemp -d); trap 'rm -rf "$$dest"' EXIT; \
	$(PY) scripts/reader_copy.py "$$dest" $(NOTEBOOKS) > /dev/null; cd "$$dest"; \
	$(abspath $(PY)) -m pytest $(NBVAL) $(XDIST) $(DURATIONS) .

nbval: $(STAMP) data
	$(call reader_nbval,KERAS_BACKEND=tensorflow)

# The same stored outputs under JAX and PyTorch (book/conftest.py: the notebooks read
# KERAS_BACKEND; only cells tagged tensorflow-only keep a TensorFlow-only output).
nbval-jax: $(STAMP) data
	$(call reader_nbval,KERAS_BACKEND=jax)

nbval-torch: $(STAMP) data
	$(call reader_nbval,$(TORCH_THREADS) KERAS_BACKEND=torch)

# The notebooks again with TensorFlow's oneDNN kernels off (as on CPUs or builds without them):
# the stored outputs must not depend on which matmul kernels rounded the last digits.
nbval-onednn-off: $(STAMP) data
	$(call reader_nbval,KERAS_BACKEND=tensorflow TF_ENABLE_ONEDNN_OPTS=0)

# How long a reader waits for "모두 실행" (the table in CONTRIBUTING.md): every cell of every
# notebook in an empty folder, one notebook at a time, its seconds printed
# (tests/book/test_run_all.py; not part of `make test`, whose nbval runs already run every cell).
RUN_ALL_BACKENDS ?= tensorflow jax torch
run-all: $(STAMP) data
	set -e; for backend in $(RUN_ALL_BACKENDS); do \
		$(TORCH_THREADS) KERAS_BACKEND=$$backend $(PY) -m pytest tests/book/test_run_all.py \
			-m run_all -s -p no:cacheprovider $(DURATIONS); \
	done

# The wheel and sdist (`python -m build`, `twine check`), installed in a fresh virtual
# environment with only the base dependencies and JAX; prints the `import companion` time.
build: $(STAMP)
	$(PY) -m pytest tests/test_packaging.py -m packaging -s

# Checks that are not part of `make test`: wall-clock ratios depend on how busy the machine is,
# and the mutation run (every deliberate breakage of the package against its named test) takes
# about 8 minutes.
speed: $(STAMP) data
	$(PY) -m pytest benchmarks/test_speed_ratio.py

mutation: $(STAMP) data
	$(PY) scripts/mutation_check.py

# The course on the next Keras: keras-nightly and the newest TensorFlow, JAX and PyTorch
# releases (tried on TensorFlow and JAX; NEXT_BACKENDS="tensorflow jax torch" adds PyTorch's
# runs) in a virtual environment of its own,
# $(NEXT_VENV) (.venv is not touched); every other package keeps its constraints.txt pin
# (scripts/next_env.py), so what differs comes from Keras or a backend. Runs the unit tests and
# nbval (on the reader's copies, as `make nbval` does) under each backend of NEXT_BACKENDS,
# each writing junit XML to $(NEXT_DIR), and
# scripts/next_report.py turns them into $(NEXT_DIR)/report.md: the versions that moved, the
# failing tests, the changed cells with a diff of their outputs. It fails when anything failed;
# nothing depends on it, and .github/workflows/next-keras.yml runs it weekly, never blocking main.
# PyTorch comes as the CPU build: PyPI's Linux torch wheel is the CUDA one (several GB), so
# NEXT_TORCH_INDEX names PyTorch's CPU index (the workflow sets https://download.pytorch.org/whl/cpu);
# left empty, the pinned torch of constraints.txt is installed (machines that reach PyPI only
# keep its CPU wheel in pip's find-links, as this course's test machines do).
NEXT_VENV ?= .venv-next
NEXT_PY := $(NEXT_VENV)/bin/python
NEXT_DIR ?= _build/next
NEXT_BACKENDS ?= tensorflow jax
NEXT_TORCH_INDEX ?=
NEXT_PIP := $(NEXT_PY) -m pip install -q
NEXT_TORCH := $(if $(NEXT_TORCH_INDEX),--upgrade torch --index-url $(NEXT_TORCH_INDEX),$(shell grep '^torch==' constraints.txt))

test-next: data
	test -x $(NEXT_PY) || $(PYTHON) -m venv $(NEXT_VENV)
	rm -rf $(NEXT_DIR) && mkdir -p $(NEXT_DIR)
	$(NEXT_PIP) --upgrade pip
	$(NEXT_PIP) --upgrade tensorflow-cpu jax jaxlib
	# PyTorch even when NEXT_BACKENDS leaves it out: the appendix runs its tables on every backend.
	$(NEXT_PIP) $(NEXT_TORCH)
	# TensorFlow requires `keras`; keras-nightly installs the same files under another name.
	$(NEXT_PY) -m pip uninstall -q -y keras keras-nightly
	$(NEXT_PIP) --upgrade "keras-nightly>=3.0.0.dev0"
	$(NEXT_PY) scripts/next_env.py tools $(NEXT_DIR)
	$(NEXT_PIP) -c $(NEXT_DIR)/constraints.txt -r $(NEXT_DIR)/requirements.txt
	$(NEXT_PIP) --no-deps -e .
	mkdir -p $(NEXT_VENV)/etc/ipython
	cp scripts/ipython_kernel_config.py $(NEXT_VENV)/etc/ipython/
	$(NEXT_PY) scripts/next_env.py versions $(NEXT_DIR)
	$(NEXT_PY) -m pip check > $(NEXT_DIR)/pip-check.txt || true
	for backend in $(NEXT_BACKENDS); do \
		$(TORCH_THREADS) KERAS_BACKEND=$$backend $(NEXT_PY) -m pytest tests \
			-m "not browser and not packaging and not run_all" -p no:cacheprovider $(XDIST) \
			--junitxml=$(NEXT_DIR)/unit-$$backend.xml > $(NEXT_DIR)/unit-$$backend.log 2>&1; \
		dest=$$(mktemp -d); $(NEXT_PY) scripts/reader_copy.py "$$dest" > /dev/null; \
		(cd "$$dest" && $(TORCH_THREADS) KERAS_BACKEND=$$backend PYTHONPATH=$(abspath scripts) \
			$(abspath $(NEXT_PY)) -m pytest $(NBVAL) --nbval-current-env -p nbval_record_outputs \
			$(XDIST) . --junitxml=$(abspath $(NEXT_DIR))/nbval-$$backend.xml) \
			> $(NEXT_DIR)/nbval-$$backend.log 2>&1; rm -rf "$$dest"; \
		tail -n 1 $(NEXT_DIR)/unit-$$backend.log $(NEXT_DIR)/nbval-$$backend.log; \
	done
	$(NEXT_PY) scripts/next_report.py $(NEXT_DIR) --backends "$(NEXT_BACKENDS)"

browser: book pdf browser-deps
	$(PY) -m pytest tests -m browser

test: lint unit test-jax test-torch nbval nbval-jax nbval-torch nbval-onednn-off build book pdf browser

clean:
	rm -rf _build build dist *.egg-info

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
pdf: $(STAMP) book-assets browser-deps
	$(VENV)/bin/jupyter-book build . --builder singlehtml $(JB_FLAGS)
	$(PY) scripts/book_pdf.py
