# The two commands of the README: `make book` builds the HTML book, `make test` runs every test.
# Both create the virtual environment .venv and install requirements.txt when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book test thorough bench lint ledger mutation clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

book: $(BIN)/.installed
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(BIN)/.installed
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest

thorough: $(BIN)/.installed
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -m "not book" -p no:cacheprovider -n auto

bench: $(BIN)/.installed
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

# Regenerate the verification ledger's data (book/data/ledger_*.json) from the tests and sweeps.
ledger: $(BIN)/.installed
	HALLU_LEDGER_OUT=book/data/ledger_tests.json $(BIN)/python -m pytest -m "not book" \
		--ignore=tests/test_notebooks.py --ignore=tests/test_book.py --ignore=tests/test_ledger.py \
		-p no:cacheprovider -q
	$(BIN)/python -m hallu_proofs.ledger book/data/ledger_sweeps.json

# Mutation testing of the library with mutmut (long: see the README for its duration here).
mutation: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet "mutmut==3.8.1"
	HYPOTHESIS_PROFILE=mutation $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results --all true > mutants/results.txt
	$(BIN)/python -m hallu_proofs.ledger mutation mutants/results.txt \
		tests/mutation_equivalents.txt book/data/ledger_mutation.json

lint: $(BIN)/.installed
	$(BIN)/ruff check hallu_proofs tests bench

clean:
	rm -rf _build
