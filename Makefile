# The two commands that matter: `make demo` and `make test`.
# Each creates .venv and installs what it needs from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint docs bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per set of extras, redone when pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(subst +,$(comma),$*)]"
	touch $@

comma := ,

demo: $(VENV)/.installed-demo
	$(BIN)/python -m demos

test: $(VENV)/.installed-test+demo+docs
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	@command -v chromium >/dev/null || echo "NOTE: the explorer's browser tests were skipped: \
	no chromium on PATH (enable them: apt-get install -y chromium)"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

docs: $(VENV)/.installed-docs+demo
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The explorer's pictures in docs/images/ (README, docs/drawing.md); needs chromium.
screenshots: $(VENV)/.installed-test+demo+docs
	$(BIN)/python docs/screenshots.py

bench: $(VENV)/.installed-bench+demo
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out site .pytest_cache .ruff_cache .hypothesis
