# The two commands that matter: `make demo` and `make test`.
# Each creates .venv and installs the package with its `dev` extra (everything the targets
# use), once per change of pyproject.toml: `make demo` then `make test` installs once.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs figures screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(STAMP)
	$(BIN)/python -m demos
	@echo
	@echo "The package lives in .venv: run '. .venv/bin/activate' to use 'python -c \"import autograd\"'"
	@echo "and the 'autograd' command, or call .venv/bin/python and .venv/bin/autograd directly."

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	@command -v chromium >/dev/null || echo "NOTE: the explorer's browser tests were skipped: \
	no chromium on PATH (enable them: apt-get install -y chromium)"

lint: $(STAMP)
	$(BIN)/ruff check .

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "Open site/index.html, or serve it with: python3 -m http.server -d site (then http://localhost:8000)"

# Redraw the figures the docs' Markdown shows (docs/figures/), as the build draws them.
figures: $(STAMP)
	$(BIN)/python docs/hooks.py

# The explorer's pictures in docs/images/ (README, docs/drawing.md); needs chromium.
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out site build dist .pytest_cache .ruff_cache .hypothesis
