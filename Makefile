# Two commands on a fresh machine (Python 3.11+ and Node): `make run` and `make test`.
# Each creates what it needs on first use: the virtual environment, node_modules, system tools.
VENV    := .venv
BIN     := $(CURDIR)/$(VENV)/bin
TOOLS   := PATH="$(BIN):$(CURDIR)/node_modules/.bin:$$PATH"
PYTHON  ?= python3

.PHONY: run test check lint bench fuzz sdk lock clean contract-diff docs docs-serve

run: $(VENV)/.run-installed
	MOCKSERVER_WATCH=$${MOCKSERVER_WATCH-true} $(BIN)/mockserver serve $(ARGS)

# In parallel (pytest-xdist): most tests wait on a subprocess, so more workers than cores pay.
# Tests sharing a module fixture stay on one worker (tests/conftest.py); contract suites run in
# two busy lanes and two mostly waiting ones (the staging target), the rest fills two more
# workers and the lanes' gaps. TEST_WORKERS=0: serial.
TEST_WORKERS ?= 6
test: $(VENV)/.test-installed node_modules/.installed system-tools
	$(TOOLS) $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The edit loop's tier, under a minute: lint, the tests that need no subprocess, server or
# browser (the in-process mock), and the contract suite against the in-process mock.
# CI runs everything (`make test`); a file listed here must stay quick.
CHECK_TESTS := tests/test_guards.py tests/test_strict_json.py tests/test_compiled_schema.py \
	tests/test_api_behaviour.py tests/test_http_edges.py tests/test_sessions.py \
	tests/test_search_index.py tests/test_store.py tests/test_durability.py tests/test_degraded.py \
	tests/test_healthcheck.py tests/test_progress.py tests/test_json_codec.py tests/test_spec_check.py tests/test_media_types.py tests/test_docs_routes.py \
	tests/test_control_api_contract.py contract_tests
check: lint
	$(BIN)/pytest -q -n 2 -m "not slow" -p no:cacheprovider $(CHECK_TESTS) $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(VENV)/.test-installed node_modules/.installed system-tools
	$(TOOLS) $(BIN)/python -m bench.run $(ARGS)

fuzz: $(VENV)/.test-installed
	$(TOOLS) $(BIN)/python -m bench.fuzz $(ARGS)

sdk: $(VENV)/.test-installed node_modules/.installed
	$(TOOLS) $(BIN)/python -m scripts.build_sdk build/sdk

# The docs site (properdocs.yml) into build/site: strict (a warning, a missing page, a broken
# link or anchor fails), screenshots shot afresh from a served mock, reference pages generated
# from the code; then every internal link and anchor of the built HTML is checked.
docs: $(VENV)/.test-installed node_modules/.installed system-tools
	rm -rf build/docs-screenshots
	$(TOOLS) $(BIN)/properdocs build --strict --clean
	$(BIN)/python -m scripts.docs_linkcheck build/site

# A preview on http://127.0.0.1:8000 (loopback only) that rebuilds on every edit.
docs-serve: $(VENV)/.test-installed node_modules/.installed system-tools
	$(TOOLS) $(BIN)/properdocs serve --dev-addr 127.0.0.1:8000

# openapi.yaml against BASE (a git revision; default: before the last commit that changed it).
# Fails on a breaking change not announced by a major info.version bump. ARGS="--format github"
contract-diff: $(VENV)/.run-installed
	PYTHON=$(BIN)/python sh scripts/contract-diff.sh $(BASE) $(ARGS)

# Exact versions from the locks (hashes checked), then the package itself with no network:
# setuptools comes from the lock. `make lock` refreshes both locks from pyproject.toml.
$(VENV)/.run-installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-installed: requirements-test.lock $(VENV)/.run-installed
	$(BIN)/python -m pip install -q --require-hashes -r requirements-test.lock
	touch $@

lock:
	sh scripts/lock.sh $(ARGS)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

system-tools:
	@sh scripts/ensure-system-tools.sh

clean:
	rm -rf $(VENV) node_modules build .mockserver
