# The two commands of the README: `make plan` (the main job) and `make test`.
# They need only Python 3.11+, make and git: uv is installed into .tools/ if it is not on PATH, then the
# locked environment into .venv/ (`uv sync --locked`: the lock is never re-resolved on install).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# Compile bytecode at install time, or every process pays seconds compiling the provider SDKs.
export UV_COMPILE_BYTECODE := 1
AS_OF ?=
AS_OF_FLAG := $(if $(AS_OF),--as-of $(AS_OF),)

.PHONY: plan test lint install
.DEFAULT_GOAL := plan

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet "uv>=0.9,<0.14"

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked
	$(UV) pip check
	@touch $@

install: .venv/.synced

plan: install
	$(UV) run --locked sovereign plan --all $(AS_OF_FLAG)

test: install
	$(UV) run --locked pytest

lint: install
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked pyright
