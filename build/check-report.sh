#!/usr/bin/env bash
# Checks a lab report (udpx demo --report DIR) the way a reader's browser sees it, with Debian's chromium:
#   1. self-contained: no <script>, <link>, <iframe>, @import or url(); no src= or href= other than #anchors
#      and data: (the text may name URLs; the page must not load them)
#   2. chromium --headless --dump-dom of a copy with a probe script appended: every top-level <svg> (the
#      charts and the topology) has a width and a height; the page fetched no resource
#      (performance.getEntriesByType('resource') is empty); no error reached the console
#   3. chromium --headless --screenshot of the page itself, for a person to look at
# Usage: build/check-report.sh REPORT.html [SCREENSHOT.png]   (default: next to the report, report.png)
# Exit: 0 all good; 1 a check failed (each failure is one line on stderr); 2 usage or no chromium.
set -uo pipefail
report=${1:?usage: build/check-report.sh REPORT.html [SCREENSHOT.png]}
shot=${2:-${report%.html}.png}
[ -f "$report" ] || { echo "check-report: no such file: $report" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-report: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
work=$(mktemp -d /tmp/udpx-check-report.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failed=0
fail() { echo "check-report: FAIL: $*" >&2; failed=1; }
# Root in a container: chromium's sandbox needs namespaces it may not have; the page is our own.
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")

# 1. Nothing to fetch.
grep -qiE '<(script|link|iframe|object|embed)[ >]' "$report" && fail "the report has a script, link, iframe, object or embed element"
grep -qiE '@import|url\(' "$report" && fail "the report's style refers to a URL (@import or url())"
bad=$(grep -oiE '(src|href)="[^"#][^"]*"' "$report" | grep -viE '="data:' | head -3)
[ -z "$bad" ] || fail "the report loads or links: $(tr '\n' ' ' <<<"$bad")"

# 2. Charts with a size, no fetch, no error.
probe="$work/probe.html"
sed 's|</body>|<script>\
(function () {\
  var out = [];\
  var svgs = Array.prototype.filter.call(document.querySelectorAll("svg"), function (s) { return !s.parentElement.closest("svg"); });\
  svgs.forEach(function (s, i) {\
    var r = s.getBoundingClientRect();\
    var t = s.querySelector("title");\
    out.push("svg " + i + " " + Math.round(r.width) + "x" + Math.round(r.height) + " " + (t ? t.textContent : ""));\
  });\
  performance.getEntriesByType("resource").forEach(function (e) { out.push("fetched " + e.name); });\
  var pre = document.createElement("pre"); pre.id = "udpx-probe"; pre.textContent = out.join("\\n"); document.body.appendChild(pre);\
})();\
</script></body>|' "$report" >"$probe"
grep -q 'udpx-probe' "$probe" || fail "the report has no </body>"
timeout 120 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$probe" >"$work/dom.html" 2>"$work/console.log"
sed -n '/<pre id="udpx-probe">/,/<\/pre>/p' "$work/dom.html" | sed -e 's/.*<pre id="udpx-probe">//' -e 's|</pre>.*||' >"$work/probe.txt"
charts=$(grep -c '^svg ' "$work/probe.txt")
[ "$charts" -gt 0 ] || fail "chromium found no chart (svg) in the report"
while read -r _ index size title; do
  w=${size%x*} h=${size#*x}
  { [ "$w" -gt 0 ] && [ "$h" -gt 0 ]; } || fail "chart $index ($title) has no size: ${w}x${h}"
done < <(grep '^svg ' "$work/probe.txt")
grep '^fetched ' "$work/probe.txt" | while read -r _ url; do echo "check-report: FAIL: the page fetched $url" >&2; done
grep -q '^fetched ' "$work/probe.txt" && failed=1
errors=$(grep -F ':CONSOLE' "$work/console.log" | head -5)
[ -z "$errors" ] || fail "the page logged to the console: $errors"

# 3. The picture.
timeout 120 "$browser" "${flags[@]}" --window-size=1280,3000 --screenshot="$shot" "file://$report" >/dev/null 2>&1
[ -s "$shot" ] || fail "chromium made no screenshot"

echo "check-report: $charts charts: $(grep '^svg ' "$work/probe.txt" | awk '{print $3}' | tr '\n' ' ')"
echo "check-report: screenshot $shot"
[ $failed = 0 ] && echo "check-report: PASS (every chart has a size, nothing fetched, nothing on the console) $report"
exit $failed
