# gameday: see README.md. `make demo` runs a whole GameDay locally; `make test` runs the tests.
SHELL := /bin/bash
GO ?= go
export CGO_ENABLED ?= 0
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export CDK_DISABLE_CLI_TELEMETRY ?= true

FUNCTIONS := $(notdir $(wildcard functions/*))
# The Go packages (not ./..., which would walk into node_modules).
PKGS := ./cmd/... ./pkg/... ./functions/... ./events/... ./infra/...
LAMBDA_FLAGS := -trimpath -ldflags='-s -w' -tags lambda.norpc

.PHONY: all build build-cli $(FUNCTIONS:%=build-%) test test-go test-infra lint synth demo deploy diff clean

all: build

build: build-cli $(FUNCTIONS:%=build-%)

build-cli:
	$(GO) build -o bin/gameday ./cmd/gameday

# One Lambda per folder under functions/, built for provided.al2023 on arm64.
$(FUNCTIONS:%=build-%): build-%:
	GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) -o dist/$*/bootstrap ./functions/$*

# The whole suite: Go packages, functions, CLI and the local scenario suite,
# then the CDK (jsii) tests, which need Node.
test: test-go test-infra

test-go: $(NODE_DEPS)
	$(GO) test ./pkg/... ./functions/... ./cmd/... ./events/...

# The CDK (jsii) tests: they need Node, not make build (placeholder assets).
test-infra:
	$(GO) test ./infra/...

# The cloud assembly, offline (no CDK CLI, no AWS): the Go app with
# CDK_OUTDIR, then asl-validator on the state machine and cfn-lint on each
# template.
CDK_OUT ?= cdk.out
CDK := npx --no-install cdk
synth: build
	rm -rf $(CDK_OUT)
	CDK_OUTDIR=$(CDK_OUT) $(GO) run ./infra
	infra/check-synth.sh $(CDK_OUT)

# Deploy or diff every stack of cdk.json with the pinned CDK CLI (npm ci
# first); telemetry off. Needs AWS credentials; not run in CI.
deploy: build
	$(CDK) deploy --all --require-approval broadening

diff: build
	$(CDK) diff --all

lint:
	@fmt=$$(gofmt -l cmd pkg functions events infra); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	@cp go.mod /tmp/gameday-go.mod.bak && cp go.sum /tmp/gameday-go.sum.bak; \
	$(GO) mod tidy && git diff --exit-code go.mod go.sum; rc=$$?; \
	cp /tmp/gameday-go.mod.bak go.mod; cp /tmp/gameday-go.sum.bak go.sum; \
	if [ $$rc -ne 0 ]; then echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; fi

# npm packages pinned in package-lock.json: the States Language interpreter
# (and, where the platform has it, Node 22 from its registry package), the
# CDK CLI and asl-validator.
NODE_DEPS := node_modules/.package-lock.json
$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The walkthrough GameDay, end to end on this machine: exit 0 passed, 3
# hypothesis refuted, 4 stopped by a stop condition, 5 experiment failed
# are all outcomes of a working demo.
DEMO ?= examples/sock-shop-carts-latency.yaml
demo: build-cli $(NODE_DEPS)
	@./bin/gameday run --local $(DEMO) --out out; rc=$$?; \
	if [ $$rc -eq 1 ] || [ $$rc -eq 2 ]; then exit $$rc; fi

clean:
	rm -rf bin dist cdk.out out
