# LinkDesk: `make run` serves the demo, `make test` runs the suite. Both work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
VENDOR := webapp/static/vendor
PO     := $(wildcard webapp/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test prepare prepare-dev i18n-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime install; the stamp is redone when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/plotly.min.js: $(VENV)/.installed
	mkdir -p $(VENDOR)
	$(BIN)/python -c "import plotly, pathlib, shutil; shutil.copy(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js', '$@')"

$(VENDOR)/plotly.css: $(VENDOR)/plotly.min.js scripts/vendor_plotly_css.py
	$(BIN)/python scripts/vendor_plotly_css.py $< $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel -q compile -f -i $< -o $@

prepare: $(VENV)/.installed $(VENDOR)/htmx.min.js $(VENDOR)/plotly.min.js $(VENDOR)/plotly.css $(MO)

prepare-dev: prepare $(VENV)/.installed-dev

run: prepare
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	@echo ""
	@echo "  LinkDesk is running at http://127.0.0.1:$(PORT)"
	@echo "  Sign in as demo@example.com / linkdesk-demo (owner)"
	@echo "          or reviewer@example.com / linkdesk-demo (reviewer)"
	@echo ""
	LINKDESK_ENV=development $(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The suite runs on every core (at most 4; each worker has its own database and browser).
PYTEST_ARGS ?= -n auto --maxprocesses=4
test: prepare-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Lists every user-facing string that has no Chinese translation yet (scripts/i18n.py).
i18n-check: prepare-dev
	$(BIN)/python scripts/i18n.py missing

bench: prepare-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(MO)
