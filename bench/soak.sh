#!/usr/bin/env bash
# Soak: SOAK_SECONDS (default 600) of mixed traffic (bench/soak-traffic.ts) against the demo app
# (bench/soak-server.ts: examples/demo plus an SSE route, sampling its own memory, handles and
# descriptors every second), then the verdict (bench/soak-verdict.ts). Exits non-zero when a metric
# grows, handles or descriptors do not come back, or the server answered a 5xx.
# Usage: SOAK_SECONDS=60 bench/soak.sh   (or bench/soak.sh 60). Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${SOAK_SECONDS:-600}}
out=${SOAK_DIR:-$(mktemp -d)}
npm run build --silent
port=$((20000 + RANDOM % 20000))
samples=$out/samples.jsonl
PORT=$port SOAK_SAMPLES=$samples node --expose-gc dist/bench/soak-server.js >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$out/server.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$out/server.log" || { echo "the soak server did not start:"; cat "$out/server.log"; exit 1; }
echo "soak: ${seconds}s of traffic against pid $pid on 127.0.0.1:$port (load: $(cut -d' ' -f1-3 /proc/loadavg)); files in $out"
sleep 3
start=$(date +%s%3N)
traffic=0
PORT=$port SOAK_SECONDS=$seconds node dist/bench/soak-traffic.js | tee "$out/traffic.log" || traffic=$?
end=$(date +%s%3N)
# Idle keep-alive connections close after the server's 5 s timeout; the verdict reads what follows.
sleep 12
kill $pid; wait $pid 2>/dev/null || true
trap - EXIT
verdict=0
node dist/bench/soak-verdict.js "$samples" "$start" "$end" || verdict=$?
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$traffic" -ne 0 ] || [ "$verdict" -ne 0 ]; then exit 1; fi
