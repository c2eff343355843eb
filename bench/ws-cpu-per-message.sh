#!/usr/bin/env bash
# Server CPU time (user + system, from /proc) per WebSocket echo: messages per server CPU-second,
# the figure the WebSocket targets are set in. Unlike messages per second, CPU time hardly moves
# when the machine is busy with other work. Each server (the ws-echo contract) is started, warmed
# up with 20,000 echoes, then measured over N echoes of SIZE bytes on CONNS connections
# (bench/ws-pingpong.mjs); servers alternate over ROUNDS rounds; the median is printed.
# Usage: bench/ws-cpu-per-message.sh SIZE N ROUNDS NAME=COMMAND [NAME=COMMAND ...]
#   bench/ws-cpu-per-message.sh 32 100000 3 ws="node $WIREKIT_BENCH/peers/servers/ws-echo.mjs" wirekit="node dist/bench/ws-echo.js"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
size=$1 n=$2 rounds=$3; shift 3
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # COMMAND -> nanoseconds of server CPU per echo
  local cmd=$1 port=$((19900 + RANDOM % 90)) pid before after
  # shellcheck disable=SC2086 # the command is split into words on purpose
  PORT=$port HOST=127.0.0.1 $cmd >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  node "$here/ws-pingpong.mjs" "$port" 20000 "$size" 10
  before=$(cpu_ticks $pid)
  node "$here/ws-pingpong.mjs" "$port" "$n" "$size" "${CONNS:-50}"
  after=$(cpu_ticks $pid)
  kill $pid; wait $pid 2>/dev/null || true
  echo $(( (after - before) * 1000000 / ticks / (n / 1000) ))  # nanoseconds per echo
}

declare -A results
for r in $(seq "$rounds"); do
  for spec in "$@"; do
    name=${spec%%=*}; cmd=${spec#*=}
    results[$name]+="$(measure "$cmd") "
  done
done
printf '| server | server CPU per %s-byte echo (µs, median of %s) | echoes per server CPU-second |\n|---|---:|---:|\n' "$size" "$rounds"
for spec in "$@"; do
  name=${spec%%=*}
  # shellcheck disable=SC2086
  med=$(printf '%s\n' ${results[$name]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v name="$name" -v med="$med" 'BEGIN { printf "| %s | %.2f | %d |\n", name, med / 1000, 1e6 / (med / 1000) }'
done
