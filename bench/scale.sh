#!/usr/bin/env bash
# Throughput by number of worker processes, wirekit's cluster against node:cluster + node:http, in
# one run: for n = 1 … N workers, each server gets the same wrk load (plaintext GET /, keep-alive,
# 100 connections per load core), and the table shows requests/s and the CPU seconds of the
# primary and of all the workers during the measured run (from /proc/PID/stat).
#
# The load generator is pinned to the first LOAD_CPUS cores (default: a quarter of the cores, at
# least 1) and the servers to the rest, so on a 2-core machine it is one core each: more workers
# then share one core (what this machine can show), and on a 16-core machine the same script
# shows the scaling.
# Usage: bench/scale.sh [-n MAX_WORKERS] [-d SECONDS] [-b reuseport|round-robin]   (after npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
cores=$(nproc)
load_cpus=${LOAD_CPUS:-$(( cores / 4 > 0 ? cores / 4 : 1 ))}
server_cpus=$(( cores - load_cpus > 0 ? cores - load_cpus : 1 ))
max=$(( server_cpus > 2 ? server_cpus : 2 )) seconds=5 balancing=""
while getopts n:d:b: opt; do
  case $opt in n) max=$OPTARG ;; d) seconds=$OPTARG ;; b) balancing=$OPTARG ;; *) exit 2 ;; esac
done
load_set="0-$((load_cpus - 1))"
server_set=$([ "$cores" -gt "$load_cpus" ] && echo "$load_cpus-$((cores - 1))" || echo "0")
hz=$(getconf CLK_TCK)
connections=$((100 * load_cpus))

cpu_of() { # PID -> "primary_ticks workers_ticks" (utime+stime; children by parent pid)
  local primary children=0 child
  primary=$(awk '{print $14 + $15}' "/proc/$1/stat")
  for child in $(pgrep -P "$1"); do
    children=$((children + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$primary $children"
}

run() { # NAME N COMMAND... -> a table row
  local name=$1 n=$2 port=$((20000 + RANDOM % 10000)) pid p0 w0 p1 w1 rps
  shift 2
  PORT=$port WORKERS=$n ${balancing:+BALANCING=$balancing} taskset -c "$server_set" "$@" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  sleep 0.5 # every worker listening (the first answers before the last has started)
  taskset -c "$load_set" wrk -t"$load_cpus" -c"$connections" -d1s "http://127.0.0.1:$port/" >/dev/null 2>&1 # warm-up
  read -r p0 w0 < <(cpu_of "$pid")
  rps=$(taskset -c "$load_set" wrk -t"$load_cpus" -c"$connections" -d"${seconds}s" "http://127.0.0.1:$port/" | awk '/Requests\/sec/{print $2}')
  read -r p1 w1 < <(cpu_of "$pid")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v name="$name" -v n="$n" -v rps="$rps" -v p=$((p1 - p0)) -v w=$((w1 - w0)) -v hz="$hz" -v s="$seconds" \
    'BEGIN{printf "| %s | %d | %.0f | %.2f | %.2f |\n", name, n, rps, p/hz/s, w/hz/s}'
}

echo "cores $cores: load on $load_set ($load_cpus wrk threads, $connections connections), servers on $server_set; ${seconds}s per run; Node $(node --version)"
echo "| server | workers | requests/s | primary CPU (cores) | workers CPU (cores) |"
echo "|---|---:|---:|---:|---:|"
for ((n = 1; n <= max; n++)); do
  run wirekit "$n" node dist/bench/cluster-app.js
  run "node:cluster + node:http" "$n" node bench/node-cluster-app.mjs
done
