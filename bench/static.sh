#!/usr/bin/env bash
# Static-file throughput of serveStatic against the npm peers `serve` and `http-server`, in one run
# (not in CI). Each server is one Node process on loopback; wrk (1 thread, CONNECTIONS connections)
# asks for a 4 KiB and a 1 MiB file, the servers interleaved round by round so that noise from
# other work on the machine hits all alike. Per server and file it prints the median over ROUNDS of
# requests/s and of the server process's own CPU time per request (from /proc/<pid>/stat), and our
# ratio to each peer: the first is what a client sees, the second stays meaningful when the load
# generator or the loopback copy, not the server, is the bottleneck (large files on 2 cores).
#   npm run build && bash bench/static.sh      # ROUNDS=5 SECONDS_PER_RUN=4 CONNECTIONS=50 PIN=0
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-4}
CONNECTIONS=${CONNECTIONS:-50}
# PIN=1: servers on CPU 1, wrk on CPU 0 (as ../shared/bench does). Off by default: other sessions
# pin their benchmarks to those same cores, and unpinned processes can move away from them.
if [ "${PIN:-0}" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then SERVER_CPU="taskset -c 1"; CLIENT_CPU="taskset -c 0"; else SERVER_CPU=""; CLIENT_CPU=""; fi
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
# user + system CPU of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A port pid
port[wirekit]=$(free_port)
PORT=${port[wirekit]} $SERVER_CPU node dist/bench/static-server.js "$dir" >/dev/null & pid[wirekit]=$!
port[serve]=$(free_port)
$SERVER_CPU node node_modules/serve/build/main.js -L -n -l "tcp://127.0.0.1:${port[serve]}" "$dir" >/dev/null & pid[serve]=$!
port[http-server]=$(free_port)
$SERVER_CPU node node_modules/http-server/bin/http-server "$dir" -a 127.0.0.1 -p "${port[http-server]}" -s 2>/dev/null & pid[http-server]=$!
pids=("${pid[@]}")
for name in wirekit serve http-server; do wait_port "${port[$name]}"; done

servers=(wirekit serve http-server)
files=(4k.bin 1m.bin)
hz=$(getconf CLK_TCK)
declare -A rps cpu
# Warm-up (JIT, caches), not counted.
for file in "${files[@]}"; do
  for name in "${servers[@]}"; do $CLIENT_CPU wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:${port[$name]}/$file" >/dev/null; done
done
for round in $(seq "$ROUNDS"); do
  for file in "${files[@]}"; do
    for name in "${servers[@]}"; do
      before=$(cpu_ticks "${pid[$name]}")
      out=$($CLIENT_CPU wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:${port[$name]}/$file")
      after=$(cpu_ticks "${pid[$name]}")
      r=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
      n=$(awk '/requests in/ { print $1 }' <<<"$out")
      us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
      rps["$name $file"]+=" $r"
      cpu["$name $file"]+=" $us"
      echo "round $round  $file  $name  $r req/s  $us µs CPU/request" >&2
    done
  done
done

# table NAME_OF_ARRAY HIGHER_IS_BETTER(1|0): medians per server and file, and our advantage over each peer.
table() {
  local -n values=$1
  echo "| file | wirekit | serve | http-server | vs serve | vs http-server |"
  echo "|---|---:|---:|---:|---:|---:|"
  for file in "${files[@]}"; do
    w=$(median <<<"${values["wirekit $file"]}"); s=$(median <<<"${values["serve $file"]}"); h=$(median <<<"${values["http-server $file"]}")
    awk -v f="$file" -v w="$w" -v s="$s" -v h="$h" -v up="$2" \
      'BEGIN { printf "| %s | %.0f | %.0f | %.0f | %.2f× | %.2f× |\n", f, w, s, h, up ? w / s : s / w, up ? w / h : h / w }'
  done
}
echo
echo "Requests/s (median of $ROUNDS runs of ${SECONDS_PER_RUN}s, wrk -t1 -c$CONNECTIONS; ratio = wirekit / peer):"
echo
table rps 1
echo
echo "Server CPU time per request, µs (median; lower is better; ratio = peer / wirekit):"
echo
table cpu 0
