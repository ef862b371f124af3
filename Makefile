# The two commands of the README: `make book` builds the book (HTML and PDF), `make test` runs every
# test. Both create the virtual environment .venv and install requirements.txt when needed.
# The PDF needs LaTeX from Debian (README, "The PDF"); `make html` builds the HTML alone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: book html pdf test thorough bench lint ledger mutation clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going

# The PDF first (it executes the chapters), then the HTML, which reuses the executions and links
# the PDF (book/_ext/reader_edition.py links a PDF only when it is newer than every source).
book: $(BIN)/.installed
	$(MAKE) pdf
	$(MAKE) html

html: $(BIN)/.installed
	$(JB_BUILD)

pdf: $(BIN)/.installed
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null || { echo "make pdf needs \
	xelatex and latexmk: apt-get install --no-install-recommends latexmk texlive-latex-recommended \
	texlive-latex-extra texlive-fonts-recommended texlive-xetex fonts-freefont-otf"; exit 1; }
	$(JB_BUILD) --builder pdflatex
	@# latexmk leaves an up-to-date PDF untouched: mark it as made from the current sources
	touch _build/latex/hallu-proofs.pdf
	@echo "The PDF: _build/latex/hallu-proofs.pdf"

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
