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

Metrics (decision 0044): every worker counts its own requests, and a scrape reaches one worker;
prometheus_client's multiprocess mode adds them up from files, one per worker, in
PROMETHEUS_MULTIPROC_DIR. The variable must be set before prometheus_client is imported (it picks
its storage then), so it is set here, when gunicorn reads this file and before it imports the app:
`$IMATTER_VAR_DIR/prometheus/gunicorn-<master pid>` unless the operator set one, emptied at start
(counts of an earlier run must not add up with these) and removed when the master exits.
`child_exit` tells the library a worker is gone.

Logs (decision 0045): gunicorn's own lines (boot, worker starts and deaths) in the JSON format of
every other line (imatter_shared.jsonlog); its access log stays off, the app writes one line per
request.
"""

from __future__ import annotations

import gc
import glob
import os
import re
import shutil
import sys

from imatter_shared.config import private_dirs, var_dir
from imatter_shared.jsonlog import gunicorn_logconfig, set_process_service

_SERVICES = {"training": "training", "cic_tracker": "cic-tracker", "gateway": "gateway"}


def _service_of_argv(argv: list[str]) -> str | None:
    """The service this gunicorn serves, from its app argument (`training:create_app()`)."""
    for arg in reversed(argv):
        m = re.match(r"^([a-z_]+):", arg)
        if m and m.group(1) in _SERVICES:
            return _SERVICES[m.group(1)]
    return None


def metrics_dir(environ=os.environ) -> str:
    """Set PROMETHEUS_MULTIPROC_DIR (unless set) to a directory of this master's, empty."""
    path = environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        parent = os.path.join(var_dir(), "prometheus")
        path = os.path.join(parent, f"gunicorn-{os.getpid()}")
        for other in glob.glob(os.path.join(parent, "gunicorn-*")):  # left by a master that was killed
            if other != path and not _alive(other.rsplit("-", 1)[1]):
                shutil.rmtree(other, ignore_errors=True)
    private_dirs(path)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)
    environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process
        return True
    return True


_MADE_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
METRICS_DIR = metrics_dir()
SERVICE = _service_of_argv(sys.argv)
set_process_service(SERVICE)
logconfig_dict = gunicorn_logconfig(SERVICE)


def child_exit(server, worker) -> None:
    # imported here, after METRICS_DIR is set above: prometheus_client picks its storage on import
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _MADE_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


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
