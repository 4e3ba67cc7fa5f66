#!/usr/bin/env bash
# Runs every mqscope test: starts/prepares the local RabbitMQ, installs the
# Debian packages the tests use, then go vet and the race-enabled test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

command -v go >/dev/null || { echo "test.sh: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
scripts/deps.sh
scripts/broker.sh

go vet ./...
go test -race -count=1 -timeout 15m ./...
# Broker faults (every connection closed, a restart) disturb any test running beside them: alone, afterwards.
MQSCOPE_FAULT_TESTS=1 go test -race -count=1 -p 1 -timeout 5m -run 'TestFault' ./...
scripts/e2e.sh
