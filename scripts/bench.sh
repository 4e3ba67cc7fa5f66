#!/usr/bin/env bash
# Benchmarks, one function per section. Usage:
#
#   scripts/bench.sh [all | SECTION...]
#
# Sections: decode, ingest, tui, burst, firehose, replay. To add a section, write a bench_NAME
# function and add NAME to SECTIONS; keep its scratch files under
# "$WORK/NAME", which is removed on exit.
#
# ingest, tui and burst need the local broker (scripts/broker.sh prepares
# it) and use queues named mqscope_test.bench.* in vhost /mqscope_test,
# deleted afterwards; tui and burst also need tmux. firehose works in a vhost
# of its own, /mqscope_bench_fh_PID, created with tracing on through the
# management API (127.0.0.1:15672, guest) and deleted afterwards, which also
# switches its tracing off; it needs curl. Environment:
#
#   BENCH_N=100000       messages per ingest and tui run
#   BENCH_ROUNDS=3       rounds of ingest and tui (each round runs every variant)
#   BENCH_BURST_N=200000 messages in one burst
#   BENCH_BURST_BUDGETS_MB="32 128"  store budgets (mqscope.store.max_bytes)
#                        to run the burst with, one run each; both smaller
#                        than the burst, so that the store keeps evicting
#   BENCH_REPLAY_N=10000 requests recorded and replayed
#   BENCH_REPLAY_LOOP=300 runs of `mqscope request` in the loop compared with
#   BENCH_DEMO_RATE=5000 the rate asked of the demo's traffic generator
#   BENCH_FIREHOSE_N=20000  requests per firehose run (each is two trace
#                        events: its publish and its delivery)
#
# replay works in a vhost of its own, /mqscope_bench_replay, made through
# the management API and deleted afterwards: it runs the demo services and
# switches the firehose on there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECTIONS=(decode ingest tui burst firehose replay)

# The broker-backed sections work in this vhost, as guest (scripts/broker.sh).
BENCH_VHOST=/mqscope_test
# tmux server of its own, so that no other session is ever touched.
TMUX_SOCKET="mqscope-bench-$$"

usage() {
	echo "usage: scripts/bench.sh [all | ${SECTIONS[*]}]" >&2
	exit 2
}

# need fails with a message naming the section when a tool is missing.
need() {
	command -v "$1" >/dev/null || {
		echo "bench.sh: the $2 section needs $1 on PATH" >&2
		exit 1
	}
}

# bench_decode times neonwire.Decode (go test -bench) and neon_mq_connector's
# b64_to_dict in python3 on the very same bodies (about 200 B, 10 KB, 1 MB),
# and prints the best throughput of each in MB/s (of wire bytes) and the
# ratio.
bench_decode() {
	need go decode
	need python3 decode
	local dir="$WORK/decode"
	mkdir -p "$dir"
	NEONWIRE_BENCH_BODIES="$dir" go test -count=1 -run '^TestWriteBenchBodies$' ./connector/neonwire/ >/dev/null
	# Both sides are timed the same way: the best of 5 runs of about 0.4 s
	# each (Python's loop below, go test -count 5 here), so that a burst of
	# load on this shared machine moves neither more than the other.
	go test -run '^$' -bench '^BenchmarkDecode$' -benchtime=0.4s -count=5 ./connector/neonwire/ >"$dir/go.txt"
	python3 - "$dir" >"$dir/py.txt" <<'PY'
import base64, json, os, sys, time

def b64_to_dict(data, charset="utf-8"):  # neon_mq_connector, verbatim
    return eval(json.loads(base64.b64decode(data).decode(charset)))

def seconds_per_call(body):
    """Best of 5 runs, each about 0.4 s long."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            b64_to_dict(body)
        elapsed = time.perf_counter() - start
        if elapsed > 0.4:
            break
        n *= 2
    best = elapsed / n
    for _ in range(4):
        start = time.perf_counter()
        for _ in range(n):
            b64_to_dict(body)
        best = min(best, (time.perf_counter() - start) / n)
    return best

for name in ("200B", "10KB", "1MB"):
    with open(os.path.join(sys.argv[1], name + ".b64"), "rb") as f:
        body = f.read()
    print(name, len(body), "%.2f" % (len(body) / seconds_per_call(body) / 1e6))
PY
	echo "decode: neonwire.Decode vs Python b64_to_dict, same bodies (MB/s of wire bytes)"
	awk '
		FNR == NR { bytes[$1] = $2; py[$1] = $3; order[++n] = $1; next }
		/^BenchmarkDecode\// {
			split($1, parts, "/"); name = parts[2]; sub(/-[0-9]+$/, "", name)
			for (i = 1; i <= NF; i++) if ($i == "MB/s" && $(i - 1) + 0 > gomb[name] + 0) gomb[name] = $(i - 1)
		}
		END {
			printf "%-6s %10s %10s %12s %10s\n", "size", "bytes", "Go MB/s", "Python MB/s", "Go/Python"
			for (i = 1; i <= n; i++) {
				s = order[i]
				if (!(s in gomb)) { print "bench.sh: no Go result for " s > "/dev/stderr"; exit 1 }
				printf "%-6s %10d %10.1f %12.1f %9.1fx\n", s, bytes[s], gomb[s], py[s], gomb[s] / py[s]
			}
		}' "$dir/py.txt" "$dir/go.txt"
}

# ---- helpers of the broker-backed sections ----

# tools makes sure the broker is ready and builds mqscope and benchtool once
# per run; they are then "$MQSCOPE" and "$BENCHTOOL".
tools() {
	MQSCOPE="$WORK/bin/mqscope"
	BENCHTOOL="$WORK/bin/benchtool"
	[[ -x $BENCHTOOL ]] && return 0
	scripts/broker.sh
	go build -buildvcs=true -o "$MQSCOPE" .
	go build -o "$BENCHTOOL" ./scripts/benchtool
}

# bt runs a benchtool subcommand in the bench vhost.
bt() {
	local cmd=$1
	shift
	"$BENCHTOOL" "$cmd" -vhost "$BENCH_VHOST" "$@"
}

# write_config FILE [MAX_BYTES]: an mq_config.json for guest on the local
# broker, with that store budget when given.
write_config() {
	local store=""
	[[ -n ${2:-} ]] && store=", \"mqscope\": {\"store\": {\"max_bytes\": $2}}"
	printf '{"server": "127.0.0.1", "port": 5672, "users": {"mq_handler": {"user": "guest", "password": "guest"}}%s}\n' "$store" >"$1"
	chmod 600 "$1"
}

# since START_NS: seconds elapsed since START_NS (from date +%s%N).
since() { awk -v ns=$(($(date +%s%N) - $1)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'; }

# measure CMD...: runs CMD and prints its wall time and the CPU time (user
# + system) its processes used, in seconds; fails as CMD fails (command
# substitution does not inherit set -e). The CPU time comes from bash's
# `times` (children waited for), so measure must run in a subshell of its
# own, as $(measure ...) does.
measure() {
	local start wall
	times >"$WORK/cpu.before"
	start=$(date +%s%N)
	"$@" || return
	wall=$(since "$start")
	times >"$WORK/cpu.after"
	awk -v wall="$wall" '
		function secs(t, parts) { split(t, parts, /[ms]/); return parts[1] * 60 + parts[2] }
		FNR == 2 { cpu[FILENAME == ARGV[1]] = secs($1) + secs($2) }
		END { printf "%s %.3f\n", wall, cpu[0] - cpu[1] }' "$WORK/cpu.before" "$WORK/cpu.after"
}

# proc_cpu PID: CPU seconds (user + system) process PID has used so far.
proc_cpu() {
	# The command name in field 2 may hold spaces; count from its ")".
	awk -v tck="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.3f\n", ($12 + $13) / tck }' "/proc/$1/stat"
}

# per_msg SECONDS N: microseconds per message.
per_msg() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.1f\n", s * 1e6 / n }'; }

# rate N SECONDS: messages per second.
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f\n", n / s }'; }

# ratio A B: A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }

# median VALUE...: the median of numbers.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# tm runs tmux on the bench's own server.
tm() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }

# tui_start DIR ARGS...: runs `mqscope ARGS` in a detached 200×50 tmux
# session; its PID becomes TUI_PID, its stderr goes to DIR/tui.err, and its
# templates directory is under DIR.
tui_start() {
	local dir=$1 i
	shift
	rm -f "$dir/tui.pid"
	tm new-session -d -s bench -x 200 -y 50 \
		"echo \$\$ >'$dir/tui.pid'; exec env XDG_CONFIG_HOME='$dir/xdg' '$MQSCOPE' $(printf '%q ' "$@") 2>'$dir/tui.err'"
	for ((i = 0; i < 100; i++)); do
		[[ -s $dir/tui.pid ]] && break
		sleep 0.05
	done
	TUI_PID=$(cat "$dir/tui.pid")
	TUI_ERR="$dir/tui.err"
}

# tui_alive fails, saying why, when the TUI has exited.
tui_alive() {
	kill -0 "$TUI_PID" 2>/dev/null && return 0
	echo "bench.sh: mqscope's TUI exited early: $(cat "$TUI_ERR")" >&2
	return 1
}

# tui_wait_for SECONDS TEXT: waits until the screen shows TEXT.
tui_wait_for() {
	local deadline=$((SECONDS + $1))
	until tm capture-pane -p -t bench 2>/dev/null | grep -qF -- "$2"; do
		tui_alive || return 1
		if ((SECONDS >= deadline)); then
			echo "bench.sh: no \"$2\" on mqscope's screen after $1 s:" >&2
			tm capture-pane -p -t bench >&2 || true
			return 1
		fi
		sleep 0.1
	done
}

# tui_start_consume DIR QUEUE CONFIG [ARGS...]: starts the TUI consuming
# QUEUE and answers the picker's confirmation, which --mode consume asks
# for even when given as a flag.
tui_start_consume() {
	local dir=$1 queue=$2 config=$3
	shift 3
	tui_start "$dir" --config "$config" --service mq_handler --vhost "$BENCH_VHOST" \
		--watch "$queue" --mode consume --theme dark "$@"
	tui_wait_for 20 "DESTRUCTIVE"
	tm send-keys -t bench Down
	tm send-keys -t bench Enter
}

# tui_quit presses q and waits for mqscope to exit (it flushes its
# recording on the way out).
tui_quit() {
	local i
	tm send-keys -t bench q
	for ((i = 0; i < 300; i++)); do
		kill -0 "$TUI_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "bench.sh: mqscope did not quit within 30 s of q; killing it" >&2
	kill "$TUI_PID" 2>/dev/null || true
	return 1
}

# wait_drained WAITER_PID: waits for a background `benchtool wait-empty`
# while checking that the TUI is still running.
wait_drained() {
	while kill -0 "$1" 2>/dev/null; do
		tui_alive || return 1
		sleep 0.2
	done
	wait "$1"
}

# ---- sections ----

# ingest_run VARIANT QUEUE N DIR: one drain of QUEUE, which holds N
# messages: a (plain amqp091-go consumer), b (mqscope tail --mode consume)
# or c (the same, recording).
ingest_run() {
	local variant=$1 queue=$2 n=$3 dir=$4
	local tail=("$MQSCOPE" tail --config "$dir/mq_config.json" --vhost "$BENCH_VHOST" --queue "$queue" --mode consume --count "$n")
	case $variant in
	a) bt drain -queue "$queue" -n "$n" ;;
	b) "${tail[@]}" >/dev/null 2>"$dir/tail.err" ;;
	c) "${tail[@]}" --record "$dir/x.db" >/dev/null 2>"$dir/tail.err" ;;
	esac
}

# bench_ingest compares draining a pre-filled queue with a plain amqp091-go
# consumer (a: prefetch 200, one multiple=true ack per 50) against
# `mqscope tail --mode consume --count N > /dev/null` (b) and the same with
# --record (c), interleaved a,b,c per round. It prints msgs/s of each run
# (wall time of the whole process, start-up included), the CPU time each
# process used per message, and the median of the per-round ratios b/a and
# c/a (goals: ≥ 0.95 and ≥ 0.85), and the CPU ratios b/a and c/a (goal for
# b: ≤ 1.3).
bench_ingest() {
	need go ingest
	local n=${BENCH_N:-100000} rounds=${BENCH_ROUNDS:-3} dir="$WORK/ingest"
	local queue="mqscope_test.bench.ingest" r v out wall cpu
	local -a b_a c_a cb_a cc_a
	mkdir -p "$dir"
	tools
	write_config "$dir/mq_config.json"
	echo "ingest: drain $n Neon messages (200–208 B) from a pre-filled queue"
	echo "        msgs/s (process wall time) and CPU µs/msg (user + system) of a: amqp091, b: tail, c: tail --record"
	printf "%-6s %8s %8s %8s %6s %6s %7s %7s %7s\n" round a/s b/s c/s b/a c/a "a µs" "b µs" "c µs"
	for ((r = 1; r <= rounds; r++)); do
		local -A rates=() cpus=()
		for v in a b c; do
			bt publish -queue "$queue" -n "$n" -purge
			rm -f "$dir"/x.db*
			out=$(measure ingest_run "$v" "$queue" "$n" "$dir")
			read -r wall cpu <<<"$out"
			rates[$v]=$(rate "$n" "$wall")
			cpus[$v]=$(per_msg "$cpu" "$n")
			if [[ $v == c ]] && grep -q "could not be recorded" "$dir/tail.err"; then
				echo "  round $r: $(grep "could not be recorded" "$dir/tail.err")"
			fi
		done
		b_a+=("$(ratio "${rates[b]}" "${rates[a]}")")
		c_a+=("$(ratio "${rates[c]}" "${rates[a]}")")
		cb_a+=("$(ratio "${cpus[b]}" "${cpus[a]}")")
		cc_a+=("$(ratio "${cpus[c]}" "${cpus[a]}")")
		printf "%-6s %8s %8s %8s %6s %6s %7s %7s %7s\n" "$r" "${rates[a]}" "${rates[b]}" "${rates[c]}" \
			"${b_a[-1]}" "${c_a[-1]}" "${cpus[a]}" "${cpus[b]}" "${cpus[c]}"
	done
	bt delete -queue "$queue"
	echo "median b/a $(median "${b_a[@]}") (goal ≥ 0.95), c/a $(median "${c_a[@]}") (goal ≥ 0.85)"
	echo "median CPU per message b/a $(median "${cb_a[@]}") (goal ≤ 1.3), c/a $(median "${cc_a[@]}")"
}

# bench_tui compares the time to drain a pre-filled queue with the plain
# consumer and with the terminal UI (`mqscope --watch Q --mode consume` in
# tmux), measured the same way for both: from the first message taken to
# none ready, polled every 5 ms, so start-up is left out. It also prints
# the CPU time per message of each (the TUI's from start to quit). Goal:
# tui/plain ≥ 0.95.
bench_tui() {
	need go tui
	need tmux tui
	local n=${BENCH_N:-100000} rounds=${BENCH_ROUNDS:-3} dir="$WORK/tui"
	local queue="mqscope_test.bench.tui" r waiter plain ui out plain_cpu ui_cpu
	local -a ratios
	mkdir -p "$dir"
	tools
	write_config "$dir/mq_config.json"
	echo "tui: drain $n Neon messages with the TUI vs the plain consumer"
	echo "     msgs/s from the first message taken to none ready, and CPU µs/msg"
	printf "%-6s %8s %8s %9s %8s %8s\n" round plain/s tui/s tui/plain "plain µs" "tui µs"
	for ((r = 1; r <= rounds; r++)); do
		bt publish -queue "$queue" -n "$n" -purge
		bt wait-empty -queue "$queue" -n "$n" >"$dir/wait.out" &
		waiter=$!
		out=$(measure bt drain -queue "$queue" -n "$n")
		wait "$waiter"
		plain=$(rate "$n" "$(cat "$dir/wait.out")")
		plain_cpu=$(per_msg "${out#* }" "$n")

		bt publish -queue "$queue" -n "$n" -purge
		bt wait-empty -queue "$queue" -n "$n" >"$dir/wait.out" &
		waiter=$!
		tui_start_consume "$dir" "$queue" "$dir/mq_config.json"
		wait_drained "$waiter"
		ui=$(rate "$n" "$(cat "$dir/wait.out")")
		ui_cpu=$(per_msg "$(proc_cpu "$TUI_PID")" "$n")
		tui_quit

		ratios+=("$(ratio "$ui" "$plain")")
		printf "%-6s %8s %8s %9s %8s %8s\n" "$r" "$plain" "$ui" "${ratios[-1]}" "$plain_cpu" "$ui_cpu"
	done
	bt delete -queue "$queue"
	echo "median tui/plain $(median "${ratios[@]}") (goal ≥ 0.95)"
}

# bench_burst publishes a burst of BENCH_BURST_N messages as fast as the
# broker takes them to a queue the TUI consumes and records, once per store
# budget; it reports the publish and drain rates, mqscope's peak RSS
# (VmHWM) against the budget, and how many messages the recording holds
# (must be all). Then it runs the key-press benchmark of ui: a key handled
# and the frame drawn while another goroutine appends at full speed.
bench_burst() {
	need go burst
	need tmux burst
	local n=${BENCH_BURST_N:-200000} dir="$WORK/burst" queue="mqscope_test.bench.burst"
	local budget start out waiter published drained hwm recorded bar
	mkdir -p "$dir"
	tools
	echo "burst: $n Neon messages (200–208 B) published at full rate while the TUI consumes with --record"
	printf "%-10s %12s %12s %12s %12s %10s\n" budget publish/s drain/s "peak RSS" "RSS-budget" recorded
	for budget in ${BENCH_BURST_BUDGETS_MB:-32 128}; do
		write_config "$dir/mq_config.json" $((budget << 20))
		rm -f "$dir"/rec.db*
		bt publish -queue "$queue" -n 0 -purge
		tui_start_consume "$dir" "$queue" "$dir/mq_config.json" --record "$dir/rec.db"
		tui_wait_for 20 "● connected"
		start=$(date +%s%N)
		out=$(measure bt publish -queue "$queue" -n "$n")
		published=${out% *}
		bt wait-empty -queue "$queue" -n 0 >/dev/null &
		waiter=$!
		wait_drained "$waiter"
		drained=$(since "$start")
		sleep 1 # the last acknowledgements and the recording's last batch
		hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$TUI_PID/status")
		bar=$(tm capture-pane -p -t bench | grep -F "rows/s" | tail -n 1 | sed 's/  */ /g' || true)
		tui_quit
		recorded=$("$MQSCOPE" export "$dir/rec.db" | wc -l)
		printf "%-10s %12s %12s %12s %12s %10s\n" "${budget} MiB" "$(rate "$n" "$published")" "$(rate "$n" "$drained")" \
			"${hwm} MiB" "$((hwm - budget)) MiB" "$recorded"
		echo "  status bar: $bar"
		[[ $recorded == "$n" ]] || echo "  the recording holds $recorded of $n messages $(cat "$TUI_ERR")"
	done
	bt delete -queue "$queue"
	echo "burst: key press → Update + View with a goroutine appending at full speed (frame budget 33 ms)"
	go test -run '^$' -bench '^BenchmarkKeyPressDuringBurst$' -benchtime=2000x -count=1 ./ui/ | grep '^Benchmark'
}

# REPLAY_VHOST is the replay section's own vhost.
REPLAY_VHOST=/mqscope_bench_replay

# mgmt METHOD PATH [JSON]: one management API call as guest.
mgmt() {
	curl -sf -u guest:guest -X "$1" -H 'content-type: application/json' ${3:+-d "$3"} "http://127.0.0.1:15672$2"
}

# wait_log FILE SECONDS REGEX waits for a line matching REGEX in FILE.
wait_log() {
	local deadline=$((SECONDS + $2))
	until grep -qE -- "$3" "$1" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			echo "bench.sh: no /$3/ in $1 after $2 s:" >&2
			tail -n 5 "$1" >&2
			return 1
		fi
		sleep 0.2
	done
}

# stop_bg PID interrupts a background process as Ctrl-C would and waits
# for it to clean up (delete its queues, switch the firehose back).
stop_bg() {
	kill -INT "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# bench_replay records BENCH_REPLAY_N requests to the demo's api service
# (firehose of the whole vhost, tail --record), replays them with
# `mqscope replay --speed max`, and compares its requests/s with
# `mqscope request` in a loop (one process per request, as a script would)
# and with the demo's own traffic generator, all in this run.
bench_replay() {
	need go replay
	need curl replay
	local n=${BENCH_REPLAY_N:-10000} loop=${BENCH_REPLAY_LOOP:-300} demo_rate=${BENCH_DEMO_RATE:-5000}
	local dir="$WORK/replay" vh=${REPLAY_VHOST//\//%2F} demo tail out wall replayed line i
	local replay_rate loop_rate gen_rate
	mkdir -p "$dir"
	tools
	write_config "$dir/mq_config.json"
	mgmt PUT "/api/vhosts/$vh" >/dev/null
	mgmt PUT "/api/permissions/$vh/guest" '{"configure":".*","write":".*","read":".*"}' >/dev/null
	local cfg=(--config "$dir/mq_config.json" --service mq_handler)

	"$MQSCOPE" demo "${cfg[@]}" --vhost "$REPLAY_VHOST" --services api --rate 0 2>"$dir/demo.log" &
	demo=$!
	wait_log "$dir/demo.log" 30 "demo: ready"
	"$MQSCOPE" tail "${cfg[@]}" --vhost "$REPLAY_VHOST" --mode firehose --record "$dir/rec.db" >/dev/null 2>"$dir/tail.err" &
	tail=$!
	wait_log "$dir/tail.err" 30 "connected"
	"$BENCHTOOL" requests -vhost "$REPLAY_VHOST" -queue neon_api_input -n "$n"
	sleep 2 # the firehose copies of the last replies, and the recording's last batch
	stop_bg "$tail"
	line=$("$MQSCOPE" replay "$dir/rec.db" --filter queue:neon_api_input --dry-run | tail -n 1)
	echo "replay: $n requests to the demo api service recorded ($line)"

	out=$(measure replay_max "$dir" "${cfg[@]}")
	wall=${out% *}
	replayed=$(head -n 1 "$dir/replay.out")
	replay_rate=$(rate "$n" "$wall")

	out=$(measure request_loop "$loop" "${cfg[@]}")
	loop_rate=$(rate "$loop" "${out% *}")
	stop_bg "$demo"

	# The generator sends at the rate asked, each request on its own
	# goroutine; its first summary (after 10 s) counts the replies.
	"$MQSCOPE" demo "${cfg[@]}" --vhost "$REPLAY_VHOST" --services api --rate "$demo_rate" 2>"$dir/gen.log" &
	demo=$!
	wait_log "$dir/gen.log" 40 "traffic generator: [0-9]+ requests"
	stop_bg "$demo"
	gen_rate=$(grep -m1 -oE "traffic generator: [0-9]+ requests, [0-9]+ replies" "$dir/gen.log" | awk '{ printf "%.0f", $5 / 10 }')

	printf "%-44s %10s %10s\n" "" "req/s" "replay/x"
	printf "%-44s %10s %10s\n" "mqscope replay --speed max ($n requests)" "$replay_rate" "1.00"
	printf "%-44s %10s %10s\n" "mqscope request in a loop ($loop runs)" "$loop_rate" "$(ratio "$replay_rate" "$loop_rate")"
	printf "%-44s %10s %10s\n" "demo traffic generator (--rate $demo_rate, 10 s)" "$gen_rate" "$(ratio "$replay_rate" "$gen_rate")"
	echo "  replay said: $replayed"
	mgmt DELETE "/api/vhosts/$vh" >/dev/null
}

# replay_max DIR ARGS... replays DIR/rec.db's requests as fast as replies
# allow; its summary goes to DIR/replay.out. Its exit status (1 when a
# reply differs from the recorded one) does not stop the timing.
replay_max() {
	local dir=$1
	shift
	"$MQSCOPE" replay "$dir/rec.db" "$@" --filter queue:neon_api_input --speed max >"$dir/replay.out" 2>&1 || true
}

# request_loop N ARGS... runs `mqscope request` N times, one after the other.
request_loop() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$MQSCOPE" request "$@" --vhost "$REPLAY_VHOST" --queue neon_api_input --json '{"service": "api_test_endpoint"}' \
			>/dev/null 2>"$WORK/replay/request.err" || {
			cat "$WORK/replay/request.err" >&2
			return 1
		}
	done
}

# ---- firehose ----

# FH_VHOST is the firehose section's own vhost, set while it exists.
FH_VHOST=""

# fh_vhost_create makes the firehose vhost, tracing on, guest allowed.
fh_vhost_create() {
	FH_VHOST="/mqscope_bench_fh_$$"
	local v
	v=$(printf %s "$FH_VHOST" | sed 's|/|%2F|g')
	mgmt PUT "/api/vhosts/$v" '{"tracing": true}' >/dev/null
	mgmt PUT "/api/permissions/$v/guest" '{"configure": ".*", "write": ".*", "read": ".*"}' >/dev/null
}

# fh_vhost_delete deletes the firehose vhost and everything in it.
fh_vhost_delete() {
	[[ -n $FH_VHOST ]] || return 0
	mgmt DELETE "/api/vhosts/$(printf %s "$FH_VHOST" | sed 's|/|%2F|g')" >/dev/null || true
	FH_VHOST=""
}

# fh_ns_ms FROM_NS TO_NS: milliseconds from one Unix-ns stamp to another.
fh_ns_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f\n", (b - a) / 1e6 }'; }

# fh_traffic DIR QUEUE N: publishes N requests at full rate to QUEUE while
# a plain consumer (the service) takes them; writes the start of the
# publishing and the moment the service took the last request (the broker
# traces that delivery then: the last event of the traffic) to DIR/start
# and DIR/svc, in Unix ns.
fh_traffic() {
	local dir=$1 queue=$2 n=$3 svc
	"$BENCHTOOL" drain -vhost "$FH_VHOST" -queue "$queue" -n "$n" -stamp >"$dir/svc" &
	svc=$!
	date +%s%N >"$dir/start"
	"$BENCHTOOL" publish -vhost "$FH_VHOST" -queue "$queue" -n "$n"
	wait "$svc"
}

# fh_wait_for TEST FILE SECONDS: waits until `test TEST FILE` holds (-e:
# the file exists).
fh_wait_for() {
	local test=$1 file=$2 i
	for ((i = 0; i < $3 * 20; i++)); do
		test "$test" "$file" && return 0
		sleep 0.05
	done
	echo "bench.sh: firehose: $file did not appear within $3 s" >&2
	return 1
}

# fh_baseline DIR QUEUE N: the traffic watched by benchtool trace-drain;
# prints the Unix-ns stamps start, last event taken, last event published.
fh_baseline() {
	local dir=$1 queue=$2 n=$3 watcher
	rm -f "$dir/ready"
	"$BENCHTOOL" trace-drain -vhost "$FH_VHOST" -n $((2 * n)) -ready "$dir/ready" >"$dir/seen" &
	watcher=$!
	fh_wait_for -e "$dir/ready" 20
	fh_traffic "$dir" "$queue" "$n"
	wait "$watcher"
	echo "$(cat "$dir/start") $(cat "$dir/seen") $(cat "$dir/svc")"
}

# fh_mqscope DIR QUEUE N: the traffic watched by `mqscope tail --mode
# firehose` (the whole vhost), its lines stamped by benchtool lines as they
# come out; prints the same three stamps as fh_baseline.
fh_mqscope() {
	local dir=$1 queue=$2 n=$3 watcher
	: >"$dir/tail.err"
	{ "$MQSCOPE" tail --config "$dir/mq_config.json" --vhost "$FH_VHOST" --mode firehose --count $((2 * n)) 2>"$dir/tail.err" |
		"$BENCHTOOL" lines -n $((2 * n)) >"$dir/seen"; } &
	watcher=$!
	# The firehose is set up (its queue bound) when the watch says connected.
	fh_wait_for_text "$dir/tail.err" "connected" 20
	fh_traffic "$dir" "$queue" "$n"
	wait "$watcher" || { echo "bench.sh: firehose: mqscope tail failed: $(cat "$dir/tail.err")" >&2; return 1; }
	echo "$(cat "$dir/start") $(cat "$dir/seen") $(cat "$dir/svc")"
}

# fh_wait_for_text FILE TEXT SECONDS: waits until FILE holds TEXT.
fh_wait_for_text() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench.sh: firehose: no \"$2\" in $1 after $3 s: $(cat "$1")" >&2
	return 1
}

# bench_firehose publishes BENCH_FIREHOSE_N requests at full rate to a
# queue a plain consumer takes them from, in a vhost with tracing on, and
# compares how fast the trace events reach `mqscope tail --mode firehose`
# with how fast they reach a plain amqp091-go consumer of a queue of its
# own bound to amq.rabbitmq.trace (the baseline), interleaved per round.
# The drain rate is the events (two per request) over the time from the
# first publish to the last event taken (printed, for mqscope); the lag is
# the time from the last event published (when the service took the last
# request, whose delivery the broker traces then) to the last taken.
# Goal: mqscope/baseline ≥ 0.9.
bench_firehose() {
	need go firehose
	need curl firehose
	local n=${BENCH_FIREHOSE_N:-20000} rounds=${BENCH_ROUNDS:-3} dir="$WORK/firehose"
	local queue="mqscope_test.bench.firehose" r v start seen svc
	local -a ratios lags base_lags
	mkdir -p "$dir"
	tools
	write_config "$dir/mq_config.json"
	fh_vhost_create
	"$BENCHTOOL" publish -vhost "$FH_VHOST" -queue "$queue" -n 0
	echo "firehose: $n requests published at full rate to a consumed queue, tracing on ($((2 * n)) trace events)"
	echo "          events/s from the first publish to the last event taken, and lag after the last event published"
	printf "%-6s %10s %10s %9s %10s %10s\n" round base/s mqscope/s mq/base "base lag" "mq lag"
	for ((r = 1; r <= rounds; r++)); do
		local -A rates=() lag=()
		for v in baseline mqscope; do
			read -r start seen svc <<<"$("fh_$v" "$dir" "$queue" "$n")"
			[[ -n $svc ]] || { echo "bench.sh: firehose: the $v run failed" >&2; return 1; }
			rates[$v]=$(rate $((2 * n)) "$(awk -v a="$start" -v b="$seen" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')")
			lag[$v]=$(fh_ns_ms "$svc" "$seen")
		done
		ratios+=("$(ratio "${rates[mqscope]}" "${rates[baseline]}")")
		lags+=("${lag[mqscope]}")
		base_lags+=("${lag[baseline]}")
		printf "%-6s %10s %10s %9s %8s ms %7s ms\n" "$r" "${rates[baseline]}" "${rates[mqscope]}" "${ratios[-1]}" \
			"${lag[baseline]}" "${lag[mqscope]}"
	done
	fh_vhost_delete
	echo "median mqscope/baseline $(median "${ratios[@]}") (goal ≥ 0.9), lag after the traffic: mqscope $(median "${lags[@]}") ms, baseline $(median "${base_lags[@]}") ms"
}

# cleanup stops what the sections started (an interrupted section may
# leave a TUI or a waiter running), deletes their queues and removes the
# scratch files.
cleanup() {
	local pids q
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
	pids=$(jobs -p)
	[[ -z $pids ]] || kill $pids 2>/dev/null || true
	if [[ -x ${BENCHTOOL:-} ]]; then
		for q in ingest tui burst; do
			bt delete -queue "mqscope_test.bench.$q" 2>/dev/null || true
		done
	fi
	mgmt DELETE "/api/vhosts/${REPLAY_VHOST//\//%2F}" >/dev/null 2>&1 || true
	fh_vhost_delete
	rm -rf "$WORK"
}

main() {
	local sections=("$@")
	if [[ ${#sections[@]} -eq 0 || ${sections[0]} == all ]]; then
		sections=("${SECTIONS[@]}")
	fi
	local s
	for s in "${sections[@]}"; do
		declare -F "bench_$s" >/dev/null || usage
	done
	WORK=$(mktemp -d)
	trap cleanup EXIT
	for s in "${sections[@]}"; do
		"bench_$s"
	done
}

main "$@"
