#!/usr/bin/env bash
# The fault suite by command: scripts/reliability.sh [--long]
# Starts its own RabbitMQ node and Azurite (scripts/infra/fault-lab.sh), runs one streaming run per
# fault (broker restart, all connections closed, partner stopped, node killed, storage restarted),
# prints the table and writes it into docs/reliability.md between the fault-table markers.
# The short profile is what the test command runs; --long streams longer and harder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
profile=short
if [ "${1:-}" = "--long" ]; then profile=long; fi
export INTERCONNECT_FAULT_PROFILE=$profile

bash scripts/infra/azurite.sh   # installs Azurite from npm when absent; the lab runs its own instance
command -v rabbitmq-server >/dev/null 2>&1 || bash scripts/infra/rabbitmq.sh
dotnet build Interconnect.sln -c Release -nologo -v q >/dev/null
rm -rf artifacts/reliability/faults
status=0
dotnet test tests/Interconnect.Reliability.Tests -c Release --no-build --nologo --filter "FullyQualifiedName~FaultSuiteTests" || status=$?

table="$(python3 - <<'PY'
import json, glob, os
rows = []
for path in sorted(glob.glob("artifacts/reliability/faults/*.json")):
    d = json.load(open(path))
    rows.append(d)
order = ["broker-restart", "connections-closed", "partner-stopped", "node-killed", "storage-restart"]
rows.sort(key=lambda d: order.index(d["fault"]) if d["fault"] in order else 99)
print(f"Profile `{rows[0]['profile'] if rows else '?'}`. In each run, NL and JP certify AEO operators over HTTP, and each entry is replicated to the two other parties.")
print()
print("| fault | entries sent | committed | lost | duplicated | unexpected | time to recover (s) | client retries | chains re-verified | checkpoints re-verified | unendorsed |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for d in rows:
    print(f"| {d['fault']} | {d['sent']} | {d['committed']} | {d['lost']} | {d['duplicated']} | {d['unexpected']} | {d['recoverySeconds']} | {d['retries']} | {d['chainsVerified']} | {d['checkpointsVerified']} | {d['unendorsed']} |")
PY
)"
echo "$table"
python3 - "$table" <<'PY'
import sys, re
path = "docs/reliability.md"
text = open(path).read()
start, end = "<!-- fault-table:start -->", "<!-- fault-table:end -->"
new = f"{start}\n{sys.argv[1]}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: new, text, flags=re.S)
open(path, "w").write(text)
PY
exit $status
