# Every target bootstraps .venv itself; `make run` starts the app, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench bench-all package wheel-check translations clean

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

# Both programs of the folder self-test: the window opens every screen; the console runs the CLI
# against a throwaway SQLite file (exit codes 0, then 2 for bad input). macOS: dist/slaapp.app too.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --clean build.spec
	QT_QPA_PLATFORM=offscreen dist/slaapp/slaapp --self-test
	dist/slaapp/slaapp-cli --version
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	dist/slaapp/slaapp-cli demo --db "sqlite:///$$tmp/cli.db" --days 3; \
	dist/slaapp/slaapp-cli export --db "sqlite:///$$tmp/cli.db" --last-week --out "$$tmp/week.xlsx"; \
	test -s "$$tmp/week.xlsx"; \
	code=0; dist/slaapp/slaapp-cli export --db "sqlite:///$$tmp/cli.db" --from nonsense --to 2026-01-07 --out "$$tmp/x.xlsx" || code=$$?; \
	test "$$code" = 2; echo "slaapp-cli: self-test passed"

# The template catalogue of every tr() text in the views; copy it to slaapp_<locale>.ts,
# translate it in Qt Linguist and compile it with pyside6-lrelease next to it (.qm).
translations: $(STAMP)
	$(BIN)/pyside6-lupdate -extensions py -no-obsolete -locations relative -source-language en slaapp/views -ts resources/i18n/slaapp.ts

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
