#!/usr/bin/env bash
# Runs mqscope against the local RabbitMQ with demo traffic: starts the broker
# if needed, runs Neon-style demo services and a traffic generator in vhost
# /neon_api, and opens the terminal UI watching their queues. Ctrl-C or q in
# the UI stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

command -v go >/dev/null || { echo "demo.sh: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
scripts/deps.sh
scripts/broker.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/mqscope-demo.XXXXXX")
demo_pid=
cleanup() {
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

go build -buildvcs=true -o "$work/mqscope" .

# A Neon config for the local broker, plus mqscope's picker hints.
umask 077
cat >"$work/mq_config.json" <<'JSON'
{
  "server": "127.0.0.1",
  "port": 5672,
  "users": {"mq_handler": {"user": "guest", "password": "guest"}},
  "mqscope": {
    "services": {
      "mq_handler": {"vhost": "/neon_api", "queues": ["neon_api_input", "chat_gpt_input", "neon_users_input"]}
    }
  }
}
JSON

"$work/mqscope" demo --config "$work/mq_config.json" --vhost /neon_api --rate 2 >"$work/demo.log" 2>&1 &
demo_pid=$!
sleep 1
if ! kill -0 "$demo_pid" 2>/dev/null; then
  echo "demo.sh: the demo services did not start:" >&2
  cat "$work/demo.log" >&2
  exit 1
fi

"$work/mqscope" --config "$work/mq_config.json" --service mq_handler --vhost /neon_api \
  --watch neon_api_input,chat_gpt_input,neon_users_input --mode firehose "$@"
