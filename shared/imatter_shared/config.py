"""Configuration shared by services: environment with local defaults.

Nothing here reads the environment when it is imported: a service's `Config()` reads it once,
in `create_app` (imatter_shared.service), and the app's config is the only place code looks.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_MAX_CONTENT_LENGTH = 256 * 1024  # a request body larger than this is refused (413)


def var_dir() -> str:
    """The directory of local state (IMATTER_VAR_DIR, else ./var)."""
    return os.environ.get("IMATTER_VAR_DIR", os.path.join(os.getcwd(), "var"))


def var_path(*parts: str) -> str:
    """A path under the var directory; the directories on the way are made private (0700):
    they hold the SQLite databases, the embedded event store, keys and mail (security review L12)."""
    root = var_dir()
    path = os.path.join(root, *parts)
    private_dirs(os.path.dirname(path), root)
    return path


def private_dirs(path: str, root: str | None = None) -> None:
    """Make `path` (and its missing parents) with mode 0700. Directories from `root` down to
    `path` that already exist are tightened to 0700 too when this process owns them."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    if root is None:
        return
    root = os.path.abspath(root)
    current = os.path.abspath(path)
    while True:
        _tighten(current, 0o700)
        if current == root or os.path.dirname(current) == current or not current.startswith(root):
            break
        current = os.path.dirname(current)


def private_file(path: str) -> None:
    """Create `path` empty with mode 0600 if it does not exist, else tighten it to 0600 (when this
    process owns it): SQLite database files and the embedded event store (security review L12).
    SQLite gives its -wal and -shm files the database file's permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        _tighten(path, 0o600)


def _tighten(path: str, mode: int) -> None:
    try:
        st = os.stat(path)
        if st.st_uid == os.getuid() and (st.st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except OSError:  # not ours, gone, or a read-only mount: leave it as it is
        pass


def sqlite_file_of(url: str) -> str | None:
    """The file behind a sqlite:/// URL (None for memory databases and other engines)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def secure_sqlite_file(url: str) -> None:
    """Before the first connection: the database file exists 0600 in a directory we made 0700."""
    path = sqlite_file_of(url)
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        private_dirs(directory)
    private_file(path)


def sqlite_url(name: str) -> str:
    return "sqlite:///" + var_path(f"{name}.db")


def env(name: str, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


# The event plumbing's tuning keys; their defaults and meaning are imatter_shared.messaging.runtime's.
EVENT_TUNING_KEYS = (
    "EVENTS_PREFETCH",
    "EVENTS_CONSUMER_BATCH_SIZE",
    "EVENTS_MAX_DELIVERIES",
    "EVENTS_RETRY_BASE_SECONDS",
    "EVENTS_RETRY_MAX_SECONDS",
    "EVENTS_RECONNECT_MAX_SECONDS",
    "EVENTS_RELAY_BATCH_SIZE",
    "EVENTS_RELAY_POLL_SECONDS",
    "EVENTS_EMBEDDED_LEASE_SECONDS",
    "EVENTS_EMBEDDED_POLL_SECONDS",
    "EVENTS_HEARTBEAT_SECONDS",
    "EVENTS_QUEUE_SETTINGS",
)


# Email (imatter_shared.notifications): each key from the environment when set, else this.
NOTIFICATION_DEFAULTS: dict[str, Any] = {
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 1025,
    "SMTP_TLS": "none",
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 15,
    "MAIL_FROM": "I Matter <no-reply@imatter.local>",
    "PORTAL_URL": "http://127.0.0.1:8000",
    "NOTIFY_RETRY_BASE_SECONDS": 30.0,  # first retry after this, doubling each time ...
    "NOTIFY_RETRY_MAX_SECONDS": 3600.0,  # ... up to this
    "NOTIFY_MAX_ATTEMPTS": 40,  # ~1.5 days of retries, then `failed` (still recorded)
    "NOTIFY_POLL_SECONDS": 2.0,
    "NOTIFY_BATCH_SIZE": 100,
}


def env_flag(name: str, default: bool) -> bool:
    value = env(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


class BaseConfig:
    """Constants as class attributes; everything from the environment in `__init__`."""

    JSON_SORT_KEYS = False
    # the gateway's port is the public one: its /metrics answers only METRICS_TOKEN's bearer unless
    # METRICS_OPEN=1 (make run's Procfile sets it) opens it on purpose (decision 0044)
    PUBLIC_PORT = False
    # hide_parameters: a database error's text never carries the statement's bound values (request
    # data: names, case text, password hashes) into an exception message or a log (security review M6)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    def __init__(self):
        self.MAX_CONTENT_LENGTH = int(env("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH))
        self.LOG_LEVEL = env("LOG_LEVEL", "INFO")
        self.AMQP_URL = env("AMQP_URL")
        self.EVENTS_EXCHANGE = env("EVENTS_EXCHANGE", "imatter.events")
        self.EVENTS_EMBEDDED_PATH = env("EVENTS_EMBEDDED_PATH") or var_path("events.db")
        self.JWT_PUBLIC_KEY_FILE = env("JWT_PUBLIC_KEY_FILE") or var_path("keys", "jwt_public.pem")
        self.JWT_PUBLIC_KEY = env("JWT_PUBLIC_KEY")
        # /metrics (imatter_shared.web.metrics): a bearer token Prometheus presents, or open
        self.METRICS_TOKEN = env("METRICS_TOKEN")
        self.METRICS_OPEN = env_flag("METRICS_OPEN", not self.PUBLIC_PORT)
        self.METRICS_BROKER_SECONDS = float(env("METRICS_BROKER_SECONDS", 15))
        # The event plumbing's tuning keys (imatter_shared.messaging.runtime documents them) come
        # from the environment too; without this, EVENTS_RELAY_POLL_SECONDS and friends could only
        # be set in code (bench/events.py found the relay's 0.5 s idle poll could not be changed).
        for key in EVENT_TUNING_KEYS + tuple(NOTIFICATION_DEFAULTS):
            if env(key) is not None:
                setattr(self, key, env(key))

    def as_dict(self) -> dict:
        out = {}
        for klass in reversed(type(self).__mro__):
            out.update({k: v for k, v in vars(klass).items() if k.isupper()})
        out.update({k: v for k, v in vars(self).items() if k.isupper()})
        return out
