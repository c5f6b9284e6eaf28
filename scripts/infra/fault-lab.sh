#!/usr/bin/env bash
# The fault lab: a RabbitMQ node and an Azurite of their own, on other ports than the shared test
# servers, so the fault suite can restart them and close their connections without touching
# anything else. Usage: fault-lab.sh <command> <state-dir>
#   rabbitmq-start | rabbitmq-stop | rabbitmq-restart | rabbitmq-close-connections
#   rabbitmq-add-vhost <vhost> | rabbitmq-list-queues <vhost> | azurite-start | azurite-stop | azurite-restart | stop
# Ports: AMQP 127.0.0.1:5682 (distribution 25682), Azurite Table 127.0.0.1:10012.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command="${1:?command}"; state="${2:?state directory}"
mkdir -p "$state/rabbitmq" "$state/azurite"
node=faults@localhost

export RABBITMQ_NODENAME=$node RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5682 RABBITMQ_DIST_PORT=25682
export RABBITMQ_MNESIA_BASE="$state/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$state/rabbitmq/log"
export RABBITMQ_CONFIG_FILE="$state/rabbitmq/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$state/rabbitmq/enabled_plugins"
export RABBITMQ_PID_FILE="$state/rabbitmq/pid"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ctl() { rabbitmqctl -q -n "$node" "$@"; }

azurite_answers() { (exec 3<>/dev/tcp/127.0.0.1/10012) 2>/dev/null; }

rabbitmq_start() {
  printf 'listeners.tcp.default = 127.0.0.1:5682\nloopback_users = none\n' > "$state/rabbitmq/rabbitmq.conf"
  echo '[].' > "$state/rabbitmq/enabled_plugins"
  # Debian's rabbitmq-server runs the broker as the rabbitmq user: it must own its state.
  if [ "$(id -u)" -eq 0 ] && id -u rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$state/rabbitmq"; fi
  if ctl status >/dev/null 2>&1; then return 0; fi
  rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    if ctl await_startup --timeout 2 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "fault lab: RabbitMQ node $node did not start; see $state/rabbitmq/log" >&2
  return 1
}

azurite_start() {
  if azurite_answers; then return 0; fi
  local bin="${INTERCONNECT_INFRA_DIR:-$here/.infra}/azurite/node_modules/.bin/azurite"
  [ -x "$bin" ] || bash "$here/scripts/infra/azurite.sh"
  nohup "$bin" --silent --skipApiVersionCheck --loose --location "$state/azurite" \
    --blobHost 127.0.0.1 --blobPort 10010 --queueHost 127.0.0.1 --queuePort 10011 --tableHost 127.0.0.1 --tablePort 10012 \
    >>"$state/azurite/azurite.log" 2>&1 &
  echo $! > "$state/azurite/pid"
  for _ in $(seq 1 120); do
    if azurite_answers; then return 0; fi
    sleep 0.25
  done
  echo "fault lab: Azurite did not answer on 127.0.0.1:10012" >&2
  return 1
}

azurite_stop() {
  local pid; pid="$(cat "$state/azurite/pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid"
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/azurite/pid"
}

case "$command" in
  rabbitmq-start) rabbitmq_start ;;
  rabbitmq-stop) ctl stop >/dev/null 2>&1 || true ;;
  # The broker application restarts inside its Erlang node: connections drop, durable queues and
  # their persistent messages survive, as in a rolling broker restart.
  rabbitmq-restart) ctl stop_app && ctl start_app && ctl await_startup --timeout 60 ;;
  rabbitmq-close-connections) ctl close_all_connections "fault injection" ;;
  rabbitmq-add-vhost)
    vhost="${3:?vhost}"
    ctl add_vhost "$vhost" >/dev/null
    ctl set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null ;;
  rabbitmq-list-queues) ctl list_queues -p "${3:?vhost}" name messages_ready messages_unacknowledged consumers ;;
  azurite-start) azurite_start ;;
  azurite-stop) azurite_stop ;;
  azurite-restart) azurite_stop; azurite_start ;;
  stop) azurite_stop; ctl stop >/dev/null 2>&1 || true ;;
  *) echo "fault lab: unknown command $command" >&2; exit 2 ;;
esac
