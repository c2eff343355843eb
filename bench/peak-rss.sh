#!/usr/bin/env bash
# Peak RSS (VmHWM) of each server after each scenario alone: a fresh process per scenario, 4 s of wrk
# (100 connections, the harness's Lua script), so the scenario that sets a server's peak shows.
# Usage: WIREKIT_BENCH=... bench/peak-rss.sh NAME=COMMAND [NAME=COMMAND ...]
set -euo pipefail
lua=$WIREKIT_BENCH/lib/bench.lua body=$WIREKIT_BENCH/data/echo-1k.json
scenarios=(plaintext:get:/ json:get:/json users:get:/users/123 echo:post:/echo pipeline:pipeline:/)
printf '| server | idle |'; for s in "${scenarios[@]}"; do printf ' %s |' "${s%%:*}"; done; printf '\n'
for spec in "$@"; do
  name=${spec%%=*} cmd=${spec#*=}
  printf '| %s |' "$name"
  idle=
  for s in "${scenarios[@]}"; do
    IFS=: read -r scen mode path <<<"$s"
    port=$((19500 + RANDOM % 400))
    # shellcheck disable=SC2086 # the command is split into words on purpose
    PORT=$port HOST=127.0.0.1 taskset -c 1 $cmd >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    [[ -z $idle ]] && idle=$(awk '/^VmRSS:/{printf "%.1f", $2/1024}' /proc/$pid/status) && printf ' %s |' "$idle"
    WRK_MODE=$mode WRK_BODY_FILE=$body WRK_DEPTH=16 timeout 30 taskset -c 0 \
      wrk -t1 -c100 -d4s -s "$lua" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
    printf ' %s |' "$(awk '/^VmHWM:/{printf "%.1f", $2/1024}' /proc/$pid/status)"
    kill $pid; wait $pid 2>/dev/null || true
  done
  printf '\n'
done
