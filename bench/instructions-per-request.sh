#!/usr/bin/env bash
# User-space instructions per request, counted by valgrind's callgrind: deterministic, unlike req/s on
# a shared machine. Each server runs twice under callgrind, answering 2,000 and then 6,000 keep-alive
# GETs (10 connections, bench/keepalive-gets.mjs); the difference over 4,000 is the cost of one
# request without start-up and JIT warm-up. Kernel time (read/write syscalls) is not counted.
# Usage: bench/instructions-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]
# BODY_FILE=file makes every request a POST of that file (application/json), e.g. PATH /echo.
# PROTOCOL=h2c sends the requests as cleartext HTTP/2 with prior knowledge instead (h2load, 10
# connections × 10 streams; servers get H2C=1, which the bench app takes as `http2: 'h2c'`):
#   PROTOCOL=h2c bench/instructions-per-request.sh / floor="node dist/bench/h2c-floor.js" wirekit="node dist/bench/app.js"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
path=$1; shift
protocol=${PROTOCOL:-http1}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
if [ "$protocol" = h2c ]; then
  command -v h2load >/dev/null || { echo "needs h2load (apt-get install -y nghttp2-client)" >&2; exit 1; }
fi

load() { # PORT N: the requests
  if [ "$protocol" = h2c ]; then
    h2load -n "$2" -c 10 -m 10 -t 1 "http://127.0.0.1:$1$path" | grep -q "$2 succeeded" || echo "h2load: requests failed" >&2
  else
    node "$here/keepalive-gets.mjs" "$1" "$path" "$2"
  fi
}

# A port nothing listens on (other benchmarks may run on this machine at the same time: the loader
# must never talk to their server).
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo "$port"; return; }
  done
  echo "no free port" >&2; exit 1
}

count() { # N COMMAND -> total instructions
  local n=$1 cmd=$2 port out
  port=$(free_port)
  out=$(mktemp -d)
  # shellcheck disable=SC2086 # the command is split into words on purpose
  H2C=$([ "$protocol" = h2c ] && echo 1 || echo 0) PORT=$port HOST=127.0.0.1 valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" $cmd >"$out/log" 2>&1 &
  local vpid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  load "$port" "$n"
  kill -INT $vpid; wait $vpid 2>/dev/null || true
  grep -h '^summary:' "$out"/cg.* | awk '{s += $2} END {printf "%.0f\n", s}'
  rm -rf "$out"
}

printf '| server | instructions per request |\n|---|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 2000 "$cmd"); b=$(count 6000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 4000 ))
done
