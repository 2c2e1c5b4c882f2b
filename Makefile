# The two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-sqlite test-postgres bench clean assets chromium screenshots conformance

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,embeddings]'
	touch $(STAMP)

NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
ASSETS := src/nmahp/web/static/nhsuk/nhsuk-frontend.min.css

# nhsuk-frontend from the npm registry, copied where Django serves static files; its CSS points at
# /assets/, which we serve under /static/nhsuk/assets/
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p src/nmahp/web/static/nhsuk
	sed 's#url(/assets/#url(/static/nhsuk/assets/#g' $(NHSUK)/nhsuk-frontend.min.css > $(ASSETS)
	cp $(NHSUK)/nhsuk-frontend.min.js src/nmahp/web/static/nhsuk/
	rm -rf src/nmahp/web/static/nhsuk/assets && cp -r $(NHSUK)/assets src/nmahp/web/static/nhsuk/assets

assets: $(ASSETS)

# the demo data, then the server with a background worker beside it (jobs queue in a SQLite file under var/:
# no other server to start; `nmahp demo --no-worker` serves without one)
run: $(STAMP) $(ASSETS)
	$(BIN)/nmahp demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) \
	  || (echo "Debian's chromium is needed for tests/e2e: apt-get install chromium" && exit 1)

test-sqlite: $(STAMP) $(ASSETS) chromium
	$(BIN)/pytest -n auto

# the database tests again, on PostgreSQL (pytest-django creates and drops test_test); the browser
# tests run once, on SQLite, to keep the suite short
test-postgres: $(STAMP) $(ASSETS)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n auto -m "db and not e2e"

test: lint test-sqlite test-postgres

# the browser tests save screenshots to var/screenshots/ (git-ignored); this refreshes docs/images/ on purpose
screenshots: $(STAMP) $(ASSETS) chromium
	NMAHP_SCREENSHOTS_DIR=docs/images $(BIN)/pytest tests/e2e

bench: $(STAMP)
	$(BIN)/python benchmarks/synth_scale.py
	$(BIN)/python benchmarks/store_scale.py
	$(BIN)/python benchmarks/analysis_scale.py 10000 100000 1000000 --import-up-to 100000
	$(BIN)/python benchmarks/report_scale.py 100000
	$(BIN)/python benchmarks/matching_scale.py
	$(BIN)/python benchmarks/load_survey.py 200 20
	$(BIN)/python benchmarks/navigator_speed.py

clean:
	rm -rf $(VENV) var .pytest_cache

# the interoperability tests, then their table copied into docs/interoperability.md
conformance: $(STAMP)
	-$(BIN)/pytest -q -m conformance
	$(BIN)/python -c "import re,pathlib; d=pathlib.Path('docs/interoperability.md'); t=pathlib.Path('var/interoperability.md').read_text(); s=d.read_text(); head=s.split('| file | made by')[0]; d.write_text(head+t)"
