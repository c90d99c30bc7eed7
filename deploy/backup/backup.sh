#!/usr/bin/env bash
# A logical backup of ONE service's PostgreSQL database (each organisation backs up its own:
# training's and the gateway's at I Matter Training, cic-tracker's at the CIC; never the other's).
#
#   deploy/backup/backup.sh DATABASE_URL BACKUP_DIR [KEEP_DAYS]
#
# DATABASE_URL: the service's own URL (postgresql://user@host:5432/db; a SQLAlchemy
# postgresql+psycopg:// URL is accepted). Writes BACKUP_DIR/<db>-<UTC time>.dump (pg_dump custom
# format, compressed), checks it can be read back (pg_restore --list), removes that database's
# dumps older than KEEP_DAYS (default 30) and prints the new file's path. The dump of cic-tracker
# holds case data: keep it encrypted at rest and off the host, as the live database.
# Not in any dump: training's credential signing key (deploy/training/secrets/credentials_issuer.pem,
# the credentials-signing Secret on Kubernetes): back it up beside training's dumps, encrypted; a
# restore without it leaves every credential issued before unverifiable (docs/deploying.md, section 7).
set -euo pipefail

url="${1:?usage: backup.sh DATABASE_URL BACKUP_DIR [KEEP_DAYS]}"
dir="${2:?usage: backup.sh DATABASE_URL BACKUP_DIR [KEEP_DAYS]}"
keep="${3:-30}"
url="${url/postgresql+psycopg:/postgresql:}"
db="${url##*/}"
db="${db%%\?*}"
mkdir -p "$dir"
chmod 700 "$dir"
out="$dir/$db-$(date -u +%Y%m%dT%H%M%SZ).dump"
umask 077
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$out.partial"
pg_restore --list "$out.partial" >/dev/null  # a dump that cannot be read back is not a backup
mv "$out.partial" "$out"
find "$dir" -maxdepth 1 -name "$db-*.dump" -mtime "+$keep" -delete
echo "$out"
