#!/usr/bin/env bash
# Import the udpx lab into a GNS3 2.2 server through its REST API (v2), put the udpx binary
# into each Alpine node and start the nodes.
#
# Usage: gns3/import.sh [OPTIONS]
#   --server URL         GNS3 server (controller) URL, default http://127.0.0.1:3080 (also GNS3_SERVER)
#   --user NAME          HTTP basic auth user, if the server has auth enabled (also GNS3_USER)
#   --password PASS      its password (better: GNS3_PASSWORD in the environment)
#   --name NAME          project name on the server, default udpx-lab (GNS3 appends a number if taken)
#   --project-id UUID    project id to import under, default a new random one; the id in
#                        udpx-lab.gns3 makes GNS3 keep the node ids (it treats that as a snapshot restore)
#   --bin PATH           udpx binary (static, linux-musl) to place at /opt/udpx/udpx in client,
#                        server1 and server2; default dist/udpx of this repository if it exists
#   --embed              put the binary inside the .gns3project archive instead of uploading it
#                        through the node files API after the import
#   --no-start           do not start the nodes
#   --archive FILE       keep the packed .gns3project at FILE (default: a temporary file)
#   --dry-run            pack the archive and print every request instead of sending it
#
# What happens:
#   1. pack gns3/udpx-lab.gns3 as project.gns3 plus gns3/project-files/ (each Docker node's
#      etc/network/interfaces, i.e. GNS3's "Edit network configuration") into a .gns3project zip
#   2. POST /v2/projects/{project_id}/import?name=NAME      body: the zip
#   3. POST /v2/projects/{project_id}/open
#   4. GET  /v2/projects/{project_id}/nodes                 (import gives nodes new ids: find them by name)
#   5. POST /v2/projects/{project_id}/nodes/{node_id}/files/opt/udpx/udpx   body: the binary
#      (written to project-files/docker/{node_id}/opt/udpx/udpx on the node's compute, which is
#      the host side of the node's persistent volume /opt/udpx, see extra_volumes)
#   6. POST /v2/projects/{project_id}/nodes/start
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PROJECT_FILE="$SCRIPT_DIR/udpx-lab.gns3"
PROJECT_FILES_DIR="$SCRIPT_DIR/project-files"
UDPX_NODES=(client server1 server2)
BIN_IN_NODE="opt/udpx/udpx"

SERVER="${GNS3_SERVER:-http://127.0.0.1:3080}"
USER_NAME="${GNS3_USER:-}"
PASSWORD="${GNS3_PASSWORD:-}"
NAME="udpx-lab"
PROJECT_ID=""
BIN=""
BIN_GIVEN=0
EMBED=0
START=1
ARCHIVE=""
DRY_RUN=0

say() { printf '%s\n' "import: $*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER="${2:?--server needs a URL}"; shift 2 ;;
    --user) USER_NAME="${2:?--user needs a name}"; shift 2 ;;
    --password) PASSWORD="${2:?--password needs a value}"; shift 2 ;;
    --name) NAME="${2:?--name needs a value}"; shift 2 ;;
    --project-id) PROJECT_ID="${2:?--project-id needs a UUID}"; shift 2 ;;
    --bin) BIN="${2:?--bin needs a path}"; BIN_GIVEN=1; shift 2 ;;
    --embed) EMBED=1; shift ;;
    --no-start) START=0; shift ;;
    --archive) ARCHIVE="${2:?--archive needs a path}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option: $1 (see $0 --help)" ;;
  esac
done

command -v python3 >/dev/null 2>&1 || die "python3 is needed (JSON and zip)"
[ "$DRY_RUN" = 1 ] || command -v curl >/dev/null 2>&1 || die "curl is needed"
SERVER="${SERVER%/}"
[[ "$SERVER" =~ ^https?://[^/]+$ ]] || die "--server must look like http://HOST:PORT, got '$SERVER'"

if [ "$BIN_GIVEN" = 0 ] && [ -f "$REPO_ROOT/dist/udpx" ]; then
  BIN="$REPO_ROOT/dist/udpx"
fi
if [ -n "$BIN" ]; then
  [ -f "$BIN" ] || die "binary not found: $BIN"
  if [ "$(head -c 4 "$BIN" | od -An -tx1 | tr -d ' \n')" != "7f454c46" ]; then
    say "warning: $BIN is not an ELF file; the Alpine nodes need a static linux-musl build"
  fi
elif [ "$EMBED" = 1 ]; then
  die "--embed needs a binary (--bin PATH or dist/udpx)"
fi

if [ -z "$PROJECT_ID" ]; then
  PROJECT_ID="$(python3 -c 'import uuid; print(uuid.uuid4())')"
fi
[[ "$PROJECT_ID" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]] ||
  die "--project-id must be a UUID, got '$PROJECT_ID'"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/udpx-gns3-import.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
[ -n "$ARCHIVE" ] || ARCHIVE="$WORK/udpx-lab.gns3project"

# ---------------------------------------------------------------------------------------------
# 1. Pack. The archive is what GNS3's own export makes: project.gns3 at the top and the node
#    files under project-files/<node_type>/<node_id>/. The import moves each node's folder to the
#    node's new id and, for a remote compute (the GNS3 VM), uploads it there.

python3 - "$PROJECT_FILE" "$PROJECT_FILES_DIR" "$ARCHIVE" "${BIN:-}" "$EMBED" "$BIN_IN_NODE" "${UDPX_NODES[@]}" <<'PY'
import json, os, sys, zipfile

project_file, files_dir, archive, binary, embed, bin_in_node = sys.argv[1:7]
udpx_nodes = sys.argv[7:]
with open(project_file, encoding="utf-8") as handle:
    project = json.load(handle)
nodes = {node["name"]: node for node in project["topology"]["nodes"]}
for name in udpx_nodes:
    if name not in nodes:
        sys.exit("import: error: node %r missing from %s" % (name, project_file))
    node = nodes[name]
    interfaces = os.path.join(files_dir, node["node_type"], node["node_id"], "etc", "network", "interfaces")
    if not os.path.isfile(interfaces):
        sys.exit("import: error: %s has no %s" % (name, interfaces))

def add(zip_file, path, arcname, mode=0o644):
    info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(path, "rb") as source:
        zip_file.writestr(info, source.read())

with zipfile.ZipFile(archive, "w") as zip_file:
    add(zip_file, project_file, "project.gns3")
    for root, dirs, files in os.walk(files_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            add(zip_file, path, os.path.join("project-files", os.path.relpath(path, files_dir)).replace(os.sep, "/"))
    if embed == "1":
        for name in udpx_nodes:
            node = nodes[name]
            add(zip_file, binary, "project-files/%s/%s/%s" % (node["node_type"], node["node_id"], bin_in_node), 0o755)
PY
say "packed $ARCHIVE ($(wc -c <"$ARCHIVE") bytes)"
if [ "$DRY_RUN" = 1 ]; then
  python3 - "$ARCHIVE" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zip_file:
    for info in zip_file.infolist():
        print("  archive: %-90s %9d bytes" % (info.filename, info.file_size))
PY
fi

# ---------------------------------------------------------------------------------------------
# The API calls.

CURL_AUTH=()
if [ -n "$USER_NAME" ]; then
  CURL_AUTH=(--user "$USER_NAME:$PASSWORD")
  [ "$DRY_RUN" = 0 ] || say "requests would use HTTP basic auth as '$USER_NAME'"
fi

RESPONSE="$WORK/response"

# api METHOD PATH [BODY_FILE]   -> response body in $RESPONSE; fails on a non-2xx status
api() {
  local method="$1" path="$2" body="${3:-}" status
  if [ "$DRY_RUN" = 1 ]; then
    if [ -n "$body" ]; then
      echo "$method $SERVER$path  body: $body ($(wc -c <"$body") bytes)"
    else
      echo "$method $SERVER$path"
    fi
    return 0
  fi
  local args=(-sS -X "$method" -o "$RESPONSE" -w '%{http_code}' "${CURL_AUTH[@]}")
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/octet-stream' --data-binary "@$body")
  fi
  status="$(curl "${args[@]}" "$SERVER$path")" || die "$method $path: cannot reach $SERVER"
  case "$status" in
    2??) return 0 ;;
    *) die "$method $path: HTTP $status: $(head -c 600 "$RESPONSE" 2>/dev/null)" ;;
  esac
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# 2. + 3. Import, then open (the import leaves the project closed).
api POST "/v2/projects/$PROJECT_ID/import?name=$(urlencode "$NAME")" "$ARCHIVE"
if [ "$DRY_RUN" = 0 ]; then
  say "imported as project $PROJECT_ID ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("name","?"))' "$RESPONSE"))"
fi
api POST "/v2/projects/$PROJECT_ID/open"

# 4. Node ids by name.
declare -A NODE_IDS=()
api GET "/v2/projects/$PROJECT_ID/nodes"
for name in "${UDPX_NODES[@]}"; do
  if [ "$DRY_RUN" = 1 ]; then
    NODE_IDS[$name]="{node_id of $name}"
  else
    id="$(python3 - "$RESPONSE" "$name" <<'PY'
import json, sys
for node in json.load(open(sys.argv[1])):
    if node.get("name") == sys.argv[2]:
        print(node["node_id"])
        break
PY
)"
    [ -n "$id" ] || die "node $name not found in the imported project"
    NODE_IDS[$name]="$id"
  fi
done

# 5. The binary, into each node's persistent /opt/udpx.
if [ -n "$BIN" ] && [ "$EMBED" = 0 ]; then
  for name in "${UDPX_NODES[@]}"; do
    api POST "/v2/projects/$PROJECT_ID/nodes/${NODE_IDS[$name]}/files/$BIN_IN_NODE" "$BIN"
  done
  if [ "$DRY_RUN" = 1 ]; then
    say "udpx would go to /$BIN_IN_NODE in ${UDPX_NODES[*]}"
  else
    say "udpx placed at /$BIN_IN_NODE in ${UDPX_NODES[*]} (made executable by each node's start command)"
  fi
elif [ -n "$BIN" ]; then
  say "udpx travels inside the archive to /$BIN_IN_NODE in ${UDPX_NODES[*]} (made executable by each node's start command)"
else
  say "no binary given and no dist/udpx: put it in later (see gns3/README.md)"
fi

# 6. Start.
if [ "$START" = 1 ]; then
  api POST "/v2/projects/$PROJECT_ID/nodes/start"
  [ "$DRY_RUN" = 1 ] || say "nodes started"
fi

if [ "$DRY_RUN" = 1 ]; then
  say "dry run: nothing was sent to $SERVER"
else
  say "open $SERVER/static/web-ui/server/1/project/$PROJECT_ID in a browser, or the project '$NAME' in the GNS3 GUI"
fi
