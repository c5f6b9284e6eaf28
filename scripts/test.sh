#!/usr/bin/env bash
# The test command: starts what the tests need (RabbitMQ, Azurite), builds, runs every test
# project, and ends with one line "N passed, N failed[, N skipped]". Exits non-zero on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash scripts/infra/rabbitmq.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/infra/azurite.sh || { echo "0 passed, 1 failed"; exit 1; }
export INTERCONNECT_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:5672/"
# The broker's TLS listener (127.0.0.1:5671) presents a certificate from this CA, made by rabbitmq.sh.
export INTERCONNECT_TEST_RABBITMQ_TLS="amqps://guest:guest@localhost:5671/"
export INTERCONNECT_TEST_RABBITMQ_CA="${INTERCONNECT_INFRA_DIR:-$here/.infra}/rabbitmq/tls/ca.pem"
export INTERCONNECT_TEST_AZURITE="UseDevelopmentStorage=true"

results="$here/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

if ! dotnet build Interconnect.sln -c Release -warnaserror -nologo -v q; then
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
for proj in tests/*/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "== $name" >&2
  if ! dotnet test "$proj" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --blame-hang-timeout 5m; then
    status=1
  fi
done

# The browser test: the demo as a newcomer runs it, driven by headless Chromium (counts as one test).
browser_passed=0; browser_failed=0
if bash tests/browser/demo-e2e.sh --configuration Release; then browser_passed=1; else browser_failed=1; status=1; fi

passed=$browser_passed; failed=$browser_failed; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p="$(get passed)"; f="$(get failed)"; e="$(get error)"; t="$(get total)"; x="$(get executed)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
projects="$(ls tests/*/*.Tests.csproj | wc -l)"
if [ "$found" -lt "$projects" ]; then
  echo "some test projects produced no results ($found of $projects)" >&2
  failed=$((failed + projects - found)); status=1
fi
if [ "$failed" -gt 0 ] || [ "$skipped" -gt 0 ] || [ "$passed" -eq 0 ]; then status=1; fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
