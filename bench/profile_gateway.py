"""What the gateway hop costs in CPU per forwarded read, in one process (issue 18, P1).

The organisation read (`GET /api/v1/organisations/{id}`, an organisation like bench.profile_reads':
Starter, CPD, Enhanced, a member with a seat, read by its admin) and the directory read (the two
paths of bench.read_path), each called N times:

- direct: training's WSGI app called in this thread with a hop token, as the gateway forwards it;
- bare proxy: bench/ceiling_proxy_app.py (Flask and the same urllib3 pool, nothing else) in front
  of the same server, with the hop token: the hop's own ceiling;
- through the gateway: the gateway's WSGI app called in this thread with a client token issued by
  the gateway (checked in full: signature, then its database), forwarding over its urllib3 pool to
  the same training app served by a werkzeug server on a loopback thread of this process
  (HTTP/1.1 keep-alive), so the upstream answer is a real one.

Both apps are called as gunicorn calls them (a WSGI environ, the body iterated), not through
Flask's test client, whose own work would be counted on both sides. Access logs are on (written
to /dev/null), as in the benchmark. The gateway's CPU is `time.thread_time()` of this thread:
training's work on the server thread is not in it; cProfile too sees this thread only. Rounds
alternate the sides so that a change in the machine's load touches both; the least disturbed
round of each is reported (a busy machine can only slow a round).

    ratio estimate = direct CPU / (direct CPU + gateway CPU)

the share of direct throughput left through the gateway when both services share the cores and
are CPU-bound, as under bench.read_path (it leaves out gunicorn's HTTP parsing of the extra hop
and the load generator's share, which both pull the measured ratio towards 1 a little).

    python -m bench.profile_gateway [-n 300] [--rounds 5] [--top 30] [--sort cumulative|tottime]
    python -m bench.profile_gateway --top 0        CPU, calls per request and the ratio only
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from werkzeug.test import EnvironBuilder

from .common import REPO  # noqa: F401  (puts tests/ on sys.path for support.testing)
from .fixtures import read_paths
from .profile_reads import _rich_org
from .profile_writes import _app


class _Upstream(BaseHTTPRequestHandler):
    """A minimal HTTP/1.1 keep-alive WSGI server for GETs (werkzeug's development server closes
    every connection and waits 10 ms draining each; gunicorn keeps them open): training answers
    the gateway's pool here, on a thread of its own."""

    protocol_version = "HTTP/1.1"
    app = None

    def do_GET(self):  # noqa: N802  (http.server's name)
        path, _, query = self.path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for k, v in self.headers.items():
            environ["HTTP_" + k.upper().replace("-", "_")] = v
        out = {}

        def start_response(status, headers, _exc=None):
            out["status"], out["headers"] = status, headers

        body = b"".join(self.app(environ, start_response))
        code, _, reason = out["status"].partition(" ")
        self.send_response_only(int(code), reason)
        for k, v in out["headers"]:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):  # the app writes its own access line
        pass


def _gateway(tmp: str, keys, training_url: str):
    from gateway import create_app
    from gateway.extensions import db

    private, public = os.path.join(tmp, "jwt_private.pem"), os.path.join(tmp, "jwt_public.pem")
    for path, pem in ((private, keys.private), (public, keys.public)):
        with open(path, "w") as f:
            f.write(pem)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(tmp, "gateway.db"),
            "JWT_PRIVATE_KEY_FILE": private,
            "JWT_PUBLIC_KEY_FILE": public,
            "TRAINING_URL": training_url,
            "CIC_URL": training_url,
        }
    )
    with app.app_context():
        db.create_all()
    return app, db


def _client_token(app, db, user_id: str, email: str) -> str:
    """A client token for the organisation's admin, as the gateway issues it at sign-in."""
    from gateway import tokens
    from gateway.models import User

    with app.app_context():
        user = User(
            id=user_id, email=email, name="Fictional Profile Admin", password_hash="-", roles_json="[]"
        )
        user.roles = ["learner"]
        user.email_verified = True
        db.session.add(user)
        db.session.commit()
        token, _ttl = tokens.issue(user)
        db.session.remove()
    return token


def _caller(app, path: str, token: str):
    """A function that calls `app` as gunicorn would, once, and checks the answer is 200."""
    environ = EnvironBuilder(
        path=path,
        base_url="http://127.0.0.1:8000",
        headers={"Authorization": "Bearer " + token, "Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()
    status = []

    def start_response(s, _headers, _exc=None):
        status.append(s)

    def call(_i=0):
        status.clear()
        body = app(dict(environ), start_response)
        try:
            for _chunk in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"GET {path} -> {status[0]}")

    return call


def _cpu(n: int, calls) -> float:
    """This thread's CPU ms per call over n calls (each call takes the next path in turn)."""
    c0 = time.thread_time()
    for i in range(n):
        calls[i % len(calls)](i)
    return 1000 * (time.thread_time() - c0) / n


def _calls_per_request(n: int, calls, sort: str, top: int, label: str, callees: str = "") -> None:
    prof = cProfile.Profile(time.thread_time)  # CPU of this thread, not the wait for training
    prof.enable()
    for i in range(n):
        calls[i % len(calls)](i)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    print(f"{label}: {stats.total_calls / n:,.0f} function calls per request")
    if top:
        stats.sort_stats(sort).print_stats(top)
    if callees:
        stats.print_callees(callees)
        stats.print_callers(callees)
    if top or callees:
        print(out.getvalue())


def main() -> None:
    from support.testing import KeyPair

    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=300, help="calls per side per round")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (the fastest is reported)")
    ap.add_argument("--top", type=int, default=30, help="cProfile lines of each read through the gateway")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--reads", default="organisation,directory")
    ap.add_argument("--callees", default="", help="also print what functions matching this call")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="imatter-profile-gateway-")
    keys = KeyPair()
    training, tdb = _app(
        "sqlite:///" + os.path.join(tmp, "training.db"), keys, os.path.join(tmp, "events.db")
    )
    org, h = _rich_org(training, tdb, training.test_client(), keys)
    training.config["ACCESS_LOG"] = True  # as served: one access line per request
    _Upstream.app = training
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    gateway, gdb = _gateway(tmp, keys, f"http://127.0.0.1:{server.server_port}")
    os.environ["CEILING_UPSTREAM_URL"] = f"http://127.0.0.1:{server.server_port}"
    from . import ceiling_proxy_app

    proxy = ceiling_proxy_app.create_app()  # the hop's own ceiling, as bench.read_path runs it
    # the access lines go where gunicorn's stderr would, minus the terminal
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))

    import jwt

    admin = jwt.decode(h["Authorization"].split()[1], options={"verify_signature": False})
    client = _client_token(gateway, gdb, admin["sub"], admin["email"])
    hop = h["Authorization"].split()[1]
    paths = read_paths(org)
    print(f"gateway hop, CPU per forwarded read (this thread only); load average {os.getloadavg()[0]:.2f}")
    for read in args.reads.split(","):
        direct = [_caller(training, p, hop) for p in paths[read]]
        via = [_caller(gateway, p, client) for p in paths[read]]
        bare = [_caller(proxy, p, hop) for p in paths[read]]
        for _ in range(30):  # warm: first-request imports, statement caches, pools, token caches
            for c in direct + via + bare:
                c()
        d_ms, g_ms, b_ms = [], [], []
        for _ in range(args.rounds):
            d_ms.append(_cpu(args.n, direct))
            g_ms.append(_cpu(args.n, via))
            b_ms.append(_cpu(args.n, bare))
        d, g, b = min(d_ms), min(g_ms), min(b_ms)
        print(f"=== {read} ({', '.join(paths[read])})")
        print(
            f"direct (training)    {d:6.3f} ms CPU per request (rounds: {', '.join(f'{x:.3f}' for x in d_ms)})"
        )
        print(
            f"gateway hop          {g:6.3f} ms CPU per request (rounds: {', '.join(f'{x:.3f}' for x in g_ms)})"
        )
        print(
            f"bare proxy           {b:6.3f} ms CPU per request (rounds: {', '.join(f'{x:.3f}' for x in b_ms)})"
        )
        print(f"ratio estimate, direct / (direct + gateway): {d / (d + g):.2f}   (P1 target >= 0.8)")
        print(f"ratio estimate, direct / (direct + bare proxy): {d / (d + b):.2f}   (the hop's own ceiling)")
        _calls_per_request(args.n, direct, args.sort, 0, "direct (training)")
        _calls_per_request(args.n, bare, args.sort, 0, "bare proxy")
        _calls_per_request(args.n, via, args.sort, args.top, "gateway hop", args.callees)
    print(f"{args.n} calls x {args.rounds} rounds per side; load average {os.getloadavg()[0]:.2f}")
    server.shutdown()
    for app, db in ((gateway, gdb), (training, tdb)):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
