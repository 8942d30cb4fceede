# Two entry points for a fresh machine: `make demo` and `make test`. Both install what they need
# into ./.venv first (re-installed when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser redis demo test eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsclaims demo

# The Datasette and report tests drive a real headless Chromium (Debian's packages); without it they skip.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "note: chromium/chromedriver not installed (needs root and apt-get); browser tests will be skipped"

# The distributed-crawl tests start their own redis-server (Debian's package) on a free loopback port;
# without it they skip.
redis:
	@command -v redis-server >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } || \
	  echo "note: redis-server not installed (needs root and apt-get); distributed-crawl tests will be skipped"

test: $(STAMP) browser redis
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/newsclaims eval extraction
	$(BIN)/newsclaims eval nlp

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
