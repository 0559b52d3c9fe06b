# Openvest: run `make help` for the targets.
SHELL := /bin/bash
GO ?= go
PKGS := ./...
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export TEST_DATABASE_URL

.PHONY: help run build generate gen-ts test-sdk test-examples verify lint-spec test test-ui test-race test-scale fuzz bench bench-wallet bench-queue bench-jobs bench-start bench-scale tidy

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

run: ## run the service on the embedded SQLite default (sqlite://openvest.db), nothing to set up; the first start fills the sandbox organization with demo data; webhooks may reach local receivers; pages on localhost may call it (CORS)
	OPENVEST_WEBHOOK_ALLOW_PRIVATE=$${OPENVEST_WEBHOOK_ALLOW_PRIVATE:-true} \
	OPENVEST_CORS_ORIGINS=$${OPENVEST_CORS_ORIGINS-http://localhost:*,http://127.0.0.1:*} \
	$(GO) run ./cmd/openvest serve --demo

build: ## build bin/openvest
	$(GO) build -o bin/openvest ./cmd/openvest

generate: ## bundle openapi/*.yaml into gen/spec, then regenerate gen/api and gen/client (oapi-codegen via go tool) and gen/ts (openapi-typescript, pinned in sdk/ts)
	$(GO) run ./cmd/openvest-spec -in openapi/openapi.yaml -out gen/spec/openapi.yaml -json gen/spec/openapi.json
	$(GO) generate ./gen/api ./gen/client
	$(MAKE) --no-print-directory gen-ts

sdk/ts/node_modules/.package-lock.json: sdk/ts/package-lock.json
	cd sdk/ts && npm ci --no-audit --no-fund

gen-ts: sdk/ts/node_modules/.package-lock.json ## regenerate gen/ts/openapi.d.ts from gen/spec/openapi.yaml (openapi-typescript; npm ci in sdk/ts first)
	cd sdk/ts && npx --no-install openapi-typescript ../../gen/spec/openapi.yaml -o ../../gen/ts/openapi.d.ts

test-sdk: build sdk/ts/node_modules/.package-lock.json ## compile the TypeScript SDK (tsc) and run its live tests (node --test) against bin/openvest
	cd sdk/ts && npx --no-install tsc -p tsconfig.json && OPENVEST_BIN=bin/openvest node --test dist/sdk/ts/test/*.test.js

verify: generate ## fail when gen/ is stale, go.mod untidy or code unformatted; vet everything
	@git diff --exit-code --stat -- gen/ || { echo "gen/ is stale: run 'make generate' and commit the result"; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard -- gen/)" || { git ls-files --others --exclude-standard -- gen/; echo "gen/ has new files that git does not track: add them"; exit 1; }
	$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	@test -z "$$(gofmt -l cmd internal db httpsig)" || { gofmt -l cmd internal db httpsig; echo "run gofmt -w on the files above"; exit 1; }
	$(GO) vet $(PKGS)

REDOCLY ?= npx --yes @redocly/cli@2.77.0
lint-spec: ## lint the bundled spec (needs Node.js: npx fetches the pinned linter once)
	$(REDOCLY) lint --config openapi/redocly.yaml gen/spec/openapi.yaml

test: ## run every test against PostgreSQL (TEST_DATABASE_URL, default the local trust-auth server)
	$(GO) test -count=1 -p 2 -timeout 20m $(PKGS)

test-ui: build ## drive Swagger UI (/docs) in headless Chromium (/usr/bin/chromium) through a journey across the three surfaces, and the request inspector's page (/inspector) (test/ui)
	@test -d test/ui/node_modules || (cd test/ui && npm ci --no-audit --no-fund)
	cd test/ui && OPENVEST_BIN=$(CURDIR)/bin/openvest node --test --test-concurrency=1 journey.test.mjs inspector.test.mjs

test-scale: build ## 3 replicas of bin/openvest started together on an empty PostgreSQL, a mixed load round-robin over them, then the same behind a PgBouncer (pool_mode=transaction) it starts itself (README, Running at scale)
	OPENVEST_BIN=$(CURDIR)/bin/openvest $(GO) test -count=1 -timeout 15m -v -run '^TestScale$$' ./test/scale

test-race: ## the tests of internal/ under the race detector (slower; not part of CI)
	$(GO) test -race -count=1 ./internal/...

test-examples: ## the contract run alone: every spec example against a fresh server, with its summary (also part of make test)
	set -o pipefail; $(GO) test -count=1 -run '^TestSpecExamplesRun$$' -v ./cmd/openvest | grep -E '^(contract run|\s*--- FAIL|ok|FAIL)|Error:|Messages:'

# An execution count, not a duration: with a duration Go's fuzz coordinator can
# report its own deadline as a failure ("context deadline exceeded", no failing
# input) when a loaded machine starves a worker at the boundary (go.dev/issue/75804,
# fixed in Go 1.27). A count has no deadline to race. FUZZTIME=30s still works.
FUZZTIME ?= 60000x
FUZZ_ROUNDS ?= 20
fuzz: ## run each fuzz target for FUZZTIME (default 60000x: 60,000 executions) and the schema fuzzer for FUZZ_ROUNDS rounds with a random seed; `make test` runs their seeds
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) ./httpsig
	$(GO) test -run '^$$' -fuzz '^FuzzContentDigest$$' -fuzztime $(FUZZTIME) ./httpsig
	$(GO) test -run '^$$' -fuzz '^FuzzJSONTextClean$$' -fuzztime $(FUZZTIME) ./internal/httpapi
	OPENVEST_FUZZ_ROUNDS=$(FUZZ_ROUNDS) OPENVEST_FUZZ_SEED=$${OPENVEST_FUZZ_SEED:-$$RANDOM} $(GO) test -count=1 -v -run '^TestSchemaFuzz$$' ./internal/httpapi | grep -v '^=== '

BENCH_FLAGS ?=
bench: build ## Openvest side by side with a bare net/http + pgx server (bench/raw) doing the same work: interleaved wrk rounds of signed POST /v1/customers, signed and unsigned GET, POST with a webhook on ALL; ratios, p50/p99, CPU per request (README, Benchmarks; BENCH_FLAGS="-rounds 5 -d 10s"; BENCH_FLAGS=-sandbox: sandbox organizations, whose requests the inspector records)
	$(GO) build -o bin/openvest-raw ./bench/raw
	@$(MAKE) --no-print-directory bin/stripe-mock || echo "stripe-mock could not be installed: the get-stripe-mock comparison is skipped"
	$(GO) run ./cmd/openvest-bench -bin bin/openvest -raw-bin bin/openvest-raw $(BENCH_FLAGS)

STRIPE_MOCK_VERSION ?= v0.203.0
bin/stripe-mock: ## stripe-mock (pinned), the stateless mock make bench compares GET with
	GOBIN=$(CURDIR)/bin $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

bench-wallet: ## list a counterparty of 100,000 wallet customers on PostgreSQL: default, filters, search, deep offsets (README, Benchmarks)
	$(GO) test -count=1 -run '^$$' -bench BenchmarkWalletListCustomers -benchtime 2s ./internal/store

bench-queue: build ## webhook deliveries/s to a local receiver, and purchase latency behind 10,000 queued deliveries, on PostgreSQL (README, Benchmarks)
	$(GO) run ./cmd/openvest-bench-queue -bin bin/openvest

bench-jobs: build ## the job system on PostgreSQL at the defaults: fills/s (3,000 purchases at once over 50 customers), create→COMPLETED lag at 200 purchases/s, deliveries/s, and the same lag behind 10,000 waiting deliveries (README, Benchmarks)
	$(GO) run ./cmd/openvest-bench-queue -bin bin/openvest -fills 3000 -rate 200 -rate-for 10s $(JOBS_FLAGS)

bench-start: build ## start-to-ready time and idle RSS of openvest serve on SQLite and on PostgreSQL, first start (migrating) and second (README, Benchmarks)
	bench/start.sh bin/openvest 5

bench-scale: ## load 1,000,000 rows per surface into a fresh PostgreSQL database, then print first/middle/last page timings of every list, sort and filter, with EXPLAIN ANALYZE times (README, Benchmarks; SCALE_FLAGS=-plans prints the plans)
	$(GO) run ./cmd/openvest-bench-scale $(SCALE_FLAGS)

tidy: ## go mod tidy
	$(GO) mod tidy
