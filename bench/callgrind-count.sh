# Sourced by instructions-per-request.sh and instructions-per-message.sh: runs a server under
# valgrind's callgrind on a random port, has it driven by a shell function, and prints the
# user-space instructions it executed (every thread, every process it started).

command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }

# A port nothing listens on (other benchmarks may run on this machine at the same time: the driver
# must never talk to their server).
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo "$port"; return; }
  done
  echo "no free port" >&2; exit 1
}

# callgrind_count N COMMAND DRIVE: DRIVE is called with the port and N once the server listens.
callgrind_count() {
  local n=$1 cmd=$2 drive=$3 port out vpid
  port=$(free_port)
  out=$(mktemp -d)
  # shellcheck disable=SC2086 # the command is split into words on purpose
  PORT=$port HOST=127.0.0.1 valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" $cmd >"$out/log" 2>&1 &
  vpid=$!
  # Up to 5 minutes: node starts slowly under valgrind on a loaded machine.
  for _ in $(seq 1500); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
  "$drive" "$port" "$n"
  kill -INT $vpid; wait $vpid 2>/dev/null || true
  grep -h '^summary:' "$out"/cg.* | awk '{s += $2} END {printf "%.0f\n", s}'
  rm -rf "$out"
}
