#!/usr/bin/env bash
# The TFTP figures of docs/tftp.md, measured side by side in one run (as root):
#
#   servers  a SIZE file (default 256 MiB) read (get) and written (put) on loopback by curl, atftp,
#            tftp-hpa and udpx's client, against udpx serve --tftp, tftpd-hpa and atftpd, at each
#            tool's blksize/windowsize combinations
#   loss     a LOSS_SIZE file (default 64 MiB) across a namespace pair with 10% loss both ways (a
#            veth pair, nftables `numgen random mod 10 0 drop` on input on both sides): tftp-hpa,
#            atftp and curl read it from each server, those nine at once in the background (they
#            wait out timeouts, they hardly need the CPU), while udpx's client reads and writes it
#            with udpx serve --tftp and reads it from tftpd-hpa and atftpd, one run at a time; each
#            run capped at CAP seconds (default 300)
#   windows  udpx get --tftp (from udpx serve --tftp and from atftpd) and atftp get (from udpx serve
#            --tftp) at windowsize 1, 4, 8, 16, 32, 64: loopback and the namespace pair clean
#            (WINDOW_SIZE, default 64 MiB) and at 10% loss (WINDOW_LOSS_SIZE, default 2 MiB, capped
#            at WINDOW_CAP, default 60 s)
#
# Usage: build/tftp-figures.sh [SECTION...]     (default: servers loss windows)
# Environment: UDPX (default dist/udpx), SIZE, LOSS_SIZE, CAP, WINDOW_SIZE, WINDOW_LOSS_SIZE, WINDOW_CAP,
#              WORK (default a new folder under /dev/shm: tmpfs, so the disk is not measured).
# Every received file is compared with cmp; a run that fails or differs prints FAILED, never a figure.
# Output: one line per run, "| section | client | server | options | seconds | MB/s | result |",
# MB/s = 10^6 bytes per second of the file's size. tftpd-hpa is run from where .ci/run unpacks it.
set -euo pipefail
cd "$(dirname "$0")/.."

UDPX=${UDPX:-$PWD/dist/udpx}
SIZE=${SIZE:-268435456}
LOSS_SIZE=${LOSS_SIZE:-67108864}
CAP=${CAP:-300}
WINDOW_SIZE=${WINDOW_SIZE:-67108864}
WINDOW_LOSS_SIZE=${WINDOW_LOSS_SIZE:-2097152}
WINDOW_CAP=${WINDOW_CAP:-60}
HPA=${HPA:-/opt/udpx-ci/tftpd-hpa/usr/sbin/in.tftpd-hpa}
SECTIONS=("$@")
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(servers loss windows)

die() { printf 'tftp-figures: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (network namespaces, nftables, servers on low ports)"
[ -x "$UDPX" ] || die "no udpx at $UDPX (UDPX_NO_INSTALL=1 build/publish.sh makes dist/udpx)"
for tool in atftp atftpd tftp curl ip nft cmp timeout; do
  command -v "$tool" >/dev/null || die "needs $tool (.ci/run installs atftp atftpd tftp-hpa curl iproute2 nftables)"
done
[ -x "$HPA" ] || die "needs tftpd-hpa unpacked at $HPA (.ci/run does it)"

WORK=${WORK:-$(mktemp -d /dev/shm/udpx-tftp-figures.XXXXXX)}
mkdir -p "$WORK"
RUN="tf$$"
NS_C="$RUN-c"
NS_S="$RUN-s"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "$NS_C" "$NS_S"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# ---------- what the machine was doing ----------
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# udpx: $("$UDPX" --version 2>/dev/null | head -n 1); $(atftp --version 2>&1 | head -n 1); $(curl --version | head -n 1 | cut -d' ' -f1-2); tftpd-hpa: $("$HPA" -V 2>&1 | head -n 1)"

# ---------- files ----------
make_file() {   # path bytes
  head -c "$2" /dev/urandom > "$1"
}

# ---------- servers ----------
# start_servers NETNS HOST: udpx serve --tftp on HOST:69, tftpd-hpa on :1069, atftpd on :2069, each
# serving (and writing into) a folder of its own under $WORK/srv-*; NETNS empty for this namespace.
start_servers() {
  local netns=$1 host=$2 exec=()
  [ -z "$netns" ] || exec=(ip netns exec "$netns")
  for s in udpx tftpd-hpa atftpd; do mkdir -p "$WORK/srv-$s"; chmod 777 "$WORK/srv-$s"; done
  "${exec[@]}" "$UDPX" serve --bind "$host:0" --out "$WORK/srv-udpx" --share "$WORK/srv-udpx" --tftp "$host:69" \
    --tftp-write --overwrite --min-free 0 --verbosity quiet --headless >"$WORK/udpx-serve.log" 2>&1 &
  PIDS+=($!)
  "${exec[@]}" "$HPA" -L -s -c -u root -p -a "$host:1069" "$WORK/srv-tftpd-hpa" >/dev/null 2>&1 &
  PIDS+=($!)
  "${exec[@]}" atftpd --daemon --no-fork --port 2069 --bind-address "$host" --user root --group root \
    --logfile /dev/null --maxthread 8 "$WORK/srv-atftpd" >/dev/null 2>&1 &
  PIDS+=($!)
  for port in 69 1069 2069; do
    for _ in $(seq 100); do
      "${exec[@]}" ss -Hlun | grep -q " $host:$port " && break
      sleep 0.1
    done
    "${exec[@]}" ss -Hlun | grep -q " $host:$port " || die "no server bound $host:$port"
  done
}

stop_servers() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
  rm -rf "$WORK"/srv-*
}

port_of() { case $1 in udpx) echo 69;; tftpd-hpa) echo 1069;; atftpd) echo 2069;; esac; }

# ---------- one run ----------
# run SECTION CLIENT SERVER OPTIONS CAP EXPECT GOT CMD...: times CMD (inside $CLIENT_NS when set), then
# compares GOT with EXPECT; prints one table row.
CLIENT_NS=""
run() {
  local section=$1 client=$2 server=$3 options=$4 cap=$5 expect=$6 got=$7
  shift 7
  local exec=() start end code=0 result seconds rate
  [ -z "$CLIENT_NS" ] || exec=(ip netns exec "$CLIENT_NS")
  rm -f "$got"
  start=$(date +%s.%N)
  timeout --kill-after=5 "$cap" "${exec[@]}" "$@" >"$WORK/run.log" 2>&1 </dev/null || code=$?
  end=$(date +%s.%N)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  local bytes
  bytes=$(stat -c %s "$expect")
  if [ "$code" = 124 ] || [ "$code" = 137 ]; then
    local have=0
    [ -f "$got" ] && have=$(stat -c %s "$got")
    result="did not finish in $cap s ($(awk -v h="$have" -v b="$bytes" 'BEGIN { printf "%.1f of %.1f MiB", h / 1048576, b / 1048576 }') delivered)"
    printf '| %s | %s | %s | %s | > %s | - | %s |\n' "$section" "$client" "$server" "$options" "$cap" "$result"
  elif [ "$code" != 0 ] || ! cmp -s "$expect" "$got"; then
    result="FAILED (exit $code: ...$(tr '\n' ' ' <"$WORK/run.log" | tail -c 160))"
    printf '| %s | %s | %s | %s | %.2f | - | %s |\n' "$section" "$client" "$server" "$options" "$seconds" "$result"
  else
    rate=$(awk -v n="$bytes" -v s="$seconds" 'BEGIN { print n / s / 1000000 }')
    printf '| %s | %s | %s | %s | %.2f | %.1f | ok |\n' "$section" "$client" "$server" "$options" "$seconds" "$rate"
  fi
  rm -f "$got"
}

# get CLIENT SERVER HOST BLKSIZE WINDOW SECTION CAP SRC: one client reads SRC's name from SERVER.
get() { get_into "$@" "$WORK/srv-$2"; }

# get_into ... SERVED: the same, SERVED being the folder SERVER serves.
get_into() {
  local client=$1 server=$2 host=$3 b=$4 w=$5 section=$6 cap=$7 src=$8 served=$9
  local name port got options
  name=$(basename "$src")
  port=$(port_of "$server")
  cp -f "$src" "$served/$name"
  got="$WORK/got/$name"
  mkdir -p "$WORK/got"
  case $client in
    curl)
      options="blksize $b"
      run "$section" "curl get" "$server" "$options" "$cap" "$src" "$got" curl -sS --tftp-blksize "$b" -o "$got" "tftp://$host:$port/$name";;
    atftp)
      options="blksize $b windowsize $w"
      local wopt=()
      [ "$w" = 1 ] || wopt=(--option "windowsize $w")
      run "$section" "atftp get" "$server" "$options" "$cap" "$src" "$got" atftp --tftp-timeout 1 --option "timeout 1" --option "blksize $b" "${wopt[@]}" -g -r "$name" -l "$got" "$host" "$port";;
    tftp-hpa)
      options="blksize 512 (no options)"
      run "$section" "tftp-hpa get" "$server" "$options" "$cap" "$src" "$got" tftp "$host" "$port" -m binary -c get "$name" "$got";;
    udpx)
      options="blksize $b windowsize $w"
      run "$section" "udpx get --tftp" "$server" "$options" "$cap" "$src" "$got" "$UDPX" get --tftp "$host:$port" --out "$WORK/got" --blksize "$b" --windowsize "$w" --job-timeout "$cap" "$name";;
  esac
  rm -f "$served/$name"
}

# put CLIENT SERVER HOST BLKSIZE WINDOW SECTION CAP SRC: one client writes SRC to SERVER under a new name.
put() {
  local client=$1 server=$2 host=$3 b=$4 w=$5 section=$6 cap=$7 src=$8
  local name port stored options
  name="put-$client-$RANDOM.bin"
  port=$(port_of "$server")
  stored="$WORK/srv-$server/$name"
  ln -sf "$src" "$WORK/$name"
  case $client in
    curl)
      options="blksize $b"
      run "$section" "curl put" "$server" "$options" "$cap" "$src" "$stored" curl -sS --tftp-blksize "$b" -T "$WORK/$name" "tftp://$host:$port/$name";;
    atftp)
      options="blksize $b windowsize $w"
      local wopt=()
      [ "$w" = 1 ] || wopt=(--option "windowsize $w")
      run "$section" "atftp put" "$server" "$options" "$cap" "$src" "$stored" atftp --tftp-timeout 1 --option "timeout 1" --option "blksize $b" "${wopt[@]}" -p -l "$WORK/$name" -r "$name" "$host" "$port";;
    tftp-hpa)
      options="blksize 512 (no options)"
      run "$section" "tftp-hpa put" "$server" "$options" "$cap" "$src" "$stored" tftp "$host" "$port" -m binary -c put "$WORK/$name" "$name";;
    udpx)
      options="blksize $b windowsize $w"
      run "$section" "udpx send --tftp" "$server" "$options" "$cap" "$src" "$stored" "$UDPX" send --tftp --to "$host:$port" --blksize "$b" --windowsize "$w" --job-timeout "$cap" --headless "$WORK/$name";;
  esac
  rm -f "$WORK/$name"
}

# ---------- the namespace pair ----------
# ns_up LOSS: client 10.77.0.1 and server 10.77.0.2 on a veth pair; LOSS 10 drops one UDP datagram in
# ten arriving at each side (both ways), 0 none.
ns_up() {
  ip netns add "$NS_C"
  ip netns add "$NS_S"
  ip -n "$NS_C" link set lo up
  ip -n "$NS_S" link set lo up
  ip -n "$NS_C" link add eth0 type veth peer name eth0 netns "$NS_S"
  ip -n "$NS_C" addr add 10.77.0.1/24 dev eth0
  ip -n "$NS_S" addr add 10.77.0.2/24 dev eth0
  ip -n "$NS_C" link set eth0 up
  ip -n "$NS_S" link set eth0 up
  if [ "$1" != 0 ]; then
    for ns in "$NS_C" "$NS_S"; do
      printf 'table inet udpx_tftp_figures {\n chain input {\n  type filter hook input priority filter; policy accept;\n  iifname "eth0" meta l4proto udp numgen random mod %s 0 counter drop\n }\n}\n' "$1" \
        | ip netns exec "$ns" nft -f -
    done
  fi
}

ns_down() {
  for ns in "$NS_C" "$NS_S"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

drops() {   # ns -> datagrams dropped so far
  ip netns exec "$1" nft list table inet udpx_tftp_figures 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\) bytes.*/\1/p' | head -n 1
}

echo "| section | client | server | options | seconds | MB/s | result |"
echo "|---|---|---|---|---:|---:|---|"

for section in "${SECTIONS[@]}"; do
  case $section in
    servers)
      src="$WORK/file-256.bin"
      make_file "$src" "$SIZE"
      start_servers "" 127.0.0.1
      for server in udpx tftpd-hpa atftpd; do
        for b in 1468 65464; do
          get curl "$server" 127.0.0.1 "$b" 1 servers 600 "$src"
          put curl "$server" 127.0.0.1 "$b" 1 servers 600 "$src"
        done
        for bw in 1468:1 1468:32 65464:8; do
          get atftp "$server" 127.0.0.1 "${bw%:*}" "${bw#*:}" servers 600 "$src"
          put atftp "$server" 127.0.0.1 "${bw%:*}" "${bw#*:}" servers 600 "$src"
        done
        get tftp-hpa "$server" 127.0.0.1 512 1 servers 600 "$src"
        put tftp-hpa "$server" 127.0.0.1 512 1 servers 600 "$src"
        for bw in 1468:16 65464:16; do
          get udpx "$server" 127.0.0.1 "${bw%:*}" "${bw#*:}" servers 600 "$src"
          put udpx "$server" 127.0.0.1 "${bw%:*}" "${bw#*:}" servers 600 "$src"
        done
      done
      stop_servers
      rm -f "$src";;
    loss)
      src="$WORK/file-64.bin"
      make_file "$src" "$LOSS_SIZE"
      ns_up 10
      start_servers "$NS_S" 10.77.0.2
      CLIENT_NS=$NS_C
      # The stock tools spend their time waiting out timeouts: the nine run at once in the background
      # (each capped at CAP seconds) while udpx's client runs one transfer at a time beside them.
      i=0
      jobs=()
      for server in udpx tftpd-hpa atftpd; do
        for tool in atftp tftp-hpa curl; do
          i=$((i + 1))
          mkdir -p "$WORK/par$i"
          cp "$src" "$WORK/par$i/file-64-$i.bin"
          ( WORK="$WORK/par$i"
            b=1468; w=8; [ "$tool" = tftp-hpa ] && b=512 && w=1; [ "$tool" = curl ] && w=1
            get_into "$tool" "$server" 10.77.0.2 "$b" "$w" "loss-10% (at once)" "$CAP" "$WORK/file-64-$i.bin" "$(dirname "$WORK")/srv-$server"
          ) > "$WORK/par$i.row" 2>&1 &
          jobs+=($!)
        done
      done
      get udpx udpx 10.77.0.2 1468 16 loss-10% "$CAP" "$src"
      put udpx udpx 10.77.0.2 1468 16 loss-10% "$CAP" "$src"
      get udpx tftpd-hpa 10.77.0.2 1468 16 loss-10% "$CAP" "$src"
      get udpx atftpd 10.77.0.2 1468 16 loss-10% "$CAP" "$src"
      wait "${jobs[@]}"
      cat "$WORK"/par*.row
      echo "# loss: nftables dropped $(drops "$NS_C") datagrams arriving at the client, $(drops "$NS_S") at the server"
      CLIENT_NS=""
      stop_servers
      ns_down
      rm -f "$src";;
    windows)
      for path in loopback clean loss-10%; do
        src="$WORK/file-w.bin"
        cap=600
        host=127.0.0.1
        if [ "$path" = loopback ]; then
          make_file "$src" "$WINDOW_SIZE"
          start_servers "" 127.0.0.1
        else
          if [ "$path" = clean ]; then ns_up 0; make_file "$src" "$WINDOW_SIZE"; else ns_up 10; make_file "$src" "$WINDOW_LOSS_SIZE"; cap=$WINDOW_CAP; fi
          host=10.77.0.2
          start_servers "$NS_S" "$host"
          CLIENT_NS=$NS_C
        fi
        for w in 1 4 8 16 32 64; do
          get udpx udpx "$host" 1468 "$w" "windows $path" "$cap" "$src"
          get udpx atftpd "$host" 1468 "$w" "windows $path" "$cap" "$src"
          get atftp udpx "$host" 1468 "$w" "windows $path" "$cap" "$src"
        done
        CLIENT_NS=""
        stop_servers
        [ "$path" = loopback ] || ns_down
        rm -f "$src"
      done;;
    *) die "unknown section $section (servers, loss, windows)";;
  esac
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
