#!/usr/bin/env bash
# The fault suite by command: scripts/reliability.sh [--long]
# Starts its own RabbitMQ node and Azurite (scripts/infra/fault-lab.sh), runs one streaming run per
# fault (broker restart, all connections closed, partner stopped, node killed, storage restarted),
# prints the table and writes it into docs/reliability.md between the fault-table markers.
# The short profile is what the test command runs; --long streams longer and harder.
# Then it runs the hostile-input suite (tests/Interconnect.Node.Tests, Hostile) and writes its table
# between the hostile-table markers; --hostile runs only that part.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
profile=short
only_hostile=0
if [ "${1:-}" = "--long" ]; then profile=long; fi
if [ "${1:-}" = "--hostile" ]; then only_hostile=1; fi
export INTERCONNECT_FAULT_PROFILE=$profile

status=0
if [ "$only_hostile" = 0 ]; then
  bash scripts/infra/azurite.sh   # installs Azurite from npm when absent; the lab runs its own instance
  command -v rabbitmq-server >/dev/null 2>&1 || bash scripts/infra/rabbitmq.sh
  dotnet build Interconnect.sln -c Release -nologo -v q >/dev/null
  rm -rf artifacts/reliability/faults
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
else
  dotnet build tests/Interconnect.Node.Tests -c Release -nologo -v q >/dev/null
fi

# The hostile-input suite: each case writes one row to artifacts/reliability/hostile/<case>.json.
# Its transport case uses the shared RabbitMQ (5672) and Azurite (10002) that scripts/test.sh starts;
# they are not started here, since starting the broker may restart one that others use.
export INTERCONNECT_TEST_RABBITMQ="${INTERCONNECT_TEST_RABBITMQ:-amqp://guest:guest@127.0.0.1:5672/}"
export INTERCONNECT_TEST_AZURITE="${INTERCONNECT_TEST_AZURITE:-UseDevelopmentStorage=true}"
rm -rf artifacts/reliability/hostile
dotnet test tests/Interconnect.Node.Tests -c Release --no-build --nologo --filter "FullyQualifiedName~Hostile" || status=$?

hostile="$(python3 - <<'PY'
import json, glob
rows = sorted((json.load(open(p)) for p in glob.glob("artifacts/reliability/hostile/*.json")), key=lambda d: d["order"])
def cell(text):
    return str(text).replace("|", "\\|")
print("| # | case | input | expected | observed | counted | stored state |")
print("| ---: | --- | --- | --- | --- | --- | --- |")
for d in rows:
    print("| " + " | ".join(cell(d[k]) for k in ["order", "case", "input", "expected", "observed", "counted", "storedState"]) + " |")
PY
)"
echo "$hostile"
python3 - "$hostile" <<'PY'
import sys, re
path = "docs/reliability.md"
text = open(path).read()
start, end = "<!-- hostile-table:start -->", "<!-- hostile-table:end -->"
new = f"{start}\n{sys.argv[1]}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: new, text, flags=re.S)
open(path, "w").write(text)
PY
exit $status
