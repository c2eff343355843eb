#!/usr/bin/env bash
# User-space instructions per request, counted by valgrind's callgrind: deterministic, unlike req/s on
# a shared machine. Each server runs twice under callgrind, answering 2,000 and then 6,000 keep-alive
# GETs (10 connections, bench/keepalive-gets.mjs); the difference over 4,000 is the cost of one
# request without start-up and JIT warm-up. Kernel time (read/write syscalls) is not counted.
# Usage: bench/instructions-per-request.sh PATH NAME=COMMAND [NAME=COMMAND ...]
# REQUESTS="A B" counts runs of A and B requests instead (default "2000 6000"). The default window still
# holds V8's tier-up of the request path (TurboFan compiles, code running in its baseline tier): about
# half of an App's count. A later window (REQUESTS="8000 16000") measures the warmed-up cost, and
# `node --single-threaded` in the command makes the count repeat exactly (no compiler thread racing
# the requests); see docs/benchmarks.md, issue 9.
# BODY_FILE=file makes every request a POST of that file (application/json), e.g. PATH /echo.
# PROTOCOL=h2c sends the requests as cleartext HTTP/2 with prior knowledge instead (h2load, 10
# connections × 10 streams; servers get H2C=1, which the bench app takes as `http2: 'h2c'`):
#   PROTOCOL=h2c bench/instructions-per-request.sh / floor="node dist/bench/h2c-floor.js" wirekit="node dist/bench/app.js"
# PROTOCOL=https: HTTP/1.1 over TLS (h2load --h1, 10 connections, one request at a time each);
# PROTOCOL=h2: HTTP/2 over TLS (ALPN h2, h2load 10 × 10). Servers get TLS_CERT and TLS_KEY (the
# harness's dev certificate unless both are set); OpenSSL's instructions are counted too, and the
# handshakes (10 in both runs) cancel out in the difference:
#   PROTOCOL=https bench/instructions-per-request.sh / wirekit="node dist/bench/app.js" node-https="node $WIREKIT_BENCH/peers/servers/node-https.mjs"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
path=$1; shift
protocol=${PROTOCOL:-http1}
# shellcheck source=bench/callgrind-count.sh
. "$here/callgrind-count.sh"
case $protocol in
  http1 | h2c) ;;
  https | h2)
    if [ -z "${TLS_CERT:-}" ] || [ -z "${TLS_KEY:-}" ]; then
      : "${WIREKIT_BENCH:?set WIREKIT_BENCH (for its dev certificate) or TLS_CERT and TLS_KEY}"
      dir=$("$WIREKIT_BENCH/lib/dev-cert.sh")
      TLS_CERT=$dir/cert.pem TLS_KEY=$dir/key.pem
    fi
    # Handshakes and SETTINGS under valgrind take seconds: the bench app's 10 s timeouts would cut some.
    export TLS_CERT TLS_KEY SLOW_TIMEOUT_MS=600000
    ;;
  *) echo "PROTOCOL is http1, h2c, https or h2" >&2; exit 2 ;;
esac
if [ "$protocol" != http1 ]; then
  command -v h2load >/dev/null || { echo "needs h2load (apt-get install -y nghttp2-client)" >&2; exit 1; }
fi

h2load_checked() { # N ARGS...: runs h2load, says so when not all N requests succeeded
  local n=$1 out
  shift
  out=$(h2load "$@" 2>&1) || true
  grep -q " $n succeeded" <<<"$out" || { echo "h2load: requests failed:" >&2; grep -E '^(requests|status)' <<<"$out" >&2; }
}

drive() { # PORT N: the requests
  if [ "$protocol" = h2c ]; then
    h2load_checked "$2" -n "$2" -c 10 -m 10 -t 1 "http://127.0.0.1:$1$path"
  elif [ "$protocol" = h2 ]; then
    h2load_checked "$2" -n "$2" -c 10 -m 10 -t 1 "https://127.0.0.1:$1$path"
  elif [ "$protocol" = https ]; then
    h2load_checked "$2" --h1 -n "$2" -c 10 -m 1 -t 1 "https://127.0.0.1:$1$path"
  else
    node "$here/keepalive-gets.mjs" "$1" "$path" "$2"
  fi
}
count() { H2C=$([ "$protocol" = h2c ] && echo 1 || echo 0) callgrind_count "$1" "$2" drive; }

read -r first second <<<"${REQUESTS:-2000 6000}"
[ "$second" -gt "$first" ] 2>/dev/null || { echo "REQUESTS is two counts, the second larger" >&2; exit 2; }
printf '| server | instructions per request |\n|---|---:|\n'
for spec in "$@"; do
  name=${spec%%=*}; cmd=${spec#*=}
  a=$(count "$first" "$cmd"); b=$(count "$second" "$cmd")
  printf '| %s | %d |\n' "$name" $(( (b - a) / (second - first) ))
done
