#!/usr/bin/env bash
# Makes sure a RabbitMQ answers on 127.0.0.1:5672 with what mqscope's tests and
# demo need: the management plugin, the test vhosts, and a non-administrator
# user; and, where it can, a TLS listener on 127.0.0.1:5671 (see ensure_tls).
# Idempotent and quiet on success; one clear line and exit 1 on failure. A TLS
# listener that cannot be set up is one warning line, not a failure: the TLS
# tests then skip.
set -euo pipefail

HOST=127.0.0.1
AMQP_PORT=5672
MGMT_PORT=15672
# Vhosts used by the tests and by `scripts/demo.sh`.
# Firehose tests get a vhost per package: tracing is per vhost, and test
# packages run in parallel. /mqscope_tracer and /mqscope_tracer_cli belong to
# the tracer ownership tests (observe, cli): they check who switches tracing
# on and off, so nothing else may.
VHOSTS=(/mqscope_test /mqscope_fh /mqscope_cli /neon_api /mqscope_tracer /mqscope_tracer_cli)
# A user without the administrator tag, for permission tests.
LIMITED_USER=mqscope_limited
LIMITED_PASS=mqscope-limited-secret
TLS_PORT=5671
# The test CA, server and client certificates; connector/tls_test.go reads
# the same variable with the same default.
TLS_DIR=${MQSCOPE_TLS_DIR:-/var/lib/rabbitmq/mqscope-tls}
RABBITMQ_CONF=/etc/rabbitmq/rabbitmq.conf
TLS_BEGIN="# BEGIN mqscope TLS listener (managed by mqscope's broker.sh)"
TLS_END="# END mqscope TLS listener"
TLS_FAILED=$TLS_DIR.failed

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
  local v
  for v in /mqscope_test /mqscope_tracer; do
    rabbitmqctl -q set_permissions -p "$v" "$LIMITED_USER" '.*' '.*' '.*' >/dev/null
  done
}

# --- TLS listener ------------------------------------------------------------

warn_tls() { echo "broker.sh: no TLS listener on $HOST:$TLS_PORT: $*; the TLS tests will skip" >&2; }

# tls_block is our section of rabbitmq.conf.
tls_block() {
  printf '%s\n' "$TLS_BEGIN" \
    "listeners.ssl.local = $HOST:$TLS_PORT" \
    "ssl_options.cacertfile = $TLS_DIR/ca.pem" \
    "ssl_options.certfile = $TLS_DIR/server.pem" \
    "ssl_options.keyfile = $TLS_DIR/server.key" \
    "ssl_options.verify = verify_peer" \
    "ssl_options.fail_if_no_peer_cert = false" \
    "$TLS_END"
}

# current_tls_block prints our section as rabbitmq.conf has it now.
current_tls_block() {
  [ -f "$RABBITMQ_CONF" ] || return 0
  sed -n "/^$TLS_BEGIN\$/,/^$TLS_END\$/p" "$RABBITMQ_CONF"
}

remove_tls_block() {
  [ -f "$RABBITMQ_CONF" ] || return 0
  sed -i "/^$TLS_BEGIN\$/,/^$TLS_END\$/d" "$RABBITMQ_CONF"
}

# append_tls_block replaces our section, keeping everything else in the file.
append_tls_block() {
  remove_tls_block
  if [ -s "$RABBITMQ_CONF" ] && [ -n "$(tail -c1 "$RABBITMQ_CONF")" ]; then
    echo >>"$RABBITMQ_CONF"
  fi
  tls_block >>"$RABBITMQ_CONF"
}

certs_ok() {
  local f
  for f in ca.pem server.pem server.key client.pem client.key; do
    [ -s "$TLS_DIR/$f" ] || return 1
  done
  openssl verify -CAfile "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem" "$TLS_DIR/client.pem" >/dev/null 2>&1
}

# sign_cert makes NAME.key and NAME.pem in DIR, signed by the CA there, with
# subject CN and the X.509 extensions EXT (lines separated by \n).
sign_cert() { # DIR NAME CN EXT
  openssl req -newkey rsa:2048 -nodes -keyout "$1/$2.key" -out "$1/$2.csr" -subj "/CN=$3" 2>/dev/null &&
    openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" -days 3650 \
      -set_serial "0x$(openssl rand -hex 16)" -extfile <(printf '%b' "$4") -out "$1/$2.pem" 2>/dev/null &&
    rm -f "$1/$2.csr"
}

# make_certs writes a new CA, a server certificate for localhost and
# 127.0.0.1, and a client certificate into TLS_DIR. The broker reads them as
# the rabbitmq user; the CA key stays root's.
make_certs() {
  local tmp
  mkdir -p "${TLS_DIR%/*}" && tmp=$(mktemp -d "${TLS_DIR%/*}/.mqscope-tls.XXXXXX") || return 1
  if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 3650 \
    -subj "/CN=mqscope test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1 &&
    sign_cert "$tmp" server localhost \
      'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' &&
    sign_cert "$tmp" client mqscope-test-client 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' &&
    chown -R root:rabbitmq "$tmp" && chmod 0750 "$tmp" && chmod 0640 "$tmp"/* && chmod 0600 "$tmp/ca.key" &&
    rm -rf "$TLS_DIR" && mv "$tmp" "$TLS_DIR"; then
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

ensure_openssl() {
  command -v openssl >/dev/null && return 0
  command -v apt-get >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null 2>&1
}

# restart_broker stops and starts the local node so that it reads
# rabbitmq.conf again. Users, vhosts and permissions live in its database
# and the enabled plugins in enabled_plugins, so they survive.
restart_broker() {
  rabbitmqctl -q stop >/dev/null 2>&1 || return 1
  local i
  for ((i = 0; i < 120; i++)); do
    answers "$AMQP_PORT" || break
    sleep 0.25
  done
  rabbitmq-server -detached >/dev/null 2>&1 || return 1
  wait_for_port "$AMQP_PORT" 90 && timeout 60 rabbitmqctl await_startup >/dev/null 2>&1
}

# tls_set_up_elsewhere is true when someone else's configuration already
# sets TLS up: we leave theirs alone.
tls_set_up_elsewhere() {
  [ -f "${RABBITMQ_CONF%.conf}.config" ] && return 0
  [ -n "$(current_tls_block)" ] && return 1
  grep -qE '^[[:space:]]*(listeners\.ssl|ssl_options)\.' "$RABBITMQ_CONF" 2>/dev/null
}

# ensure_tls makes the local broker also listen for amqps on TLS_PORT, with
# certificates from our own CA in TLS_DIR. It restarts the broker only when
# that listener is not answering yet or its certificates or settings are new,
# and backs out (plain AMQP must keep working) when the broker will not open
# the listener.
ensure_tls() {
  local want changed=0
  want=$(tls_block)
  if command -v openssl >/dev/null && certs_ok && [ "$(current_tls_block)" = "$want" ] && answers "$TLS_PORT"; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || { warn_tls "run scripts/broker.sh as root to set it up"; return 0; }
  case $TLS_DIR in /*) ;; *) warn_tls "MQSCOPE_TLS_DIR must be an absolute path"; return 0 ;; esac
  if tls_set_up_elsewhere; then
    warn_tls "$RABBITMQ_CONF (or rabbitmq.config) configures TLS already; left as it is"
    return 0
  fi
  if [ -e "$TLS_FAILED" ]; then
    warn_tls "an earlier attempt failed (see /var/log/rabbitmq/); delete $TLS_FAILED to try again"
    return 0
  fi
  ensure_openssl || { warn_tls "openssl is not installed (Debian: apt-get install openssl)"; return 0; }
  if ! certs_ok; then
    make_certs || { warn_tls "could not create certificates in $TLS_DIR"; return 0; }
    changed=1
  fi
  if [ "$(current_tls_block)" != "$want" ]; then
    append_tls_block
    changed=1
  fi
  if { [ "$changed" = 0 ] && answers "$TLS_PORT"; } || { restart_broker && wait_for_port "$TLS_PORT" 30; }; then
    return 0
  fi
  remove_tls_block
  if ! answers "$AMQP_PORT"; then
    restart_broker || rabbitmq-server -detached >/dev/null 2>&1 || true
    wait_for_port "$AMQP_PORT" 90 || die "RabbitMQ did not come back on $HOST:$AMQP_PORT after a failed TLS set-up; see /var/log/rabbitmq/"
    timeout 60 rabbitmqctl await_startup >/dev/null 2>&1 || true
  fi
  # Remembered, so that later runs do not restart the broker again for nothing.
  touch "$TLS_FAILED"
  warn_tls "the broker did not open it (see /var/log/rabbitmq/), so its block is out of $RABBITMQ_CONF again"
}

ensure_running
# Before the rest, because it may restart the broker.
ensure_tls
ensure_management
ensure_vhosts
ensure_limited_user
