#!/usr/bin/env bash
# Decodes a capture with the udpx dissector (tshark) and checks what it saw: for a link capture of the
# GNS3 lab, the namespace twin or loopback.
#
#   gns3/wireshark/check-capture.sh CAPTURE [--complete] [--expect-name NAME]... [--expect-sessions N]
#
# Prints the datagrams per message type and, per session, the file offered, the chunks seen and how it
# ended. Fails (exit 1) when tshark reports a Lua error, a datagram is malformed, or an expectation fails:
#   --complete          every accepted session shows every chunk of its file and ends with Done ok
#   --expect-name NAME  some session offered NAME and is complete (repeatable)
#   --expect-sessions N exactly N sessions were offered a file
# Exit 2: bad usage or no tshark (Debian package tshark).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
die() { echo "check-capture: $*" >&2; exit 2; }

capture="" complete=0 expect_sessions="" names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --complete) complete=1 ;;
    --expect-name) [ $# -ge 2 ] || die "--expect-name needs a name"; names+=("$2"); shift ;;
    --expect-sessions) [ $# -ge 2 ] || die "--expect-sessions needs a number"; expect_sessions="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$capture" ] || die "one capture only"; capture="$1" ;;
  esac
  shift
done
[ -n "$capture" ] || die "usage: check-capture.sh CAPTURE [--complete] [--expect-name NAME]... [--expect-sessions N]"
[ -r "$capture" ] || die "cannot read $capture"
command -v tshark >/dev/null || die "tshark is not installed (Debian: apt-get install tshark)"

fields=(udpx.type udpx.session udpx.data.chunk udpx.offer.name udpx.offer.file_size udpx.accept.chunk_size udpx.reason _ws.col.Info _ws.expert.message icmp.type icmpv6.type)
args=(-n -X "lua_script:$here/udpx.lua" -r "$capture" -T fields -E separator=/t -E aggregator=';' -E occurrence=a)
for f in "${fields[@]}"; do args+=(-e "$f"); done

decoded="$(mktemp)"
trap 'rm -f "$decoded"' EXIT
if ! tshark "${args[@]}" >"$decoded" 2>"$decoded.err"; then
  cat "$decoded.err" >&2
  rm -f "$decoded.err"
  die "tshark could not read $capture"
fi
rm -f "$decoded.err"

awk -F '\t' -v complete="$complete" -v expect_sessions="$expect_sessions" -v names="$(printf '%s\n' "${names[@]+"${names[@]}"}")" '
function size_text(b) {
  if (b < 1024) return b " B"
  if (b < 1048576) return sprintf("%.1f KiB", b / 1024)
  if (b < 1073741824) return sprintf("%.1f MiB", b / 1048576)
  return sprintf("%.1f GiB", b / 1073741824)
}
BEGIN {
  split("Hello Cookie Offer Accept Reject Data Ack Done Finish Abort", type_name, " ")
}
{
  frames++
  if ($0 ~ /Lua Error/) { lua_errors++; print "check-capture: frame " NR ": " $0 > "/dev/stderr" }
  if ($1 == "") next
  # An ICMP error quoting a udpx datagram (a repeated Done reaching a client that had already gone, say)
  # is not udpx on the wire: counted apart, and it does not end a session.
  if ($10 != "" || $11 != "") { icmp_quoted++; next }
  if ($8 ~ /\[malformed\]/) { malformed++; print "check-capture: frame " NR " malformed: " $8 > "/dev/stderr" }
  n = split($1, types, ";"); split($2, sids, ";"); split($3, chunks, ";")
  c = 0
  for (i = 1; i <= n; i++) {
    datagrams++; per_type[types[i]]++
    sid = sids[i]
    if (!(sid in known)) { known[sid] = 1; order[++sessions] = sid }
    if (types[i] == 6) {
      c++; data[sid]++
      key = sid SUBSEP chunks[c]
      if (!(key in seen)) { seen[key] = 1; distinct[sid]++ }
    }
  }
  sid = sids[1]
  if (types[1] == 3) { offered[sid] = 1; name[sid] = $4; size[sid] = $5 }
  if (types[1] == 4) { accepted[sid] = 1; chunk_size[sid] = $6 }
  if (types[1] == 5) { ended[sid] = "Reject: " $8 }
  if (types[1] == 8) { done_reason[sid] = $7; ended[sid] = $8 }
}
END {
  line = ""
  for (t = 1; t <= 10; t++) if (per_type[t] > 0) line = line (line == "" ? "" : ", ") type_name[t] " " per_type[t]
  printf "%d frames, %d udpx datagrams (%s)%s\n", frames, datagrams, line, (icmp_quoted > 0 ? sprintf("; %d ICMP errors quoting one, not counted", icmp_quoted) : "")
  failures = 0; offers = 0
  for (k = 1; k <= sessions; k++) {
    sid = order[k]
    if (!(sid in offered)) continue
    offers++
    expected = (chunk_size[sid] > 0) ? int((size[sid] + chunk_size[sid] - 1) / chunk_size[sid]) : -1
    whole = (sid in accepted) && expected >= 0 && distinct[sid] == expected && done_reason[sid] == "0"
    printf "session %s: \"%s\" %s, %s, %d of %s chunks seen in %d data datagrams, %s\n", sid, name[sid], size_text(size[sid]),
      (sid in accepted) ? "accepted" : "not accepted", distinct[sid], (expected >= 0 ? expected : "?"), data[sid],
      (sid in ended) ? ended[sid] : "no end seen"
    if (whole) complete_name[name[sid]] = 1
    if (complete && (sid in accepted) && !whole) { print "check-capture: session " sid " is not complete" > "/dev/stderr"; failures++ }
  }
  n = split(names, wanted, "\n")
  for (i = 1; i <= n; i++) if (wanted[i] != "" && !(wanted[i] in complete_name)) {
    print "check-capture: no complete session for " wanted[i] > "/dev/stderr"; failures++
  }
  if (expect_sessions != "" && offers != expect_sessions + 0) {
    print "check-capture: " offers " sessions offered a file, expected " expect_sessions > "/dev/stderr"; failures++
  }
  if (datagrams == 0) { print "check-capture: no udpx datagram in the capture" > "/dev/stderr"; failures++ }
  if (lua_errors > 0) { print "check-capture: " lua_errors " frames with a Lua error" > "/dev/stderr"; failures++ }
  if (malformed > 0) { print "check-capture: " malformed " malformed datagrams" > "/dev/stderr"; failures++ }
  exit (failures > 0) ? 1 : 0
}' "$decoded"
