# gameday: see README.md. `make demo` runs a whole GameDay locally; `make test` runs the tests.
SHELL := /bin/bash
GO ?= go
export CGO_ENABLED ?= 0
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export CDK_DISABLE_CLI_TELEMETRY ?= true

FUNCTIONS := $(notdir $(wildcard functions/*))
# The Go packages (not ./..., which would walk into node_modules). Of
# third_party/, only gameday's own generator: vendored upstream code is
# held to upstream by tests, not to this project's linters.
PKGS := ./cmd/... ./pkg/... ./functions/... ./events/... ./infra/... ./bench/... ./docs/... ./third_party/chaos-mesh/update
LAMBDA_FLAGS := -trimpath -ldflags='-s -w' -tags lambda.norpc

# npm packages, each set pinned by its own lockfile and installed with npm ci
# when its lockfile changes (defined here, before the rules that need them):
# - INTERPRETER: the States Language interpreter (aws-local-stepfunctions)
#   that run --local, gameday sim and the scenario suite run the workflow in,
#   from the manifest the CLI embeds; the CLI uses this install when it runs
#   from this checkout (elsewhere it installs its own into the user cache).
# - NODE_TOOLS: the CDK CLI (deploy, diff) and asl-validator (synth).
# GAMEDAY_SKIP_NODE_TESTS=1 make test skips what needs Node instead of
# failing on it.
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
INTERPRETER_DIR := pkg/interpreter/_npm
INTERPRETER := $(INTERPRETER_DIR)/node_modules/.package-lock.json
NODE_TOOLS := node_modules/.package-lock.json
SKIP_NODE := $(filter 1,$(GAMEDAY_SKIP_NODE_TESTS))

.PHONY: bench bench-quick all build build-cli $(FUNCTIONS:%=build-%) test test-go test-infra lint synth demo deploy diff clean node-check

all: build

build: build-cli $(FUNCTIONS:%=build-%)

# gameday version's commit: go build stamps it only at a clone's top with
# -buildvcs on, not in a git worktree (golang/go#58218), so link it in.
GIT_REVISION = $(shell git rev-parse HEAD 2>/dev/null)
GIT_MODIFIED = $(if $(shell git status --porcelain 2>/dev/null),true,false)
CLI_LDFLAGS = $(if $(GIT_REVISION),-X main.vcsRevision=$(GIT_REVISION) -X main.vcsModified=$(GIT_MODIFIED))

build-cli:
	$(GO) build -ldflags '$(CLI_LDFLAGS)' -o bin/gameday ./cmd/gameday

# One Lambda per folder under functions/, built for provided.al2023 on arm64.
$(FUNCTIONS:%=build-%): build-%:
	GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) -o dist/$*/bootstrap ./functions/$*

# The whole suite: Go packages, functions, CLI and the local scenario suite,
# then the CDK (jsii) tests, which need Node.
ifeq ($(SKIP_NODE),1)
test: test-go
	@echo "GAMEDAY_SKIP_NODE_TESTS=1: the tests that need Node (scenario suite, run --local, CDK) were skipped"
else
test: test-go test-infra
endif

test-go: $(if $(SKIP_NODE),,$(INTERPRETER) $(NODE_TOOLS))
	$(GO) test -timeout 30m ./pkg/... ./functions/... ./cmd/... ./events/... ./docs/... ./bench/... ./third_party/...

# The CDK (jsii) tests: they need Node, not make build (placeholder assets).
test-infra: node-check
	$(GO) test -timeout 30m ./infra/...

# The cloud assembly, offline (no CDK CLI, no AWS): the Go app with
# CDK_OUTDIR and cdk.json's context (as the CDK CLI would pass it), then asl-validator on the state machine and cfn-lint on each
# template.
CDK_OUT ?= cdk.out
CDK := npx --no-install cdk
synth: build $(NODE_TOOLS)
	rm -rf $(CDK_OUT)
	CDK_OUTDIR=$(CDK_OUT) CDK_CONTEXT_JSON="$$(node -p 'JSON.stringify(require("./cdk.json").context)')" $(GO) run ./infra
	infra/check-synth.sh $(CDK_OUT)

# Deploy or diff every stack of cdk.json with the pinned CDK CLI (npm ci
# first); telemetry off. Needs AWS credentials; not run in CI.
deploy: build $(NODE_TOOLS)
	$(CDK) deploy --all --require-approval broadening

diff: build $(NODE_TOOLS)
	$(CDK) diff --all

lint:
	@fmt=$$(find cmd pkg functions events infra bench third_party -name node_modules -prune -o -name '*.go' -print | xargs gofmt -l); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

$(INTERPRETER): $(INTERPRETER_DIR)/package.json $(INTERPRETER_DIR)/package-lock.json | node-check
	cd $(INTERPRETER_DIR) && $(NPM_CI) --ignore-scripts

$(NODE_TOOLS): package.json package-lock.json | node-check
	$(NPM_CI)

# Node and npm, or one line saying what to install.
node-check:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "make: this target needs Node.js 20 or newer with npm: install them (https://nodejs.org; Debian: apt-get install nodejs npm)$(if $(filter test%,$(MAKECMDGOALS)),; or GAMEDAY_SKIP_NODE_TESTS=1 make test to skip the tests that need them)" >&2; exit 1; }

# The walkthrough GameDay, end to end on this machine: exit 0 passed, 3
# hypothesis refuted, 4 stopped by a stop condition, 5 experiment failed
# or untested, 6 inconclusive are all outcomes of a working demo (make demo
# exits 0 for them); 1 and 2 fail it.
DEMO ?= examples/sock-shop-carts-latency.yaml
demo: build-cli $(INTERPRETER)
	@./bin/gameday run --local $(DEMO) --out out; rc=$$?; \
	if [ $$rc -eq 1 ] || [ $$rc -eq 2 ]; then exit $$rc; fi

# Benchmarks, not part of test or CI: orchestration against fixed poll
# loops, the archive against the naive approach, Lambda sizes and start,
# handler latency, the packages' go test -bench against their baselines,
# the CLI's first use, make demo against its scaled clock. A table, and bench/results.json
# (README's Performance shows it; go test ./bench holds the README to it).
bench: build-cli $(INTERPRETER)
	$(GO) run ./bench -out bench/results.json

# The same parts but first use and the demo, small: prints the table,
# keeps bench/results.json as it is.
bench-quick: build-cli $(INTERPRETER)
	$(GO) run ./bench -quick -out /dev/null

clean:
	rm -rf bin dist cdk.out out
