#!/usr/bin/env bash
# User and kernel CPU time per request of each server, read from /proc/PID/stat around a wrk run
# (100 connections, the harness's Lua script, server pinned to CPU 1, wrk to CPU 0), in interleaved
# rounds; prints the median of each. Kernel time (read/write/epoll syscalls) is about the same for
# every server on node:net, so it bounds the ratio any of them can reach over another.
# Usage: WIREKIT_BENCH=... bench/cpu-split.sh [-r ROUNDS] [-s SCENARIO] NAME=COMMAND [NAME=COMMAND ...]
set -euo pipefail
: "${WIREKIT_BENCH:?set WIREKIT_BENCH to the harness directory}"
rounds=3 scenario=plaintext
while getopts r:s: opt; do case $opt in r) rounds=$OPTARG ;; s) scenario=$OPTARG ;; *) exit 2 ;; esac; done
shift $((OPTIND - 1))
case $scenario in
  plaintext) mode=get path=/ ;; json) mode=get path=/json ;; users) mode=get path=/users/123 ;;
  echo) mode=post path=/echo ;; pipeline) mode=pipeline path=/ ;; *) echo "unknown scenario" >&2; exit 2 ;;
esac
hz=$(getconf CLK_TCK) out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
load() { # PORT SECONDS -> wrk output
  WRK_MODE=$mode WRK_BODY_FILE=$WIREKIT_BENCH/data/echo-1k.json WRK_DEPTH=16 timeout 60 taskset -c 0 \
    wrk -t1 -c100 -d"$2"s -s "$WIREKIT_BENCH/lib/bench.lua" "http://127.0.0.1:$1$path" 2>&1
}
for ((round = 1; round <= rounds; round++)); do
  for spec in "$@"; do
    name=${spec%%=*} cmd=${spec#*=} port=$((19100 + RANDOM % 800))
    # shellcheck disable=SC2086 # the command is split into words on purpose
    PORT=$port HOST=127.0.0.1 taskset -c 1 $cmd >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    load "$port" 2 >/dev/null
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    reqs=$(load "$port" 4 | awk '/requests in/{print $1}')
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    awk -v r="$reqs" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" \
      'BEGIN{printf "%.2f %.2f\n", u*1e6/hz/r, s*1e6/hz/r}' >>"$out/$name"
  done
done
printf '| server (%s, median of %d) | user µs/req | kernel µs/req | total µs/req |\n|---|---:|---:|---:|\n' "$scenario" "$rounds"
median() { sort -n | awk '{v[NR]=$1} END {printf "%.2f", v[int((NR+1)/2)]}'; }
for spec in "$@"; do
  name=${spec%%=*} f=$out/${spec%%=*}
  printf '| %s | %s | %s | %s |\n' "$name" "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" \
    "$(awk '{print $1 + $2}' "$f" | median)"
done
