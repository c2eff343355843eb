#!/usr/bin/env bash
# User-space instructions per request, counted by valgrind's callgrind: deterministic, unlike req/s on
# a shared machine. Each server runs twice under callgrind, answering 2,000 and then 6,000 keep-alive
# GETs (10 connections, bench/keepalive-gets.mjs); the difference over 4,000 is the cost of one
# request without start-up and JIT warm-up. Kernel time (read/write syscalls) is not counted.
# Usage: bench/instructions-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]
# BODY_FILE=file makes every request a POST of that file (application/json), e.g. PATH /echo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
path=$1; shift
# shellcheck source=bench/callgrind-count.sh
. "$here/callgrind-count.sh"

drive() { node "$here/keepalive-gets.mjs" "$1" "$path" "$2"; }
count() { callgrind_count "$1" "$2" drive; }

printf '| server | instructions per request |\n|---|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 2000 "$cmd"); b=$(count 6000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 4000 ))
done
