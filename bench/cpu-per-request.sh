#!/usr/bin/env bash
# Server CPU time per request (µs), measured from /proc while wrk drives one endpoint: less sensitive
# to a noisy machine than req/s, because it counts the CPU the server used, not the wall time.
# Usage: bench/cpu-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]   (bounded: 5 s per server)
# Example: bench/cpu-per-request.sh /json wirekit="node dist/bench/app.js" node-http="node $WIREKIT_BENCH/peers/servers/node-http.mjs"
set -euo pipefail
path=$1; shift
port=18950
tck=$(getconf CLK_TCK)
printf '| server | req/s | server CPU µs/request |\n|---|---:|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  PORT=$port HOST=127.0.0.1 setsid taskset -c 1 bash -c "exec $cmd" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  taskset -c 0 wrk -t1 -c50 -d2s "http://127.0.0.1:$port$path" >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
  out=$(taskset -c 0 wrk -t1 -c50 -d5s "http://127.0.0.1:$port$path")
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
  kill -TERM -- -$pid 2>/dev/null || kill $pid; wait $pid 2>/dev/null || true
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  cpu_us=$(( ( (u1 + s1) - (u0 + s0) ) * 1000000 / tck ))
  printf '| %s | %s | %.1f |\n' "$name" "$rps" "$(echo "$cpu_us / $reqs" | bc -l)"
  port=$((port + 1))
done
