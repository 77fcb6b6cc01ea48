# qualkit: `make demo` sets everything up and runs the demo; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := espeak-ng sox ffmpeg chromium postgresql
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Keep every library offline and quiet, whatever it was built to do by default.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export PYANNOTE_METRICS_ENABLED := 0
export DO_NOT_TRACK := 1

.PHONY: demo test venv lint typecheck unit wheel-smoke apt-deps clean-demo

venv: $(STAMP)

# torch goes first: installed alone it takes the CPU build; pulled in by another
# package it would bring gigabytes of CUDA wheels.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps openai-whisper==20250625
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  if [ $$p = postgresql ]; then ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing $$p"; \
	  else command -v $$p >/dev/null || missing="$$missing $$p"; fi; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing with apt"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

demo: venv
	$(BIN)/qualkit demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy qualkit

test: venv apt-deps lint
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc
	$(MAKE) wheel-smoke

# The package as a user installs it: wheel, fresh venv, commands from a folder outside the
# checkout. Borrows the installed dependencies, so it downloads nothing.
wheel-smoke: venv
	$(BIN)/python scripts/wheel_smoke.py

unit: venv
	$(BIN)/python -m pytest -q tests/unit

clean-demo:
	rm -f qualkit.db qualkit.db-wal qualkit.db-shm
	rm -rf exports/*.csv .qualkit
	find codebook -name '*.yaml' -delete
