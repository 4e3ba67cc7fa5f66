#!/usr/bin/env bash
# End-to-end test of the terminal app against the local RabbitMQ: runs
# `mqscope demo` in /neon_api, drives the TUI inside tmux like a person
# would, and reads the screen back. Checks that live rows appear, that c +
# ctrl+s shows a correlated reply with its latency, that y reaches tmux's
# buffer through OSC52, that q exits cleanly, and that the password of the
# user the TUI logs in as never appears on screen.
#
# Called by scripts/test.sh; run alone with scripts/e2e.sh (needs tmux,
# rabbitmqctl and a broker set up by scripts/broker.sh). Skips, exit 0, when
# tmux or rabbitmqctl is missing. Set E2E_SHOW=1 to print the captures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

skip() { echo "e2e.sh: SKIP: $*"; exit 0; }
command -v tmux >/dev/null || skip "tmux is not installed (Debian: apt-get install tmux)"
command -v rabbitmqctl >/dev/null || skip "rabbitmqctl is not available to create the e2e user"

VHOST=/neon_api
QUEUE=neon_api_input
E2E_USER=mqscope_e2e
# Distinctive, so that finding it in a capture cannot be a coincidence.
E2E_PASS="e2e-Pw-7Qx9-Zebra-Kettle-31"
SESSION="mqscope-e2e-$$"
WORK=$(mktemp -d)
DEMO_PID=""
FAILED=0

cleanup() {
  # Let the TUI quit by itself first, so that it deletes its reply queue
  # and switches the firehose off again; kill-session would hang it up.
  if tmux has-session -t "$SESSION" 2>/dev/null; then
    tmux send-keys -t "$SESSION" C-c 2>/dev/null || true
    local deadline=$((SECONDS + 5))
    until tmux capture-pane -p -t "$SESSION" 2>/dev/null | grep -q MQSCOPE_EXIT; do
      [ "$SECONDS" -ge "$deadline" ] && break
      sleep 0.2
    done
  fi
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  if [ -n "$DEMO_PID" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  if [ "$FAILED" = 1 ]; then
    echo "e2e.sh: keeping $WORK for inspection (captures, demo.log)" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() {
  FAILED=1
  echo "e2e.sh: FAIL: $*" >&2
  echo "----- last screen -----" >&2
  tmux capture-pane -p -t "$SESSION" 2>/dev/null >&2 || true
  echo "----- demo log (tail) -----" >&2
  tail -n 20 "$WORK/demo.log" >&2 2>/dev/null || true
  exit 1
}

# capture saves the screen under a name, for the password check and E2E_SHOW.
capture() { tmux capture-pane -p -t "$SESSION" | tee "$WORK/capture-$1.txt"; }

# wait_for NAME SECONDS FIXED-STRING...: polls the screen until it holds
# every string, or fails after SECONDS.
wait_for() {
  local name=$1 seconds=$2 deadline screen s ok
  shift 2
  deadline=$((SECONDS + seconds))
  while :; do
    screen=$(capture "$name")
    ok=1
    for s in "$@"; do
      grep -qF -- "$s" <<<"$screen" || { ok=0; break; }
    done
    [ "$ok" = 1 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && fail "no \"$s\" on screen after ${seconds}s ($name)"
    sleep 0.2
  done
}

echo "e2e.sh: building mqscope"
go build -o "$WORK/mqscope" . || fail "go build failed"

echo "e2e.sh: preparing RabbitMQ user $E2E_USER"
# Listings go through variables: with pipefail, `rabbitmqctl | grep -q`
# fails whenever grep stops reading early and rabbitmqctl gets SIGPIPE.
vhosts=$(rabbitmqctl -q list_vhosts name 2>/dev/null || true)
users=$(rabbitmqctl -q list_users 2>/dev/null || true)
if ! grep -qxF -- "$VHOST" <<<"$vhosts"; then
  rabbitmqctl -q add_vhost "$VHOST" >/dev/null
fi
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
if grep -q "^$E2E_USER[[:space:]]" <<<"$users"; then
  rabbitmqctl -q change_password "$E2E_USER" "$E2E_PASS" >/dev/null
else
  rabbitmqctl -q add_user "$E2E_USER" "$E2E_PASS" >/dev/null
fi
rabbitmqctl -q set_permissions -p "$VHOST" "$E2E_USER" '.*' '.*' '.*' >/dev/null
# Switching the firehose on needs an administrator.
rabbitmqctl -q set_user_tags "$E2E_USER" administrator >/dev/null

CONFIG="$WORK/mq_config.json"
cat >"$CONFIG" <<JSON
{
  "server": "127.0.0.1",
  "port": 5672,
  "users": {
    "mq_handler": {"user": "guest", "password": "guest"},
    "neon_api_e2e": {"user": "$E2E_USER", "password": "$E2E_PASS"}
  }
}
JSON
chmod 600 "$CONFIG"

echo "e2e.sh: starting mqscope demo in $VHOST"
"$WORK/mqscope" demo --config "$CONFIG" --service mq_handler --vhost "$VHOST" --rate 2 >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!

echo "e2e.sh: starting the TUI in tmux"
tmux -f /dev/null new-session -d -s "$SESSION" -x 160 -y 45 "bash --norc --noprofile"
tmux set-option -g set-clipboard on
tmux send-keys -t "$SESSION" "clear; XDG_CONFIG_HOME='$WORK/xdg' '$WORK/mqscope' --config '$CONFIG' --service neon_api_e2e --vhost $VHOST --watch $QUEUE --theme dark; echo MQSCOPE_EXIT=\$?" Enter

echo "e2e.sh: waiting for live rows"
wait_for live 30 "● connected" "$VHOST/$QUEUE" "publish"

echo "e2e.sh: c, ctrl+s: waiting for the correlated reply"
tmux send-keys -t "$SESSION" c
wait_for compose 10 "compose →" "✓ valid Neon dict"
tmux send-keys -t "$SESSION" C-s
wait_for reply 15 "↩ reply in" "history (1)"
grep -qE "↩ reply in [0-9.]+(ms|s)" "$WORK/capture-reply.txt" || fail "the reply line has no latency"

echo "e2e.sh: y: copying the selected body through OSC52"
tmux set-buffer -b e2e-before "nothing copied yet"
tmux send-keys -t "$SESSION" Escape
# Wait for the list's footer: a key sent right after Escape would arrive as
# alt+key.
wait_for list 10 "c compose"
tmux send-keys -t "$SESSION" y
wait_for copied 10 "copied body as JSON"
deadline=$((SECONDS + 10))
until tmux show-buffer 2>/dev/null | grep -q '"message_id"'; do
  [ "$SECONDS" -ge "$deadline" ] && fail "tmux's buffer did not receive the body by OSC52: $(tmux show-buffer 2>&1 | head -c 200)"
  sleep 0.2
done

echo "e2e.sh: q: quitting"
tmux send-keys -t "$SESSION" q
wait_for quit 10 "MQSCOPE_EXIT=0"

if grep -lF -- "$E2E_PASS" "$WORK"/capture-*.txt; then
  fail "the password of $E2E_USER appeared on screen (files above)"
fi
if [ "${E2E_SHOW:-}" = 1 ]; then
  for name in live reply; do
    echo "----- capture: $name -----"
    cat "$WORK/capture-$name.txt"
  done
fi
echo "e2e.sh: ok"
