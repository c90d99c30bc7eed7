#!/bin/sh
# Create or update one organisation's Kubernetes Secrets from the files deploy/make-secrets.sh
# wrote (deploy/<org>/secrets/, git-ignored). The Secrets are not resources of the kustomization,
# so `kubectl apply -k deploy/k8s` never overwrites them and no secret value is ever committed.
# Idempotent (create --dry-run | apply): run it again after rotating a file.
#
#   deploy/make-secrets.sh training && deploy/k8s/secrets.sh training     # namespace imatter-training
#   deploy/make-secrets.sh cic && deploy/k8s/secrets.sh cic               # namespace rhm-cic
#
# SMTP_USERNAME: the SMTP relay's login name (empty: no login). PROMETHEUS_NAMESPACE: Prometheus'
# namespace, to give it the gateway's /metrics token too (Secret imatter-gateway-metrics, key
# `token`). KUBECTL: the kubectl command (e.g. "kubectl --context prod"). With a secret store
# (External Secrets Operator, Sealed Secrets, Vault), make the same Secrets with the same keys
# there instead: the lines below are the list.
set -eu
umask 077

here=$(cd "$(dirname "$0")" && pwd)
org=${1:-}
case "$org" in
  training|cic) ;;
  *) echo "usage: $0 training|cic" >&2; exit 2 ;;
esac
dir="$here/../$org/secrets"
KUBECTL=${KUBECTL:-kubectl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s' "${SMTP_USERNAME:-}" > "$work/smtp_username"

# secret NAMESPACE NAME KEY=FILE...: FILE in deploy/<org>/secrets/ (smtp_username: $SMTP_USERNAME).
# A value read into an environment variable loses its final newline; a .pem key is kept as it is.
secret() {
  ns=$1 name=$2
  shift 2
  mkdir -p "$work/$name"
  for pair in "$@"; do
    key=${pair%%=*} file=${pair#*=}
    src="$dir/$file"
    [ "$file" = smtp_username ] && src="$work/smtp_username"
    if [ ! -f "$src" ]; then
      echo "secrets.sh: $src is missing (deploy/make-secrets.sh $org, or the file you were handed)" >&2
      exit 1
    fi
    case "$key" in
      *.pem) cp "$src" "$work/$name/$key" ;;
      *) printf '%s' "$(cat "$src")" > "$work/$name/$key" ;;
    esac
  done
  $KUBECTL create secret generic "$name" --namespace "$ns" --from-file="$work/$name" \
    --dry-run=client --output yaml | $KUBECTL apply --filename -
  echo "secrets.sh: $ns/$name ($*)"
}

case "$org" in
  training)
    secret imatter-training training-secrets PGPASSWORD=db_password AMQP_URL=amqp_url
    secret imatter-training jwt-public jwt_public.pem=jwt_public.pem
    secret imatter-training credentials-signing credentials_issuer.pem=credentials_issuer.pem
    secret imatter-training training-smtp SMTP_USERNAME=smtp_username SMTP_PASSWORD=smtp_password
    secret imatter-training gateway-secrets PGPASSWORD=gateway_db_password GATEWAY_SECRET_KEY=gateway_secret_key IMATTER_ADMIN_PASSWORD=admin_password
    secret imatter-training jwt-signing jwt_private.pem=jwt_private.pem jwt_public.pem=jwt_public.pem
    secret imatter-training gateway-smtp SMTP_USERNAME=smtp_username SMTP_PASSWORD=smtp_password
    secret imatter-training gateway-metrics token=metrics_token
    # the same token for Prometheus (the Prometheus Operator mounts a Secret it lists under
    # /etc/prometheus/secrets/<name>/, which is what deploy/prometheus/prometheus.yml reads)
    [ -z "${PROMETHEUS_NAMESPACE:-}" ] || secret "$PROMETHEUS_NAMESPACE" imatter-gateway-metrics token=metrics_token
    ;;
  cic)
    secret rhm-cic cic-tracker-secrets PGPASSWORD=db_password AMQP_URL=amqp_url
    secret rhm-cic jwt-public jwt_public.pem=jwt_public.pem
    secret rhm-cic cic-tracker-smtp SMTP_USERNAME=smtp_username SMTP_PASSWORD=smtp_password
    ;;
esac
# The ingress certificate (gateway-tls) comes from cert-manager or `kubectl create secret tls`.
