#!/usr/bin/env bash
# Benchmarks, one function per section. Usage:
#
#   scripts/bench.sh [all | SECTION...]
#
# Sections: decode. To add a section, write a bench_NAME function and add NAME
# to SECTIONS; keep its scratch files under "$WORK/NAME", which is removed on
# exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECTIONS=(decode)

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
# and prints throughput in MB/s (of wire bytes) and the ratio.
bench_decode() {
	need go decode
	need python3 decode
	local dir="$WORK/decode"
	mkdir -p "$dir"
	NEONWIRE_BENCH_BODIES="$dir" go test -count=1 -run '^TestWriteBenchBodies$' ./connector/neonwire/ >/dev/null
	go test -run '^$' -bench '^BenchmarkDecode$' -benchtime=2s -count=1 ./connector/neonwire/ >"$dir/go.txt"
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
			for (i = 1; i <= NF; i++) if ($i == "MB/s") gomb[name] = $(i - 1)
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
	trap 'rm -rf "$WORK"' EXIT
	for s in "${sections[@]}"; do
		"bench_$s"
	done
}

main "$@"
