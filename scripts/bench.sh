#!/usr/bin/env bash
# Runs a benchmark: scripts/bench.sh ledger|grains|mesh|catchup [--seconds S] [--entries N] [--azurite CONN] [--rabbitmq AMQP-URI]
# Prints the figures and writes JSON to artifacts/bench/<suite>.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
suite="${1:-ledger}"; shift || true
dotnet build bench/Interconnect.Benchmarks -c Release -nologo -v q >/dev/null
exec dotnet bench/Interconnect.Benchmarks/bin/Release/net10.0/Interconnect.Benchmarks.dll "$suite" "$@"
