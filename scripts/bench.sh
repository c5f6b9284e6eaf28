#!/usr/bin/env bash
# Runs a benchmark: scripts/bench.sh ledger|grains|mesh|catchup [--seconds S] [--entries N] [--azurite CONN] [--rabbitmq AMQP-URI]
# Prints the figures and writes JSON to artifacts/bench/<suite>.json.
#
# scripts/bench.sh report [--quick]: every figure of docs/benchmarks.md's generated section in one run
# (crypto bound, end to end in memory and on RabbitMQ + Azurite, memory, catch-up), written to
# artifacts/bench/report.json and between the <!-- report:begin/end --> markers of the document.
# The full run takes about 6 minutes on 2 cores, --quick about 4 (each suite first warms up until the JIT settles).
# scripts/bench.sh render [--from JSON]: rewrites that section from a report's JSON, measuring nothing.
#
# RabbitMQ and Azurite come from --rabbitmq / --azurite, else INTERCONNECT_BENCH_RABBITMQ /
# INTERCONNECT_BENCH_AZURITE, else the tests' INTERCONNECT_TEST_RABBITMQ / INTERCONNECT_TEST_AZURITE;
# with none of those, the report uses the local ones and starts them with scripts/infra when they do not answer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
suite="${1:-ledger}"; shift || true

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
given() { local option="$1"; shift; for a in "$@"; do [ "$a" = "$option" ] && return 0; done; return 1; }

if [ "$suite" = report ]; then
  # Started only when nothing answers: rabbitmq.sh restarts a running broker whose TLS listener is
  # another checkout's, and the benchmarks do not use TLS, so a broker shared with others is left as it is.
  if ! given --rabbitmq "$@" && [ -z "${INTERCONNECT_BENCH_RABBITMQ:-}${INTERCONNECT_TEST_RABBITMQ:-}" ]; then
    answers 5672 || bash scripts/infra/rabbitmq.sh
    export INTERCONNECT_BENCH_RABBITMQ="amqp://guest:guest@127.0.0.1:5672/"
  fi
  if ! given --azurite "$@" && [ -z "${INTERCONNECT_BENCH_AZURITE:-}${INTERCONNECT_TEST_AZURITE:-}" ]; then
    answers 10002 || bash scripts/infra/azurite.sh
    export INTERCONNECT_BENCH_AZURITE="UseDevelopmentStorage=true"
  fi
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  # Untracked files count too: a new source file is a local change.
  [ -z "$(git status --porcelain -- src bench 2>/dev/null)" ] || commit="$commit with local changes"
  set -- "$@" --commit "$commit"
fi

dotnet build bench/Interconnect.Benchmarks -c Release -nologo -v q >/dev/null
exec dotnet bench/Interconnect.Benchmarks/bin/Release/net10.0/Interconnect.Benchmarks.dll "$suite" "$@"
