# Hearth: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test test-browser test-postgres bench loadtest lint migrate seed scheduler clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

migrate: $(STAMP)
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

# Serves the app and runs the scheduler beside it; Ctrl-C stops both.
run: seed
	@echo "Hearth is starting on http://127.0.0.1:5000 (Ctrl-C stops it)"
	@trap 'kill 0' INT TERM; \
	  $(FLASK) scheduler run & \
	  $(FLASK) run --host 127.0.0.1 --port 5000 --no-reload & \
	  wait

scheduler: $(STAMP)
	$(FLASK) scheduler run

test: $(STAMP)
	$(BIN)/ruff check mentoring tests
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

test-browser: $(STAMP)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# Every part always runs (a page missing its target still leaves the mail figures to read); the
# target fails if any part did.
bench: $(STAMP)
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS); pages=$$?; \
	  $(BIN)/python -m tests.bench.prompt_job; prompts=$$?; \
	  $(BIN)/python -m tests.bench.dispatch $(DISPATCH_BENCH_ARGS); mail=$$?; \
	  test $$pages -eq 0 -a $$prompts -eq 0 -a $$mail -eq 0

# The production shape under load: PostgreSQL (127.0.0.1:5432, user postgres) and Redis
# (127.0.0.1:6379) must be running. Locust comes from the `load` extra, installed here only.
LOAD_STAMP := $(VENV)/.installed-load
$(LOAD_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,load]'
	touch $(LOAD_STAMP)

loadtest: $(LOAD_STAMP)
	$(BIN)/python -m tests.load.run $(LOADTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check mentoring tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
