#!/usr/bin/env bash
# User-space instructions per HTTP/2 request, counted by valgrind's callgrind (deterministic, unlike
# req/s on a shared machine): each server runs twice under callgrind and answers 2,000 then 6,000
# cleartext HTTP/2 requests (h2load, 10 connections × 10 concurrent streams, prior knowledge); the
# difference over 4,000 is the cost of one request without start-up and JIT warm-up. Kernel time is
# not counted. Servers get PORT and HOST, plus H2C=1 (the bench app then serves h2c).
# Usage: bench/h2-instructions-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]
#   bench/h2-instructions-per-request.sh / floor="node dist/bench/h2c-floor.js" wirekit="node dist/bench/app.js"
set -euo pipefail
path=$1; shift
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
command -v h2load >/dev/null || { echo "needs h2load (apt-get install -y nghttp2-client)" >&2; exit 1; }

count() { # N COMMAND -> total instructions
  local n=$1 cmd=$2 port=$((19500 + RANDOM % 400)) out
  out=$(mktemp -d)
  # shellcheck disable=SC2086 # the command is split into words on purpose
  H2C=1 PORT=$port HOST=127.0.0.1 valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" $cmd >"$out/log" 2>&1 &
  local vpid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  h2load -n "$n" -c 10 -m 10 -t 1 "http://127.0.0.1:$port$path" >"$out/h2load" 2>&1
  grep -q "$n succeeded" "$out/h2load" || { cat "$out/h2load" >&2; echo "h2load did not finish $n requests" >&2; }
  kill -INT $vpid; wait $vpid 2>/dev/null || true
  grep -h '^summary:' "$out"/cg.* | awk '{s += $2} END {printf "%.0f\n", s}'
  rm -rf "$out"
}

printf '| server | instructions per HTTP/2 request |\n|---|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 2000 "$cmd"); b=$(count 6000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 4000 ))
done
