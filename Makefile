# Developer tasks. `make demo` and `make test` are the README's two commands:
# each sets up everything it needs on a machine with Python 3.11 and pip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint install messages browser dovecot nginx clean lock audit

# `make demo PORT=8100 HOST=0.0.0.0`: where the demo listens.
PORT ?= 8000
HOST ?= 127.0.0.1

# pip prints what it collects and installs as it goes: the first install downloads and
# builds every dependency and takes a few minutes.
$(STAMP): pyproject.toml
	@echo "== [1/3] virtualenv in $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== [2/3] pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "== [3/3] wiredesk and its dependencies (the first time takes a few minutes)"
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) messages

# The interface's translations: each committed src/wiredesk/locale/<lang>/.../django.po
# compiled to the django.mo Django reads (not committed), only where the .po changed;
# GNU msgfmt when the machine has it, else Babel's writer in Python (README, Languages).
messages: $(STAMP)
	@$(BIN)/python -m wiredesk.core.catalogues

# The port is asked for first (standard library only, before the virtualenv exists), so
# a busy one is one line, not the end of a long install and build.
demo:
	@PYTHONPATH=src $(PYTHON) -m wiredesk.core.ports $(HOST) $(PORT)
	@$(MAKE) --no-print-directory install
	$(BIN)/wiredesk demo --host $(HOST) --port $(PORT)

# Headless Chromium for the browser tests comes from Debian's package, never a download.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped (apt-get install chromium)"; fi; }

# The real IMAP and POP3 server of the bounce-mailbox tests (tests/mailbox_server.py) is
# Debian's Dovecot; the tests start their own, never the system's service.
dovecot:
	@command -v dovecot >/dev/null 2>&1 || test -x /usr/sbin/dovecot || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      dovecot-imapd dovecot-pop3d >/dev/null; \
	  else echo "dovecot not found: mailbox tests will be skipped (apt-get install dovecot-imapd dovecot-pop3d)"; fi; }

# nginx with the Brotli static module runs docs/static-mode.md's configuration in
# tests/staticsite/test_nginx_config.py; the test starts its own, never the system's service.
nginx:
	@test -x /usr/sbin/nginx -a -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      nginx-light libnginx-mod-http-brotli-static >/dev/null; \
	  else echo "nginx not found: the static-mode nginx tests will be skipped (apt-get install nginx-light libnginx-mod-http-brotli-static)"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The schemathesis run at full strength in `make test`; a plain `pytest` runs it lighter.
SCHEMATHESIS_EXAMPLES ?= 40

# The whole suite on the embedded default (SQLite), then every database test again on
# PostgreSQL when WIREDESK_TEST_DATABASE_URL names one. End-to-end tests (tests/e2e/,
# real processes) run once, on SQLite.
test: install browser dovecot nginx lint audit
	WIREDESK_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) $(BIN)/pytest
	@if [ -n "$$WIREDESK_TEST_DATABASE_URL" ]; then \
	  echo "== database tests on PostgreSQL"; \
	  DATABASE_URL="$$WIREDESK_TEST_DATABASE_URL" \
	    WIREDESK_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) \
	    $(BIN)/pytest -m "django_db and not e2e"; \
	fi

# The everyday loop: in-process tests only, no real processes, no slow fuzzing.
test-fast: install
	$(BIN)/pytest -x -q -m "not e2e and not slow"

# The locked set: every runtime dependency pinned with its hashes, for
# `pip install --require-hashes -r requirements.lock`. Run after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip install --quiet 'pip-tools>=7.4'
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file=requirements.lock pyproject.toml

# Known vulnerabilities in the locked set (OSV, then PyPI); waivers in audit-waivers.txt.
# Says SKIPPED (exit 0) when no vulnerability service answers; AUDIT_FLAGS=--require-service
# makes that a failure.
audit: $(STAMP)
	$(BIN)/python tools/audit_dependencies.py $(AUDIT_FLAGS)

clean:
	rm -rf $(VENV) wiredesk-data .pytest_cache .ruff_cache
