#!/bin/sh
# Broker users of the I Matter services, each limited to what its service publishes and consumes.
#
# Idempotent: run it again after changing a password or a name. It needs `rabbitmqctl` on a
# broker node (or any machine holding the cluster's Erlang cookie) and is the only step that
# needs broker admin rights; the services never get configure rights outside their own names.
#
#   TRAINING_AMQP_PASSWORD=... CIC_AMQP_PASSWORD=... deploy/rabbitmq/setup-users.sh [--wait]
#
# Environment (every *_PASSWORD also as *_PASSWORD_FILE, a file holding it):
#   RABBITMQ_VHOST           vhost of the platform, created if missing   (default /)
#   EVENTS_EXCHANGE          the topic exchange                           (default imatter.events)
#   TRAINING_AMQP_USER       training's broker user                       (default training)
#   TRAINING_AMQP_PASSWORD   its password                                 (required)
#   TRAINING_QUEUE           training's queue (its dead letters: <queue>.dead) (default training.events)
#   CIC_AMQP_USER            cic-tracker's broker user                    (default cic-tracker)
#   CIC_AMQP_PASSWORD        its password                                 (required)
#   CIC_QUEUE                cic-tracker's queue                          (default cic-tracker.events)
#   RABBITMQCTL              the rabbitmqctl command, e.g. "rabbitmqctl -n rabbit@broker-1"
#   REMOVE_GUEST=1           delete the default guest user as well
#
# What each service may do (regexes over resource names; see docs/deploying.md):
#   configure  the exchange and its dead-letter exchange (declared idempotently by relay and
#              consumer) and its OWN queue and <queue>.dead, nothing else
#   write      publish to the exchange; bind its own queues; dead-letter into <exchange>.dlx;
#              `events replay-dead-letters` puts messages back through the default exchange
#   read       consume and count its OWN queues; bind them to the two exchanges
#   topic      on the exchange it may publish only its own routing keys (training.* / cic.*)
#              and bind only to the other organisation's (cic.* / training.*)
set -eu

CTL=${RABBITMQCTL:-rabbitmqctl}
VHOST=${RABBITMQ_VHOST:-/}
EXCHANGE=${EVENTS_EXCHANGE:-imatter.events}

# read NAME from $NAME or from the file named by $NAME_FILE
secret() {
  eval "value=\${$1:-}"
  eval "file=\${$1_FILE:-}"
  if [ -z "$value" ] && [ -n "$file" ]; then
    value=$(cat "$file")
  fi
  if [ -z "$value" ]; then
    echo "setup-users: set $1 or $1_FILE" >&2
    exit 2
  fi
  printf '%s' "$value"
}

# a name as a literal inside a regex (names hold dots and dashes)
re() {
  printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'
}

user() {  # user NAME PASSWORD QUEUE PUBLISHES_PREFIX CONSUMES_PREFIX
  name=$1 password=$2 queue=$3 publishes=$4 consumes=$5
  # add, or (it exists) set the password: each rabbitmqctl call starts an Erlang VM, so few calls
  if ! $CTL -q add_user -- "$name" "$password" >/dev/null 2>&1; then
    $CTL -q change_password -- "$name" "$password"
  fi
  # no user tags: no management UI, no policies; an application user
  x=$(re "$EXCHANGE") q=$(re "$queue")
  own_queues="$q|$q\\..+"
  $CTL -q set_permissions -p "$VHOST" "$name" \
    "^($x|$x\\.dlx|$own_queues)\$" \
    "^($x|$x\\.dlx|$own_queues|amq\\.default)\$" \
    "^($x|$x\\.dlx|$own_queues)\$"
  $CTL -q set_topic_permissions -p "$VHOST" "$name" "$EXCHANGE" "^$(re "$publishes")\\." "^$(re "$consumes")\\."
  echo "setup-users: $name on vhost $VHOST: queues $queue, $queue.*; publishes $publishes.*; binds $consumes.*"
}

if [ "${1:-}" = "--wait" ]; then
  $CTL -q await_startup
fi

TRAINING_PASSWORD=$(secret TRAINING_AMQP_PASSWORD)
CIC_PASSWORD=$(secret CIC_AMQP_PASSWORD)

if ! $CTL -q list_vhosts | grep -qx -- "$VHOST"; then
  $CTL -q add_vhost "$VHOST"
fi

user "${TRAINING_AMQP_USER:-training}" "$TRAINING_PASSWORD" "${TRAINING_QUEUE:-training.events}" training cic
user "${CIC_AMQP_USER:-cic-tracker}" "$CIC_PASSWORD" "${CIC_QUEUE:-cic-tracker.events}" cic training

if [ "${REMOVE_GUEST:-0}" = "1" ] && $CTL -q list_users | cut -f1 | grep -qx guest; then
  $CTL -q delete_user guest
fi
