# Bulkhead: `make run` serves on the embedded SQLite store; `make test` runs every test.
# Both install missing Debian packages first.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
RUN_ARGS ?= --listen 127.0.0.1:8080 --data ./data

# The sanitizer build: clang, AddressSanitizer and UndefinedBehaviorSanitizer, no jemalloc, and
# the libFuzzer targets (fuzz/); make test runs each fuzzer FUZZ_SECONDS, make test-sanitize
# the unit tests and the integration tests on SQLite and PostgreSQL (SANITIZE_POSTGRES= : SQLite
# only).
SANITIZE_BUILD_DIR ?= build-sanitize
FUZZ_SECONDS ?= 20
SANITIZE_POSTGRES ?= 1

.PHONY: all deps client-deps console configure build run test lint clean sanitize-configure fuzz-build test-fuzz test-sanitize

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure console
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The web console (console/, TypeScript): its npm packages (pinned by its lockfile, installed
# again only when the lockfile changes), then `npm run build` into console/dist when a source
# changed. The binary serves console/dist at /console/ (--console-dir).
CONSOLE_DEPS_STAMP := console/node_modules/.installed
$(CONSOLE_DEPS_STAMP): console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	@touch $@

CONSOLE_SOURCES := $(shell find console/src console/public console/scripts -type f 2>/dev/null) \
	console/index.html console/package.json console/tsconfig.json console/vite.config.ts
console/dist/index.html: $(CONSOLE_DEPS_STAMP) $(CONSOLE_SOURCES)
	cd console && npm run build
	@touch $@

console: console/dist/index.html

run: build
	$(BUILD_DIR)/bulkhead serve $(RUN_ARGS)

# The contract test's npm packages (tests/client, pinned by its lockfile): npm ci, again only
# when the lockfile changes. The test itself downloads nothing.
CLIENT_STAMP := tests/client/node_modules/.installed
$(CLIENT_STAMP): tests/client/package-lock.json
	cd tests/client && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(CLIENT_STAMP)

# The OpenID Connect suite's npm packages (tests/oidc: openid-client, jose), the same way.
OIDC_STAMP := tests/oidc/node_modules/.installed
$(OIDC_STAMP): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(OIDC_STAMP)

# The events and webhooks suite's npm package (tests/webhooks: standardwebhooks), the same way.
WEBHOOKS_STAMP := tests/webhooks/node_modules/.installed
$(WEBHOOKS_STAMP): tests/webhooks/package-lock.json
	cd tests/webhooks && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(WEBHOOKS_STAMP)

# The SAML single sign-on suite's npm packages (tests/sso-saml: samlify as the identity provider,
# its schema validator node-xmllint, no Java), the same way.
SSO_SAML_STAMP := tests/sso-saml/node_modules/.installed
$(SSO_SAML_STAMP): tests/sso-saml/package-lock.json
	cd tests/sso-saml && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(SSO_SAML_STAMP)

# The enterprise SSO (OpenID Connect) suite's npm packages (tests/sso-oidc: oidc-provider as an
# organization's IdP, openid-client and jose as an application), the same way.
SSO_OIDC_STAMP := tests/sso-oidc/node_modules/.installed
$(SSO_OIDC_STAMP): tests/sso-oidc/package-lock.json
	cd tests/sso-oidc && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(SSO_OIDC_STAMP)

# The web console's browser suite's npm packages (tests/console: playwright-core, axe-core),
# the same way. It drives Debian's chromium (scripts/install-deps): no browser is downloaded.
CONSOLE_TEST_STAMP := tests/console/node_modules/.installed
$(CONSOLE_TEST_STAMP): tests/console/package-lock.json
	cd tests/console && npm ci --no-audit --no-fund
	@touch $@

client-deps: $(CONSOLE_TEST_STAMP)

# First the format check; then every suite on SQLite and again on a throwaway PostgreSQL cluster (loopback only) that
# this target starts and stops; then each fuzzer for a bounded time, then the unit and
# integration tests again under the sanitizers. CI runs exactly this.
test: format-check build client-deps
	@pgdir=$$(mktemp -d /tmp/bulkhead-pg-XXXXXX); \
	trap '$(CURDIR)/scripts/test-postgres stop '"$$pgdir" EXIT; \
	url=$$(scripts/test-postgres start "$$pgdir") || exit 1; \
	echo "test PostgreSQL: $$url"; \
	cd $(BUILD_DIR) && BULKHEAD_TEST_POSTGRES_URL="$$url" ctest --output-on-failure -j $(JOBS) --timeout 600
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-sanitize

# Every tracked C++ file as clang-format (.clang-format) writes it; a diff fails make test and CI.
format-check: deps
	@git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run --Werror && \
	  echo "format-check: every C++ file is clang-format clean"

$(SANITIZE_BUILD_DIR)/build.ninja: CMakeLists.txt fuzz/CMakeLists.txt
	cmake -S . -B $(SANITIZE_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
	  -DCMAKE_CXX_COMPILER=clang++ -DBULKHEAD_FUZZ=ON -DBULKHEAD_BENCH=OFF

sanitize-configure: deps $(SANITIZE_BUILD_DIR)/build.ninja

fuzz-build: sanitize-configure
	cmake --build $(SANITIZE_BUILD_DIR) -j $(JOBS) --target fuzzers

# Each fuzzer for FUZZ_SECONDS from the seeds in fuzz/corpus/ (bench/fuzz runs them longer).
test-fuzz: fuzz-build
	cd $(SANITIZE_BUILD_DIR) && cmake -DBULKHEAD_FUZZ_SECONDS=$(FUZZ_SECONDS) . >/dev/null && \
	  ctest --output-on-failure -j $(JOBS) -L fuzz

# A report from any process (the servers the integration tests start included) is written to
# $(SANITIZE_BUILD_DIR)/sanitizer-logs and fails the target, even when the test that caused it
# passed. (The availability suite, which measures latency, is not built here.)
test-sanitize: sanitize-configure
	cmake --build $(SANITIZE_BUILD_DIR) -j $(JOBS) --target bulkhead core_tests unit_tests integration_tests
	@logs=$(CURDIR)/$(SANITIZE_BUILD_DIR)/sanitizer-logs; rm -rf "$$logs"; mkdir -p "$$logs"; \
	export ASAN_OPTIONS="log_path=$$logs/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"; \
	export UBSAN_OPTIONS="log_path=$$logs/ubsan:print_stacktrace=1:halt_on_error=1"; \
	exclude='^(bench\.|postgres\.)'; pgdir=""; \
	if [ -n "$(SANITIZE_POSTGRES)" ]; then \
	  pgdir=$$(mktemp -d /tmp/bulkhead-pg-XXXXXX); \
	  trap '$(CURDIR)/scripts/test-postgres stop '"$$pgdir" EXIT; \
	  export BULKHEAD_TEST_POSTGRES_URL=$$(scripts/test-postgres start "$$pgdir") || exit 1; \
	  exclude='^bench\.'; \
	fi; \
	status=0; (cd $(SANITIZE_BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900 \
	  -LE fuzz -E "$$exclude") || status=1; \
	if [ -n "$$(ls -A "$$logs")" ]; then \
	  echo "test-sanitize: sanitizer reports:"; cat "$$logs"/*; status=1; \
	fi; \
	exit $$status

# clang-format and clang-tidy on the C++ files changed against main (or all with ALL=1).
lint: configure
	@files=$$(if [ -n "$(ALL)" ]; then git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; \
	  else git diff --name-only --diff-filter=ACMR HEAD -- 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; fi); \
	if [ -z "$$files" ]; then echo "lint: no changed C++ files"; exit 0; fi; \
	clang-format --dry-run --Werror $$files && \
	clang-tidy -p $(BUILD_DIR) --quiet $$(echo $$files | tr ' ' '\n' | grep '\.cpp$$')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_BUILD_DIR)
