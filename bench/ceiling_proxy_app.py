"""The hop's own ceiling: a bare Flask app that forwards every request to another app.

What one forwarding hop of this stack costs at best on this machine (issue 18, P1): the same
pieces as the gateway's forwarding path (Flask, a urllib3 PoolManager made per worker process
with the settings of services/gateway/gateway/upstream.py, the same per-request timeout, no
retries, no redirects), nothing else: no token check, no hooks, no metrics, no request log, no
problem+json. Started by bench.common.Ceiling under exactly the services' gunicorn flags, in front
of the read-by-id ceiling (bench/ceiling_orm_app.py); `bare proxy -> by-id ceiling` over `by-id
ceiling direct` is the share of a database read's throughput that a hop keeps when it does nothing
but forward, the most the gateway's 0.8 target can be measured against.

CEILING_UPSTREAM_URL names the app it forwards to (http://127.0.0.1:<port>).
"""

import os

import urllib3
from flask import Flask, Response, request

from imatter_shared.web.hop_by_hop import HOP_BY_HOP  # the gateway filters with the same set


def create_app() -> Flask:
    app = Flask(__name__)
    upstream = os.environ["CEILING_UPSTREAM_URL"].rstrip("/")
    pools: dict[int, urllib3.PoolManager] = {}

    def pool() -> urllib3.PoolManager:
        # one per worker process, made after gunicorn's fork (as the gateway's upstream.pool())
        pid = os.getpid()
        if pid not in pools:
            pools[pid] = urllib3.PoolManager(num_pools=4, maxsize=64, block=False, retries=False)
        return pools[pid]

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def forward(path):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        body = request.get_data() or None
        r = pool().request(
            request.method,
            upstream + request.full_path.rstrip("?"),
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=2.0, read=30.0),  # the gateway's default timeouts
            redirect=False,
            retries=False,
        )
        out = Response(r.data, status=r.status)
        for k, v in r.headers.items():
            if k.lower() not in HOP_BY_HOP:
                out.headers[k] = v
        return out

    return app
