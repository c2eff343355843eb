#!/usr/bin/env bash
# Static-file throughput of serveStatic against the npm peers `serve` and `http-server`, in one run
# (not in CI). Each server is one Node process on loopback; wrk (1 thread, 50 connections) asks for a
# 4 KiB and a 1 MiB file, the servers interleaved round by round so machine noise hits all alike.
# Prints req/s (best of ROUNDS) per server and file, and our ratio to each peer.
#   bash bench/static.sh            # ROUNDS=3 SECONDS_PER_RUN=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-50}
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)"; exit 1; }
[ -f dist/bench/static-server.js ] || npx tsc -p . >/dev/null || true

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
head -c 4096 /dev/urandom >"$dir/4k.bin"
head -c 1048576 /dev/urandom >"$dir/1m.bin"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened"; exit 1; }

declare -A port
port[wirekit]=$(free_port)
PORT=${port[wirekit]} node dist/bench/static-server.js "$dir" >/dev/null & pids+=($!)
port[serve]=$(free_port)
node node_modules/serve/build/main.js -L -n -l "tcp://127.0.0.1:${port[serve]}" "$dir" >/dev/null & pids+=($!)
port[http-server]=$(free_port)
node node_modules/http-server/bin/http-server "$dir" -a 127.0.0.1 -p "${port[http-server]}" -s & pids+=($!)
for name in wirekit serve http-server; do wait_port "${port[$name]}"; done

servers=(wirekit serve http-server)
files=(4k.bin 1m.bin)
declare -A best
for round in $(seq "$ROUNDS"); do
  for file in "${files[@]}"; do
    for name in "${servers[@]}"; do
      url="http://127.0.0.1:${port[$name]}/$file"
      rps=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$url" | awk '/Requests\/sec/ {print $2}')
      key="$name $file"
      prev=${best[$key]:-0}
      best[$key]=$(awk -v a="$rps" -v b="$prev" 'BEGIN { print (a > b) ? a : b }')
      echo "round $round  $file  $name  $rps req/s" >&2
    done
  done
done

echo
echo "| file | wirekit req/s | serve req/s | http-server req/s | wirekit / serve | wirekit / http-server |"
echo "|---|---:|---:|---:|---:|---:|"
for file in "${files[@]}"; do
  w=${best["wirekit $file"]}; s=${best["serve $file"]}; h=${best["http-server $file"]}
  awk -v f="$file" -v w="$w" -v s="$s" -v h="$h" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.0f | %.2f× | %.2f× |\n", f, w, s, h, w / s, w / h }'
done
