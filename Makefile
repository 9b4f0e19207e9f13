# Caseflow — see README.md. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
FLASK  := $(BIN)/flask --app caseflow
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test test-pg test-e2e lint bench clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/pybabel compile -d caseflow/translations

# After marking strings: refresh the template and the catalogs (then translate, and `make install`).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__' --no-location --sort-output --project=Caseflow -o caseflow/translations/messages.pot .
	$(BIN)/pybabel update -i caseflow/translations/messages.pot -d caseflow/translations --no-fuzzy-matching --ignore-obsolete --width 120

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

# The same suite against PostgreSQL: make test-pg TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/caseflow_test
test-pg: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest

test-e2e: install
	$(BIN)/pytest tests/e2e -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.suggest

clean:
	rm -rf $(VENV) .pytest_cache
