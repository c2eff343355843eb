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
# shellcheck source=bench/callgrind-count.sh
. "$here/callgrind-count.sh"
if [ "$protocol" = h2c ]; then
  command -v h2load >/dev/null || { echo "needs h2load (apt-get install -y nghttp2-client)" >&2; exit 1; }
fi

drive() { # PORT N: the requests
  if [ "$protocol" = h2c ]; then
    h2load -n "$2" -c 10 -m 10 -t 1 "http://127.0.0.1:$1$path" | grep -q "$2 succeeded" || echo "h2load: requests failed" >&2
  else
    node "$here/keepalive-gets.mjs" "$1" "$path" "$2"
  fi
}
count() { H2C=$([ "$protocol" = h2c ] && echo 1 || echo 0) callgrind_count "$1" "$2" drive; }

printf '| server | instructions per request |\n|---|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count 2000 "$cmd"); b=$(count 6000 "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / 4000 ))
done
