#!/usr/bin/env bash
# Server CPU time per request (µs), measured from /proc while wrk drives one endpoint: less sensitive
# to a noisy machine than req/s, because it counts the CPU the server used, not the wall time.
# Usage: bench/cpu-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]   (bounded: 5 s per server)
# Example: bench/cpu-per-request.sh /json wirekit="node dist/bench/app.js" node-http="node $WIREKIT_BENCH/peers/servers/node-http.mjs"
# PROTOCOL=h2c: cleartext HTTP/2 with prior knowledge driven by h2load (10 connections × 10 streams)
# instead of wrk; servers get H2C=1 (the bench app then serves h2c):
#   PROTOCOL=h2c bench/cpu-per-request.sh / floor="node dist/bench/h2c-floor.js" wirekit="node dist/bench/app.js"
set -euo pipefail
path=$1; shift
port=18950
tck=$(getconf CLK_TCK)
protocol=${PROTOCOL:-http1}

drive() { # PORT SECONDS -> prints "requests req/s"
  if [ "$protocol" = h2c ]; then
    taskset -c 0 h2load -t1 -c10 -m10 -D "$2" "http://127.0.0.1:$1$path" |
      awk '/^finished in/ {rps = $4} /^requests:/ {print $8, rps}'
  else
    taskset -c 0 wrk -t1 -c50 -d"$2"s "http://127.0.0.1:$1$path" |
      awk '/requests in/ {n = $1} /Requests\/sec/ {print n, $2}'
  fi
}
printf '| server | req/s | server CPU µs/request |\n|---|---:|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  H2C=$([ "$protocol" = h2c ] && echo 1 || echo 0) PORT=$port HOST=127.0.0.1 setsid taskset -c 1 bash -c "exec $cmd" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  drive "$port" 2 >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
  read -r reqs rps < <(drive "$port" 5)
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
  kill -TERM -- -$pid 2>/dev/null || kill $pid; wait $pid 2>/dev/null || true
  cpu_us=$(( ( (u1 + s1) - (u0 + s0) ) * 1000000 / tck ))
  printf '| %s | %s | %.1f |\n' "$name" "$rps" "$(echo "$cpu_us / $reqs" | bc -l)"
  port=$((port + 1))
done
