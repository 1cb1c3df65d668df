# Set-up and checks for vendorwatch. `make demo` and `make test` do everything on a
# fresh Debian machine (run as root, or with sudo available, for the apt-get step).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT    := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get
PYTEST_ARGS ?=

.PHONY: demo test lint eval bench system-python system-test clean

demo: $(VENV)/.installed-demo
	$(VENV)/bin/vendorwatch demo

test: system-test $(VENV)/.installed-test
	$(VENV)/bin/ruff check daemon nlp tests bench eval
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check daemon nlp tests bench eval
	$(VENV)/bin/ruff format --check daemon nlp tests bench eval

# Quality figures: new-text extraction on the shared corpora, and the detectors, the
# extractors and the whole pipeline on a labeled folder (default
# ../shared/datasets/vendor-threads-dev).
EVAL_FOLDER ?=
eval: $(VENV)/.installed-test
	$(PY) eval/newtext.py
	$(PY) eval/language.py $(EVAL_FOLDER)
	$(PY) eval/ambiguity.py $(EVAL_FOLDER)
	$(PY) eval/confusion.py $(EVAL_FOLDER)
	$(PY) eval/product.py $(EVAL_FOLDER)
	$(PY) eval/commitments.py $(EVAL_FOLDER)
	$(PY) eval/money.py $(EVAL_FOLDER)
	$(PY) eval/money.py --sample
	$(PY) eval/tracking.py $(EVAL_FOLDER)

bench: system-test $(VENV)/.installed-test
	$(PY) bench/backfill.py --analysis off
	$(PY) bench/backfill.py --analysis on
	$(PY) bench/analysis.py
	$(PY) bench/queries.py
	$(PY) bench/scale.py
	$(PY) bench/bombs.py
	$(PY) bench/latency.py
	$(PY) bench/soak.py

# python3 with venv and pip: Debian splits venv into its own package.
system-python:
	@if ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
		echo "installing python3-venv"; \
		$(APT) update -qq && $(APT) install -y -qq python3 python3-venv python3-pip; \
	fi

# Dovecot (the real IMAP server the tests run) and isync (mbsync, the benchmark's reference).
system-test: system-python
	@if ! command -v dovecot >/dev/null 2>&1 || ! command -v mbsync >/dev/null 2>&1; then \
		echo "installing dovecot-imapd and isync"; \
		$(APT) update -qq && $(APT) install -y -qq dovecot-imapd isync; \
	fi

$(VENV)/.installed-demo: pyproject.toml | system-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | system-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-demo

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
