#!/usr/bin/env bash
# Runs every mqscope test: starts/prepares the local RabbitMQ, installs the
# Debian packages the tests use, then go vet, staticcheck (pinned in go.mod's
# tool block) and the race-enabled test suite with the broker required.
#
# `go test ./...` alone also works, anywhere: tests that need the broker
# skip and say why, and the runnable examples that talk to it are behind the
# integration build tag, which this script sets.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

command -v go >/dev/null || { echo "test.sh: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
scripts/deps.sh
scripts/broker.sh

# Here a broker is part of the setup: a test that cannot reach it fails.
export MQSCOPE_REQUIRE_BROKER=1
go vet -tags integration ./...
go tool staticcheck -tags integration ./...
go test -race -count=1 -timeout 15m -tags integration ./...
# Broker faults (every connection closed, a restart) disturb any test running beside them: alone, afterwards.
MQSCOPE_FAULT_TESTS=1 go test -race -count=1 -p 1 -timeout 5m -run 'TestFault' ./...
scripts/e2e.sh
