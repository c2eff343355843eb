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
# shellcheck source=bench/callgrind-count.sh
. "$here/callgrind-count.sh"

drive() { node "$here/ws-pingpong.mjs" "$1" "$2" "$size" 10; }
count() { callgrind_count "$1" "$2" drive; }

printf '| server | instructions per %s-byte echo |\n|---|---:|\n' "$size"
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 5000 "$cmd"); b=$(count 15000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 10000 ))
done
