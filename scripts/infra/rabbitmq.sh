#!/usr/bin/env bash
# Ensures a RabbitMQ broker from Debian's packages is installed and running on 127.0.0.1:5672.
# Idempotent: fast when the broker already answers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# INTERCONNECT_INFRA_DIR lets several checkouts on one machine share one broker (and its CA).
state="${INTERCONNECT_INFRA_DIR:-$here/.infra}/rabbitmq"
mkdir -p "$state"

export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export ERL_EPMD_ADDRESS=127.0.0.1
# Keep the Erlang distribution port (25672) on loopback too; nothing here talks to other hosts.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CONFIG_FILE="$state/rabbitmq"

# AMQPS on 127.0.0.1:5671 with a certificate authority and a server certificate made here, so the
# tests can check that the node speaks TLS to its broker (trusting this CA, checking "localhost").
tls="$state/tls"
if [ ! -s "$tls/server.pem" ]; then
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Interconnect test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 3650 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null
  chmod 0644 "$tls"/*.pem "$tls"/*.key
fi

cat > "$state/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:5672
listeners.ssl.default = 127.0.0.1:5671
ssl_options.cacertfile = $tls/ca.pem
ssl_options.certfile = $tls/server.pem
ssl_options.keyfile = $tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
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

# The running broker's TLS listener must present a certificate from this CA (the tests trust only it).
tls_trusted() {
  openssl s_client -connect 127.0.0.1:5671 -servername localhost -CAfile "$tls/ca.pem" -verify_return_error \
    </dev/null >/dev/null 2>&1
}
if rabbitmqctl -q status >/dev/null 2>&1; then
  if tls_trusted; then exit 0; fi
  # Started before the TLS listener existed, or with another checkout's CA: restart it with this configuration.
  echo "rabbitmq: restarting broker with this configuration's TLS listener" >&2
  rabbitmqctl -q stop >/dev/null 2>&1 || true
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
