#!/usr/bin/env bash
# End-to-end browser test of the demo: starts `Interconnect.Node demo` (NL, JP, BE in one process,
# embedded defaults) on free ports, waits for its scenario to finish, then has headless Chromium
# certify and suspend a new AEO on NL's page and wait for JP's page to show it suspended.
# Usage: tests/browser/demo-e2e.sh [--configuration Debug|Release]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
configuration="Debug"
[ "${1:-}" = "--configuration" ] && configuration="${2:-Debug}"

dll="$repo/src/Interconnect.Node/bin/$configuration/net10.0/Interconnect.Node.dll"
[ -f "$dll" ] || dotnet build "$repo/src/Interconnect.Node" -c "$configuration" -nologo -v quiet >/dev/null

# Three consecutive free loopback ports.
base="$(node -e '
const net = require("net");
const free = p => new Promise(r => { const s = net.createServer().once("error", () => r(false)).listen(p, "127.0.0.1", () => s.close(() => r(true))); });
(async () => { for (;;) { const p = 20000 + Math.floor(Math.random() * 40000); if (await free(p) && await free(p + 1) && await free(p + 2)) { console.log(p); return; } } })();')"

log="$(mktemp)"
dotnet "$dll" demo --base-port "$base" >"$log" 2>&1 &
demo=$!
stop_demo() {
  kill "$demo" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$demo" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$demo" 2>/dev/null || true
  wait "$demo" 2>/dev/null || true
  rm -f "$log"
}
trap stop_demo EXIT
deadline=$((SECONDS + 120))
until grep -q "officer's page" "$log"; do
  kill -0 "$demo" 2>/dev/null || { cat "$log" >&2; echo "[browser] the demo exited" >&2; exit 1; }
  ((SECONDS < deadline)) || { cat "$log" >&2; echo "[browser] the demo scenario did not finish within 120 s" >&2; exit 1; }
  sleep 0.5
done
# Each page signs in as its administration's officer: the demo prints the links, key in the fragment.
page_of() { sed -n "s/^  $1 officer's page: //p" "$log" | head -n 1; }
nl_page="$(page_of NL)"; jp_page="$(page_of JP)"
[ -n "$nl_page" ] && [ -n "$jp_page" ] || { cat "$log" >&2; echo "[browser] the demo printed no officer's pages" >&2; exit 1; }
echo "[browser] demo ready: NL http://127.0.0.1:$base, JP http://127.0.0.1:$((base + 1)), signed in as their officers"
"$here/run.sh" "$nl_page" "$jp_page" NLAEOF0000999 --certify
