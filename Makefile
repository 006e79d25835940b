# Bulkhead: `make run` serves on the embedded SQLite store; `make test` runs every test.
# Both install missing Debian packages first.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
RUN_ARGS ?= --listen 127.0.0.1:8080 --data ./data

.PHONY: all deps configure build run test lint clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bulkhead serve $(RUN_ARGS)

# Every suite runs on SQLite and again on a throwaway PostgreSQL cluster (loopback only) that
# this target starts and stops.
test: build
	@pgdir=$$(mktemp -d /tmp/bulkhead-pg-XXXXXX); \
	trap '$(CURDIR)/scripts/test-postgres stop '"$$pgdir" EXIT; \
	url=$$(scripts/test-postgres start "$$pgdir") || exit 1; \
	echo "test PostgreSQL: $$url"; \
	cd $(BUILD_DIR) && BULKHEAD_TEST_POSTGRES_URL="$$url" ctest --output-on-failure -j $(JOBS) --timeout 600

# clang-format and clang-tidy on the C++ files changed against main (or all with ALL=1).
lint: configure
	@files=$$(if [ -n "$(ALL)" ]; then git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; \
	  else git diff --name-only --diff-filter=ACMR HEAD -- 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; fi); \
	if [ -z "$$files" ]; then echo "lint: no changed C++ files"; exit 0; fi; \
	clang-format --dry-run --Werror $$files && \
	clang-tidy -p $(BUILD_DIR) --quiet $$(echo $$files | tr ' ' '\n' | grep '\.cpp$$')

clean:
	rm -rf $(BUILD_DIR)
