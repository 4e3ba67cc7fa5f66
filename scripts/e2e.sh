#!/usr/bin/env bash
# End-to-end test of the terminal app against the local RabbitMQ: runs
# `mqscope demo` in /neon_api, drives the TUI inside tmux like a person
# would, and reads the screen back. Checks that live rows appear, that c +
# ctrl+s shows a correlated reply with its latency, that y reaches tmux's
# buffer through OSC52, that q exits cleanly, and that the password of the
# user the TUI logs in as never appears on screen. And the first hour
# without surprises: compose from a reply starts from its request and from
# a filtered list from the selected match, saying so (item 1); compose
# says before sending that a queue has no consumer, gives up at the
# expiration, and checks again when the target is edited (item 6); p jumps
# between a request and its reply, and the status bar says when following
# stopped and what arrived since (item 8); w returns to the picker, which
# refuses a vhost or a name that does not exist, goes back with esc,
# offers exchanges with their type and no tap for a queue, and replaces
# the session without a restart (item 2). And issue 11: b opens the
# service board, which flags a queue nobody consumes no_consumer. Acting on
# what was captured (issue 12): r re-sends the selected request and the
# Pair tab shows the new reply paired beside the original, with the diff of
# the replies.
#
# Called by scripts/test.sh; run alone with scripts/e2e.sh (needs tmux,
# rabbitmqctl and a broker set up by scripts/broker.sh). Skips, exit 0, when
# tmux or rabbitmqctl is missing. Set E2E_SHOW=1 to print the captures.
# Only one run at a time: the demo it starts owns /neon_api's demo queues,
# so a second run waits for the first (a lock in $TMPDIR).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

skip() { echo "e2e.sh: SKIP: $*"; exit 0; }
command -v tmux >/dev/null || skip "tmux is not installed (Debian: apt-get install tmux)"
command -v rabbitmqctl >/dev/null || skip "rabbitmqctl is not available to create the e2e user"

# One run at a time: two demos cannot share /neon_api.
exec 9>"${TMPDIR:-/tmp}/mqscope-e2e.lock"
if ! flock -n 9; then
  echo "e2e.sh: another e2e run holds the lock; waiting for it"
  flock 9
fi

VHOST=/neon_api
QUEUE=neon_api_input
# An exchange the picker must offer with its type.
E2E_EXCHANGE=mqscope_e2e_persona_updated
# A queue nobody consumes: compose must say its requests will expire.
E2E_IDLE_QUEUE=mqscope_e2e_noconsumer
# A service queue nobody consumes, which the board must flag no_consumer
# (a name starting with mqscope would not count as a service's).
NOCONS_QUEUE="e2e_nocons_$$"
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
  mgmt DELETE "/api/exchanges/%2Fneon_api/$E2E_EXCHANGE" >/dev/null 2>&1 || true
  mgmt DELETE "/api/queues/%2Fneon_api/$E2E_IDLE_QUEUE" >/dev/null 2>&1 || true
  mgmt DELETE "/api/queues/%2Fneon_api/$NOCONS_QUEUE" >/dev/null 2>&1 || true
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

# wait_for_re NAME SECONDS REGEX: as wait_for, for an extended regex.
wait_for_re() {
  local name=$1 seconds=$2 re=$3 deadline
  deadline=$((SECONDS + seconds))
  until capture "$name" | grep -qE -- "$re"; do
    [ "$SECONDS" -ge "$deadline" ] && fail "no /$re/ on screen after ${seconds}s ($name)"
    sleep 0.2
  done
}

# mgmt METHOD PATH [JSON]: one management API call as guest.
mgmt() {
  curl -sf -u guest:guest -X "$1" -H 'content-type: application/json' ${3:+-d "$3"} "http://127.0.0.1:15672$2"
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
# The newest row may be a verdict (its body is text): select a publish.
tmux send-keys -t "$SESSION" /
sleep 0.2
tmux send-keys -t "$SESSION" -l "event:publish"
tmux send-keys -t "$SESSION" Enter
wait_for publishes-only 10 "/event:publish"
tmux send-keys -t "$SESSION" y
wait_for copied 10 "copied body as JSON"
deadline=$((SECONDS + 10))
until tmux show-buffer 2>/dev/null | grep -q '"message_id"'; do
  [ "$SECONDS" -ge "$deadline" ] && fail "tmux's buffer did not receive the body by OSC52: $(tmux show-buffer 2>&1 | head -c 200)"
  sleep 0.2
done
tmux send-keys -t "$SESSION" /
sleep 0.2
tmux send-keys -t "$SESSION" C-u Enter
wait_for unfiltered-again 10 "c compose"

# keys NAME...: sends keys one at a time, as typed; a key right after
# Escape would arrive as alt+key, so keys are paced.
keys() {
  local k
  for k in "$@"; do
    tmux send-keys -t "$SESSION" "$k"
    sleep 0.15
  done
}

# type TEXT: types literal text into the focused field.
type_text() { tmux send-keys -t "$SESSION" -l "$1"; sleep 0.2; }

echo "e2e.sh: item 1: c on a reply starts from its request"
# Replies (on a Neon reply queue) of the watched service, whose requests
# are in the list: the newest of them is selected.
keys /
type_text 'queue:/^[0-9a-f]{32}$/ status_code'
keys Enter
# A row: the event marker, the verdict marker (blank on a reply), where.
wait_for replies 20 "match" "↩ "
wait_for_re replies 20 "P +(✓|✗|∅)? +[0-9a-f]{20}"
keys c
wait_for compose-from-reply 10 "request the selected reply answers ("
# The target is the request's service queue, never a reply queue, and the
# body is the request's.
grep -qE "compose → /neon_api / (neon_api_input|chat_gpt_input|neon_users_input)" "$WORK/capture-compose-from-reply.txt" ||
  fail "compose from a reply does not target the request's queue"
# The body editor is the left column of compose (the right one may still
# show the previous reply).
body_column() { perl -ne 'print "$1\n" if /^│ (.*?) │ /' "$WORK/capture-$1.txt"; }
if body_column compose-from-reply | grep -qE '"(status_code|success|response)"'; then
  fail "compose from a reply holds the reply's body"
fi
body_column compose-from-reply | grep -qE '"(service|query|operation)"' ||
  fail "compose from a reply does not hold the request's body"
keys C-s
wait_for reply-from-reply 15 "↩ reply in"

echo "e2e.sh: item 1: a filter applied while following, then c"
keys Escape
wait_for list3 10 "c compose"
keys /
tmux send-keys -t "$SESSION" C-u
type_text "api_test_endpoint event:publish"
keys Enter
wait_for filtered 20 "api_test_endpoint event:publish"
wait_for_re filtered 20 "P +(✓|✗|∅)? +/neon_api/neon_api_input"
keys c
wait_for compose-filtered 10 "body from the " '"service": "api_test_endpoint"'

echo "e2e.sh: item 6: compose says there is no consumer, and gives up at the expiration"
mgmt PUT "/api/queues/%2Fneon_api/$E2E_IDLE_QUEUE" '{"durable":false,"auto_delete":false}' >/dev/null ||
  fail "could not declare the queue $E2E_IDLE_QUEUE through the management API"
keys Tab
tmux send-keys -t "$SESSION" C-e C-u
type_text "$E2E_IDLE_QUEUE"
wait_for no-consumer 10 "⚠ no consumer on \"$E2E_IDLE_QUEUE\": the request will expire after 1000 ms"
keys C-s
# The request dies unread at its 1000 ms expiration: compose says so within
# seconds instead of counting up to the 30 s timeout.
wait_for expired 8 "the request expired after 1000 ms" "✗ expired"
tmux send-keys -t "$SESSION" C-e C-u
type_text "$QUEUE"
wait_for_re served 10 "✓ $QUEUE: [1-9][0-9]* consumers?"
if grep -q "⚠ no consumer on" "$WORK/capture-served.txt"; then
  fail "the warning about $E2E_IDLE_QUEUE stays once the target is $QUEUE"
fi

echo "e2e.sh: item 8: p jumps request ⇄ reply; following and pausing say so"
keys Escape
wait_for list4 10 "c compose"
# The API service's requests and replies only: every one has its other
# side in the list.
keys /
tmux send-keys -t "$SESSION" C-u
type_text "event:publish -query -response -user"
keys Enter
wait_for publishes 10 "/event:publish -query"
keys p
wait_for jump1 10 "→ its"
if grep -q "→ its request" "$WORK/capture-jump1.txt"; then back="→ its reply"; else back="→ its request"; fi
keys p
wait_for jump2 10 "$back (p goes back)"
keys k
wait_for stopped 10 "↑ not following since"
wait_for_re stopped-new 15 "↑ not following since [0-9:]{8} · [1-9][0-9]* new rows? · G follows"
keys G space
wait_for paused 10 "⏸ paused at" "space resume"
keys space
wait_for resumed 10 "space pause"
# At 100×24 the Properties tab is longer than the pane.
tmux resize-window -t "$SESSION" -x 100 -y 24
keys l l l
wait_for detail-scrolls 10 "lines 1–" "tab, then j/k scrolls"
keys h h h
tmux resize-window -t "$SESSION" -x 160 -y 45

echo "e2e.sh: issue 12: r re-sends the selected request; the new reply is paired"
keys /
tmux send-keys -t "$SESSION" C-u
type_text "api_test_endpoint event:publish queue:neon_api_input"
keys Enter
wait_for resend-list 20 "api_test_endpoint event:publish" "/neon_api/neon_api_input     publish"
# Stop following, so that the selection stays on the request re-sent
# while newer rows (its own among them) arrive.
keys k
keys r
wait_for resent 20 "re-sent seq" "reply in"
# The Pair tab (the fifth) of the selected request: its recorded reply
# beside the reply its re-send got, and their diff.
keys l l l l
wait_for resent-at 10 "── re-sent at"
# Below the request's timeline and its pair: scroll the pane to the end.
keys Tab
tmux send-keys -t "$SESSION" C-d C-d C-d
wait_for resent-pair 10 "recorded reply" "new reply" "diff of the replies"
keys Tab h h h h

echo "e2e.sh: item 2: w returns to the picker"
keys /
tmux send-keys -t "$SESSION" C-u
keys Enter
wait_for unfiltered 10 "c compose"

echo "e2e.sh: issue 11: b opens the service board, which flags a queue with no consumer"
mgmt PUT "/api/queues/%2Fneon_api/$NOCONS_QUEUE" '{"durable":false,"auto_delete":false}' >/dev/null ||
  fail "could not declare the queue $NOCONS_QUEUE through the management API"
keys b
wait_for board 20 "service board /neon_api" "$NOCONS_QUEUE" "problems"
grep -qE "^$NOCONS_QUEUE +.* no_consumer" "$WORK/capture-board.txt" || fail "the board does not flag $NOCONS_QUEUE no_consumer"
keys Escape
wait_for list-after-board 10 "c compose"
mgmt DELETE "/api/queues/%2Fneon_api/$NOCONS_QUEUE" >/dev/null || true
mgmt PUT "/api/exchanges/%2Fneon_api/$E2E_EXCHANGE" '{"type":"fanout","durable":false,"auto_delete":false}' >/dev/null ||
  fail "could not declare the exchange $E2E_EXCHANGE through the management API"
keys w
wait_for picker-watch 15 "What to watch" "[x] $QUEUE" "$E2E_EXCHANGE  fanout exchange"
type_text "no_such_queue_e2e"
keys Enter
wait_for picker-refused 10 "no queue or exchange \"no_such_queue_e2e\" in vhost \"/neon_api\""
tmux send-keys -t "$SESSION" C-u
keys Escape
wait_for picker-vhost 15 "Virtual host" "/neon_api"
type_text "/nope"
keys Enter
wait_for picker-nope 10 "vhost \"/nope\" does not exist"
if grep -q "404" "$WORK/capture-picker-nope.txt"; then
  fail "the picker shows a raw 404"
fi
tmux send-keys -t "$SESSION" C-u
keys Enter
wait_for picker-watch2 15 "What to watch" "service neon_api_e2e · vhost /neon_api"
type_text "chat_gpt_input"
keys Enter
wait_for picker-mode 10 "Observation mode" "firehose" "peek"
if grep -qE "^ +tap " "$WORK/capture-picker-mode.txt"; then
  fail "the picker offers tap for a queue"
fi
keys Enter
wait_for rewatched 30 "firehose:chat_gpt_input" "● connected" "/neon_api/chat_gpt_input"
if grep -q "firehose:$QUEUE" "$WORK/capture-rewatched.txt"; then
  fail "the old watch is still in the header"
fi

echo "e2e.sh: q: quitting"
tmux send-keys -t "$SESSION" q
wait_for quit 10 "MQSCOPE_EXIT=0"

if grep -lF -- "$E2E_PASS" "$WORK"/capture-*.txt; then
  fail "the password of $E2E_USER appeared on screen (files above)"
fi
if [ "${E2E_SHOW:-}" = 1 ]; then
  for name in live reply compose-from-reply compose-filtered no-consumer expired served jump2 stopped-new paused detail-scrolls board resent resent-pair picker-watch picker-refused picker-nope picker-mode rewatched; do
    echo "----- capture: $name -----"
    cat "$WORK/capture-$name.txt"
  done
fi
echo "e2e.sh: ok"
