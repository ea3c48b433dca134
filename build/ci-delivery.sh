#!/usr/bin/env bash
# shellcheck disable=SC2001 # sed to indent multi-line text is clearer here
# Delivery checks for CI (called by .ci/run after the tests; as root):
#   1. build/publish.sh                      -> dist/udpx, static, no IL/trim/AOT warnings
#   2. in a busybox-only chroot (no libc):   udpx --version/--help, `demo --headless`,
#      a server + a client for each of the four modes (files compared with busybox cmp),
#      an HTTP download (`send --url`, from busybox httpd inside the chroot), exit codes and one-line
#      errors (2, 3, 4, 1), the TUI under tmux
#   2b. the lab report: `demo --report` from the binary, rendered by headless chromium (build/check-report.sh;
#      the page and its screenshot kept in artifacts/ci-delivery/report/)
#   3. figures: binary size, start-up time, peak RSS of `demo --headless` (printed, not judged)
#   4. the namespace twin of the GNS3 lab: gns3/lab.sh run --loss 0, then --loss 10
#   5. a short gns3/lab.sh fairness (3 s per run): it must run and print its table (figures not judged)
#   6. the lab on a real GNS3 2.2.40 server (gns3/real-gns3.sh), from the tarballs in UDPX_GNS3_REAL
#      (default ../shared/gns3-real beside the repository's folder); "skipped: ..." when they are absent
# then a summary table. Every step runs even when an earlier one failed (except that nothing runs
# without a binary); the exit code is 0 only if every step passed and nothing was left behind
# (network namespaces, mounts, processes in a chroot, tmux sessions).
#
# Usage: build/ci-delivery.sh [--bin PATH] [--no-lab]
#   --bin PATH   test this static binary instead of publishing dist/udpx
#   --no-lab     skip the gns3/lab.sh runs and the real GNS3 run
#   --only RE    run only the steps whose name matches the extended regex RE (e.g. 'tui|http')
# Environment:
#   UDPX_CI_TUI_ARGS   udpx arguments for the TUI check (default "demo")
#   UDPX_CI_TUI_TEXT   text that must appear on the tmux screen (default "runs: 1": the demo screen's
#                      results pane once the first mode's run has finished and been checked; the demo runs
#                      the four modes by itself, paced, the first done in about 8 s)
#   UDPX_CI_TUI_KEYS   tmux keys sent once the text is on screen; udpx must then exit 0 (default q,
#                      udpx's quit key; Escape only closes the help)
#   UDPX_LAB_PREFIX    namespace prefix for gns3/lab.sh (default udpx); the lab steps fail rather
#                      than reuse a lab with that prefix that is already up
#   UDPX_CI_STEP_LIMIT seconds any one step may take before it is stopped (default 900; publish 2400)
#   UDPX_GNS3_REAL     the gns3-server, ubridge and dynamips tarballs (default ../shared/gns3-real)
# Logs: artifacts/ci-delivery/<step>.log and artifacts/ci-delivery/summary.txt.
set -uo pipefail
# Job control: every step runs in its own process group, so stopping a step reaches all of its
# processes (and Ctrl-C reaches only this script, whose trap stops the step in order).
set -m
cd "$(dirname "$0")/.." || exit 2
REPO=$(pwd)

TUI_ARGS=${UDPX_CI_TUI_ARGS:-demo}
TUI_TEXT=${UDPX_CI_TUI_TEXT:-runs: 1}
TUI_KEYS=${UDPX_CI_TUI_KEYS:-q}
LAB_PREFIX=${UDPX_LAB_PREFIX:-udpx}
STEP_LIMIT=${UDPX_CI_STEP_LIMIT:-900}
MODES="process thread process-async thread-async"

BIN=""
LAB=1
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="${2:?--bin needs a path}"; shift 2 ;;
    --no-lab) LAB=0; shift ;;
    --only) ONLY="${2:?--only needs a regex}"; shift 2 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-delivery: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'ci-delivery: %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { say "must run as root (chroot, network namespaces)"; exit 2; }

ART=$REPO/artifacts/ci-delivery
rm -rf "$ART"
mkdir -p "$ART"
WORK=$(mktemp -d /tmp/udpx-ci-delivery.XXXXXX)
export SMOKE_TMPDIR=$WORK   # chroot-smoke.sh makes its roots in here: leftovers are easy to find
export UDPX_LAB_PREFIX=$LAB_PREFIX

ROWS=()        # summary rows
FAILED=0
STEP_PID=""    # the step running now (killed by the exit trap)
STEP_NAME=""
SUMMARY_DONE=0
SMOKE_PIDS=()  # chroot-smoke.sh runs, for finding their tmux sessions
NS_BEFORE=$(ip netns list 2>/dev/null | awk '{print $1}' | sort)
T_START=$(date +%s.%N)

elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------- teardown: also the safety net behind the scripts' own traps ----------
lab_namespaces_new() { # lab namespaces of our prefix that were not there when we started
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$LAB_PREFIX-(lab|client|server1|server2|fclient|frouter|fserver)\$" \
    | sort | comm -13 <(printf '%s\n' "$NS_BEFORE") - || true
}
leftovers() { # prints what is left behind and removes it; returns 1 if anything was
  local found=0 p s ns
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/root" 2>/dev/null)" in
      "$WORK"/*) echo "process ${p#/proc/} still running in a chroot: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
                 kill -9 "${p#/proc/}" 2>/dev/null; found=1 ;;
    esac
  done
  if command -v tmux >/dev/null; then
    for s in $(tmux list-sessions -F '#{session_name}' 2>/dev/null); do
      for p in "${SMOKE_PIDS[@]}"; do
        case "$s" in "udpx-smoke-$p-"*) echo "tmux session $s"; tmux kill-session -t "$s" 2>/dev/null; found=1 ;; esac
      done
    done
  fi
  while read -r _ mnt _; do
    case "$mnt" in "$WORK"/*) echo "mount $mnt"; umount -l "$mnt" 2>/dev/null; found=1 ;; esac
  done </proc/mounts
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^udpx-gns3-/ {print $1}'); do # gns3/real-gns3.sh's
    echo "network namespace $ns"; ip netns del "$ns" 2>/dev/null; found=1
  done
  ns=$(lab_namespaces_new)
  if [ -n "$ns" ]; then
    echo "network namespaces: $(tr '\n' ' ' <<<"$ns")"
    bash gns3/lab.sh down >/dev/null 2>&1 || true
    bash gns3/lab.sh fairness --down >/dev/null 2>&1 || true
    found=1
  fi
  [ "$found" = 0 ]
}
group_alive() { # PGID: is any process of that group still running (zombies do not count)?
  local pgid=$1 f line rest
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    rest=${line##*) }   # after "pid (comm) ": state ppid pgrp ...
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $rest
    [ "$3" = "$pgid" ] && [ "$1" != Z ] && return 0
  done
  return 1
}
stop_step() { # TERM to the step's process group (its own, see set -m), whose traps clean up; wait
  [ -n "$STEP_PID" ] || return 0          # until all of the group is gone (the leader may die first
  local i=0                               # while a lab.sh inside still tears down), then KILL.
  kill -TERM -- "-$STEP_PID" 2>/dev/null || kill -TERM "$STEP_PID" 2>/dev/null
  while group_alive "$STEP_PID" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  if group_alive "$STEP_PID"; then
    echo "ci-delivery: step still running 30 s after TERM: KILL" >&2
    kill -KILL -- "-$STEP_PID" 2>/dev/null
    sleep 0.5
  fi
  wait "$STEP_PID" 2>/dev/null
  STEP_PID=""
}
on_exit() {
  local rc=$?
  set +e
  if [ -n "$STEP_PID" ]; then
    say "interrupted: stopping the running step"
    stop_step
    ROWS+=("$(printf '%-22s %9s  %s' "$STEP_NAME" - "INTERRUPTED")")
  fi
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then
    say "LEFT BEHIND (now removed):"
    sed 's/^/    /' <<<"$left"
    [ $rc != 0 ] || rc=1
  fi
  [ "$SUMMARY_DONE" = 1 ] || summary "INTERRUPTED (exit $rc)"
  if grep -q " $WORK/" /proc/mounts; then
    say "$WORK still has mounts; not deleted"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------- one step: run it in the background (so a signal can stop it), log, time, record ----------
# run_step NAME LIMIT_SECS CMD...   (CMD may be a function of this script)
run_step() {
  local name=$1 limit=$2 t0 rc secs result
  shift 2
  local log=$ART/$name.log
  if [ -n "$ONLY" ] && ! grep -qE -- "$ONLY" <<<"$name"; then return 0; fi
  printf '\n==> %s\n' "$name"
  t0=$(date +%s.%N)
  "$@" >"$log" 2>&1 </dev/null &
  STEP_PID=$!
  STEP_NAME=$name
  SMOKE_PIDS+=("$STEP_PID")
  local ticks=$((limit * 10)) timed_out=0
  while kill -0 "$STEP_PID" 2>/dev/null; do
    sleep 0.1
    ticks=$((ticks - 1))
    if [ $ticks -le 0 ]; then timed_out=1; stop_step; break; fi
  done
  rc=0
  if [ -n "$STEP_PID" ]; then wait "$STEP_PID" || rc=$?; fi
  STEP_PID=""
  secs=$(elapsed_since "$t0")
  sed 's/^/    /' "$log"
  if [ $timed_out = 1 ]; then
    result="FAIL (over ${limit}s, stopped)"
  elif [ $rc = 0 ]; then
    result=PASS
  else
    result="FAIL (exit $rc)"
  fi
  [ "$result" = PASS ] || FAILED=$((FAILED + 1))
  printf '<== %s: %s in %ss\n' "$name" "$result" "$secs"
  ROWS+=("$(printf '%-22s %8ss  %s' "$name" "$secs" "$result")")
  [ "$result" = PASS ]
}
skip_step() { # NAME REASON
  FAILED=$((FAILED + 1))
  printf '\n==> %s: SKIPPED (%s)\n' "$1" "$2"
  ROWS+=("$(printf '%-22s %9s  %s' "$1" "-" "FAIL (not run: $2)")")
}

# A UDP+TCP port nobody on this host listens on (the chroot shares the host's network).
free_port() {
  local p hex
  while :; do
    p=$((20000 + RANDOM % 40000))
    hex=$(printf ':%04X ' "$p")
    if ! cat /proc/net/udp /proc/net/udp6 /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{print $2}' | grep -q -- "${hex% }\$"; then
      echo "$p"
      return
    fi
  done
}

# exec: the step's pid is then chroot-smoke.sh's own, which names its tmux sessions udpx-smoke-PID-N.
smoke() { exec build/chroot-smoke.sh "$BIN" "$@"; }

# ---------- the steps ----------
step_mode() { # MODE: one server, two files sent under MODE, both compared, the server stopped (exit 0)
  local mode=$1 port
  port=$(free_port)
  smoke --sh "
mkdir -p /srv /tmp/in
head -c 1500123 /dev/urandom >/tmp/in/one-$mode.bin
head -c 700001 /dev/urandom >/tmp/in/two-$mode.bin
start srv udpx serve --bind 127.0.0.1:$port --out /srv --headless
wait_log srv 'listening on 127.0.0.1:$port'
run udpx send /tmp/in/one-$mode.bin /tmp/in/two-$mode.bin --to 127.0.0.1:$port --mode $mode --headless
run cmp /tmp/in/one-$mode.bin /srv/one-$mode.bin
run cmp /tmp/in/two-$mode.bin /srv/two-$mode.bin
kill \$(cat /tmp/srv.pid)
wait_exit srv 15 0
ls -la /srv
[ \$(ls -A /srv | wc -l) = 2 ] || { echo 'chroot-smoke: FAIL: /srv holds more than the two files'; exit 1; }"
}

step_key() { # a keyed server and an encrypting client (HMAC-SHA256 and AES-GCM from the static OpenSSL)
  local port
  port=$(free_port)
  smoke --sh "
mkdir -p /srv /tmp/in
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' >/tmp/key
head -c 1200007 /dev/urandom >/tmp/in/secret.bin
start srv udpx serve --bind 127.0.0.1:$port --out /srv --headless --key-file /tmp/key
wait_log srv 'listening on 127.0.0.1:$port'
run udpx send /tmp/in/secret.bin --to 127.0.0.1:$port --mode process --key-file /tmp/key --encrypt --headless
run cmp /tmp/in/secret.bin /srv/secret.bin
kill \$(cat /tmp/srv.pid)
wait_exit srv 15 0"
}

step_http() { # busybox httpd in the chroot; send --url downloads and sends; a 404 must exit 3
  local sport hport
  sport=$(free_port)
  hport=$(free_port)
  while [ "$hport" = "$sport" ]; do hport=$(free_port); done
  smoke --sh "
mkdir -p /srv /www
head -c 900017 /dev/urandom >/www/photo.jpg
start web httpd -f -p 127.0.0.1:$hport -h /www
i=0; until wget -q -O /dev/null http://127.0.0.1:$hport/photo.jpg; do i=\$((i + 1)); [ \$i -lt 50 ] || { echo 'httpd did not start'; exit 1; }; sleep 0.1; done
start srv udpx serve --bind 127.0.0.1:$sport --out /srv --headless
wait_log srv 'listening on 127.0.0.1:$sport'
run udpx send --url http://127.0.0.1:$hport/photo.jpg --to 127.0.0.1:$sport --headless
run cmp /www/photo.jpg /srv/photo.jpg
echo '+ udpx send --url http://127.0.0.1:$hport/missing.jpg ... (must exit 3: failed download)'
rc=0; udpx send --url http://127.0.0.1:$hport/missing.jpg --to 127.0.0.1:$sport --headless || rc=\$?
[ \$rc = 3 ] || { echo \"chroot-smoke: FAIL: exit \$rc, wanted 3\"; exit 1; }
kill \$(cat /tmp/srv.pid)
wait_exit srv 15 0
stop web"
}

step_errors() { # exit codes and one-line errors of the static binary (AOT: no stack traces, readable texts)
  local port
  port=$(free_port)
  smoke --sh "
mkdir -p /srv /tmp/in; echo data >/tmp/in/f.txt; echo x >/tmp/afile
# expect CODE CMD...: CMD must exit CODE and print one line on stderr with no .NET resource key in it
expect() {
  want=\$1; shift; echo \"+ \$* (must exit \$want)\"
  rc=0; \"\$@\" >/tmp/out.txt 2>/tmp/err.txt || rc=\$?
  cat /tmp/err.txt
  [ \$rc = \$want ] || { echo \"chroot-smoke: FAIL: exit \$rc, wanted \$want\"; exit 1; }
  [ \$(wc -l </tmp/err.txt) = 1 ] || { echo 'chroot-smoke: FAIL: not one line on stderr'; exit 1; }
  ! grep -qE '[A-Z][A-Za-z]+_[A-Za-z_]+, ' /tmp/err.txt || { echo 'chroot-smoke: FAIL: a resource key instead of a message'; exit 1; }
}
expect 2 udpx send /tmp/in/f.txt --to 127.0.0.1:$port --mode bogus
expect 3 udpx send /tmp/in/missing.txt --to 127.0.0.1:$port
expect 3 udpx serve --bind 127.0.0.1:$port --out /tmp/afile
expect 4 udpx send /tmp/in/f.txt --to no-such-host.invalid:$port
start srv udpx serve --bind 127.0.0.1:$port --out /srv --headless
wait_log srv 'listening on 127.0.0.1:$port'
expect 4 udpx serve --bind 127.0.0.1:$port --out /srv
kill \$(cat /tmp/srv.pid)
wait_exit srv 15 0
echo '+ udpx send /tmp/in/f.txt --to 127.0.0.1:$port --connect-timeout 2 (no server: must exit 1)'
rc=0; udpx send /tmp/in/f.txt --to 127.0.0.1:$port --connect-timeout 2 || rc=\$?
[ \$rc = 1 ] || { echo \"chroot-smoke: FAIL: exit \$rc, wanted 1\"; exit 1; }"
}

step_demo() {
  smoke --sh "
echo '+ udpx demo --headless'
rc=0; udpx demo --headless >/tmp/demo.out 2>&1 || rc=\$?
cat /tmp/demo.out
[ \$rc = 0 ] || { echo \"chroot-smoke: FAIL: demo exited \$rc\"; exit 1; }
grep -q identical /tmp/demo.out || { echo 'chroot-smoke: FAIL: no \"identical\" in the output'; exit 1; }"
}

step_report() { # the lab report of the static binary, checked and photographed by headless chromium
  local out=$ART/report
  rm -rf "$out"
  "$BIN" demo --headless --report "$out" || return 1
  bash build/check-report.sh "$out/report.html" "$out/report.png"
}

step_tui() {
  export SMOKE_TUI_KEYS=$TUI_KEYS
  export SMOKE_TUI_TIMEOUT=${SMOKE_TUI_TIMEOUT:-45}   # the paced first run, with room for a slow machine
  smoke --tui "$TUI_ARGS" "$TUI_TEXT"
}

# The native build applies Terminal.Gui's configuration when a screen opens, not at start-up
# (src/udpx/Ui/TerminalGuiStartup.cs): a theme named in TUI_CONFIG must still colour the screen.
step_tui_config() {
  export SMOKE_TUI_KEYS=$TUI_KEYS
  export SMOKE_TUI_TIMEOUT=${SMOKE_TUI_TIMEOUT:-45}
  export SMOKE_TUI_ENV="TUI_CONFIG='{\"Theme\":\"Light\"}'" SMOKE_TUI_ESCAPE='48;2;220;220;220'
  smoke --tui "$TUI_ARGS" "$TUI_TEXT"
  unset SMOKE_TUI_ENV SMOKE_TUI_ESCAPE
}

FIGURES=""
step_figures() { # printed for the record (docs/delivery.md has the measured ones), never judged
  local size n=30 t0 secs rss
  size=$(stat -c %s "$BIN")
  echo "size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }'))"
  "$BIN" --version >/dev/null || return 1
  # The same measurement as README's and docs/delivery.md's start-up figure: the median of 30 runs.
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs $n --export-json "$WORK/startup.json" "$BIN --version" >/dev/null || return 1
    secs=$(python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$WORK/startup.json")
    echo "start-up: $secs ms per 'udpx --version' (median of $n, hyperfine -N --warmup 5 --runs $n)"
  else
    t0=$(date +%s.%N)
    for _ in $(seq $n); do "$BIN" --version >/dev/null || return 1; done
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" -v n=$n 'BEGIN { printf "%.1f", (b - a) * 1000 / n }')
    echo "start-up: $secs ms per 'udpx --version' (mean of $n, bash loop; hyperfine not installed)"
  fi
  if [ -x /usr/bin/time ]; then
    rss=$( { /usr/bin/time -f 'maxrss=%M' "$BIN" demo --headless >/dev/null; } 2>&1 | sed -n 's/^maxrss=//p')
    [ -n "$rss" ] || return 1
    echo "peak RSS of 'udpx demo --headless': $rss KiB ($(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }'))"
  else
    echo "peak RSS: /usr/bin/time not installed (apt-get install time)"
  fi
}

step_lab() { # LOSS
  local loss=$1 rc=0 logs=$WORK/lab-loss$1
  bash gns3/lab.sh run --loss "$loss" --bin "$BIN" --logs "$logs" || rc=$?
  # Keep the logs, not the samples and received files.
  (cd "$logs" 2>/dev/null && find . -name '*.log' | while read -r f; do
    mkdir -p "$ART/lab-loss$loss/$(dirname "$f")" && cp "$f" "$ART/lab-loss$loss/$f"
  done)
  return $rc
}

step_fairness() { # udpx beside iperf3 at a tbf bottleneck, 3 s per run, two base RTTs (delay stage on and off)
  local out=$WORK/fairness.txt
  bash gns3/lab.sh fairness --bin "$BIN" --duration 3 --stagger 1 --rate 100mbit --buffer 5 --rtt 0,10 \
    --scenarios udpx,cubic,udpx+cubic --logs "$WORK/fairness" --report "$ART/fairness" | tee "$out" || return 1
  grep -qE '^point +scenario +first +flow +Mbit/s +share' "$out" && [ "$(grep -cE '^100mbit ' "$out")" = 8 ] && grep -q '^PASSED' "$out"
}

GNS3_REAL=${UDPX_GNS3_REAL:-$REPO/../shared/gns3-real}
step_gns3_real() {
  bash gns3/real-gns3.sh --bin "$BIN" --logs "$ART/gns3-real"
}

summary() { # VERDICT
  SUMMARY_DONE=1
  {
    echo
    echo "==== delivery summary (${BIN:-no binary}${BIN:+, $(stat -c %s "$BIN" 2>/dev/null) bytes})"
    [ ${#ROWS[@]} = 0 ] || printf '%s\n' "${ROWS[@]}"
    [ -z "$FIGURES" ] || sed 's/^/figures: /' <<<"$FIGURES"
    echo "delivery total: $(elapsed_since "$T_START")s; $1"
  } | tee "$ART/summary.txt"
}

# ---------- run ----------
say "logs: $ART"
if [ -z "$BIN" ]; then
  if run_step publish "${UDPX_CI_PUBLISH_LIMIT:-2400}" build/publish.sh; then BIN=dist/udpx; fi
else
  [ -f "$BIN" ] || { say "no such binary: $BIN"; exit 2; }
fi

if [ -n "$BIN" ]; then
  BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
  run_step chroot-version-help "$STEP_LIMIT" smoke
  run_step chroot-demo "$STEP_LIMIT" step_demo
  for m in $MODES; do run_step "chroot-$m" "$STEP_LIMIT" step_mode "$m"; done
  run_step chroot-http "$STEP_LIMIT" step_http
  run_step chroot-key "$STEP_LIMIT" step_key
  run_step chroot-errors "$STEP_LIMIT" step_errors
  run_step demo-report "$STEP_LIMIT" step_report
  run_step chroot-tui "$STEP_LIMIT" step_tui
  run_step chroot-tui-config "$STEP_LIMIT" step_tui_config
  run_step figures "$STEP_LIMIT" step_figures && FIGURES=$(grep -sE '^(size|start-up|peak RSS)' "$ART/figures.log")
  if [ "$LAB" = 1 ]; then
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qE "^$LAB_PREFIX-(lab|client|server1|server2)\$"; then
      skip_step lab-loss0 "a lab with prefix '$LAB_PREFIX' is already up; set UDPX_LAB_PREFIX"
      skip_step lab-loss10 "same"
    else
      run_step lab-loss0 "$STEP_LIMIT" step_lab 0
      run_step lab-loss10 "$STEP_LIMIT" step_lab 10
    fi
    run_step lab-fairness "$STEP_LIMIT" step_fairness
    if [ -f "$GNS3_REAL/gns3-server-2.2.40.tar.gz" ] && [ -f "$GNS3_REAL/ubridge-0.9.19.tar.gz" ] && [ -f "$GNS3_REAL/dynamips-0.2.23.tar.gz" ]; then
      run_step gns3-real "$STEP_LIMIT" step_gns3_real
    elif [ -z "$ONLY" ] || grep -qE -- "$ONLY" <<<gns3-real; then
      printf '\n==> gns3-real: skipped: no GNS3 tarballs in %s (set UDPX_GNS3_REAL)\n' "$GNS3_REAL"
      ROWS+=("$(printf '%-22s %9s  %s' gns3-real - "skipped: no GNS3 tarballs in $GNS3_REAL")")
    fi
  fi
else
  skip_step chroot+lab "no binary: publish failed"
fi

# Left behind? (The exit trap checks again and cleans up; here it counts as a failure.)
left=$(leftovers)
if [ -n "$left" ]; then
  FAILED=$((FAILED + 1))
  ROWS+=("$(printf '%-22s %9s  %s' teardown - "FAIL: left behind: $(tr '\n' ';' <<<"$left")")")
else
  ROWS+=("$(printf '%-22s %9s  %s' teardown - "PASS (no namespaces, mounts, chroot processes or tmux sessions left)")")
fi

summary "$([ $FAILED = 0 ] && echo 'ALL PASSED' || echo "$FAILED FAILED")"
[ $FAILED = 0 ]
