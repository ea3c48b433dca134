#!/usr/bin/env bash
# Build the one deliverable: dist/udpx, a fully static NativeAOT linux-x64 executable that needs no
# libc, loader, libssl or ICU at run time (runs on Alpine/musl and in a busybox-only chroot).
#
# Usage: build/publish.sh [EXTRA dotnet publish ARGS...]
#   e.g. build/publish.sh                      -> dist/udpx
#        build/publish.sh -p:UdpxStatic=false  -> glibc-dynamic AOT binary (for comparison; fails the
#                                                 static check on purpose)
# Environment: UDPX_NO_INSTALL=1 never runs apt-get/apk; only reports what is missing.
#
# The static-link recipe lives in build/static.props (imported by src/udpx/udpx.csproj, active only
# for `-r linux-x64` / `-r linux-musl-x64` publishes). On this Debian 12 host it comes down to:
#   dotnet publish src/udpx -c Release -r linux-x64 \
#     -p:StaticExecutable=true -p:PositionIndependentExecutable=false \
#     -p:StaticOpenSslLinking=true -p:ObjCopyName=objcopy -p:InvariantGlobalization=true
#   + <DirectPInvoke Include="libc" /> (an item, so it has to be in the project)
# with apt packages gcc libc6-dev binutils cmake make libssl-dev (+ file for the check below).
#
# A real musl binary (what the design card asks for) needs a musl host, because this registry does not
# serve the linux-musl-x64 NativeAOT packs. On Alpine with internet (and the .NET 10 SDK):
#   apk add clang lld musl-dev zlib-dev openssl-dev openssl-libs-static build-base cmake file bash
#   build/publish.sh            # this script detects Alpine and publishes -r linux-musl-x64
# or by hand:
#   dotnet publish src/udpx -c Release -r linux-musl-x64 -p:PublishAot=true -p:StaticExecutable=true \
#     -p:StaticOpenSslLinking=true -p:ObjCopyName=objcopy -p:InvariantGlobalization=true
# (static.props adds DirectPInvoke libc and the rest for linux-musl-x64 too). See docs/delivery.md.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'publish: %s\n' "$*"; }
die() { printf 'publish: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------- which target ----------
if [ -f /etc/alpine-release ]; then
  RID=linux-musl-x64
else
  RID=linux-x64
fi
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are set up (uname -m: $(uname -m))"

# ---------- build prerequisites ----------
can_install() { [ "$(id -u)" = 0 ] && [ "${UDPX_NO_INSTALL:-0}" != 1 ]; }
if [ "$RID" = linux-x64 ]; then
  missing=()
  command -v gcc >/dev/null || command -v clang >/dev/null || missing+=(gcc)
  command -v ld.bfd >/dev/null && command -v objcopy >/dev/null || missing+=(binutils)
  command -v cmake >/dev/null || missing+=(cmake)
  command -v make >/dev/null || missing+=(make)
  command -v file >/dev/null || missing+=(file)
  multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  [ -f "/usr/lib/$multiarch/libc.a" ] || missing+=(libc6-dev)
  { [ -f "/usr/lib/$multiarch/libssl.a" ] && [ -f "/usr/lib/$multiarch/libcrypto.a" ]; } || missing+=(libssl-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    if can_install && command -v apt-get >/dev/null; then
      say "installing: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
        || die "apt-get install ${missing[*]} failed"
    else
      die "missing build prerequisites: ${missing[*]} (apt-get install ${missing[*]})"
    fi
  fi
else
  need=()
  for p in clang lld musl-dev zlib-dev openssl-dev openssl-libs-static build-base cmake file; do
    apk info -e "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    can_install || die "missing apk packages: ${need[*]}"
    say "installing: ${need[*]}"
    apk add --no-cache "${need[@]}" >/dev/null || die "apk add ${need[*]} failed"
  fi
fi
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"

# ---------- relink when the link recipe changed ----------
# ILC and the native link are incremental on their inputs, which do not include the link properties:
# a changed recipe would silently reuse the old binary. Key the native folders on the recipe.
OBJ=src/udpx/obj/Release/net10.0/$RID
BIN=src/udpx/bin/Release/net10.0/$RID
stamp_now=$(cat build/static.props src/udpx/udpx.csproj Directory.Build.props Directory.Packages.props \
  <(printf '%s\n' "$RID" "$@") | sha256sum | cut -c1-16)
if [ "$(cat "$OBJ/native/.recipe" 2>/dev/null || true)" != "$stamp_now" ]; then
  rm -rf "$OBJ/native" "$BIN/native"
fi

# ---------- publish ----------
OUT=artifacts/publish/$RID
LOG=artifacts/publish-$RID.log
mkdir -p artifacts dist
rm -rf "$OUT"
say "dotnet publish src/udpx -c Release -r $RID $* (log: $LOG)"
t0=$(date +%s.%N)
set +e
dotnet publish src/udpx -c Release -r "$RID" -o "$OUT" -p:PublishAot=true "$@" 2>&1 | tee "$LOG" \
  | grep -E --line-buffered ' -> |error|warning' | grep -vE '^\s*/__w/|^\s*/usr/bin/ld' || true
rc=${PIPESTATUS[0]}
set -e
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
[ "$rc" = 0 ] || die "dotnet publish failed (exit $rc) after ${secs}s; see $LOG"
mkdir -p "$OBJ/native" && echo "$stamp_now" >"$OBJ/native/.recipe"

# ---------- warnings ----------
# MSBuild-level warnings (code, trimming/AOT analysis IL2xxx/IL3xxx, package warnings, linker).
# The project treats compiler and ILC warnings as errors, so any IL/CS warning here is news.
warnings=$(grep -E '(^|[^a-z])warning( |:)' "$LOG" | grep -E '\[.*\.csproj' | sed -E 's/ +\[[^]]*\]$//; s/^ +//' | sort -u || true)
il_warnings=$(grep -E 'warning (IL|CS|CA|IDE|NU|SYSLIB)[0-9]' <<<"$warnings" || true)
# glibc's own note for static links (getaddrinfo, getpwuid_r, dlopen, ... "requires at runtime the
# shared libraries from the glibc version used for linking"): expected; those calls use glibc's
# built-in files/dns lookups (/etc/hosts, /etc/passwd, /etc/resolv.conf), proven in the chroot smoke.
# cmake's "Manually-specified variables were not used by the project: CLR_CMAKE_TARGET_UNIX" comes
# from the SDK's own build-local.sh (StaticOpenSslLinking) and is harmless too.
known_re='in statically linked applications requires at runtime|CMake warning'
known=$(grep -E "$known_re" <<<"$warnings" || true)
other=$(grep -vE "$known_re" <<<"$warnings" | grep -vE 'warning (IL|CS|CA|IDE|NU|SYSLIB)[0-9]' || true)
if [ -n "$known" ]; then
  say "expected, harmless warnings (see docs/delivery.md):"
  grep -q 'CMake warning' <<<"$known" && echo "    CMake warning: CLR_CMAKE_TARGET_UNIX unused (SDK's OpenSSL shim build)"
  if grep -q 'statically linked' <<<"$known"; then
    printf '    ld: glibc static-link notes for: %s\n' "$(grep -oE "Using '[a-z_0-9]+'" "$LOG" | sort -u | sed -E "s/Using '(.*)'/\1/" | tr '\n' ' ')"
  fi
fi
indent() { sed 's/^/    /'; }
[ -z "$other" ] || { say "other warnings:"; indent <<<"$other"; }
[ -z "$il_warnings" ] || { indent <<<"$il_warnings"; die "code/trim/AOT warnings (above) must be fixed"; }

# ---------- the artefact ----------
B=$OUT/udpx
[ -f "$B" ] || die "no $B after publish"
desc=$(file -L "$B")
say "${desc/#$OUT\//}"
case "$desc" in
  *"statically linked"*) ;;
  *) die "$B is NOT statically linked (dist/udpx left as it was)" ;;
esac
if grep -q 'interpreter' <<<"$desc"; then die "$B still asks for a dynamic loader"; fi
if command -v readelf >/dev/null && readelf -d "$B" 2>/dev/null | grep -q NEEDED; then
  die "$B has NEEDED shared libraries: $(readelf -d "$B" | grep NEEDED)"
fi
# It must at least start here (no arguments: prints usage or the placeholder's banner).
"$B" --version >/dev/null 2>&1 || "$B" >/dev/null 2>&1 || die "$B does not start on this host"

cp "$B" dist/udpx.tmp && mv -f dist/udpx.tmp dist/udpx
file dist/udpx | grep -q 'statically linked' || die "file dist/udpx: $(file dist/udpx)"
if [ -f "$B.dbg" ]; then cp "$B.dbg" "artifacts/udpx-$RID.dbg"; fi
size=$(stat -c %s dist/udpx)
say "dist/udpx: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }')), sha256 $(sha256sum dist/udpx | cut -c1-16)…, rid $RID, publish ${secs}s"
say "next: build/chroot-smoke.sh dist/udpx"
