#!/usr/bin/env bash
# Ensures Azurite (Azure Storage emulator, from npm) is installed locally and serving its Table
# endpoint on 127.0.0.1:10002. Idempotent: fast when it already answers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$here/.infra/azurite"
version=3.37.0
mkdir -p "$state/data"

answers() { (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; }

# Installed even when an Azurite already answers: the fault suite starts one of its own from here.
if [ ! -x "$state/node_modules/.bin/azurite" ]; then
  echo "azurite: installing azurite@$version from npm" >&2
  (cd "$state" && npm install --silent --no-audit --no-fund --prefix "$state" "azurite@$version" >/dev/null)
fi

if answers; then exit 0; fi

echo "azurite: starting" >&2
nohup "$state/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose \
  --location "$state/data" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  >"$state/azurite.log" 2>&1 &
for _ in $(seq 1 120); do
  if answers; then exit 0; fi
  sleep 0.5
done
echo "azurite: did not answer on 127.0.0.1:10002; see $state/azurite.log" >&2
exit 1
