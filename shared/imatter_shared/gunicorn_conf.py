"""gunicorn settings shared by the three services: `gunicorn -c python:imatter_shared.gunicorn_conf ...`.

With `--preload` the master imports the service and builds the app once, and every worker is a
fork of it: the imported code and the app's tables are shared copy-on-write pages instead of one
copy per worker (docs/decisions/0038-one-worker-process-preloaded.md). What must not cross a fork
is anything holding a socket or a file: the database engines' pooled connections. The app factory
opens none (an engine connects on first use), and `post_fork` drops any pool the master may hold
anyway, so each worker opens its own connections. The gateway's urllib3 pool is made per process
(gateway/upstream.py checks the pid); broker connections live only in `flask worker` processes.

`pre_fork` freezes the master's objects (gc.freeze) so the workers' garbage collections leave the
shared pages alone. Without `--preload` both hooks do nothing: each worker builds its own app.
"""

from __future__ import annotations

import gc


def pre_fork(server, worker) -> None:
    # Objects made by the preload are moved out of the collector's reach: a collection in a worker
    # would otherwise write to (and so copy) every shared page holding one of them.
    if getattr(server.app, "callable", None) is not None:
        gc.freeze()


def post_fork(server, worker) -> None:
    app = getattr(server.app, "callable", None)  # set in the master only when preloaded
    if app is None:
        return
    ext = app.extensions.get("sqlalchemy")
    if ext is None:
        return
    with app.app_context():
        for engine in ext.engines.values():
            # close=False: the connections belong to the master; the child only forgets them
            engine.dispose(close=False)
