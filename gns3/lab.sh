#!/usr/bin/env bash
# The udpx GNS3 lab (gns3/udpx-lab.gns3) rebuilt from Linux network namespaces on one machine.
#
#   udpx-client   10.10.0.10/24 (eth0) --+
#   udpx-server1  10.10.0.11/24 (eth0) --+-- br0 inside namespace udpx-lab
#   udpx-server2  10.10.0.12/24 (eth0) --+
#
# Nothing is created in or attached to the host's own network namespace: the bridge lives in
# its own namespace, every veth end is created directly inside a lab namespace, and no lab
# namespace has a route beyond 10.10.0.0/24, so no packet can leave the lab.
# The GNS3 NAT node has no twin here: the lab is offline and uses local sample files.
#
# Usage: gns3/lab.sh COMMAND [OPTIONS]   (as root)
#   up        create the namespaces, bridge, veths, addresses (and the loss rules)
#   run       up if needed, then for each mode start `udpx serve` in both server namespaces (and
#             wait for its "listening on ADDR:PORT" line), send the files from the client, stop the
#             servers, cmp every received file (stored as --out/BASENAME; any other file left in
#             --out fails the mode), print a summary table; exits non-zero on any failure
#   compare   up if needed, then send one random file (--size, default 256 MiB) client -> server1
#             with `udpx send --mode thread` and with udpcast (udp-sender/udp-receiver, point to
#             point), --repeat times each, alternating; cmp every received copy (a missing or
#             different file is a failed run, not a figure); print every run, then the median
#             seconds and MB/s of each tool and the ratio udpx/udpcast; exits non-zero if a udpx
#             run failed or a tool has no good run
#   probe     measure the loss rules: send UDP datagrams client -> servers and count arrivals
#   status    show namespaces, addresses, loss rules with counters, processes
#   down      stop processes in the lab namespaces and delete the namespaces
#   fairness  udpx beside TCP CUBIC (iperf3) at a tc tbf bottleneck in a lab of its own (client --
#             router -- server namespaces): shares, Jain's index, utilisation, queueing delay;
#             its options: gns3/lab.sh fairness --help, and docs/performance.md
#
# Options:
#   --loss PCT        drop PCT% (integer 0-100) of the UDP arriving on eth0 of each server
#                     (nftables: meta l4proto udp numgen random mod 100 < PCT drop); default 0
#   --loss-client     also drop PCT% of the UDP arriving at the client (the servers' replies)
#   --bin CMD         the udpx command, default dist/udpx of this repository; may carry words,
#                     e.g. --bin "dotnet /path/udpx.dll" (paths with spaces are not supported)
#   --file PATH       send this file instead of the generated samples (repeatable; file i goes
#                     to server i mod 2); compare takes one
#   --size BYTES      size of the first generated sample (default 2097152; the second is about half);
#                     compare: size of its one file (default 268435456, 256 MiB)
#   --modes "LIST"    modes to run (default "process thread process-async thread-async")
#   --workers N       pass --workers N to `udpx send`
#   --each            pass --each to `udpx send` (every file to every server) and expect that
#   --timeout SECS    limit for one `udpx send` (default 180); compare: for each tool's sending
#                     process, its receiver gets 15 s more
#   --repeat N        compare: runs of each tool (default 3)
#   --logs DIR        where logs, received files and samples go (default: a new /tmp/udpx-lab.XXXXXX)
#   --keep            run, compare: leave the lab up afterwards (default: they take down a lab
#                     they brought up)
#   --count N         probe: datagrams per server (default 2000)
#   --prefix NAME     namespace prefix instead of "udpx" (also UDPX_LAB_PREFIX), to run two labs at once
#
# CI: bash gns3/lab.sh run --loss 0 && bash gns3/lab.sh run --loss 10
# udpx beside udpcast at 10% loss both ways: bash gns3/lab.sh compare --loss 10 --loss-client
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

PREFIX="${UDPX_LAB_PREFIX:-udpx}"
PORT=9000
PROBE_PORT=9999
PREFIX_LEN=24
CLIENT_ADDR=10.10.0.10
SERVER_ADDRS=(10.10.0.11 10.10.0.12)
ALL_MODES="process thread process-async thread-async"

LOSS=0
LOSS_GIVEN=0
LOSS_CLIENT=0
BIN=""
FILES=()
SIZE=2097152
SIZE_GIVEN=0
REPEAT=3
MODES="$ALL_MODES"
WORKERS=""
EACH=0
SEND_TIMEOUT=180
LOGS=""
KEEP=0
COUNT=2000

# State for the exit trap.
LAB_CREATED=0          # this invocation created the lab
COMMAND_DONE=0         # the command finished successfully
SERVER_PIDS=()         # udpx serve processes this invocation started

LAB_T0=$(date +%s.%N)
say() { printf 'lab: [%5.1fs] %s\n' "$(awk -v a="$LAB_T0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

ns_lab() { echo "$PREFIX-lab"; }
ns_client() { echo "$PREFIX-client"; }
ns_server() { echo "$PREFIX-server$1"; }   # 1 or 2
all_ns() { echo "$(ns_lab) $(ns_client) $(ns_server 1) $(ns_server 2)"; }
host_ns() { echo "$(ns_client) $(ns_server 1) $(ns_server 2)"; }

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

lab_is_up() {
  local ns
  for ns in $(all_ns); do ns_exists "$ns" || return 1; done
  return 0
}

lab_is_partial() {
  local ns
  for ns in $(all_ns); do ns_exists "$ns" && return 0; done
  return 1
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, nftables)"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found${2:+ (install $2)}"; }

# ---------------------------------------------------------------------------------------------
# up / down / loss

apply_loss_one() {   # ns pct
  local ns="$1" pct="$2"
  ip netns exec "$ns" nft delete table inet udpx_lab 2>/dev/null || true
  if ! command -v nft >/dev/null 2>&1; then
    [ "$pct" = 0 ] && return 0
    die "nft not found (install nftables) but --loss $pct was asked for"
  fi
  {
    echo "table inet udpx_lab {"
    echo "  chain input {"
    echo "    type filter hook input priority filter; policy accept;"
    echo "    iifname \"eth0\" meta l4proto udp counter comment \"udp in\""
    if [ "$pct" != 0 ]; then
      echo "    iifname \"eth0\" meta l4proto udp numgen random mod 100 < $pct counter drop comment \"loss $pct%\""
    fi
    echo "  }"
    echo "}"
  } | ip netns exec "$ns" nft -f -
}

apply_loss() {
  local i
  for i in 1 2; do apply_loss_one "$(ns_server "$i")" "$LOSS"; done
  if [ "$LOSS_CLIENT" = 1 ]; then
    apply_loss_one "$(ns_client)" "$LOSS"
  else
    apply_loss_one "$(ns_client)" 0
  fi
  if [ "$LOSS" = 0 ]; then
    say "loss: none"
  else
    say "loss: $LOSS% of inbound UDP dropped in the servers$([ "$LOSS_CLIENT" = 1 ] && echo ' and the client')"
  fi
}

lab_up() {
  need_root
  need_cmd ip iproute2
  if lab_is_up; then
    say "lab already up ($(all_ns))"
    apply_loss
    return 0
  fi
  if lab_is_partial; then
    say "found a partial lab; removing it first"
    lab_down
  fi
  LAB_CREATED=1
  local lab client i ns addr
  lab="$(ns_lab)"
  client="$(ns_client)"
  for ns in $(all_ns); do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No IPv6 chatter (router solicitations, MLD) on the lab LAN; harmless if IPv6 is off.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1 || true
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
  done
  ip -n "$lab" link add br0 type bridge
  ip -n "$lab" link set br0 up

  # One veth per host: "v-<host>" on the bridge in the lab namespace, "eth0" in the host's namespace.
  ip -n "$lab" link add v-client type veth peer name eth0 netns "$client"
  ip -n "$lab" link set v-client master br0 up
  ip -n "$client" addr add "$CLIENT_ADDR/$PREFIX_LEN" dev eth0
  ip -n "$client" link set eth0 up
  for i in 1 2; do
    ns="$(ns_server "$i")"
    addr="${SERVER_ADDRS[$((i - 1))]}"
    ip -n "$lab" link add "v-server$i" type veth peer name eth0 netns "$ns"
    ip -n "$lab" link set "v-server$i" master br0 up
    ip -n "$ns" addr add "$addr/$PREFIX_LEN" dev eth0
    ip -n "$ns" link set eth0 up
  done
  # Frames, as on a wire. udpx sends with UDP GSO, and a GSO packet would cross veth and bridge
  # whole: the loss rule at the receiver would drop bundles of up to 44 datagrams, 10% of bundles
  # rather than of datagrams. With gso_max_segs 1 the sending namespace segments first, as a NIC
  # puts single frames on a wire, and the rules drop single datagrams (udpcast sends no GSO).
  for ns in $(host_ns); do
    ip -n "$ns" link set dev eth0 gso_max_segs 1
  done
  apply_loss

  # Reachability (ICMP is never dropped by the loss rules, which match UDP only).
  if command -v ping >/dev/null 2>&1; then
    for addr in "${SERVER_ADDRS[@]}"; do
      local tries=0
      until ip netns exec "$client" ping -c 1 -W 1 -q "$addr" >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 5 ] || die "client cannot ping $addr"
      done
    done
    say "up: client pings ${SERVER_ADDRS[*]}"
  else
    say "up (ping not installed: reachability not checked)"
  fi
}

kill_ns_processes() {   # ns
  local ns="$1" pids pid
  ns_exists "$ns" || return 0
  pids="$(ip netns pids "$ns" 2>/dev/null || true)"
  [ -n "$pids" ] || return 0
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  local waited=0
  while [ "$waited" -lt 20 ]; do
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    [ -n "$pids" ] || return 0
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
}

lab_down() {
  need_root
  local ns
  for ns in $(host_ns) $(ns_lab); do kill_ns_processes "$ns"; done
  for ns in $(host_ns) $(ns_lab); do
    if ns_exists "$ns"; then ip netns del "$ns"; fi
  done
  say "down"
}

# ---------------------------------------------------------------------------------------------
# status

lab_status() {
  need_root
  local ns any=0
  for ns in $(all_ns); do
    if ns_exists "$ns"; then
      any=1
      echo "== $ns"
      ip -n "$ns" -brief addr show | sed 's/^/   /'
      ip -n "$ns" route show | sed 's/^/   route: /'
      if command -v nft >/dev/null 2>&1; then
        ip netns exec "$ns" nft list table inet udpx_lab 2>/dev/null | grep -E 'counter' | sed -e 's/^[[:space:]]*/   nft: /' || true
      fi
      local pids
      pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
      if [ -n "${pids// /}" ]; then
        # shellcheck disable=SC2086
        ps -o pid=,args= -p $pids 2>/dev/null | sed 's/^/   proc: /' || true
      fi
    else
      echo "== $ns (absent)"
    fi
  done
  [ "$any" = 1 ] || echo "lab is down"
}

# ---------------------------------------------------------------------------------------------
# probe: count how many UDP datagrams get through the loss rules

PROBE_RECEIVER='
import socket, sys, time
addr, port, idle = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((addr, port))
print("ready", flush=True)
s.settimeout(30.0)
count = 0
try:
    while True:
        data = s.recv(2048)
        if data == b"END":
            break
        count += 1
        s.settimeout(idle)
except socket.timeout:
    pass
print(count, flush=True)
'

PROBE_SENDER='
import socket, sys, time
count = int(sys.argv[1])
targets = [(a, int(sys.argv[2])) for a in sys.argv[3:]]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 512
for i in range(count):
    for t in targets:
        s.sendto(payload, t)
    if i % 50 == 49:
        time.sleep(0.005)
time.sleep(0.5)
for _ in range(20):          # END markers may be dropped too; the receiver also stops when idle
    for t in targets:
        s.sendto(b"END", t)
    time.sleep(0.01)
'

lab_probe() {
  need_root
  need_cmd python3
  lab_is_up || die "lab is not up (run: $0 up)"
  local dir i ns addr
  dir="$(mktemp -d /tmp/udpx-lab-probe.XXXXXX)"
  local pids=()
  for i in 1 2; do
    ns="$(ns_server "$i")"
    addr="${SERVER_ADDRS[$((i - 1))]}"
    ip netns exec "$ns" python3 -c "$PROBE_RECEIVER" "$addr" "$PROBE_PORT" 2 >"$dir/server$i.out" 2>&1 &
    pids+=($!)
  done
  for i in 1 2; do
    local waited=0
    until grep -q ready "$dir/server$i.out" 2>/dev/null; do
      sleep 0.1
      waited=$((waited + 1))
      [ "$waited" -lt 100 ] || die "probe receiver $i did not start: $(cat "$dir/server$i.out")"
    done
  done
  ip netns exec "$(ns_client)" python3 -c "$PROBE_SENDER" "$COUNT" "$PROBE_PORT" "${SERVER_ADDRS[@]}"
  local failed=0
  for i in 1 2; do
    wait "${pids[$((i - 1))]}" || failed=1
  done
  [ "$failed" = 0 ] || die "a probe receiver failed: $(cat "$dir"/*.out)"
  local configured
  configured="$(nft_loss_of "$(ns_server 1)")"
  printf '%-10s %8s %9s %8s %12s\n' server sent received lost "rule drops"
  for i in 1 2; do
    local got lost pct
    got="$(tail -n 1 "$dir/server$i.out")"
    lost=$((COUNT - got))
    pct="$(awk -v l="$lost" -v c="$COUNT" 'BEGIN { printf "%.1f%%", 100 * l / c }')"
    printf '%-10s %8d %9d %8s %12s\n' "server$i" "$COUNT" "$got" "$pct" "$(nft_drops_of "$(ns_server "$i")")"
  done
  echo "configured loss: ${configured}%"
  rm -rf "$dir"
}

nft_loss_of() {   # ns -> configured percentage (0 when no rule)
  local pct
  pct="$(ip netns exec "$1" nft list table inet udpx_lab 2>/dev/null | sed -n 's/.*mod 100 < \([0-9]*\).*/\1/p' | head -n 1)"
  echo "${pct:-0}"
}

nft_drops_of() {   # ns -> packets the drop rule has dropped so far
  local n
  n="$(ip netns exec "$1" nft list table inet udpx_lab 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\) bytes [0-9]* drop.*/\1/p' | head -n 1)"
  echo "${n:-0}"
}

# ---------------------------------------------------------------------------------------------
# run

BIN_CMD=()

# The --logs folder (a new one by default) and the lab: brought up, or reused with the --loss asked for.
logs_and_lab() {
  if [ -z "$LOGS" ]; then
    LOGS="$(mktemp -d /tmp/udpx-lab.XXXXXX)"
  else
    mkdir -p "$LOGS"
    LOGS="$(cd "$LOGS" && pwd)"
  fi
  if lab_is_up; then
    say "using the lab that is already up"
    [ "$LOSS_GIVEN" = 1 ] && apply_loss
  else
    lab_up
  fi
}

resolve_bin() {
  local spec="${BIN:-$REPO_ROOT/dist/udpx}"
  read -r -a BIN_CMD <<<"$spec"
  [ "${#BIN_CMD[@]}" -gt 0 ] || die "--bin is empty"
  local first="${BIN_CMD[0]}"
  if [[ "$first" == */* ]]; then
    [ -f "$first" ] || die "udpx binary not found: $first (build it, or pass --bin CMD)"
    [ -x "$first" ] || die "not executable: $first"
    BIN_CMD[0]="$(cd "$(dirname "$first")" && pwd)/$(basename "$first")"
  else
    command -v "$first" >/dev/null 2>&1 || die "command not found: $first"
  fi
}

make_samples() {   # dir -> fills FILES
  local dir="$1" second
  mkdir -p "$dir"
  second=$((SIZE / 2 + 77))
  # Two "images" like the course lab; odd sizes so the last datagram is a partial one.
  head -c "$((SIZE + 123))" /dev/urandom >"$dir/image1.bin"
  head -c "$second" /dev/urandom >"$dir/image2.bin"
  FILES=("$dir/image1.bin" "$dir/image2.bin")
}

wait_listening() {   # ns addr port pid log
  # `udpx serve` prints "udpx serve: listening on ADDR:PORT, storing into DIR" as its first line,
  # once the socket is bound; until then a send could reach a closed port.
  local ns="$1" addr="$2" port="$3" pid="$4" log="$5" waited=0
  while :; do
    if grep -qF "listening on $addr:$port" "$log" 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { say "server in $ns exited early:"; sed 's/^/    /' "$log" >&2; return 1; }
    sleep 0.1
    waited=$((waited + 1))
    [ "$waited" -lt 150 ] || { say "server in $ns did not print 'listening on $addr:$port' within 15 s:"; sed 's/^/    /' "$log" >&2; return 1; }
  done
}

STOP_RC=0
stop_server() {   # pid -> STOP_RC (not via $(...): wait only works on our own children)
  local pid="$1" waited=0
  STOP_RC=0
  # SIGTERM, not SIGINT: a non-interactive shell starts background jobs with SIGINT ignored.
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
    if [ "$waited" -ge 100 ]; then
      say "server $pid still running 10 s after SIGTERM: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
  done
  wait "$pid" 2>/dev/null || STOP_RC=$?
}

find_received() {   # outdir source -> path of the received copy, or nothing
  # The server stores each file under the base name the client sent, directly inside --out.
  local candidate
  candidate="$1/$(basename "$2")"
  if [ -f "$candidate" ]; then echo "$candidate"; fi
  return 0
}

extra_files() {   # outdir expected-name... -> names of other files in outdir (temporary leftovers, ...)
  local out="$1" f name
  shift
  while IFS= read -r -d '' f; do
    name="${f#"$out"/}"
    case " $* " in *" $name "*) ;; *) printf '%s ' "$name" ;; esac
  done < <(find "$out" -mindepth 1 \( -type f -o -type l \) -print0 2>/dev/null)
}

RESULT_ROWS=()

run_mode() {   # mode -> 0 pass, 1 fail; appends a row to RESULT_ROWS
  local mode="$1"
  local dir="$LOGS/$mode" i ns addr
  # Fresh output folders (a reused --logs folder holds the last run's files, which a server never replaces).
  rm -rf "$dir/server1" "$dir/server2"
  mkdir -p "$dir/server1" "$dir/server2"
  local pids=()
  SERVER_PIDS=()
  for i in 1 2; do
    ns="$(ns_server "$i")"
    addr="${SERVER_ADDRS[$((i - 1))]}"
    ip netns exec "$ns" "${BIN_CMD[@]}" serve --bind "$addr:$PORT" --out "$dir/server$i" --headless \
      >"$dir/server$i.log" 2>&1 &
    pids+=($!)
    SERVER_PIDS+=($!)
  done
  local ok=1
  for i in 1 2; do
    wait_listening "$(ns_server "$i")" "${SERVER_ADDRS[$((i - 1))]}" "$PORT" "${pids[$((i - 1))]}" "$dir/server$i.log" || ok=0
  done

  local send_rc=-1 started ended elapsed
  started="$(date +%s.%N)"
  if [ "$ok" = 1 ]; then
    local args=(send "${FILES[@]}")
    for addr in "${SERVER_ADDRS[@]}"; do args+=(--to "$addr:$PORT"); done
    args+=(--mode "$mode" --headless)
    [ -n "$WORKERS" ] && args+=(--workers "$WORKERS")
    [ "$EACH" = 1 ] && args+=(--each)
    echo "+ ${BIN_CMD[*]} ${args[*]}" >"$dir/send.log"
    set +e
    timeout --signal=TERM --kill-after=10 "$SEND_TIMEOUT" \
      ip netns exec "$(ns_client)" "${BIN_CMD[@]}" "${args[@]}" >>"$dir/send.log" 2>&1
    send_rc=$?
    set -e
  fi
  ended="$(date +%s.%N)"
  local leftover
  leftover="$(ip netns pids "$(ns_client)" 2>/dev/null | tr '\n' ' ')"
  if [ -n "${leftover// /}" ]; then
    say "warning: processes still running in $(ns_client) after the send: $leftover(down removes them)"
  fi
  elapsed="$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2fs", b - a }')"

  local server_rc=()
  for i in 1 2; do
    stop_server "${pids[$((i - 1))]}"
    server_rc+=("$STOP_RC")
  done
  SERVER_PIDS=()

  # Which file should be where: file i -> server (i mod 2), or every file everywhere with --each.
  local cells=("" "") expected=("" "") verdict=PASS idx=0 f s out got extra
  [ "$send_rc" = 0 ] || verdict=FAIL
  for f in "${FILES[@]}"; do
    for s in 1 2; do
      if [ "$EACH" = 1 ] || [ $((idx % 2)) = $((s - 1)) ]; then
        out="$dir/server$s"
        expected[s - 1]+="$(basename "$f") "
        got="$(find_received "$out" "$f")"
        if [ -z "$got" ]; then
          cells[s - 1]+="$(basename "$f"):missing "
          verdict=FAIL
        elif cmp -s "$got" "$f"; then
          cells[s - 1]+="$(basename "$f"):ok "
        else
          cells[s - 1]+="$(basename "$f"):DIFFERS "
          verdict=FAIL
        fi
      fi
    done
    idx=$((idx + 1))
  done
  for s in 1 2; do
    # Nothing else may be left in --out: no temporary .udpx-part file, no probe file.
    # shellcheck disable=SC2086 # one expected name per word
    extra="$(extra_files "$dir/server$s" ${expected[$((s - 1))]})"
    if [ -n "$extra" ]; then
      cells[s - 1]+="extra:${extra% } "
      verdict=FAIL
    fi
    if [ "${server_rc[$((s - 1))]}" != 0 ]; then
      cells[s - 1]+="exit=${server_rc[$((s - 1))]} "
      verdict=FAIL
    fi
  done
  local send_cell="$send_rc"
  [ "$send_rc" = 124 ] && send_cell="timeout"
  [ "$send_rc" = -1 ] && send_cell="not run"
  # Retransmitted datagrams over all transfers ("..., N retransmitted, ..." per line): shows the loss bit.
  local retx
  retx="$(sed -n 's/.* \([0-9,]*\) retransmitted.*/\1/p' "$dir/send.log" 2>/dev/null | tr -d , | awk '{ n += $1 } END { print n + 0 }')"
  RESULT_ROWS+=("$(printf '%-14s %-8s %-8s %-6s %-34s %-34s %s' "$mode" "$send_cell" "$elapsed" "$retx" "${cells[0]:--}" "${cells[1]:--}" "$verdict")")
  [ "$verdict" = PASS ]
}

lab_run() {
  need_root
  need_cmd ip iproute2
  need_cmd timeout coreutils
  need_cmd cmp diffutils
  resolve_bin
  local mode
  for mode in $MODES; do
    case " $ALL_MODES " in *" $mode "*) ;; *) die "unknown mode '$mode' (known: $ALL_MODES)" ;; esac
  done
  logs_and_lab
  if [ "${#FILES[@]}" -eq 0 ]; then
    make_samples "$LOGS/input"
  else
    local f abs=()
    for f in "${FILES[@]}"; do
      [ -f "$f" ] || die "no such file: $f"
      abs+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
    done
    FILES=("${abs[@]}")
  fi
  say "udpx: ${BIN_CMD[*]}"
  say "files: ${FILES[*]}"
  say "logs: $LOGS"

  local failures=0
  for mode in $MODES; do
    say "mode $mode ..."
    run_mode "$mode" || failures=$((failures + 1))
  done

  echo
  printf '%-14s %-8s %-8s %-6s %-34s %-34s %s\n' mode send time retx "server1 (${SERVER_ADDRS[0]})" "server2 (${SERVER_ADDRS[1]})" result
  printf '%s\n' "${RESULT_ROWS[@]}"
  echo "loss: $(nft_loss_of "$(ns_server 1)")% inbound UDP at the servers$([ "$LOSS_CLIENT" = 1 ] && echo ' and the client'); logs and received files: $LOGS"
  if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures of $(echo "$MODES" | wc -w) modes"
    return 1
  fi
  echo "PASSED: all $(echo "$MODES" | wc -w) modes"
}

# ---------------------------------------------------------------------------------------------
# compare: udpx and udpcast on the same file, the same path and the same loss rules

# udpcast's two ports (portbase, portbase + 1), away from udpx's $PORT.
UDPCAST_PORTBASE=9100
COMPARE_ROWS=()
LAST_SECONDS=""

await_exit() {   # pid seconds -> STOP_RC; TERM, then KILL, if the process outlives the limit
  local pid="$1" limit="$2" waited=0
  STOP_RC=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
    if [ "$waited" -ge $((limit * 10)) ]; then
      say "process $pid still running after ${limit} s: stopping it"
      kill -TERM "$pid" 2>/dev/null || true
      sleep 2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
  done
  wait "$pid" 2>/dev/null || STOP_RC=$?
}

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
mb_per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s / 1e6; else print "-" }'; }

compare_row() {   # tool run rc seconds retransmitted check -> COMPARE_ROWS, LAST_SECONDS
  local rate="-"
  LAST_SECONDS="$4"
  [ "$6" = ok ] && rate="$(mb_per_s "$COMPARE_BYTES" "$4")"
  COMPARE_ROWS+=("$(printf '%-8s %3s %8s %9s %10s %14s  %s' "$1" "$2" "$3" "$4" "$rate" "$5" "$6")")
  say "$1 run $2: $4 s, ${rate} MB/s, $6"
}

compare_udpx() {   # run -> appends a row; 0 when the file arrived intact
  local run="$1" dir="$LOGS/udpx-$1" addr="${SERVER_ADDRS[0]}" ns pid
  ns="$(ns_server 1)"
  rm -rf "$dir/out"
  mkdir -p "$dir/out"
  ip netns exec "$ns" "${BIN_CMD[@]}" serve --bind "$addr:$PORT" --out "$dir/out" --headless >"$dir/server.log" 2>&1 &
  pid=$!
  SERVER_PIDS=("$pid")
  local rc="not run" started seconds="-" check=FAIL retx="-"
  if wait_listening "$ns" "$addr" "$PORT" "$pid" "$dir/server.log"; then
    echo "+ ${BIN_CMD[*]} send $COMPARE_FILE --to $addr:$PORT --mode thread --json" >"$dir/send.log"
    started="$(date +%s.%N)"
    set +e
    timeout --signal=TERM --kill-after=10 "$SEND_TIMEOUT" \
      ip netns exec "$(ns_client)" "${BIN_CMD[@]}" send "$COMPARE_FILE" --to "$addr:$PORT" --mode thread --json \
      >"$dir/send.json" 2>>"$dir/send.log"
    rc=$?
    set -e
    seconds="$(seconds_since "$started")"
    [ "$rc" = 124 ] && rc=timeout
    retx="$(sed -n 's/.*"retransmitted":\([0-9]*\).*/\1/p' "$dir/send.json" | head -n 1)"
    retx="${retx:--}"
  fi
  stop_server "$pid"
  SERVER_PIDS=()
  local got
  got="$dir/out/$(basename "$COMPARE_FILE")"
  if [ "$rc" = 0 ] && [ "$STOP_RC" = 0 ] && [ -f "$got" ] && cmp -s "$got" "$COMPARE_FILE"; then
    check=ok
    rm -f "$got"
  elif [ ! -f "$got" ]; then
    check="FAIL: missing"
  elif ! cmp -s "$got" "$COMPARE_FILE"; then
    check="FAIL: differs"
  else
    check="FAIL: exit $rc, server exit $STOP_RC"
  fi
  compare_row udpx "$run" "$rc" "$seconds" "$retx" "$check"
  [ "$check" = ok ]
}

compare_udpcast() {   # run -> appends a row; 0 when the file arrived intact
  # Point to point between two hosts of the lab. Both ends name the other as their rendezvous
  # address: by default the sender announces itself to 224.0.0.1 (or eth0's broadcast address, which
  # is 0.0.0.0 here), and the receiver, bound to its own address, never sees that. The sender
  # repeats its hello every 10 ms until a receiver connects (default: once, then only when asked),
  # so a lost hello or connect request costs 10 ms, not a hang. --half-duplex (udpcast's documented
  # default): otherwise udp-sender asks ethtool, finds the veth full duplex and keeps two slices in
  # flight, and under random loss the receiver mostly quits midway ("Dropped by server now=N
  # last=N-2") while the sender exits 0; here 25 of 32 such runs at 1% and 10% loss did, and none
  # of 84 half duplex runs, which were as fast as the full duplex runs that got through.
  # The clock runs from the sender's start, the receiver already bound, until the sender exits (it
  # has the receiver's final acknowledgement); the receiver's 500 ms exit wait is not counted, as
  # in `udpx bench --peers`.
  local run="$1" dir="$LOGS/udpcast-$1" client_addr="$CLIENT_ADDR" addr="${SERVER_ADDRS[0]}" pid
  mkdir -p "$dir"
  local got="$dir/received.bin"
  ip netns exec "$(ns_server 1)" udp-receiver --file "$got" --interface eth0 --portbase "$UDPCAST_PORTBASE" \
    --mcast-rdv-address "$client_addr" --nokbd >"$dir/receiver.log" 2>&1 &
  pid=$!
  SERVER_PIDS=("$pid")
  local waited=0 bound=1
  # It prints "UDP receiver for FILE at ADDR on eth0" once its sockets are bound.
  until grep -aq "^UDP receiver for" "$dir/receiver.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 100 ]; then bound=0; break; fi
    sleep 0.1
    waited=$((waited + 1))
  done
  local rc="not run" started seconds="-" check=FAIL retx="-"
  if [ "$bound" = 1 ]; then
    started="$(date +%s.%N)"
    set +e
    timeout --signal=TERM --kill-after=10 "$SEND_TIMEOUT" \
      ip netns exec "$(ns_client)" udp-sender --file "$COMPARE_FILE" --interface eth0 --portbase "$UDPCAST_PORTBASE" \
      --pointopoint --mcast-rdv-address "$addr" --min-receivers 1 --rexmit-hello-interval 10 --half-duplex --nokbd \
      >"$dir/sender.log" 2>&1
    rc=$?
    set -e
    seconds="$(seconds_since "$started")"
    [ "$rc" = 124 ] && rc=timeout
    [ "$rc" = 137 ] && rc=killed
    # The sender's last progress line: "bytes= 268 435 456  re-xmits=0022317 ( 10.0%) ..."
    retx="$(tr '\r' '\n' <"$dir/sender.log" | sed -n 's/.*re-xmits=0*\([0-9][0-9]*\) *( *\([0-9.]*%\)).*/\1/p' | tail -n 1)"
    retx="${retx:--}"
  else
    say "udp-receiver did not start:"
    sed 's/^/    /' "$dir/receiver.log" >&2
  fi
  await_exit "$pid" 15
  SERVER_PIDS=()
  local receiver_rc="$STOP_RC"
  # udp-sender exits 0 even when it has dropped its only receiver; only the file tells.
  if [ "$rc" = 0 ] && [ "$receiver_rc" = 0 ] && [ -f "$got" ] && cmp -s "$got" "$COMPARE_FILE"; then
    check=ok
    rm -f "$got"
  else
    if [ ! -f "$got" ]; then
      check="FAIL: missing"
    elif ! cmp -s "$got" "$COMPARE_FILE"; then
      check="FAIL: differs ($(stat -c %s "$got") of $COMPARE_BYTES bytes)"
    else
      check="FAIL"
    fi
    check+=", receiver exit $receiver_rc"
    local why
    why="$(tr '\r' '\n' <"$dir/receiver.log" | grep -a -m 1 -E 'Bad server reply|Dropped by server|dropped by sender|Slice|skipped|mismatch' || true)"
    [ -z "$why" ] || check+=": $why"
  fi
  compare_row udpcast "$run" "$rc" "$seconds" "$retx" "$check"
  [ "$check" = ok ]
}

median_of() {   # numbers... -> their median, or "-" when there are none
  printf '%s\n' "$@" | awk '/^[0-9.]+$/' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

loss_description() {
  local server client
  server="$(nft_loss_of "$(ns_server 1)")"
  client="$(nft_loss_of "$(ns_client)")"
  if [ "$server" = 0 ] && [ "$client" = 0 ]; then
    echo "none"
  elif [ "$client" = 0 ]; then
    echo "${server}% of the UDP arriving at server1 (data direction only; the client's acknowledgements and requests are not dropped: add --loss-client for both directions)"
  elif [ "$server" = 0 ]; then
    echo "${client}% of the UDP arriving at the client only (acknowledgements); none of the data"
  else
    echo "${server}% of the UDP arriving at server1 (data) and ${client}% of the UDP arriving at the client (acknowledgements, requests): both directions"
  fi
}

lab_compare() {
  need_root
  need_cmd ip iproute2
  need_cmd timeout coreutils
  need_cmd cmp diffutils
  need_cmd udp-sender udpcast
  need_cmd udp-receiver udpcast
  resolve_bin
  [ "${#FILES[@]}" -le 1 ] || die "compare sends one file (got ${#FILES[@]} --file)"
  [ "$SIZE_GIVEN" = 1 ] || SIZE=268435456
  logs_and_lab
  local generated=0
  if [ "${#FILES[@]}" -eq 1 ]; then
    [ -f "${FILES[0]}" ] || die "no such file: ${FILES[0]}"
    COMPARE_FILE="$(cd "$(dirname "${FILES[0]}")" && pwd)/$(basename "${FILES[0]}")"
  else
    mkdir -p "$LOGS/input"
    COMPARE_FILE="$LOGS/input/random.bin"
    head -c "$SIZE" /dev/urandom >"$COMPARE_FILE"
    generated=1
  fi
  COMPARE_BYTES="$(stat -c %s "$COMPARE_FILE")"
  local loss
  loss="$(loss_description)"
  say "udpx: ${BIN_CMD[*]} ($("${BIN_CMD[@]}" --version 2>/dev/null | head -n 1))"
  say "udpcast: $(command -v udp-sender), $(command -v udp-receiver)"
  say "file: $COMPARE_FILE ($COMPARE_BYTES bytes), client ${CLIENT_ADDR} -> server1 ${SERVER_ADDRS[0]}"
  say "loss: $loss; per datagram (gso_max_segs 1 on eth0 until the end)"
  say "logs: $LOGS"

  local run udpx_failures=0 udpx_secs=() udpcast_secs=()
  for run in $(seq 1 "$REPEAT"); do
    # Alternate which tool goes first, so that a drift in the machine's load hits both alike.
    local order="udpx udpcast" tool
    [ $((run % 2)) = 0 ] && order="udpcast udpx"
    for tool in $order; do
      if [ "$tool" = udpx ]; then
        if compare_udpx "$run"; then
          udpx_secs+=("$LAST_SECONDS")
        else
          udpx_failures=$((udpx_failures + 1))
        fi
      else
        if compare_udpcast "$run"; then
          udpcast_secs+=("$LAST_SECONDS")
        fi
      fi
    done
  done

  local x_med c_med x_rate c_rate ratio
  x_med="$(median_of "${udpx_secs[@]}")"
  c_med="$(median_of "${udpcast_secs[@]}")"
  x_rate="-"; c_rate="-"; ratio="-"
  [ "$x_med" = - ] || x_rate="$(mb_per_s "$COMPARE_BYTES" "$x_med")"
  [ "$c_med" = - ] || c_rate="$(mb_per_s "$COMPARE_BYTES" "$c_med")"
  if [ "$x_med" != - ] && [ "$c_med" != - ]; then
    ratio="$(awk -v a="$c_med" -v b="$x_med" 'BEGIN { printf "%.2f", a / b }')"
  fi

  echo
  printf '%-8s %3s %8s %9s %10s %14s  %s\n' tool run exit seconds "MB/s" retransmitted check
  printf '%s\n' "${COMPARE_ROWS[@]}"
  echo
  printf '%-8s %9s %10s %8s %s\n' tool "median s" "MB/s" "good" "settings"
  printf '%-8s %9s %10s %8s %s\n' udpx "$x_med" "$x_rate" "${#udpx_secs[@]}/$REPEAT" "send --mode thread, 1472-byte datagrams (default)"
  printf '%-8s %9s %10s %8s %s\n' udpcast "$c_med" "$c_rate" "${#udpcast_secs[@]}/$REPEAT" "--pointopoint --half-duplex --mcast-rdv-address (both ends) --rexmit-hello-interval 10, 1456+16-byte datagrams"
  echo "udpx/udpcast: ${ratio}x (throughput, medians of the good runs)"
  echo "versions: ${BIN_CMD[*]} $("${BIN_CMD[@]}" --version 2>/dev/null | head -n 1); $(cat "$LOGS"/udpcast-*/sender.log 2>/dev/null | grep -a -m 1 -o 'Udp-sender [0-9]*' || echo 'udp-sender (version not printed)')"
  echo "file: $COMPARE_BYTES bytes; MB/s = 10^6 bytes per second; a run's time is its sending process's wall clock"
  echo "loss: $loss; per datagram (GSO segmented before the veth: gso_max_segs 1 on every eth0)"
  echo "logs: $LOGS"
  if [ "$generated" = 1 ]; then
    rm -f "$COMPARE_FILE"
  fi
  if [ "$udpx_failures" -gt 0 ]; then
    echo "FAILED: $udpx_failures of $REPEAT udpx runs"
    return 1
  fi
  if [ "${#udpcast_secs[@]}" -eq 0 ]; then
    echo "FAILED: no udpcast run delivered the file: no ratio"
    return 1
  fi
  echo "PASSED: every udpx run delivered the file intact"
}

# ---------------------------------------------------------------------------------------------

on_exit() {
  local rc=$?
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$LAB_CREATED" = 1 ]; then
    if [ "$COMMAND_DONE" = 0 ]; then
      say "failed: tearing the lab down"
      lab_down || true
    elif { [ "$CMD" = run ] || [ "$CMD" = compare ]; } && [ "$KEEP" = 0 ]; then
      lab_down || true
    fi
  fi
  exit "$rc"
}

[ $# -ge 1 ] || { usage; exit 2; }
CMD="$1"
shift
# fairness has its own options and its own lab (client -- router -- server); see gns3/fairness/.
if [ "$CMD" = fairness ]; then exec python3 -B "$SCRIPT_DIR/fairness" "$@"; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --loss) LOSS="${2:?--loss needs a percentage}"; LOSS_GIVEN=1; shift 2 ;;
    --loss-client) LOSS_CLIENT=1; shift ;;
    --bin) BIN="${2:?--bin needs a command}"; shift 2 ;;
    --file) FILES+=("${2:?--file needs a path}"); shift 2 ;;
    --size) SIZE="${2:?--size needs bytes}"; SIZE_GIVEN=1; shift 2 ;;
    --repeat) REPEAT="${2:?--repeat needs a number}"; shift 2 ;;
    --modes) MODES="${2:?--modes needs a list}"; shift 2 ;;
    --workers) WORKERS="${2:?--workers needs a number}"; shift 2 ;;
    --each) EACH=1; shift ;;
    --timeout) SEND_TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
    --logs) LOGS="${2:?--logs needs a directory}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --count) COUNT="${2:?--count needs a number}"; shift 2 ;;
    --prefix) PREFIX="${2:?--prefix needs a name}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see $0 --help)" ;;
  esac
done

if ! [[ "$LOSS" =~ ^[0-9]+$ ]] || [ "$LOSS" -gt 100 ]; then die "--loss must be an integer 0-100, got '$LOSS'"; fi
[[ "$SIZE" =~ ^[0-9]+$ ]] || die "--size must be a number of bytes"
if ! [[ "$COUNT" =~ ^[0-9]+$ ]] || [ "$COUNT" -eq 0 ]; then die "--count must be a positive number"; fi
if ! [[ "$REPEAT" =~ ^[0-9]+$ ]] || [ "$REPEAT" -eq 0 ]; then die "--repeat must be a positive number"; fi
[[ "$SEND_TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be seconds"
[[ "$PREFIX" =~ ^[a-zA-Z0-9_.-]{1,8}$ ]] || die "--prefix must be 1-8 characters [a-zA-Z0-9_.-]"
[ "$LOSS" = 0 ] || [ "$CMD" = status ] || [ "$CMD" = down ] || need_cmd nft nftables

trap on_exit EXIT
# Without these a TERM/INT/HUP would end bash without running the EXIT trap (a lab left up).
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
case "$CMD" in
  up) lab_up ;;
  run) lab_run ;;
  compare) lab_compare ;;
  probe) lab_probe ;;
  status) lab_status ;;
  down) lab_down ;;
  -h|--help|help) usage ;;
  *) die "unknown command '$CMD' (up|run|compare|probe|status|down)" ;;
esac
COMMAND_DONE=1
