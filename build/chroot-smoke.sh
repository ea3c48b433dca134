#!/usr/bin/env bash
# Smoke-test a static udpx binary in a chroot that holds nothing but busybox: no libc, no loader,
# no terminfo, no CA certificates, no /proc. If it runs here it runs on an Alpine/musl node.
#
# Usage (as root):
#   build/chroot-smoke.sh DIST_BINARY [STEP...]
#
# With no STEP it runs `udpx --version` and `udpx --help`. Steps run in order; the first that fails
# stops the script with a non-zero exit. Each step prints what it runs.
#
#   -- ARGS...            run `/udpx ARGS...` in the chroot (ends at the next `--`, `--sh`, `--tui`
#                         or the end); must exit 0.
#   --sh 'SCRIPT'         run SCRIPT with busybox sh inside the chroot, `set -e`, with the helpers
#                         below loaded. For servers + clients, several commands, output checks.
#   --script FILE         same, SCRIPT read from FILE (a host path).
#   --tui 'ARGS' 'TEXT'   run `/udpx ARGS` in a detached tmux session (tmux is on the host, the
#                         program inside the chroot), poll the screen until TEXT appears (fail after
#                         SMOKE_TUI_TIMEOUT s), print the screen, then kill the session.
#
# Helpers inside --sh/--script (busybox sh; logs live in /tmp/NAME.log inside the chroot):
#   run CMD...                   print "+ CMD", run it, fail loudly if it exits non-zero
#   fails CMD...                 the opposite: fail if CMD exits 0 (for negative tests; not for
#                                wait_exit, which takes the wanted exit code instead)
#   start NAME CMD...            run CMD in the background, output to /tmp/NAME.log, pid remembered
#   wait_log NAME REGEX [SECS]   wait until /tmp/NAME.log matches REGEX (default 20 s), else fail
#   expect_log NAME REGEX        fail unless /tmp/NAME.log matches REGEX now
#   stop NAME                    kill NAME's process (TERM, then KILL), print its log
#   wait_exit NAME [SECS] [RC]   wait for NAME to exit by itself (default 20 s); fail if it does not
#                                or its exit code is not RC (default 0)
#   udpx is on PATH (/bin/udpx); the binary is also at /udpx. HOME=/root, TMPDIR=/tmp.
#
# Environment:
#   SMOKE_TIMEOUT=120      seconds each step may take before it is killed and counted as failed
#   SMOKE_TUI_TIMEOUT=20   seconds a --tui step waits for its TEXT (and for the exit after keys)
#   SMOKE_TUI_ENV=        extra VAR=VALUE words for a --tui step's environment (shell-quoted)
#   SMOKE_TUI_ESCAPE=     a --tui step also needs this text among the screen's escape sequences
#   SMOKE_TUI_KEYS=Escape  after TEXT shows, send these tmux keys (send-keys syntax, one key a word;
#                          Escape is Terminal.Gui v2's default quit key); the program must then exit 0
#   SMOKE_KEEP=1           keep the chroot folder (its path is printed) instead of deleting it
#   SMOKE_PROC=1           also mount /proc inside (off by default: a harsher test)
#   SMOKE_TMPDIR=/tmp      where the chroot folder is made (udpx-chroot.XXXXXX inside it)
#
# Examples:
#   build/chroot-smoke.sh dist/udpx
#   build/chroot-smoke.sh dist/udpx -- --version -- demo --headless
#   build/chroot-smoke.sh dist/udpx --sh '
#       start srv udpx serve --bind 127.0.0.1:9000 --out /srv --headless
#       wait_log srv "listening on 127.0.0.1:9000"
#       run udpx send /udpx --to 127.0.0.1:9000 --mode thread
#       run cmp /udpx /srv/udpx
#       stop srv'
#   SMOKE_TUI_KEYS=Escape build/chroot-smoke.sh dist/udpx --tui 'demo' 'udpx'
set -euo pipefail

die() { echo "chroot-smoke: FAIL: $*" >&2; exit 1; }
T_LAST=$(date +%s.%N)

SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-120}
SMOKE_TUI_TIMEOUT=${SMOKE_TUI_TIMEOUT:-20}

[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (chroot, mknod)"
BIN=$1; shift
[ -f "$BIN" ] || die "no such binary: $BIN"
if ! file -L "$BIN" | grep -q 'statically linked'; then
  die "$BIN is not statically linked: $(file -L "$BIN")"
fi

# busybox: Debian's busybox-static (a static build, so the chroot needs no libc either).
BUSYBOX=
for c in /bin/busybox /usr/bin/busybox; do
  if [ -x "$c" ] && file -L "$c" | grep -q 'statically linked'; then BUSYBOX=$c; break; fi
done
if [ -z "$BUSYBOX" ]; then
  echo "chroot-smoke: installing busybox-static" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq busybox-static >/dev/null; } \
    || die "could not install busybox-static"
  BUSYBOX=/bin/busybox
fi

ROOT=$(mktemp -d "${SMOKE_TMPDIR:-/tmp}/udpx-chroot.XXXXXX")
MOUNTS=()
TMUX_SESSIONS=()
cleanup() {
  local rc=$?
  set +e
  for s in "${TMUX_SESSIONS[@]}"; do tmux kill-session -t "$s" 2>/dev/null; done
  # Anything still running from inside the chroot (a background server a script forgot) is ours.
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null; done
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    echo "chroot-smoke: kept $ROOT" >&2
  else
    # Only delete when nothing is still mounted below it.
    if ! grep -q " $ROOT/" /proc/mounts; then rm -rf "$ROOT"; else echo "chroot-smoke: $ROOT still has mounts, left in place" >&2; fi
  fi
  if [ $rc = 0 ]; then echo "chroot-smoke: all steps passed"; else echo "chroot-smoke: FAILED (exit $rc)" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the root: busybox, a few device nodes, /etc basics, /tmp, the binary ----
mkdir -p "$ROOT"/{bin,dev,etc,tmp,root,proc}
chmod 1777 "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done
mknode() { # name type major minor: mknod, else bind-mount the host's node
  if ! mknod -m 666 "$ROOT/dev/$1" "$2" "$3" "$4" 2>/dev/null; then
    touch "$ROOT/dev/$1"
    mount --bind "/dev/$1" "$ROOT/dev/$1" || die "cannot create /dev/$1 (no mknod, no bind mount)"
    MOUNTS+=("$ROOT/dev/$1")
  fi
}
mknode null c 1 3
mknode zero c 1 5
mknode random c 1 8
mknode urandom c 1 9
mknode tty c 5 0
cat >"$ROOT/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
EOF
cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
if [ "${SMOKE_PROC:-0}" = 1 ]; then
  mount -t proc proc "$ROOT/proc" && MOUNTS+=("$ROOT/proc")
fi
cp "$BIN" "$ROOT/udpx"
chmod 755 "$ROOT/udpx"
ln -s ../udpx "$ROOT/bin/udpx"

# Helpers for --sh / --script, in busybox sh.
cat >"$ROOT/smoke-lib.sh" <<'EOF'
run() { echo "+ $*"; "$@" || { rc=$?; echo "chroot-smoke: FAIL ($rc): $*" >&2; exit 1; }; }
fails() { echo "+ (must fail) $*"; if ("$@"); then echo "chroot-smoke: FAIL: succeeded: $*" >&2; exit 1; fi; }
start() { n=$1; shift; echo "+ start $n: $*"; "$@" >"/tmp/$n.log" 2>&1 & echo $! >"/tmp/$n.pid"; }
expect_log() {
  grep -Eq "$2" "/tmp/$1.log" || { echo "chroot-smoke: FAIL: /tmp/$1.log lacks /$2/:" >&2; cat "/tmp/$1.log" >&2; exit 1; }
}
wait_log() {
  n=$1; re=$2; t=$(( ${3:-20} * 10 )); echo "+ wait_log $n /$re/"
  while [ $t -gt 0 ]; do
    grep -Eq "$re" "/tmp/$n.log" 2>/dev/null && return 0
    kill -0 "$(cat "/tmp/$n.pid")" 2>/dev/null || { echo "chroot-smoke: FAIL: $n exited before /$re/:" >&2; cat "/tmp/$n.log" >&2; exit 1; }
    sleep 0.1; t=$((t - 1))
  done
  echo "chroot-smoke: FAIL: timeout waiting for /$re/ in $n:" >&2; cat "/tmp/$n.log" >&2; exit 1
}
stop() {
  p=$(cat "/tmp/$1.pid"); echo "+ stop $1 (pid $p)"
  kill "$p" 2>/dev/null || true; i=50
  while kill -0 "$p" 2>/dev/null && [ $i -gt 0 ]; do sleep 0.1; i=$((i - 1)); done
  kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
  echo "--- $1 log ---"; cat "/tmp/$1.log"; echo "--- end $1 ---"
}
wait_exit() {
  p=$(cat "/tmp/$1.pid"); want=${3:-0}; echo "+ wait_exit $1 (pid $p, want exit $want)"; t=$(( ${2:-20} * 10 ))
  while kill -0 "$p" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
  kill -0 "$p" 2>/dev/null && { echo "chroot-smoke: FAIL: $1 still running" >&2; cat "/tmp/$1.log" >&2; exit 1; }
  rc=0; wait "$p" || rc=$?
  echo "--- $1 log ---"; cat "/tmp/$1.log"; echo "--- end $1 (exit $rc) ---"
  [ $rc = "$want" ] || { echo "chroot-smoke: FAIL: $1 exited $rc, wanted $want" >&2; exit 1; }
}
EOF

# Same environment for every step: nothing from the host leaks in.
ENVV=(env -i PATH=/bin HOME=/root TMPDIR=/tmp USER=root TERM="${TERM:-xterm-256color}")

in_root() {
  local rc=0
  timeout -k 5 "$SMOKE_TIMEOUT" chroot "$ROOT" "${ENVV[@]}" "$@" || rc=$?
  [ $rc != 124 ] || echo "chroot-smoke: timed out after ${SMOKE_TIMEOUT}s (SMOKE_TIMEOUT)" >&2
  return $rc
}

# Seconds since the last call (or the start): printed after each step, to see where time goes.
took() {
  local now
  now=$(date +%s.%N)
  awk -v a="$T_LAST" -v b="$now" -v w="${1:-step}" 'BEGIN { printf "    (%s took %.1f s)\n", w, b - a }'
  T_LAST=$now
}

step_udpx() {
  echo "==> [chroot] udpx $*"
  in_root /udpx "$@" || die "udpx $* (exit $?)"
  took
}
step_sh() {
  echo "==> [chroot] sh script:"
  printf '%s\n' "$1" | sed 's/^/    | /'
  printf 'set -e\n. /smoke-lib.sh\n%s\n' "$1" >"$ROOT/tmp/.step.sh"
  in_root /bin/sh /tmp/.step.sh || die "script failed (exit $?)"
  took
}
step_tui() {
  local args=$1 text=$2 s screen t
  command -v tmux >/dev/null || die "--tui needs tmux on the host"
  s="udpx-smoke-$$-${#TMUX_SESSIONS[@]}"
  echo "==> [tmux -> chroot] udpx $args   (waiting for: $text)"
  TMUX_SESSIONS+=("$s")
  # The pane outlives the program (sleep) so its last screen and exit code stay readable.
  tmux new-session -d -s "$s" -x 100 -y 30 \
    "chroot '$ROOT' ${ENVV[*]} ${SMOKE_TUI_ENV:-} TERM=xterm-256color /bin/sh -c '/udpx $args; echo udpx-exit=\$?; sleep 600'"
  t=$((SMOKE_TUI_TIMEOUT * 5))
  while :; do
    screen=$(tmux capture-pane -p -t "$s" 2>/dev/null || true)
    if grep -qF -- "$text" <<<"$screen"; then break; fi
    t=$((t - 1))
    if [ $t -le 0 ] || grep -q 'udpx-exit=' <<<"$screen"; then
      printf '%s\n' "$screen" | sed '/^[[:space:]]*$/d; s/^/    | /'
      die "tui: '$text' never on screen (after ${SMOKE_TUI_TIMEOUT}s or program exit)"
    fi
    sleep 0.2
  done
  printf '%s\n' "$screen" | sed 's/[[:space:]]*$//; /^[│|[:space:]]*$/d; s/^/    | /'
  if [ -n "${SMOKE_TUI_ESCAPE:-}" ]; then
    # The screen's escape sequences (colours) must include this one, e.g. a theme's background.
    tmux capture-pane -e -p -t "$s" | grep -qF -- "${SMOKE_TUI_ESCAPE}" \
      || die "tui: no '$SMOKE_TUI_ESCAPE' in the screen's escape sequences (${SMOKE_TUI_ENV:-no extra environment})"
    echo "    escape sequence $SMOKE_TUI_ESCAPE on screen (${SMOKE_TUI_ENV:-})"
  fi
  if [ -n "${SMOKE_TUI_KEYS:-}" ]; then
    # e.g. SMOKE_TUI_KEYS=Escape: send the quit keys, then the program must exit 0.
    echo "    (sending keys: $SMOKE_TUI_KEYS)"
    # shellcheck disable=SC2086 # word splitting is the point: one tmux key per word
    tmux send-keys -t "$s" $SMOKE_TUI_KEYS
    t=$((SMOKE_TUI_TIMEOUT * 5))
    until screen=$(tmux capture-pane -p -t "$s" 2>/dev/null) && grep -q 'udpx-exit=' <<<"$screen"; do
      t=$((t - 1)); [ $t -gt 0 ] || die "tui: still running ${SMOKE_TUI_TIMEOUT}s after keys '$SMOKE_TUI_KEYS'"
      sleep 0.2
    done
    grep -q 'udpx-exit=0' <<<"$screen" || die "tui: $(grep -o 'udpx-exit=[0-9]*' <<<"$screen")"
    echo "    udpx-exit=0"
  fi
  tmux kill-session -t "$s" 2>/dev/null || true
  took
}

echo "chroot-smoke: root $ROOT ($(du -shx "$ROOT" 2>/dev/null | cut -f1)), binary $(stat -c %s "$BIN") bytes"
took setup
if [ $# = 0 ]; then
  set -- -- --version -- --help
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --)
      shift
      args=()
      while [ $# -gt 0 ] && [ "$1" != -- ] && [ "$1" != --sh ] && [ "$1" != --script ] && [ "$1" != --tui ]; do
        args+=("$1"); shift
      done
      step_udpx "${args[@]}"
      ;;
    --sh) [ $# -ge 2 ] || die "--sh needs a script"; step_sh "$2"; shift 2 ;;
    --script)
      if [ $# -lt 2 ] || [ ! -f "$2" ]; then die "--script needs a file"; fi
      step_sh "$(cat "$2")"; shift 2 ;;
    --tui) [ $# -ge 3 ] || die "--tui needs ARGS and TEXT"; step_tui "$2" "$3"; shift 3 ;;
    *) die "unexpected argument '$1' (steps start with --, --sh, --script or --tui)" ;;
  esac
done
