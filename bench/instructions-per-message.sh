#!/usr/bin/env bash
# User-space instructions per WebSocket echo, counted by valgrind's callgrind: deterministic, unlike
# messages per second on a shared machine. Each server (the ws-echo contract) runs twice under
# callgrind, echoing 5,000 and then 15,000 messages of SIZE bytes over 10 connections
# (bench/ws-pingpong.mjs); the difference over 10,000 is the cost of one echo without start-up and
# JIT warm-up. Kernel time (the read and write syscalls) is not counted.
# Usage: bench/instructions-per-message.sh SIZE NAME=COMMAND [NAME=COMMAND ...]
#   bench/instructions-per-message.sh 32 ws="node $WIREKIT_BENCH/peers/servers/ws-echo.mjs" wirekit="node dist/bench/ws-echo.js"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
size=$1; shift
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }

count() { # N COMMAND -> total instructions
  local n=$1 cmd=$2 port=$((19500 + RANDOM % 400)) out
  out=$(mktemp -d)
  # shellcheck disable=SC2086 # the command is split into words on purpose
  PORT=$port HOST=127.0.0.1 valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" $cmd >"$out/log" 2>&1 &
  local vpid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  node "$here/ws-pingpong.mjs" "$port" "$n" "$size" 10
  kill -INT $vpid; wait $vpid 2>/dev/null || true
  grep -h '^summary:' "$out"/cg.* | awk '{s += $2} END {printf "%.0f\n", s}'
  rm -rf "$out"
}

printf '| server | instructions per %s-byte echo |\n|---|---:|\n' "$size"
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 5000 "$cmd"); b=$(count 15000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 10000 ))
done
