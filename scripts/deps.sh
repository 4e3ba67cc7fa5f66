#!/usr/bin/env bash
# Installs the Debian packages mqscope's tests and demo use (tmux for the
# end-to-end TUI test, python3 for the interop tests) when they are missing.
set -euo pipefail
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v python3 >/dev/null || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "deps.sh: please install: ${missing[*]} (tests that need them will be skipped)" >&2
  exit 0
fi
DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
  echo "deps.sh: apt-get install ${missing[*]} failed (tests that need them will be skipped)" >&2
