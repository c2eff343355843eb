#!/usr/bin/env bash
# The load generator against its peers, in one run (not in CI; see docs/benchmarks.md).
#
#   bench/loadgen.sh [max]   wrk, autocannon and `wirekit bench` against the harness's raw-net
#                            server (one core), interleaved rotations: req/s, the load generator's
#                            CPU-seconds (user+sys of the whole process, /usr/bin/time), requests
#                            per CPU-second and the ratios.
#   bench/loadgen.sh instructions
#                            user-space instructions per request of autocannon and `wirekit bench`
#                            (valgrind's callgrind, kernel time not counted): each does 2,000 then
#                            6,000 requests, the difference / 4,000. Unlike a server's count this one
#                            is NOT steady: a load generator's work per request depends on how many
#                            responses each read carries, which depends on timing (seen: ±30%).
#   bench/loadgen.sh rate    `wirekit bench --rate` behind a server that answers 50 ms late
#                            (bench/delay-server.ts): p50/p99 against the wrk2-style expectation
#                            (the injected delay plus the server's own latency).
#   bench/loadgen.sh rate-proxy
#                            the same through `wirekit proxy --latency 50ms` in front of a server with
#                            no delay (proxy and server on CPU 1); the expectation is the injected
#                            latency plus the server's latency through the proxy without the fault.
#                            ROUNDS=3 repeats the pair (each round: base, then delayed).
#
# Server pinned to CPU 1, load generators to CPU 0. Bounded: ROTATIONS × 3 runs of SECONDS each.
#   npm run build && ROTATIONS=5 SECONDS=5 CONNECTIONS=100 bench/loadgen.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-max}
ROTATIONS=${ROTATIONS:-5}
SECONDS_PER_RUN=${SECONDS:-5}
CONNECTIONS=${CONNECTIONS:-100}
BENCH=${WIREKIT_BENCH:-$HOME/.cache/wirekit-bench}
AUTOCANNON=$BENCH/peers/node_modules/.bin/autocannon
WIREKIT="node $PWD/dist/pkg/cli/main.js bench"
PORT=${PORT:-18960}
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)"; exit 1; }
[ -x "$AUTOCANNON" ] || { echo "autocannon is needed: run ../shared/bench/setup.sh (WIREKIT_BENCH=$BENCH)"; exit 1; }
[ -f dist/pkg/cli/main.js ] && [ -f dist/bench/delay-server.js ] || { echo "run npm run build first"; exit 1; }
OUT=$(mktemp -d /tmp/wirekit-loadgen.XXXXXX)
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ]; then kill -TERM -- "-$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi
}
trap 'stop_server; rm -rf "$OUT"' EXIT

start_server() { # command...
  PORT=$PORT setsid taskset -c 1 "$@" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0; sleep 0.1; done
  echo "the server did not start"; exit 1
}

server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

# Runs one load generator; prints "requests seconds cpu_seconds server_cpu_percent".
run_tool() { # tool
  local tool=$1 url="http://127.0.0.1:$PORT/" log="$OUT/$1.out" t0 t1
  t0=$(server_ticks)
  case $tool in
    wrk) /usr/bin/time -f '%U %S' -o "$OUT/time" taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$url" >"$log" ;;
    autocannon) /usr/bin/time -f '%U %S' -o "$OUT/time" taskset -c 0 "$AUTOCANNON" -j -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" "$url" >"$log" 2>/dev/null ;;
    wirekit) /usr/bin/time -f '%U %S' -o "$OUT/time" taskset -c 0 $WIREKIT "$url" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" -q --json >"$log" 2>/dev/null ;;
  esac
  t1=$(server_ticks)
  node -e '
    const fs = require("fs"); const [tool, log, timeFile, ticks, tck] = process.argv.slice(1);
    const text = fs.readFileSync(log, "utf8"); let requests, seconds;
    if (tool === "wrk") {
      const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(text);
      requests = Number(m[1]); seconds = Number(m[2]) / (m[3] === "ms" ? 1000 : 1);
    } else if (tool === "autocannon") {
      const j = JSON.parse(text); requests = j.requests.total; seconds = j.duration;
    } else {
      const j = JSON.parse(text); requests = j.requests; seconds = j.durationMs / 1000;
    }
    const [u, s] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    const serverCpu = (Number(ticks) / Number(tck)) / seconds * 100;
    console.log([requests, seconds.toFixed(3), (u + s).toFixed(2), serverCpu.toFixed(0)].join(" "));
  ' "$tool" "$log" "$OUT/time" "$((t1 - t0))" "$(getconf CLK_TCK)"
}

summarize() { # tsv
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
    const tools = ["wrk", "autocannon", "wirekit"];
    const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
    const by = (tool, f) => rows.filter((r) => r[1] === tool).map(f);
    const rps = (r) => Number(r[2]) / Number(r[3]);
    const perCpu = (r) => Number(r[2]) / Number(r[4]);
    const fmt = (n) => Math.round(n).toLocaleString("en-US");
    console.log("| load generator | req/s (median) | CPU-s per run | req per CPU-s | server CPU % |");
    console.log("|---|---:|---:|---:|---:|");
    for (const t of tools) console.log(`| ${t} | ${fmt(med(by(t, rps)))} | ${med(by(t, (r) => Number(r[4]))).toFixed(2)} | ${fmt(med(by(t, perCpu)))} | ${med(by(t, (r) => Number(r[5])))} |`);
    // Ratios per rotation (same conditions), then the median and the range over rotations.
    const rotations = [...new Set(rows.map((r) => r[0]))];
    const ratio = (f, a, b) => rotations.map((k) => { const x = rows.find((r) => r[0] === k && r[1] === a); const y = rows.find((r) => r[0] === k && r[1] === b); return f(x) / f(y); });
    const show = (xs) => `${med(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
    console.log("");
    console.log("| ratio, per rotation: median (min–max) | value |");
    console.log("|---|---:|");
    console.log(`| wirekit ÷ autocannon, req per CPU-s (target ≥ 1.5) | ${show(ratio(perCpu, "wirekit", "autocannon"))} |`);
    console.log(`| wirekit ÷ autocannon, req/s (target ≥ 1) | ${show(ratio(rps, "wirekit", "autocannon"))} |`);
    console.log(`| wirekit ÷ wrk, req/s (target ≥ 0.75) | ${show(ratio(rps, "wirekit", "wrk"))} |`);
    console.log(`| wirekit ÷ wrk, req per CPU-s | ${show(ratio(perCpu, "wirekit", "wrk"))} |`);
  ' "$1"
}

if [ "$MODE" = max ]; then
  echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); ${ROTATIONS} rotations × ${SECONDS_PER_RUN}s, ${CONNECTIONS} connections, raw-net on CPU 1, load on CPU 0"
  start_server node "$BENCH/peers/servers/raw-net.mjs"
  taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/" >/dev/null # warm the server up
  TOOLS=(wrk autocannon wirekit)
  : >"$OUT/raw.tsv"
  for rotation in $(seq "$ROTATIONS"); do
    for i in 0 1 2; do # a different tool goes first in each rotation
      tool=${TOOLS[$(( (i + rotation) % 3 ))]}
      read -r requests seconds cpu server < <(run_tool "$tool")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rotation" "$tool" "$requests" "$seconds" "$cpu" "$server" >>"$OUT/raw.tsv"
      printf '  rotation %s %-10s %9s requests in %ss, load CPU %ss, server CPU %s%%\n' "$rotation" "$tool" "$requests" "$seconds" "$cpu" "$server" >&2
    done
  done
  summarize "$OUT/raw.tsv"
elif [ "$MODE" = rate ] || [ "$MODE" = rate-proxy ]; then
  RATE=${RATE:-1000}
  DELAY_MS=${DELAY_MS:-50}
  ROUNDS=${ROUNDS:-1}
  # measure NAME ... : a warm-up, then a --json run of `wirekit bench` against $TARGET into $OUT/NAME.json.
  measure() {
    taskset -c 0 $WIREKIT "$TARGET" -c "$CONNECTIONS" -R "$RATE" -d 2s -q >/dev/null
    taskset -c 0 $WIREKIT "$TARGET" -c "$CONNECTIONS" -R "$RATE" -d "${SECONDS_PER_RUN}s" -q --json >"$OUT/$1.json"
  }
  rate_table() { # base.json delayed.json
    node -e '
      const [base, delayed, delay] = [require(process.argv[1]), require(process.argv[2]), Number(process.argv[3])];
      const row = (name, b, d) => { const want = delay + b; const off = (d / want - 1) * 100; console.log(`| ${name} | ${b.toFixed(3)} | ${want.toFixed(3)} | ${d.toFixed(3)} | ${off >= 0 ? "+" : ""}${off.toFixed(1)}% |`); };
      console.log(`rate asked ${delayed.options.rate}/s, got ${delayed.rps.toFixed(0)}/s (${delayed.requests} responses, ${delayed.errors} errors, ${delayed.unsent} unsent)`);
      console.log("| percentile | without the delay (ms) | expected: delay + that (ms) | measured with the delay (ms) | off by |");
      console.log("|---|---:|---:|---:|---:|");
      row("p50", base.latency.p50, delayed.latency.p50);
      row("p90", base.latency.p90, delayed.latency.p90);
      row("p99", base.latency.p99, delayed.latency.p99);
    ' "$1" "$2" "$DELAY_MS"
  }
  echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg); $MODE: --rate $RATE, ${CONNECTIONS} connections, ${SECONDS_PER_RUN}s, ${ROUNDS} round(s)"
  if [ "$MODE" = rate ]; then
    # A server that answers DELAY_MS late (bench/delay-server.ts), against the same server without delay.
    TARGET="http://127.0.0.1:$PORT/"
    for round in $(seq "$ROUNDS"); do
      start_server env DELAY_MS=0 node dist/bench/delay-server.js
      measure base
      stop_server
      start_server env DELAY_MS="$DELAY_MS" node dist/bench/delay-server.js
      measure delayed
      stop_server
      echo "round $round"; rate_table "$OUT/base.json" "$OUT/delayed.json"
    done
  else
    # `wirekit proxy --latency DELAY_MS` (downstream, its default: every response chunk DELAY_MS late)
    # in front of a server with no delay, against the same proxy without the fault: the expectation is
    # the injected latency plus the latency of the server through the proxy.
    PROXY_PORT=$((PORT + 1))
    PROXY_PID=
    start_proxy() { # extra flags...
      setsid taskset -c 1 node dist/pkg/cli/main.js proxy --listen "127.0.0.1:$PROXY_PORT" --upstream "127.0.0.1:$PORT" "$@" >/dev/null 2>&1 &
      PROXY_PID=$!
      for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT) 2>/dev/null && return 0; sleep 0.1; done
      echo "the proxy did not start"; exit 1
    }
    stop_proxy() { if [ -n "$PROXY_PID" ]; then kill -TERM -- "-$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=; fi; }
    trap 'stop_proxy; stop_server; rm -rf "$OUT"' EXIT
    TARGET="http://127.0.0.1:$PROXY_PORT/"
    start_server env DELAY_MS=0 node dist/bench/delay-server.js
    for round in $(seq "$ROUNDS"); do
      start_proxy
      measure base
      stop_proxy
      start_proxy --latency "${DELAY_MS}ms"
      measure delayed
      stop_proxy
      echo "round $round"; rate_table "$OUT/base.json" "$OUT/delayed.json"
    done
  fi
elif [ "$MODE" = instructions ]; then
  command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)"; exit 1; }
  echo "# $(date -u +%FT%TZ) user-space instructions per request (callgrind), ${CONNECTIONS} connections, raw-net"
  start_server node "$BENCH/peers/servers/raw-net.mjs"
  count() { # tool n -> instructions
    local url="http://127.0.0.1:$PORT/" cg="$OUT/cg"
    mkdir -p "$cg"; rm -f "$cg"/*
    case $1 in
      autocannon) valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$cg/cg.%p" "$AUTOCANNON" -c "$CONNECTIONS" -a "$2" "$url" >/dev/null 2>&1 ;;
      wirekit) valgrind --tool=callgrind --callgrind-out-file="$cg/cg.%p" $WIREKIT "$url" -c "$CONNECTIONS" -n "$2" -q >/dev/null 2>&1 ;;
    esac
    grep -h '^summary:' "$cg"/cg.* | awk '{s += $2} END {printf "%.0f\n", s}'
  }
  printf '| load generator | instructions per request |\n|---|---:|\n'
  for tool in autocannon wirekit; do
    a=$(count "$tool" 2000); b=$(count "$tool" 6000)
    printf '| %s | %d |\n' "$tool" $(( (b - a) / 4000 ))
  done
else
  echo "usage: bench/loadgen.sh [max|instructions|rate|rate-proxy]"; exit 2
fi
