#!/usr/bin/env bash
# Ensures a RabbitMQ broker from Debian's packages is installed and running on 127.0.0.1:5672.
# Idempotent: fast when the broker already answers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$here/.infra/rabbitmq"
mkdir -p "$state"

export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export ERL_EPMD_ADDRESS=127.0.0.1
# Keep the Erlang distribution port (25672) on loopback too; nothing here talks to other hosts.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CONFIG_FILE="$state/rabbitmq"
cat > "$state/rabbitmq.conf" <<'CONF'
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
loopback_users = none
CONF

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "rabbitmq: installing rabbitmq-server from Debian's packages" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "rabbitmq: need root to apt-get install rabbitmq-server" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi

if rabbitmqctl -q status >/dev/null 2>&1; then
  exit 0
fi

rabbitmq-plugins enable --offline rabbitmq_management rabbitmq_shovel rabbitmq_shovel_management >/dev/null
echo "rabbitmq: starting broker" >&2
rabbitmq-server -detached >/dev/null 2>&1 || true
# The node registers with epmd a few seconds after -detached returns; poll with a deadline.
for _ in $(seq 1 120); do
  if rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "rabbitmq: broker did not start; see /var/log/rabbitmq/" >&2
exit 1
