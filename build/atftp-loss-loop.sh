#!/bin/bash
# atftp's windowed get and put against `udpx serve --tftp` at 10% loss both ways, N rounds: counts the
# transfers that fail or deliver a different file (docs/tftp.md, AtftpInteropModelTests).
# Two network namespaces on a veth pair (10.77.0.10 client, 10.77.0.11 server), nftables dropping one
# UDP datagram in ten on input in each. Root only. Failed atftp traces are kept in OUT (default /tmp/atftp-loop).
# Usage: build/atftp-loss-loop.sh UDPX_BINARY [ROUNDS]
set -u
bin=$(readlink -f "${1:?usage: build/atftp-loss-loop.sh UDPX_BINARY [ROUNDS]}")
rounds=${2:-100}
out=${OUT:-/tmp/atftp-loop}
[ "$(id -u)" = 0 ] || { echo "atftp-loss-loop: needs root (network namespaces, nftables)" >&2; exit 2; }
command -v atftp > /dev/null || { echo "atftp-loss-loop: needs atftp (apt-get install atftp)" >&2; exit 2; }
cleanup() { kill "${server:-}" 2> /dev/null; ip netns del udpx-al-c 2> /dev/null; ip netns del udpx-al-s 2> /dev/null; }
trap cleanup EXIT
cleanup
ip netns add udpx-al-c && ip netns add udpx-al-s
ip -n udpx-al-c link add eth0 type veth peer name eth0 netns udpx-al-s
ip -n udpx-al-c addr add 10.77.0.10/24 dev eth0
ip -n udpx-al-s addr add 10.77.0.11/24 dev eth0
for ns in udpx-al-c udpx-al-s; do
  ip -n $ns link set lo up && ip -n $ns link set eth0 up
  printf 'table inet loss {\n chain input {\n  type filter hook input priority filter; policy accept;\n  meta l4proto udp numgen random mod 10 0 counter drop\n }\n}\n' | ip netns exec $ns nft -f -
done
rm -rf "$out" && mkdir -p "$out/share" "$out/stored" "$out/client"
head -c $((30 * 1468 + 5)) /dev/urandom > "$out/share/f.bin"
ip netns exec udpx-al-s "$bin" serve --bind 10.77.0.11:9000 --out "$out/stored" --headless --tftp 10.77.0.11:69 --tftp-write --share "$out/share" > "$out/serve.log" 2>&1 &
server=$!
sleep 1
opts=(--trace --tftp-timeout 1 --option "timeout 1" --option "blksize 1468" --option "windowsize 8")
get_failed=0 put_failed=0
for i in $(seq "$rounds"); do
  rm -f "$out/client/f.bin"
  if ! (cd "$out/client" && timeout 120 ip netns exec udpx-al-c atftp "${opts[@]}" -g -r f.bin -l f.bin 10.77.0.11 > get.log 2>&1) \
     || ! cmp -s "$out/client/f.bin" "$out/share/f.bin"; then
    get_failed=$((get_failed + 1)); cp "$out/client/get.log" "$out/failed-get-$i.log"
  fi
  if ! (cd "$out/client" && timeout 120 ip netns exec udpx-al-c atftp "${opts[@]}" -p -l "$out/share/f.bin" -r "p$i.bin" 10.77.0.11 > put.log 2>&1) \
     || ! cmp -s "$out/stored/p$i.bin" "$out/share/f.bin"; then
    put_failed=$((put_failed + 1)); cp "$out/client/put.log" "$out/failed-put-$i.log"
  fi
done
drops=$(for ns in udpx-al-c udpx-al-s; do ip netns exec $ns nft list table inet loss; done | grep -o 'packets [0-9]*' | awk '{s += $2} END {print s}')
echo "atftp windowsize 8 at 10% loss both ways, $rounds rounds: get failed $get_failed, put failed $put_failed (nft dropped $drops)"
