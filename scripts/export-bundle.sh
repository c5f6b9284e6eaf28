#!/usr/bin/env bash
# Exports an audit bundle from a node into the current directory (docs/audit-bundles.md).
#   NODE=http://127.0.0.1:5081 scripts/export-bundle.sh entity <kind> <id>
#   NODE=http://127.0.0.1:5081 scripts/export-bundle.sh log <from> <to>      (ISO 8601 times)
# Exports are for auditors and supervisors (docs/access-control.md): INTERCONNECT_API_KEY holds the
# key (the demo prints each node's auditor key).
# The file takes the name the node gives it; verify it with
#   dotnet run --project src/Interconnect.Node -- verify <file> [--trust-key <pem-file>]
set -euo pipefail

node="${NODE:-http://127.0.0.1:5081}"
if [ -z "${INTERCONNECT_API_KEY:-}" ]; then
  echo "set INTERCONNECT_API_KEY to an auditor's or supervisor's API key of $node (the demo prints NL's as nl-auditor)" >&2
  exit 2
fi

# Percent-encodes everything but unreserved characters (identifiers may hold ':' and '/', times '+').
encode() {
  local s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf %s "$out"
}
case "${1:-}" in
  entity)
    [ $# -eq 3 ] || { echo "usage: $0 entity <kind> <id>" >&2; exit 2; }
    url="$node/api/audit/entities/$(encode "$2")/$(encode "$3")/bundle"
    ;;
  log)
    [ $# -eq 3 ] || { echo "usage: $0 log <from> <to>" >&2; exit 2; }
    url="$node/api/audit/log/bundle?from=$(encode "$2")&to=$(encode "$3")"
    ;;
  *)
    echo "usage: $0 entity <kind> <id> | log <from> <to>   (NODE=$node)" >&2
    exit 2
    ;;
esac

body=$(mktemp)
headers=$(mktemp)
# The key goes through a header file, not the command line, so other users' ps does not show it.
auth=$(mktemp)
trap 'rm -f "$body" "$headers" "$auth"' EXIT
printf 'Authorization: ApiKey %s\n' "$INTERCONNECT_API_KEY" >"$auth"
status=$(curl --silent --show-error --header "@$auth" --output "$body" --dump-header "$headers" --write-out '%{http_code}' "$url")
if [ "$status" != 200 ]; then
  # A problem document (RFC 9457): shown, not saved.
  echo "HTTP $status from $url" >&2
  cat "$body" >&2
  echo >&2
  exit 1
fi

name=$(sed -n 's/^[Cc]ontent-[Dd]isposition:.*filename=\([^;[:space:]]*\).*/\1/p' "$headers" | head -n 1)
name="$(basename -- "${name:-audit-bundle.audit.json}")"
mv "$body" "$name"
echo "$name"
