#!/usr/bin/env bash
# Chromium tests of the node's web UI (see tests/browser/README.md).
#
#   tests/browser/run.sh A_URL B_URL AEO_NUMBER [--certify] [--timeout-ms N]
#       suspend AEO_NUMBER on A's page; pass when B's page shows it suspended (needs replication)
#   tests/browser/run.sh --single [URL]
#       one node: build and start one (NL, in-memory) unless URL is given, then suspend an AEO on its
#       page and check a fresh page shows it, and check how the page renders stubbed mesh views
#
# Installs what it needs: playwright-core from package-lock.json into tests/browser/node_modules,
# and Chromium with apt-get when run as root (set CHROMIUM to use another binary).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

fail() {
  echo "[browser] $*" >&2
  exit 1
}

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

ensure_tools() {
  command -v node >/dev/null || fail "node is required (Debian: apt-get install -y nodejs npm)"
  if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  fi

  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
    else
      fail "Chromium not found at $CHROMIUM: install it (as root: apt-get install -y chromium) or set CHROMIUM"
    fi
  fi
}

node_pid=""
work=""

stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid"
    wait "$node_pid" 2>/dev/null || true
  fi

  if [ -n "$work" ]; then
    rm -rf "$work"
  fi
}

# Starts one NL node on the in-memory defaults on a free loopback port; sets $url.
start_node() {
  command -v dotnet >/dev/null || fail "the .NET SDK is required to start a node"
  work="$(mktemp -d)"
  trap stop_node EXIT
  openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$work/key.pem"
  echo "[browser] building src/Interconnect.Node"
  dotnet build "$repo/src/Interconnect.Node" -warnaserror -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "build failed"; }
  local port
  port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  url="http://127.0.0.1:$port"
  # The page signs in as an officer: a fresh key, of which the node holds only the SHA-256.
  local key
  key="ick_$(openssl rand -hex 32)"
  Node__AdministrationId=NL Node__SigningKeyFile="$work/key.pem" ASPNETCORE_URLS="$url" \
    Node__Access__Principals__0__Id=browser-officer Node__Access__Principals__0__Role=officer \
    Node__Access__Principals__0__ApiKeySha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
    dotnet "$repo/src/Interconnect.Node/bin/Debug/net10.0/Interconnect.Node.dll" run >"$work/node.log" 2>&1 &
  node_pid=$!
  local deadline=$((SECONDS + 60))
  until curl -fsS "$url/health/ready" >/dev/null 2>&1; do
    kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.log" >&2; fail "the node exited"; }
    ((SECONDS < deadline)) || { cat "$work/node.log" >&2; fail "the node was not ready within 60 s"; }
    sleep 0.2
  done
  echo "[browser] node NL ready at $url (pid $node_pid)"
  url="$url/#key=$key"
}

[ $# -ge 1 ] || usage
case "$1" in
  -h | --help)
    usage
    ;;
  --single)
    ensure_tools
    url="${2:-}"
    [ -n "$url" ] || start_node
    aeo="NLAEOF$(date +%s%N | tail -c 10)"
    status=0
    node "$here/suspend-propagates.mjs" --a "$url" --b "$url" --aeo "$aeo" --certify || status=1
    node "$here/mesh-views.mjs" --url "$url" || status=1
    if [ "$status" = 0 ]; then echo "[browser] all passed"; else echo "[browser] FAILED" >&2; fi
    exit "$status"
    ;;
  *)
    [ $# -ge 3 ] || usage
    ensure_tools
    a="$1" b="$2" aeo="$3"
    shift 3
    exec node "$here/suspend-propagates.mjs" --a "$a" --b "$b" --aeo "$aeo" "$@"
    ;;
esac
