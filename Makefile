# Every target bootstraps .venv itself; `make run` starts the app, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench bench-all package wheel-check clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/slaapp

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-all: $(STAMP)
	$(BIN)/python -m benchmarks --all

# Build the wheel, install it into a fresh venv and use it from outside the source tree.
wheel-check: $(STAMP)
	bash .ci/wheel-check

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	QT_QPA_PLATFORM=offscreen dist/slaapp/slaapp --self-test

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
