#!/usr/bin/env bash
# Reproduce (or show the absence of) the transfer that never ends: one large file sent with
# `udpx send` through `udpx relay` with a little delay jitter and duplication, on loopback, N times,
# each run under a hard time bound. Issue 10: on 8ddeb8a a late or duplicated Ack credits a chunk
# 8,192 chunks ahead that the server never got, and Finish/Ack exchanges keep both ends waiting.
#
# Usage: build/hang-repro.sh [OPTIONS]
#   --bin PATH          the udpx binary (default dist/udpx of this repository), so the same runs can
#                       be made with an old and a new binary
#   --runs N            runs (default 10)
#   --size SIZE         file size: bytes, or with Ki/Mi/Gi (default 256Mi)
#   --bound SECS        hard limit of one `udpx send`; past it the run is HUNG (default 60)
#   --stall SECS        a run whose server got no new byte for this long is HUNG and killed at once
#                       (default 30; more than udpx send's progress-based --idle-timeout of 15 s, so a
#                       sender that gives up cleanly is seen doing so)
#   --slow SECS         an identical run that took longer is also marked "slow" (default: a quarter
#                       of the bound; a healthy 256 MiB run takes 2-7 s here)
#   --mode M            send mode (default thread; process, process-async, thread-async)
#   --delay D           relay --delay (default 40±2: 38 to 42 ms each way, so that the sender keeps
#                       its whole ring of 8,192 chunks in flight and late Acks alias; on 8ddeb8a on
#                       2 cores, 2±2 finished in 2 s and 5±5 crawled at 4.4 MB/s for 60 s without
#                       stalling: slow, not hung)
#   --duplicate P       relay --duplicate in percent (default 2)
#   --reorder P         relay --reorder (default 0/5: 5% of the server's replies, i.e. Acks, held
#                       back behind the next one, so late Acks; "--reorder 0" turns it off)
#   --loss P, --corrupt P   more relay impairments (default none)
#   --seed N            relay seed of run 1; run i uses N+i-1 (default: random, printed)
#   --send-arg ARG      one more argument for `udpx send` (repeatable), e.g. --send-arg --job-timeout
#                       --send-arg 30
#   --logs DIR          where the source file, received files and logs go (default: a new
#                       /tmp/udpx-hang-repro.XXXXXX, deleted at the end unless --keep)
#   --keep              keep the logs folder
#
# Per run it prints one line: "finished identical" (marked slow past --slow), "failed cleanly"
# (with the exit code and message), "HUNG" (stalled, or killed by the bound: which is said), "WRONG" (exit 0 but the stored
# file is missing or differs) or "CRASHED" (killed by a signal); with the seconds taken and what
# the relay did. Then a summary line.
# Exit: 0 every run finished identical; 1 some failed cleanly, none hung; 2 bad usage;
#       3 at least one run hung, was wrong or crashed.
#
# Everything stays on 127.0.0.1 (ports picked by the kernel). Needs coreutils timeout and cmp.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$REPO_ROOT/dist/udpx"
RUNS=10
SIZE=256Mi
BOUND=60
SLOW=
STALL=30
MODE=thread
DELAY='40±2'
DUPLICATE=2
LOSS=
REORDER=0/5
CORRUPT=
SEED=
SEND_ARGS=()
LOGS=
KEEP=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { printf 'hang-repro: %s\n' "$*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --bin) need "$@"; BIN=$2; shift 2 ;;
    --runs) need "$@"; RUNS=$2; shift 2 ;;
    --size) need "$@"; SIZE=$2; shift 2 ;;
    --bound) need "$@"; BOUND=$2; shift 2 ;;
    --slow) need "$@"; SLOW=$2; shift 2 ;;
    --stall) need "$@"; STALL=$2; shift 2 ;;
    --mode) need "$@"; MODE=$2; shift 2 ;;
    --delay) need "$@"; DELAY=$2; shift 2 ;;
    --duplicate) need "$@"; DUPLICATE=$2; shift 2 ;;
    --loss) need "$@"; LOSS=$2; shift 2 ;;
    --reorder) need "$@"; REORDER=$2; shift 2 ;;
    --corrupt) need "$@"; CORRUPT=$2; shift 2 ;;
    --seed) need "$@"; SEED=$2; shift 2 ;;
    --send-arg) need "$@"; SEND_ARGS+=("$2"); shift 2 ;;
    --logs) need "$@"; LOGS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

bytes() {
  case "$1" in
    *Gi) echo $(( ${1%Gi} * 1024 * 1024 * 1024 )) ;;
    *Mi) echo $(( ${1%Mi} * 1024 * 1024 )) ;;
    *Ki) echo $(( ${1%Ki} * 1024 )) ;;
    *[!0-9]*|'') die "--size expects bytes or a number with Ki, Mi or Gi, got '$1'" ;;
    *) echo "$1" ;;
  esac
}
SIZE_BYTES=$(bytes "$SIZE")
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs expects a positive whole number, got '$RUNS'"
[[ "$BOUND" =~ ^[1-9][0-9]*$ ]] || die "--bound expects whole seconds, got '$BOUND'"
[[ "$STALL" =~ ^[1-9][0-9]*$ ]] || die "--stall expects whole seconds, got '$STALL'"
[ -n "$SLOW" ] || SLOW=$(( (BOUND + 3) / 4 ))
[[ "$SLOW" =~ ^[1-9][0-9]*$ ]] || die "--slow expects whole seconds, got '$SLOW'"
[ -x "$BIN" ] || die "not an executable: $BIN (build it with build/publish.sh, or give --bin)"
command -v timeout >/dev/null || die "needs coreutils timeout"
[ -n "$SEED" ] || SEED=$(( (RANDOM << 15) | RANDOM ))
[[ "$SEED" =~ ^[0-9]+$ ]] || die "--seed expects a whole number, got '$SEED'"

if [ -z "$LOGS" ]; then
  LOGS=$(mktemp -d /tmp/udpx-hang-repro.XXXXXX)
else
  mkdir -p "$LOGS"
fi

SERVER_PID=
RELAY_PID=
stop() {
  # $1: pid; SIGTERM first (the relay prints its counters then), SIGKILL if it lingers.
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$RELAY_PID"; RELAY_PID=
  stop "$SERVER_PID"; SERVER_PID=
  if [ "$KEEP" = 1 ]; then
    printf 'hang-repro: logs kept in %s\n' "$LOGS"
  else
    rm -rf "$LOGS"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# $1: log file; prints the port of the first "listening on 127.0.0.1:PORT" line, waiting up to 30 s.
port_of() {
  local log=$1 line
  for _ in $(seq 300); do
    line=$(grep -m1 -o 'listening on 127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null || true)
    if [ -n "$line" ]; then echo "${line##*:}"; return 0; fi
    sleep 0.1
  done
  return 1
}

# $1: the server's log; prints the bytes received in its latest stream line ("X / Y bytes"), 0 if none.
received_bytes() {
  local line
  line=$(grep -o '[0-9,]* / [0-9,]* bytes' "$1" 2>/dev/null | tail -1 || true)
  line=${line%% /*}
  echo "${line//,/}" | sed 's/^$/0/'
}

relay_flags=(--delay "$DELAY" --duplicate "$DUPLICATE")
[ -z "$LOSS" ] || relay_flags+=(--loss "$LOSS")
[ -z "$REORDER" ] || [ "$REORDER" = 0 ] || relay_flags+=(--reorder "$REORDER")
[ -z "$CORRUPT" ] || relay_flags+=(--corrupt "$CORRUPT")

SRC="$LOGS/hang-repro.bin"
head -c "$SIZE_BYTES" /dev/urandom > "$SRC"
printf 'hang-repro: %s (%s), %s runs of %s bytes, mode %s, relay %s, seeds %s..%s, bound %s s, stall %s s, logs %s\n' \
  "$BIN" "$("$BIN" --version 2>/dev/null | head -1)" "$RUNS" "$SIZE_BYTES" "$MODE" "${relay_flags[*]}" \
  "$SEED" "$((SEED + RUNS - 1))" "$BOUND" "$STALL" "$LOGS"

finished=0 slow=0 clean=0 hung=0 wrong=0 crashed=0
for run in $(seq "$RUNS"); do
  dir="$LOGS/run$run"
  mkdir -p "$dir/out"
  seed=$((SEED + run - 1))
  # --verbosity stream: a line per active transfer each second with the bytes received so far.
  "$BIN" serve --bind 127.0.0.1:0 --out "$dir/out" --headless --verbosity stream > "$dir/serve.log" 2>&1 &
  SERVER_PID=$!
  server_port=$(port_of "$dir/serve.log") || { printf 'hang-repro: the server did not start:\n' >&2; cat "$dir/serve.log" >&2; exit 3; }
  "$BIN" relay --listen 127.0.0.1:0 --to "127.0.0.1:$server_port" "${relay_flags[@]}" --seed "$seed" > "$dir/relay.log" 2>&1 &
  RELAY_PID=$!
  relay_port=$(port_of "$dir/relay.log") || { printf 'hang-repro: the relay did not start:\n' >&2; cat "$dir/relay.log" >&2; exit 3; }

  start=$(date +%s%N)
  timeout -k 5 "$BOUND" "$BIN" send "$SRC" --to "127.0.0.1:$relay_port" --mode "$MODE" --headless "${SEND_ARGS[@]}" \
    > "$dir/send.log" 2>&1 &
  send_pid=$!
  # Watch the server's byte count: no growth for --stall seconds is a hang, whatever the bound.
  received=0 changed=$(date +%s) stalled=0
  while kill -0 "$send_pid" 2>/dev/null; do
    sleep 1
    now_received=$(received_bytes "$dir/serve.log")
    if [ "$now_received" != "$received" ]; then
      received=$now_received changed=$(date +%s)
    elif [ $(( $(date +%s) - changed )) -ge "$STALL" ] && kill -0 "$send_pid" 2>/dev/null; then
      stalled=1
      kill -TERM "$send_pid" 2>/dev/null || true
      break
    fi
  done
  set +e
  wait "$send_pid"
  rc=$?
  set -e
  elapsed_ns=$(( $(date +%s%N) - start ))
  seconds=$(awk -v n="$elapsed_ns" 'BEGIN { printf "%.1f", n / 1e9 }')

  stop "$RELAY_PID"; RELAY_PID=
  stop "$SERVER_PID"; SERVER_PID=
  dups=$(grep -o 'duplicated [0-9]*' "$dir/relay.log" | awk '{ s += $2 } END { print s + 0 }')

  detail=
  if [ "$stalled" = 1 ]; then
    kind=HUNG; detail="the server got no new byte for $STALL s, stuck at $received of $SIZE_BYTES bytes; killed"
    hung=$((hung + 1))
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    kind=HUNG; detail="killed by the $BOUND s bound, the server at $received of $SIZE_BYTES bytes and still receiving (slow, not stalled)"
    hung=$((hung + 1))
  elif [ "$rc" = 0 ]; then
    if cmp -s "$SRC" "$dir/out/$(basename "$SRC")"; then
      kind="finished identical"
      finished=$((finished + 1))
      if [ "$(( elapsed_ns / 1000000000 ))" -ge "$SLOW" ]; then
        detail="slow: over $SLOW s"
        slow=$((slow + 1))
      fi
    else
      kind=WRONG; detail="exit 0 but the stored file is missing or differs"
      wrong=$((wrong + 1))
    fi
  elif [ "$rc" -gt 128 ]; then
    kind=CRASHED; detail="signal $((rc - 128))"
    crashed=$((crashed + 1))
  else
    message=$(grep -m1 'FAILED' "$dir/send.log" || grep -v '^[[:space:]]*$' "$dir/send.log" | tail -1 || true)
    kind="failed cleanly"; detail="exit $rc: ${message:-no message}"
    clean=$((clean + 1))
  fi
  printf 'run %2d: %-18s %6s s  relay seed %s, duplicated %s%s\n' "$run" "$kind" "$seconds" "$seed" "$dups" "${detail:+; $detail}"
  rm -f "$dir/out/$(basename "$SRC")"
done

printf 'summary: %s runs: %s finished identical (%s of them slow), %s failed cleanly, %s HUNG, %s wrong, %s crashed (%s, bound %s s)\n' \
  "$RUNS" "$finished" "$slow" "$clean" "$hung" "$wrong" "$crashed" "$BIN" "$BOUND"
if [ $((hung + wrong + crashed)) -gt 0 ]; then exit 3; fi
if [ "$clean" -gt 0 ]; then exit 1; fi
exit 0
