#!/bin/sh
# Server memory and CPU with 1,000 sessions opened and abandoned (docs/reliability.md).
# Usage: build/abandon-sessions.sh [UDPX_BINARY]   (default: the apphost the tests build)
# Each session: Hello, Offer of a 12 MB file, Accept, then nothing; the figures are read from /proc
# while they sit idle and once they expired. The offered files are preallocated in a temporary folder (about 12 GB).
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
    UDPX_MEASURE_BINARY=$(realpath "$1")
    export UDPX_MEASURE_BINARY
fi
UDPX_MEASURE_ABANDON=1 exec dotnet test udpx.sln -c Release \
    --filter "FullyQualifiedName~AbandonedSessionsMeasure" --logger "console;verbosity=detailed"
