# Verifier: `make run` serves the app with demo data; `make test` runs the whole suite.
# Both set up .venv on a fresh clone, with the first Python >= 3.12 found.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# PATH first, then the usual install locations (python.org, Homebrew, pyenv, uv, deadsnakes).
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 python3 python \
	/usr/local/bin/python3.1[2-9] /opt/homebrew/bin/python3.1[2-9] /usr/bin/python3.1[2-9] \
	$(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) \
	$(wildcard $(HOME)/.local/share/uv/python/cpython-3.1[2-9]*/bin/python3)

.PHONY: run test lint check clean ci

$(PY):
	@py=""; for c in $(PYTHON_CANDIDATES); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py=$$p; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "No Python >= 3.12 found; install one or put it on PATH." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py"; $$py -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_articles seeds/
	DJANGO_DEBUG=1 $(PY) manage.py ensure_analyst --url http://$(HOST):$(PORT)/
	@echo "Serving on http://$(HOST):$(PORT)/ with a background task worker for admin uploads (Ctrl-C stops both)"
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, then the checks on the source text itself (.ci/source_checks.py: no |safe or inline script,
# no password literal, the environment read only in verifier/env.py, ...).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) .ci/source_checks.py

check: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
