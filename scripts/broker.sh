#!/usr/bin/env bash
# Makes sure a RabbitMQ answers on 127.0.0.1:5672 with what mqscope's tests and
# demo need: the management plugin, the test vhosts, and a non-administrator
# user. Idempotent and quiet on success; one clear line and exit 1 on failure.
set -euo pipefail

HOST=127.0.0.1
AMQP_PORT=5672
MGMT_PORT=15672
# Vhosts used by the tests and by `scripts/run-demo.sh`.
VHOSTS=(/mqscope_test /mqscope_fh /neon_api)
# A user without the administrator tag, for permission tests.
LIMITED_USER=mqscope_limited
LIMITED_PASS=mqscope-limited-secret

die() { echo "broker.sh: $*" >&2; exit 1; }

answers() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_for_port() { # port seconds
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    answers "$1" && return 0
    sleep 0.25
  done
  return 1
}

install_rabbitmq() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "RabbitMQ is not installed; install it (Debian: sudo apt-get install rabbitmq-server) and rerun"
  fi
  echo "broker.sh: installing rabbitmq-server with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null ||
    die "apt-get install rabbitmq-server failed"
}

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || install_rabbitmq
  # Debian's package may have started it through its service scripts already.
  answers "$AMQP_PORT" && return 0
  rabbitmq-server -detached >/dev/null 2>&1 || die "rabbitmq-server -detached failed; see /var/log/rabbitmq/"
}

ensure_running() {
  answers "$AMQP_PORT" && return 0
  start_rabbitmq
  wait_for_port "$AMQP_PORT" 90 || die "RabbitMQ did not answer on $HOST:$AMQP_PORT within 90 s; see /var/log/rabbitmq/"
  timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || die "RabbitMQ did not finish starting within 60 s"
}

ensure_management() {
  answers "$MGMT_PORT" && return 0
  rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || die "could not enable rabbitmq_management"
  wait_for_port "$MGMT_PORT" 60 || die "management API did not answer on $HOST:$MGMT_PORT within 60 s"
}

ensure_vhosts() {
  local have v
  have=$(rabbitmqctl -q list_vhosts name 2>/dev/null) || die "rabbitmqctl list_vhosts failed (is this user allowed to run rabbitmqctl?)"
  for v in "${VHOSTS[@]}"; do
    if ! grep -qxF -- "$v" <<<"$have"; then
      rabbitmqctl -q add_vhost "$v" >/dev/null
    fi
    rabbitmqctl -q set_permissions -p "$v" guest '.*' '.*' '.*' >/dev/null
  done
}

ensure_limited_user() {
  local users
  # Through a variable: with pipefail, `rabbitmqctl | grep -q` fails when
  # grep stops reading early and rabbitmqctl gets SIGPIPE.
  users=$(rabbitmqctl -q list_users 2>/dev/null) || die "rabbitmqctl list_users failed"
  if ! grep -q "^$LIMITED_USER[[:space:]]" <<<"$users"; then
    rabbitmqctl -q add_user "$LIMITED_USER" "$LIMITED_PASS" >/dev/null
  fi
  rabbitmqctl -q set_permissions -p /mqscope_test "$LIMITED_USER" '.*' '.*' '.*' >/dev/null
}

ensure_running
ensure_management
ensure_vhosts
ensure_limited_user
