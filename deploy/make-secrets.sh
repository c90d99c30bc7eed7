#!/bin/sh
# Create the secret files one organisation's compose file reads (deploy/<org>/secrets/), with
# random values. Idempotent: an existing file is never overwritten (rotate by replacing a file
# yourself, see docs/deploying.md). Nothing here is committed (deploy/.gitignore).
#
#   deploy/make-secrets.sh rabbitmq        broker admin + one password per service; also writes
#                                          the AMQP URLs to hand to each organisation
#   deploy/make-secrets.sh training        training + its gateway (JWT key pair, accounts DB, the
#                                          /metrics token Prometheus presents) and the key training
#                                          signs credentials with (credentials_issuer.pem)
#   deploy/make-secrets.sh cic             the CIC tracker (needs jwt_public from the gateway operator)
#   deploy/make-secrets.sh cic --own-gateway   the CIC with its own gateway and key pair
#
# AMQP_HOST (default rabbitmq.example.org) and AMQP_SCHEME/AMQP_PORT (amqps/5671) shape the URLs
# written for the broker; set TRAINING_AMQP_URL / CIC_AMQP_URL to write a URL you were given.
# SMTP_PASSWORD: the SMTP relay's password for the mailers (secrets/smtp_password); without it the
# file is written empty (a relay that needs no login) for you to fill in.
set -eu
umask 077

here=$(cd "$(dirname "$0")" && pwd)
org=${1:-}
case "$org" in
  training|cic|rabbitmq) ;;
  *) echo "usage: $0 training|cic|rabbitmq [--own-gateway]" >&2; exit 2 ;;
esac
dir="$here/$org/secrets"
mkdir -p "$dir"
chmod 700 "$dir"

random() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

# The directory is private to its owner; the files are readable inside the containers, whose
# processes run as other users (postgres, uid 10001) than the one who owns them here.
put() {  # put NAME VALUE: write once
  if [ ! -e "$dir/$1" ]; then
    printf '%s\n' "$2" > "$dir/$1"
    chmod 644 "$dir/$1"
    echo "created $dir/$1"
  fi
}

keypair() {  # keypair PRIVATE PUBLIC: RS256 signing key of a gateway
  if [ ! -e "$dir/$1" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$1" 2>/dev/null
    openssl pkey -in "$dir/$1" -pubout -out "$dir/$2"
    chmod 644 "$dir/$1" "$dir/$2"
    echo "created $dir/$1 and $dir/$2 (give $2, never $1, to the services)"
  fi
}

signing_key() {  # signing_key FILE: an RSA key only its service holds (no public half to hand out)
  if [ ! -e "$dir/$1" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$1" 2>/dev/null
    chmod 644 "$dir/$1"
    echo "created $dir/$1 (back it up: a lost key fails every credential issued with it)"
  fi
}

amqp_url() {  # amqp_url USER PASSWORD
  echo "${AMQP_SCHEME:-amqps}://$1:$2@${AMQP_HOST:-rabbitmq.example.org}:${AMQP_PORT:-5671}/imatter"
}

case "$org" in
  rabbitmq)
    put admin_password "$(random)"
    put training_amqp_password "$(random)"
    put cic_amqp_password "$(random)"
    put erlang_cookie "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    put training_amqp_url "$(amqp_url training "$(cat "$dir/training_amqp_password")")"
    put cic_amqp_url "$(amqp_url cic-tracker "$(cat "$dir/cic_amqp_password")")"
    echo "hand $dir/training_amqp_url to training and $dir/cic_amqp_url to the CIC (secrets/amqp_url)"
    ;;
  training)
    put db_password "$(random)"
    put gateway_db_password "$(random)"
    put gateway_secret_key "$(random)"
    put admin_password "$(random)"
    put metrics_token "$(random)"   # the gateway's /metrics bearer, also Prometheus' credentials_file
    keypair jwt_private.pem jwt_public.pem
    signing_key credentials_issuer.pem
    put smtp_password "${SMTP_PASSWORD:-}"
    if [ -n "${TRAINING_AMQP_URL:-}" ]; then put amqp_url "$TRAINING_AMQP_URL"; fi
    ;;
  cic)
    put db_password "$(random)"
    put smtp_password "${SMTP_PASSWORD:-}"
    if [ -n "${CIC_AMQP_URL:-}" ]; then put amqp_url "$CIC_AMQP_URL"; fi
    if [ "${2:-}" = "--own-gateway" ]; then
      put gateway_db_password "$(random)"
      put gateway_secret_key "$(random)"
      put admin_password "$(random)"
      put metrics_token "$(random)"
      keypair jwt_private.pem jwt_public.pem
    fi
    ;;
esac

[ "$org" = rabbitmq ] || [ -e "$dir/amqp_url" ] || \
  echo "still missing: $dir/amqp_url (the broker operator gives it: amqps://<user>:<password>@<host>:5671/imatter)"
[ "$org" != cic ] || [ -e "$dir/jwt_public.pem" ] || \
  echo "still missing: $dir/jwt_public.pem (the gateway operator's public key; or use --own-gateway)"
exit 0
