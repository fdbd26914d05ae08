# The two commands of the README: `make site` (the bundled course's website) and `make test` (every test).
# Each target installs what is missing first (scripts/setup).

SWIFT ?= swift
BIN_DEBUG = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
# Release builds link Swift's runtime and Foundation statically: a process then looks none of their
# symbols up as it runs, which was a fifth of the CPU of a rebuild with nothing changed
# (docs/site.md, "The site"). The same flags for every release build, so that none rebuilds the others'.
RELEASE = -c release --static-swift-stdlib
BIN_RELEASE = $(shell $(SWIFT) build $(RELEASE) --show-bin-path 2>/dev/null)

.PHONY: all setup build site test test-swift test-python bench fuzz fixtures schema clean help

all: build

help:
	@echo "make site    install what is missing, build, turn the bundled course (Site/) into a website (Site/_site/)"
	@echo "make test    install what is missing, build, run every test (Swift, Python, browser)"
	@echo "make bench   time the engine (MLP, LSTM, skip-gram, attention, conv2d) beside numpy, the site build beside cmark-gfm, the site's weight, a viewer step in Chromium, save-to-reload of `unrolled serve` (release build)"
	@echo "make fuzz    fuzz every parser of outside input with libFuzzer, FUZZ_SECONDS each (default 60; not part of make test)"
	@echo "make build   build the package (debug)"
	@echo "make fixtures  regenerate the reference values from the independent numpy implementations"
	@echo "make schema  write docs/trace.schema.json's op rules from the ops' declarations (after adding or changing an op)"

setup:
	@bash scripts/setup

build: setup
	$(SWIFT) build

site: setup
	$(SWIFT) build --product unrolled
	"$(BIN_DEBUG)/unrolled" build Site --output Site/_site
	@echo "Open $(CURDIR)/Site/_site/index.html in a browser (it works straight from disk)."

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	UNROLLED_BIN="$(BIN_DEBUG)/unrolled" python3 -m pytest -q -n 2 --dist loadscope --durations=15 Tests/Python Tests/Browser

bench: setup
	$(SWIFT) build $(RELEASE) --product unrolled-bench
	$(SWIFT) build $(RELEASE) --product unrolled
	"$(BIN_RELEASE)/unrolled-bench"
	python3 Benchmarks/site_bench.py "$(BIN_RELEASE)/unrolled"
	python3 Benchmarks/site_weight.py "$(BIN_RELEASE)/unrolled"
	python3 Benchmarks/viewer_bench.py "$(BIN_RELEASE)/unrolled"
	python3 Benchmarks/serve_bench.py "$(BIN_RELEASE)/unrolled"

# Coverage-guided fuzzing (libFuzzer) of the math scanner, Markdown, directive YAML, front matter,
# course.yml, trace decoding and checking, and demo parameters: scripts/fuzz, docs/fuzzing.md.
# Its own build folder (.build-fuzz), instrumented and release; not part of `make test`.
fuzz: setup
	bash scripts/fuzz

fixtures: setup
	for script in Tests/Fixtures/reference_*.py; do python3 "$$script" || exit 1; done

schema: setup
	$(SWIFT) build --product unrolled
	UNROLLED_BIN="$(BIN_DEBUG)/unrolled" python3 scripts/update-schema

clean:
	rm -rf .build .build-fuzz
