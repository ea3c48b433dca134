#!/usr/bin/env bash
# The udpx lab on a real GNS3 2.2.40 server, end to end, as CI runs it (build/ci-delivery.sh, step gns3-real).
#
#   gns3/real-gns3.sh [--bin PATH] [--logs DIR]
#
# From the source tarballs in $UDPX_GNS3_REAL (default: ../shared/gns3-real beside the repository's folder):
# gns3-server run with Debian's python3, ubridge and dynamips built here, Docker nodes from a busybox image
# tagged alpine:latest, all inside a fresh network namespace with a stand-in virbr0 (no uplink) and a busybox
# udhcpd, so the NAT node starts and the client gets its lease. Then the lab as gns3/README.md tells it:
#   1. gns3/import.sh imports gns3/udpx-lab.gns3, uploads the binary and starts the five nodes;
#   2. the servers are started in their GNS3 consoles (telnet) with the command lines of README section 3;
#   3. the client downloads the two images over HTTP through the NAT node (busybox httpd on virbr0's
#      192.168.122.1), then sends image 1 to server 1 and image 2 to server 2 under each of the four modes
#      (README section 4); every received file is compared with the original after each mode;
#   4. a capture of the client's LAN link, taken through the GNS3 API, is decoded by the Wireshark dissector
#      (gns3/wireshark/check-capture.sh, tshark -X lua_script:) and checked against what the servers logged:
#      one complete session per transfer, the session ids of the servers' start lines, Done ok for each.
# Everything is torn down on exit, failed or not: the GNS3 project, the containers, gns3server, udhcpd,
# httpd, the namespace, and dockerd and the alpine:latest image when this script started or made them.
# Exit 0: all passed; 1: a check failed; 2: bad usage or missing tools; 3: skipped (no tarballs: the line
# says "skipped: ..."). Needs root, Debian's docker.io, tshark and the packages .ci/run installs.
# Environment: UDPX_GNS3_REAL (tarballs), UDPX_GNS3_CACHE (a folder keeping the built ubridge and dynamips
# between runs; default none: built each time, about 100 s on 2 cores), UDPX_TRACE_CC=1 (the client's
# congestion controller prints a line per round into the send logs, the process modes' workers' lines labelled
# with their transfer),
# UDPX_GNS3_DROPS=1 (every UDP and packet socket's drop counter in the GNS3 namespace and in the three nodes,
# before and after each mode, into LOGS/drops.txt: which forwarder dropped what).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHIP=${UDPX_GNS3_REAL:-$REPO/../shared/gns3-real}
BIN=$REPO/dist/udpx
LOGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN=${2:?--bin needs a path}; shift 2 ;;
    --logs) LOGS=${2:?--logs needs a folder}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "real-gns3: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "real-gns3: $*" >&2; exit 2; }
for t in gns3-server-2.2.40 ubridge-0.9.19 dynamips-0.2.23; do
  [ -f "$SHIP/$t.tar.gz" ] || { echo "skipped: no $t.tar.gz in $SHIP (set UDPX_GNS3_REAL)"; exit 3; }
done
[ "$(id -u)" = 0 ] || die "must run as root (network namespace, Docker)"
[ -x "$BIN" ] || die "no binary at $BIN (build/publish.sh makes dist/udpx)"
BIN=$(realpath "$BIN")
for c in docker dockerd busybox tshark cmake make gcc curl ip; do
  command -v "$c" >/dev/null || die "$c is not installed (.ci/run installs what this needs)"
done
/usr/bin/python3 -c 'import aiohttp, aiohttp_cors, jsonschema, jinja2, psutil, async_timeout, distro, cpuinfo, platformdirs, aiofiles' 2>/dev/null \
  || die "gns3-server's modules are missing from Debian's python3 (.ci/run installs them)"

PY=/usr/bin/python3
W=$(mktemp -d /tmp/udpx-gns3.XXXXXX)
LOGS=${LOGS:-$W/logs}
mkdir -p "$LOGS"
NS=udpx-gns3-$$
NSX="ip netns exec $NS"
API=http://127.0.0.1:3080
HTTP=192.168.122.1:8080
MODES="process thread process-async thread-async"
T0=$SECONDS
step() { echo "[$((SECONDS - T0))s] $*"; }
fail() { echo "real-gns3: FAIL: $*" >&2; exit 1; }

SERVER_PID="" PROJECT_ID="" DOCKERD_PID="" IMAGE_MADE=0 CONSOLE_PIDS=()
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  for p in "${CONSOLE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "$PROJECT_ID" ] && [ -n "$SERVER_PID" ]; then
    $NSX curl -sS -m 60 -X POST "$API/v2/projects/$PROJECT_ID/nodes/stop" -o /dev/null
    $NSX curl -sS -m 60 -X DELETE "$API/v2/projects/$PROJECT_ID" -o /dev/null
  fi
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVER_PID" 2>/dev/null
  fi
  # Containers GNS3 made for this project (named after the nodes), should its own teardown have missed one.
  docker ps -aq --filter "label=udpx-gns3=$$" 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1
  if ip netns list 2>/dev/null | grep -qw "$NS"; then
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    sleep 0.5
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS"
  fi
  [ "$IMAGE_MADE" = 1 ] && docker rmi -f alpine:latest >/dev/null 2>&1
  if [ -n "$DOCKERD_PID" ]; then
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
  fi
  cp "$W"/*.log "$LOGS"/ 2>/dev/null
  [ "$LOGS" = "$W/logs" ] || rm -rf "$W"
  step "torn down (exit $rc)${LOGS:+; logs in $LOGS}"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------- GNS3 itself: server, ubridge, dynamips ----------
step "unpack gns3-server 2.2.40, build ubridge and dynamips"
mkdir -p "$W"/{src,projects,images,appliances,symbols,configs,home,rootfs,www}
tar -xzf "$SHIP/gns3-server-2.2.40.tar.gz" -C "$W/src"
# What gns3-server's setup.py does at install time: a static busybox for the Docker nodes' init.
cp "$(command -v busybox)" "$W/src/gns3server/compute/docker/resources/bin/busybox"
# Privileged containers need every capability; where the bounding set lacks CAP_SYS_RESOURCE (this machine
# kind), runc fails with "unable to apply caps": the nodes then get every capability but that one.
if [ $(( (0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24) & 1 )) = 0 ]; then
  step "no CAP_SYS_RESOURCE in the bounding set: Docker nodes get CapAdd ALL minus SYS_RESOURCE, not privileged"
  $PY - "$W/src/gns3server/compute/docker/docker_vm.py" <<'EOF'
import sys
f = sys.argv[1]; s = open(f).read()
old = '"CapAdd": ["ALL"],\n                "Privileged": True,'
new = '"CapAdd": ["ALL"], "CapDrop": ["SYS_RESOURCE"],\n                "Privileged": False, "SecurityOpt": ["seccomp=unconfined"],'
assert s.count(old) == 1, "docker_vm.py changed"
open(f, "w").write(s.replace(old, new))
EOF
fi
# Label the containers so that teardown finds them whatever happens to gns3server.
$PY - "$W/src/gns3server/compute/docker/docker_vm.py" "$$" <<'EOF'
import sys
f, tag = sys.argv[1], sys.argv[2]; s = open(f).read()
old = '"Env": ["container=docker"],'
assert s.count(old) == 1, "docker_vm.py changed"
open(f, "w").write(s.replace(old, old + ' "Labels": {"udpx-gns3": "%s"},' % tag))
EOF
TOOLS=${UDPX_GNS3_CACHE:-$W/tools}
mkdir -p "$TOOLS"
if [ ! -x "$TOOLS/ubridge/ubridge" ]; then
  rm -rf "$TOOLS/ubridge" && mkdir -p "$TOOLS/ubridge"
  tar -xzf "$SHIP/ubridge-0.9.19.tar.gz" -C "$TOOLS/ubridge"
  make -s -C "$TOOLS/ubridge" >"$W/build-ubridge.log" 2>&1 || { cat "$W/build-ubridge.log"; fail "ubridge did not build"; }
fi
if [ ! -x "$TOOLS/dynamips/build/stable/dynamips" ]; then
  rm -rf "$TOOLS/dynamips" && mkdir -p "$TOOLS/dynamips"
  tar -xzf "$SHIP/dynamips-0.2.23.tar.gz" -C "$TOOLS/dynamips"
  { cmake -S "$TOOLS/dynamips" -B "$TOOLS/dynamips/build" -DDYNAMIPS_CODE=stable &&
    make -j"$(nproc)" -C "$TOOLS/dynamips/build"; } >"$W/build-dynamips.log" 2>&1 || { tail -20 "$W/build-dynamips.log"; fail "dynamips did not build"; }
fi
"$TOOLS/ubridge/ubridge" -v | head -1

step "dockerd, and the alpine:latest image (a busybox root)"
if ! docker info >/dev/null 2>&1; then
  setsid dockerd >"$W/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 "$W/dockerd.log"; fail "dockerd did not start"; }
fi
if ! docker image inspect alpine:latest >/dev/null 2>&1; then
  R=$W/rootfs
  mkdir -p "$R"/{bin,sbin,usr/bin,etc/udhcpc,root,tmp,proc,sys,dev,var/run,run,opt}
  cp "$(command -v busybox)" "$R/bin/busybox"
  for a in $(busybox --list); do [ "$a" = busybox ] || ln -s /bin/busybox "$R/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"; echo 'root:x:0:' >"$R/etc/group"
  chmod 1777 "$R/tmp"
  # Debian's busybox ifup calls its own udhcpc applet, whose default script is /etc/udhcpc/default.script.
  sed '1s|.*|#!/bin/sh|' "$W/src/gns3server/compute/docker/resources/etc/udhcpc/default.script" >"$R/etc/udhcpc/default.script"
  chmod 755 "$R/etc/udhcpc/default.script"
  tar -C "$R" -c . | docker import - alpine:latest >/dev/null
  IMAGE_MADE=1
fi

# ---------- the host side: namespace, virbr0, DHCP, the images on HTTP ----------
step "network namespace $NS: virbr0 192.168.122.1/24, udhcpd, busybox httpd on $HTTP"
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add virbr0 type bridge
ip -n "$NS" addr add 192.168.122.1/24 dev virbr0
ip -n "$NS" link set virbr0 up
cat >"$W/udhcpd.conf" <<EOF
start 192.168.122.100
end 192.168.122.150
interface virbr0
lease_file $W/udhcpd.leases
pidfile $W/udhcpd.pid
opt router 192.168.122.1
opt subnet 255.255.255.0
opt lease 3600
EOF
touch "$W/udhcpd.leases"
$NSX busybox udhcpd -S "$W/udhcpd.conf"
# The two images of the lab: the demo's sample pictures, named as the lab names them.
cp "$REPO/src/udpx/Demo/Samples/waves.png" "$W/www/image1.png"
cp "$REPO/src/udpx/Demo/Samples/mandelbrot.png" "$W/www/image2.png"
$NSX busybox httpd -p "$HTTP" -h "$W/www"

step "gns3server"
cat >"$W/gns3_server.conf" <<EOF
[Server]
host = 127.0.0.1
port = 3080
images_path = $W/images
projects_path = $W/projects
appliances_path = $W/appliances
symbols_path = $W/symbols
configs_path = $W/configs
report_errors = False
auth = False
ubridge_path = $TOOLS/ubridge/ubridge
[Dynamips]
dynamips_path = $TOOLS/dynamips/build/stable/dynamips
EOF
(cd "$W/src" && HOME=$W/home setsid $NSX $PY -m gns3server --local --host 127.0.0.1 --port 3080 \
  --config "$W/gns3_server.conf" --log "$W/gns3server.log" --pid "$W/gns3server.pid" >"$W/gns3server-stdout.log" 2>&1 &)
for _ in $(seq 120); do $NSX curl -sf "$API/v2/version" >/dev/null 2>&1 && break; sleep 0.5; done
SERVER_PID=$(cat "$W/gns3server.pid" 2>/dev/null) || { tail -20 "$W/gns3server-stdout.log"; fail "gns3server did not start"; }
$NSX curl -sS "$API/v2/version" | tr -d ' \n'; echo

# ---------- README section 1 and 2: import, start ----------
step "gns3/import.sh --server $API --bin $BIN"
PROJECT_ID=$($PY -c 'import uuid; print(uuid.uuid4())')
$NSX bash "$REPO/gns3/import.sh" --server "$API" --bin "$BIN" --project-id "$PROJECT_ID"
api() { $NSX curl -sS -m 60 "$@"; }
api "$API/v2/projects/$PROJECT_ID/nodes" >"$W/nodes.json"
node() { # NAME FIELD: a field of a node, or of its properties
  $PY -c 'import json,sys; n=[n for n in json.load(open(sys.argv[1])) if n["name"]==sys.argv[2]][0]; print(n.get(sys.argv[3], n["properties"].get(sys.argv[3])))' "$W/nodes.json" "$1" "$2"
}
declare -A CID
for n in client server1 server2; do
  CID[$n]=$(node "$n" container_id)
  [ "$(node "$n" status)" = started ] || fail "node $n is $(node "$n" status), not started"
done

step "nodes up: addresses, the client's DHCP lease on eth1, the binary in /opt/udpx"
for _ in $(seq 60); do
  docker exec "${CID[client]}" ip -4 -o addr show eth1 | grep -q 'inet 192.168.122.' && break; sleep 0.5
done
for n in client server1 server2; do
  for _ in $(seq 60); do docker exec "${CID[$n]}" test -x /opt/udpx/udpx && break; sleep 0.5; done
  docker exec "${CID[$n]}" test -x /opt/udpx/udpx || fail "$n: /opt/udpx/udpx is not executable"
  echo "$n: $(docker exec "${CID[$n]}" ip -4 -o addr show | awk '$2 != "lo" {print $2, $4}' | tr '\n' ' ')"
done
docker exec "${CID[client]}" ip -4 -o addr show eth1 | grep -q 'inet 192.168.122.' || fail "client: no DHCP lease on eth1"
docker exec "${CID[client]}" ping -c 1 -W 5 10.10.0.11 >/dev/null || fail "client cannot ping server1 across the switch"
docker exec "${CID[client]}" ping -c 1 -W 5 10.10.0.12 >/dev/null || fail "client cannot ping server2 across the switch"

# ---------- the capture, through the API, on the client's LAN link (both servers' traffic) ----------
CLIENT_NODE=$(node client node_id)
api "$API/v2/projects/$PROJECT_ID/links" >"$W/links.json"
LINK=$($PY -c '
import json, sys
links = json.load(open(sys.argv[1]))
print([l["link_id"] for l in links if any(e["node_id"] == sys.argv[2] and e["adapter_number"] == 0 for e in l["nodes"])][0])' \
  "$W/links.json" "$CLIENT_NODE")
step "start capture on the client's eth0 link ($LINK)"
api -X POST -H 'Content-Type: application/json' -d '{"data_link_type":"DLT_EN10MB","capture_file_name":"client-eth0.pcap"}' \
  "$API/v2/projects/$PROJECT_ID/links/$LINK/start_capture" -o /dev/null

# ---------- README section 3: the servers, typed into their consoles ----------
# A console is a terminal (GNS3 gives the container a TTY). server1's console client tells a window size, as
# the telnet clients GNS3 opens do: serve shows its terminal UI. server2's tells none (netcat-like), so its
# terminal is 0x0, where a UI cannot draw: serve prints its plain lines instead.
for n in server1 server2; do
  ip=$([ $n = server1 ] && echo 10.10.0.11 || echo 10.10.0.12)
  sized=$([ $n = server1 ] && echo "" || echo --no-size)
  line="udpx serve --bind $ip:9000 --out /opt/udpx/received --overwrite"
  grep -qF "$line" "$REPO/gns3/README.md" || fail "gns3/README.md no longer tells '$line'"
  step "$n console (telnet port $(node $n console)${sized:+, no window size}): $line"
  # shellcheck disable=SC2086 # $sized is one option or none
  $NSX $PY "$REPO/gns3/node-console.py" $sized 127.0.0.1 "$(node $n console)" "$W/$n-console.log" "$line" &
  CONSOLE_PIDS+=($!)
done
for _ in $(seq 60); do grep -aq "udpx serve on 10.10.0.11:9000 into /opt/udpx/received" "$W/server1-console.log" 2>/dev/null && break; sleep 0.5; done
for n in server1 server2; do
  ip=$([ $n = server1 ] && echo 10.10.0.11 || echo 10.10.0.12)
  for _ in $(seq 60); do grep -aq "listening on $ip:9000" "$W/$n-console.log" 2>/dev/null && break; sleep 0.5; done
  grep -aq "listening on $ip:9000" "$W/$n-console.log" || { tail -c 2000 "$W/$n-console.log" | cat -v; fail "$n: udpx serve did not start in its console"; }
done
grep -aq "udpx serve on 10.10.0.11:9000 into /opt/udpx/received" "$W/server1-console.log" \
  || { tail -c 2000 "$W/server1-console.log" | cat -v; fail "server1: udpx serve did not show its terminal UI in a sized console"; }
sleep 1
! grep -aq $'\e\[?1049h' "$W/server2-console.log" \
  || fail "server2: udpx serve opened its terminal UI on a 0x0 console, where it cannot draw"
echo "server1: listening on 10.10.0.11:9000, its terminal UI on the console; server2: listening on 10.10.0.12:9000, plain lines"

# ---------- README section 4: download through the NAT node, then the four modes ----------
step "client: wget the two images from http://$HTTP through the NAT node"
docker exec "${CID[client]}" sh -c "cd /opt/udpx && wget -q -O image1.png http://$HTTP/image1.png && wget -q -O image2.png http://$HTTP/image2.png"
sum() { docker exec "$1" sha256sum "$2" | cut -d' ' -f1; }
for i in 1 2; do
  [ "$(sum "${CID[client]}" /opt/udpx/image$i.png)" = "$(sha256sum "$W/www/image$i.png" | cut -d' ' -f1)" ] \
    || fail "image$i.png: the client's download differs from the original"
done
echo "downloads identical to the originals: image1.png $(stat -c %s "$W/www/image1.png") B, image2.png $(stat -c %s "$W/www/image2.png") B"
socket_drops() { # MODE WHEN: every UDP and packet socket's drop counter, in the GNS3 namespace and in the three nodes
  { echo "== $1 $2 $(date +%s.%N)"; echo "-- gns3ns"; $NSX ss -uanmp; $NSX ss -0anmp
    for n in client server1 server2; do echo "-- $n"; nsenter -t "$(docker inspect -f '{{.State.Pid}}' "${CID[$n]}")" -n sh -c 'ss -uanm; ss -0anm; grep -A1 ^Udp: /proc/net/snmp | tail -1'; done
  } >>"$LOGS/drops.txt" 2>&1
}
SEND='--to 10.10.0.11:9000 --to 10.10.0.12:9000 --mode "$mode" --headless'
grep -qF -- "$SEND" "$REPO/gns3/README.md" || fail "gns3/README.md no longer tells 'udpx send ... $SEND'"
printf '%-14s %-5s %-10s %s\n' mode exit seconds compare | tee "$W/results.txt"
for m in $MODES; do
  step "client: udpx send image1.png image2.png ${SEND//\"\$mode\"/$m}"
  t=$(date +%s.%N)
  rc=0
  [ -n "${UDPX_GNS3_DROPS:-}" ] && socket_drops "$m" before
  docker exec -e UDPX_TRACE_CC="${UDPX_TRACE_CC:-}" "${CID[client]}" sh -c "cd /opt/udpx && export PATH=/opt/udpx:\$PATH && mode=$m &&
    udpx send image1.png image2.png $SEND" >"$W/send-$m.log" 2>&1 || rc=$?
  secs=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  [ -n "${UDPX_GNS3_DROPS:-}" ] && socket_drops "$m" after
  cat "$W/send-$m.log"
  same=identical
  [ "$(sum "${CID[server1]}" /opt/udpx/received/image1.png)" = "$(sha256sum "$W/www/image1.png" | cut -d' ' -f1)" ] || same=DIFFERENT
  [ "$(sum "${CID[server2]}" /opt/udpx/received/image2.png)" = "$(sha256sum "$W/www/image2.png" | cut -d' ' -f1)" ] || same=DIFFERENT
  printf '%-14s %-5s %-10s %s\n' "$m" "$rc" "$secs" "$same" | tee -a "$W/results.txt"
  [ "$rc" = 0 ] && [ "$same" = identical ] || fail "mode $m: exit $rc, files $same"
done
step "stop capture"
api -X POST "$API/v2/projects/$PROJECT_ID/links/$LINK/stop_capture" -o /dev/null

# ---------- what the consoles showed ----------
grep -aq "image1.png" "$W/server1-console.log" || fail "server1: the terminal UI never showed a session for image1.png"
! grep -aqE "image1.png: (receiving|.* digest ok)" "$W/server1-console.log" || fail "server1: plain log lines were written over the terminal UI"
tr -d '\r' <"$W/server2-console.log" | grep -aoE "image2\.png: receiving [^,]*, session 0x[0-9a-f]{16}" | grep -oE '0x[0-9a-f]{16}' | sort >"$W/server2-sessions.txt" || true
ok=$(tr -d '\r' <"$W/server2-console.log" | grep -acE "image2\.png: .* digest ok" || true)
[ "$(wc -l <"$W/server2-sessions.txt")" = 4 ] && [ "$ok" = 4 ] \
  || fail "server2: expected 4 start lines with a session id and 4 'digest ok' lines, got $(wc -l <"$W/server2-sessions.txt") and $ok"
echo "consoles: server1's terminal UI shows its sessions with no plain line over it; server2 logged 4 sessions, 4 digest ok"
# The session ids the transfers logged: "NAME -> SERVER: ok, ..., session 0x..." per transfer, 8 in all.
cat "$W"/send-*.log | grep -oE '^image[12]\.png -> 10\.10\.0\.1[12]:9000: ok, .*, session 0x[0-9a-f]{16}$' \
  | grep -oE '0x[0-9a-f]{16}$' | sort >"$W/logged-sessions.txt" || true
[ "$(sort -u "$W/logged-sessions.txt" | wc -l)" = 8 ] || fail "expected 8 distinct session ids in the client's lines, got $(wc -l <"$W/logged-sessions.txt")"
comm -23 "$W/server2-sessions.txt" "$W/logged-sessions.txt" | grep -q . && fail "server2 logged a session the client did not"

# ---------- the capture, decoded by the dissector ----------
PCAP=$W/projects/$PROJECT_ID/project-files/captures/client-eth0.pcap
for _ in $(seq 20); do [ -s "$PCAP" ] && break; sleep 0.5; done
[ -s "$PCAP" ] || fail "no capture at $PCAP"
cp "$PCAP" "$LOGS/client-eth0.pcap"
step "gns3/wireshark/check-capture.sh client-eth0.pcap --complete --expect-sessions 8"
"$REPO/gns3/wireshark/check-capture.sh" "$PCAP" --complete --expect-name image1.png --expect-name image2.png --expect-sessions 8 \
  | tee "$W/capture.txt"
# Every session the client logged is in the capture, complete and ended with Done ok; and no other.
grep -oE '^session 0x[0-9a-f]{16}' "$W/capture.txt" | cut -d' ' -f2 | sort >"$W/captured-sessions.txt"
diff "$W/logged-sessions.txt" "$W/captured-sessions.txt" >/dev/null \
  || { diff "$W/logged-sessions.txt" "$W/captured-sessions.txt"; fail "the capture's sessions are not the ones the client logged"; }
for s in $(cat "$W/logged-sessions.txt"); do
  grep -E "^session $s: \"image[12]\.png\" .* accepted, ([0-9]+) of \1 chunks seen .*Done: ok" "$W/capture.txt" >/dev/null \
    || fail "session $s is not complete with Done ok in the capture"
done
echo "capture: the 8 sessions the client logged, each complete with Done ok"
cat "$W/results.txt"
step "passed"
