# Two commands matter: `make demo` and `make test`.  Both bootstrap .venv
# (create it, install the project with its locked dependencies) when it is
# missing or older than pyproject.toml / requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/triage demo --out data/sample --force

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lockvenv/bin/python -m pip freeze --exclude-editable | grep -v '^triage' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) data/sample .pytest_cache .mypy_cache .ruff_cache
