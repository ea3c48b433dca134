#!/usr/bin/env bash
# The resume figure in docs/reliability.md: a SIZE-byte file sent over loopback, the client killed with
# SIGKILL once the server holds about half of it, then the same send again; against a send from scratch.
# Usage: build/resume-figure.sh [UDPX] [SIZE_MIB]   (UDPX defaults to the test build's apphost)
set -euo pipefail
udpx=${1:-tests/udpx.Tests/bin/Release/net10.0/udpx}
mib=${2:-256}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
head -c $((mib << 20)) /dev/urandom > "$work/big.bin"
"$udpx" serve --bind 127.0.0.1:0 --out "$work/out" --json --headless > "$work/server.log" &
server=$!
until grep -q '"listening"' "$work/server.log"; do sleep 0.1; done
to=$(grep -o '"address":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
chunks=$(( ((mib << 20) + 1435) / 1436 ))

# From scratch.
start=$(date +%s.%N)
"$udpx" send "$work/big.bin" --to "$to" --json > "$work/scratch.json"
scratch=$(echo "$(date +%s.%N) - $start" | bc)
rm "$work/out/big.bin"

# Cut at half: the first run is rate-limited so that the kill lands mid-file, then killed with SIGKILL.
"$udpx" send "$work/big.bin" --to "$to" --rate 20M --json > "$work/first.json" &
client=$!
half=$(( (mib << 20) / 2 ))
while :; do
    held=$(stat -c %s "$work"/out/.udpx-*.udpx-part 2>/dev/null || echo 0)
    [ "$held" -ge "$half" ] && break
    sleep 0.05
done
kill -9 "$client"; wait "$client" 2>/dev/null || true
start=$(date +%s.%N)
"$udpx" send "$work/big.bin" --to "$to" --json > "$work/second.json"
resumed=$(echo "$(date +%s.%N) - $start" | bc)
cmp "$work/big.bin" "$work/out/big.bin"

field() { grep -o "\"$1\":[0-9]*" "$2" | head -1 | cut -d: -f2; }
echo "file: $mib MiB, $chunks chunks of 1436 bytes"
echo "from scratch: $(field datagramsSent "$work/scratch.json") datagrams, ${scratch} s"
grep "\"failed\"" "$work/server.log" | head -1 | sed "s/^/first run, as the server saw it: /"
echo "second run after kill -9 at half: $(field datagramsSent "$work/second.json") datagrams, resumed at $(field resumedBytes "$work/second.json") bytes, ${resumed} s; file identical"
