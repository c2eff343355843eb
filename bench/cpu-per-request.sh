#!/usr/bin/env bash
# Server CPU time per request (µs), measured from /proc while wrk drives one endpoint: less sensitive
# to a noisy machine than req/s, because it counts the CPU the server used, not the wall time.
# Usage: bench/cpu-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]   (bounded: 5 s per server)
# Example: bench/cpu-per-request.sh /json wirekit="node dist/bench/app.js" node-http="node $WIREKIT_BENCH/peers/servers/node-http.mjs"
# PROTOCOL=h2c: cleartext HTTP/2 with prior knowledge driven by h2load (10 connections × 10 streams)
# instead of wrk; servers get H2C=1 (the bench app then serves h2c):
#   PROTOCOL=h2c bench/cpu-per-request.sh / floor="node dist/bench/h2c-floor.js" wirekit="node dist/bench/app.js"
# PROTOCOL=https: HTTP/1.1 over TLS driven by wrk (no ALPN); PROTOCOL=h2: HTTP/2 over TLS (ALPN h2) driven
# by h2load (10 × 10). Servers get TLS_CERT and TLS_KEY (the harness's dev certificate unless both are set):
#   PROTOCOL=https bench/cpu-per-request.sh / wirekit="node dist/bench/app.js" node-https="node $WIREKIT_BENCH/peers/servers/node-https.mjs"
# ROUNDS=N repeats the list N times (interleaved) and prints every measurement.
set -euo pipefail
path=$1; shift
port=18950
tck=$(getconf CLK_TCK)
protocol=${PROTOCOL:-http1}
rounds=${ROUNDS:-1}
scheme=http
case $protocol in
  http1 | h2c) ;;
  https | h2)
    scheme=https
    if [ -z "${TLS_CERT:-}" ] || [ -z "${TLS_KEY:-}" ]; then
      : "${WIREKIT_BENCH:?set WIREKIT_BENCH (for its dev certificate) or TLS_CERT and TLS_KEY}"
      dir=$("$WIREKIT_BENCH/lib/dev-cert.sh")
      TLS_CERT=$dir/cert.pem TLS_KEY=$dir/key.pem
    fi
    export TLS_CERT TLS_KEY
    ;;
  *) echo "PROTOCOL is http1, h2c, https or h2" >&2; exit 2 ;;
esac

drive() { # PORT SECONDS -> prints "requests req/s"
  if [ "$protocol" = h2c ] || [ "$protocol" = h2 ]; then
    taskset -c 0 h2load -t1 -c10 -m10 -D "$2" "$scheme://127.0.0.1:$1$path" |
      awk '/^finished in/ {rps = $4} /^requests:/ {print $8, rps}'
  else
    taskset -c 0 wrk -t1 -c50 -d"$2"s "$scheme://127.0.0.1:$1$path" |
      awk '/requests in/ {n = $1} /Requests\/sec/ {print n, $2}'
  fi
}
printf '| server | req/s | server CPU µs/request | user | kernel |\n|---|---:|---:|---:|---:|\n'
specs=()
for ((r = 0; r < rounds; r++)); do specs+=("$@"); done
for spec in "${specs[@]}"; do
  name=${spec%%=*}; cmd=${spec#*=}
  H2C=$([ "$protocol" = h2c ] && echo 1 || echo 0) PORT=$port HOST=127.0.0.1 setsid taskset -c 1 bash -c "exec $cmd" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  drive "$port" 2 >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' /proc/$pid/stat)
  read -r reqs rps < <(drive "$port" 5)
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
  kill -TERM -- -$pid 2>/dev/null || kill $pid; wait $pid 2>/dev/null || true
  awk -v n="$name" -v rps="$rps" -v r="$reqs" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$tck" \
    'BEGIN {printf "| %s | %s | %.1f | %.1f | %.1f |\n", n, rps, (u + s) * 1e6 / hz / r, u * 1e6 / hz / r, s * 1e6 / hz / r}'
  port=$((port + 1))
done
