#!/usr/bin/env bash
# The folder figure in docs/reliability.md: 1,000 small files in a folder tree (10 folders x 10 subfolders
# x 10 files, 1-64 KiB each, 33 MiB in all) sent over loopback by `udpx send DIR` and by uftp to uftpd
# (unicast, as Bench/Peers/UftpPeer runs it), one after the other in the same run; every tree compared.
# Usage: build/folder-figure.sh [UDPX] [RUNS]   (UDPX defaults to the test build's apphost; needs uftp, uftpd)
set -euo pipefail
udpx=${1:-tests/udpx.Tests/bin/Release/net10.0/udpx}
runs=${2:-3}
command -v uftp > /dev/null && command -v uftpd > /dev/null || { echo "needs uftp and uftpd (apt-get install uftp)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

# The tree: sizes from a fixed formula, contents random.
for a in $(seq 0 9); do
    for b in $(seq 0 9); do
        mkdir -p "$work/tree/dir $a/sub$b"
        for c in $(seq 0 9); do
            n=$((a * 100 + b * 10 + c))
            head -c $(( (n * 7919 % 65536) + 1024 )) /dev/urandom > "$work/tree/dir $a/sub$b/file-$c.bin"
        done
    done
done
files=$(find "$work/tree" -type f | wc -l)
bytes=$(find "$work/tree" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
echo "tree: $files files, $bytes bytes, $(find "$work/tree" -mindepth 1 -type d | wc -l) folders"

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }

"$udpx" serve --bind 127.0.0.1:0 --out "$work/udpx-out" --json --headless --verbosity quiet > "$work/server.log" &
pids+=($!)
until grep -q '"listening"' "$work/server.log"; do sleep 0.1; done
to=$(grep -o '"address":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)

port=$(( 20000 + RANDOM % 20000 ))
mkdir -p "$work/uftp-out"
uftpd -d -q -x 1 -B 8388608 -D "$work/uftp-out" -p "$port" 2> "$work/uftpd.log" &
pids+=($!)
sleep 1

for run in $(seq 1 "$runs"); do
    for how in "thread" "thread-async" "thread-async --workers 16"; do
        rm -rf "$work/udpx-out"/*
        start=$(now)
        # shellcheck disable=SC2086 # $how holds the mode and its flags
        "$udpx" send "$work/tree" --to "$to" --mode $how --json > "$work/udpx.json"
        t=$(elapsed "$start")
        diff -r "$work/tree" "$work/udpx-out" > /dev/null
        echo "run $run: udpx send --mode $how: ${t} s, $(grep -o '"datagrams":[0-9]*' "$work/udpx.json" | tail -1 | cut -d: -f2) datagrams; tree identical"
    done
    rm -rf "$work/uftp-out"/*
    start=$(now)
    (cd "$work" && uftp -M 127.0.0.1 -p "$port" -R -1 -b 1300 -r 0.001:0.001:1 -s 10 -x 1 tree 2> "$work/uftp.log")
    t=$(elapsed "$start")
    diff -r "$work/tree" "$work/uftp-out/tree" > /dev/null
    echo "run $run: uftp -b 1300: ${t} s; tree identical"
done
