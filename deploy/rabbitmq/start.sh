#!/bin/sh
# Command of the RabbitMQ container in the compose files: start the broker and, once it runs,
# create the admin and the per-service users (setup-users.sh). The health check waits for the
# marker file, so no service connects before its user exists. A node that imports definitions at
# boot (rabbitmq.conf: the vhost and queue policy) creates no default user itself, hence the admin here.
set -eu
# The admin (management UI) password from a secret file, as the image takes it from the environment.
if [ -n "${RABBITMQ_ADMIN_PASSWORD_FILE:-}" ] && [ -z "${RABBITMQ_DEFAULT_PASS:-}" ]; then
  RABBITMQ_DEFAULT_PASS=$(cat "$RABBITMQ_ADMIN_PASSWORD_FILE")
  export RABBITMQ_DEFAULT_PASS
fi
rm -f /tmp/imatter-users-ready
(
  # rabbitmqctl must use the server's Erlang cookie, which the server writes on its first start.
  until [ -s /var/lib/rabbitmq/.erlang.cookie ]; do sleep 1; done
  export HOME=/var/lib/rabbitmq
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then
    rabbitmqctl -q await_startup
    if ! rabbitmqctl -q add_user -- "$RABBITMQ_DEFAULT_USER" "$RABBITMQ_DEFAULT_PASS" >/dev/null 2>&1; then
      rabbitmqctl -q change_password -- "$RABBITMQ_DEFAULT_USER" "$RABBITMQ_DEFAULT_PASS"
    fi
    rabbitmqctl -q set_user_tags "$RABBITMQ_DEFAULT_USER" administrator
    rabbitmqctl -q set_permissions -p "${RABBITMQ_VHOST:-/}" "$RABBITMQ_DEFAULT_USER" ".*" ".*" ".*"
  fi
  if /opt/imatter/setup-users.sh --wait; then
    touch /tmp/imatter-users-ready
  else
    echo "start.sh: setup-users.sh failed; the broker stays unhealthy" >&2
  fi
) &
exec docker-entrypoint.sh rabbitmq-server
