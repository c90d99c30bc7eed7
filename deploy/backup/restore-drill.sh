#!/usr/bin/env bash
# The restore drill: a dump restored into a fresh scratch database, migrated to the code's head,
# and the service started on it (its /readyz must answer 200); then row counts are printed and
# the scratch database dropped (unless --keep).
#
#   deploy/backup/restore-drill.sh DUMP ADMIN_URL SERVICE [--keep]
#
# ADMIN_URL: a URL of the same server whose user may CREATE DATABASE (its database part is
# ignored); SERVICE: training | cic_tracker | gateway. Needs the project's virtualenv (make venv)
# or the service's image. Prints "drill database: <url>" and "restore drill passed" at the end.
set -euo pipefail

dump="${1:?usage: restore-drill.sh DUMP ADMIN_URL SERVICE [--keep]}"
admin="${2:?usage: restore-drill.sh DUMP ADMIN_URL SERVICE [--keep]}"
service="${3:?usage: restore-drill.sh DUMP ADMIN_URL SERVICE [--keep]}"
keep="${4:-}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
admin="${admin/postgresql+psycopg:/postgresql:}"
server="${admin%/*}"
drill="drill_${service}_$(date -u +%Y%m%d%H%M%S)_$$"

psql -v ON_ERROR_STOP=1 -q --dbname="$admin" -c "CREATE DATABASE \"$drill\""
cleanup() { [ "$keep" = "--keep" ] || psql -q --dbname="$admin" -c "DROP DATABASE IF EXISTS \"$drill\" WITH (FORCE)"; }
trap cleanup EXIT

started=$(date +%s)
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$server/$drill" "$dump"
url="${server/postgresql:/postgresql+psycopg:}/$drill"
echo "drill database: $url"
DRILL_URL="$url" DRILL_SERVICE="$service" "$python" - <<'PY'
import importlib, os, sys

import sqlalchemy as sa
from flask_migrate import upgrade

service, url = os.environ["DRILL_SERVICE"], os.environ["DRILL_URL"]
module = importlib.import_module(service)
app = module.create_app({"SQLALCHEMY_DATABASE_URI": url, "ACCESS_LOG": False})
with app.app_context():
    upgrade()  # the code's migrations apply on top of the restored schema
    ready = app.test_client().get("/readyz")
    print(f"{service} /readyz: {ready.status_code}")
    if ready.status_code != 200:
        sys.exit(1)
    db = module.extensions.db
    for table in sorted(db.metadata.tables):
        n = db.session.execute(sa.select(sa.func.count()).select_from(db.metadata.tables[table])).scalar()
        print(f"  {table}: {n}")
PY
echo "restore drill passed in $(( $(date +%s) - started )) s"
