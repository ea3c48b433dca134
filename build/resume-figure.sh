#!/usr/bin/env bash
# The resume figure in docs/reliability.md: a SIZE-MiB file sent over loopback; the client killed with
# SIGKILL once the server holds half of it (the first run is capped with --rate so the cut lands there),
# then the same send run again: against a server that keeps the part (resume, the default) and against
# one that keeps nothing (--keep-partial 0: the second run starts from scratch). An uncut send for reference.
# Usage: build/resume-figure.sh [UDPX] [SIZE_MIB]   (UDPX defaults to the test build's apphost; SIZE_MIB to 1024)
set -euo pipefail
udpx=${1:-tests/udpx.Tests/bin/Release/net10.0/udpx}
mib=${2:-1024}
work=$(mktemp -d)
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
head -c $((mib << 20)) /dev/urandom > "$work/big.bin"
chunks=$(( ((mib << 20) + 1435) / 1436 ))
half=$(( (mib << 20) / 2 ))

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
field() { grep -o "\"$1\":[0-9]*" "$2" | head -1 | cut -d: -f2; }

# serve NAME [FLAGS...]: a server into $work/NAME; sets $to.
serve() {
    local name=$1
    shift
    "$udpx" serve --bind 127.0.0.1:0 --out "$work/$name" --json --headless "$@" > "$work/$name.log" &
    servers+=($!)
    until grep -q '"listening"' "$work/$name.log"; do sleep 0.1; done
    to=$(grep -o '"address":"[^"]*"' "$work/$name.log" | head -1 | cut -d'"' -f4)
}

# cut NAME: the first run, killed with SIGKILL once the server named NAME holds half the file.
cut_at_half() {
    "$udpx" send "$work/big.bin" --to "$to" --rate 50M --json > /dev/null &
    local client=$!
    while :; do
        local held
        held=$(stat -c %s "$work/$1"/.udpx-*.udpx-part 2>/dev/null || echo 0)
        [ "$held" -ge "$half" ] && break
        sleep 0.05
    done
    kill -9 "$client"
    wait "$client" 2>/dev/null || true
}

echo "file: $mib MiB, $chunks chunks of 1436 bytes; cut once the server holds $half bytes"

serve whole
start=$(now)
"$udpx" send "$work/big.bin" --to "$to" --json > "$work/whole.json"
echo "uncut send: $(elapsed "$start") s, $(field datagramsSent "$work/whole.json") datagrams"
rm -f "$work/whole/big.bin"

for how in resume scratch; do
    if [ "$how" = resume ]; then serve "$how"; else serve "$how" --keep-partial 0; fi
    cut_at_half "$how"
    start=$(now)
    "$udpx" send "$work/big.bin" --to "$to" --json > "$work/$how.json"
    t=$(elapsed "$start")
    cmp "$work/big.bin" "$work/$how/big.bin"
    echo "after the cut, $how: second run ${t} s, $(field datagramsSent "$work/$how.json") datagrams, resumed at $(field resumedBytes "$work/$how.json") bytes; file identical"
    rm -f "$work/$how/big.bin"
done
