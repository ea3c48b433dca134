#!/usr/bin/env bash
# The server on several cores: aggregate throughput of K concurrent clients (separate `udpx send`
# processes, thread mode, one file each) into one `udpx serve` on loopback, and the CPU seconds per GB
# of the server and of everything (server + clients), for each --receive-threads value asked for.
#
# Usage: build/receive-threads.sh [OPTIONS]
#   --bin PATH        the udpx binary (default dist/udpx of this repository)
#   --threads "LIST"  values for `serve --receive-threads` (default "1 2 4"); "-" runs serve without
#                     the flag (a binary from before it existed, or its default)
#   --clients "LIST"  concurrent clients (default "1 2 4")
#   --size SIZE       bytes per client's file, with Ki/Mi/Gi (default 256Mi)
#   --datagram-size B `send --datagram-size` (default: udpx's, 1472)
#   --repeat N        runs per point; the table shows medians (default 3)
#   --dir DIR         where the files go (default a new folder in /dev/shm: no disk in the figures)
# Prints a row per point: threads, clients, median seconds, aggregate MB/s (10^6 bytes/s), server CPU
# s/GB and total CPU s/GB (user + system, from /proc/PID/stat and /usr/bin/time), every run verified
# (`udpx send` exit 0 and cmp of every received file).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=dist/udpx
THREADS="1 2 4"
CLIENTS="1 2 4"
SIZE=256Mi
DGRAM=""
REPEAT=3
DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=${2:?}; shift 2 ;;
    --threads) THREADS=${2:?}; shift 2 ;;
    --clients) CLIENTS=${2:?}; shift 2 ;;
    --size) SIZE=${2:?}; shift 2 ;;
    --datagram-size) DGRAM=${2:?}; shift 2 ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --dir) DIR=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "receive-threads: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "receive-threads: no udpx binary at $BIN (build/publish.sh, or --bin)" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "receive-threads: /usr/bin/time is missing (apt-get install time)" >&2; exit 3; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
bytes=$(numfmt --from=iec-i "$SIZE" 2>/dev/null || numfmt --from=iec "${SIZE%i}") || { echo "receive-threads: bad --size '$SIZE'" >&2; exit 2; }
DIR=${DIR:-$(mktemp -d /dev/shm/udpx-receive-threads.XXXXXX)}
mkdir -p "$DIR/in" "$DIR/out"
SERVER=""
trap '[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null; rm -rf "$DIR"' EXIT
max_clients=0
for k in $CLIENTS; do [ "$k" -gt "$max_clients" ] && max_clients=$k; done
for i in $(seq "$max_clients"); do head -c "$bytes" /dev/urandom >"$DIR/in/c$i.bin"; done

ticks=$(getconf CLK_TCK)
cpu_of() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }   # utime + stime, s
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-8s %-8s %9s %10s %14s %14s  %s\n' threads clients "median s" "MB/s" "server CPU/GB" "total CPU/GB" "runs"
for t in $THREADS; do
  port=$((30000 + RANDOM % 20000))
  flag=(); [ "$t" = - ] || flag=(--receive-threads "$t")
  "$BIN" serve --bind "127.0.0.1:$port" --out "$DIR/out" --headless --overwrite --verbosity quiet "${flag[@]}" >"$DIR/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do grep -q "listening on" "$DIR/serve.log" && break; sleep 0.1; done
  grep -q "listening on" "$DIR/serve.log" || { cat "$DIR/serve.log" >&2; exit 1; }
  for k in $CLIENTS; do
    secs=(); scpu=(); tcpu=(); ok=0
    for r in $(seq "$REPEAT"); do
      rm -f "$DIR"/time[0-9]*
      s0=$(cpu_of "$SERVER")
      t0=$(date +%s.%N)
      pids=()
      for i in $(seq "$k"); do
        /usr/bin/time -f '%U %S' -o "$DIR/time$i" "$BIN" send "$DIR/in/c$i.bin" --to "127.0.0.1:$port" --mode thread --headless \
          ${DGRAM:+--datagram-size "$DGRAM"} >"$DIR/send$i.log" 2>&1 &
        pids+=($!)
      done
      failed=0
      for p in "${pids[@]}"; do wait "$p" || failed=1; done
      t1=$(date +%s.%N)
      sleep 0.3   # the server's last commit and its CPU
      s1=$(cpu_of "$SERVER")
      for i in $(seq "$k"); do cmp -s "$DIR/in/c$i.bin" "$DIR/out/c$i.bin" || failed=1; done
      if [ "$failed" = 1 ]; then
        echo "receive-threads: run $r of threads $t, clients $k failed:" >&2; cat "$DIR"/send*.log >&2
        continue
      fi
      ok=$((ok + 1))
      gb=$(awk -v b="$bytes" -v k="$k" 'BEGIN { print b * k / 1e9 }')
      client_cpu=$(cat "$DIR"/time[0-9]* | head -n "$k" | awk '{ s += $1 + $2 } END { print s }')
      secs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
      scpu+=("$(awk -v a="$s0" -v b="$s1" -v g="$gb" 'BEGIN { printf "%.3f", (b - a) / g }')")
      tcpu+=("$(awk -v a="$s0" -v b="$s1" -v c="$client_cpu" -v g="$gb" 'BEGIN { printf "%.3f", (b - a + c) / g }')")
      rm -f "$DIR"/time[0-9]*
    done
    if [ "$ok" = 0 ]; then printf '%-8s %-8s %9s\n' "$t" "$k" FAILED; continue; fi
    m=$(printf '%s\n' "${secs[@]}" | median)
    printf '%-8s %-8s %9.3f %10.1f %14.2f %14.2f  %s/%s\n' "$t" "$k" "$m" \
      "$(awk -v b="$bytes" -v k="$k" -v s="$m" 'BEGIN { print b * k / s / 1e6 }')" \
      "$(printf '%s\n' "${scpu[@]}" | median)" "$(printf '%s\n' "${tcpu[@]}" | median)" "$ok" "$REPEAT"
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
done
echo "file: $bytes bytes per client, random; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); binary: $("$BIN" --version | head -n 1)"
