"""Configuration shared by services: environment with local defaults."""
from __future__ import annotations

import os

REPO_VAR = os.environ.get("IMATTER_VAR_DIR", os.path.join(os.getcwd(), "var"))


def var_path(*parts: str) -> str:
    path = os.path.join(REPO_VAR, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def sqlite_url(name: str) -> str:
    return "sqlite:///" + var_path(f"{name}.db")


def env(name: str, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


EVENT_TUNING_KEYS = ("EVENTS_PREFETCH", "EVENTS_MAX_DELIVERIES", "EVENTS_RETRY_BASE_SECONDS",
                     "EVENTS_RETRY_MAX_SECONDS", "EVENTS_RECONNECT_MAX_SECONDS", "EVENTS_RELAY_BATCH_SIZE",
                     "EVENTS_RELAY_POLL_SECONDS", "EVENTS_EMBEDDED_LEASE_SECONDS", "EVENTS_EMBEDDED_POLL_SECONDS",
                     "EVENTS_HEARTBEAT_SECONDS")


class BaseConfig:
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = int(env("MAX_CONTENT_LENGTH", 256 * 1024))
    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    AMQP_URL = env("AMQP_URL")
    EVENTS_EXCHANGE = env("EVENTS_EXCHANGE", "imatter.events")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    def __init__(self):
        self.EVENTS_EMBEDDED_PATH = env("EVENTS_EMBEDDED_PATH") or var_path("events.db")
        self.JWT_PUBLIC_KEY_FILE = env("JWT_PUBLIC_KEY_FILE") or var_path("keys", "jwt_public.pem")
        self.JWT_PUBLIC_KEY = env("JWT_PUBLIC_KEY")
        # The event plumbing's tuning keys (imatter_shared.messaging.runtime documents them) come
        # from the environment too; without this, EVENTS_RELAY_POLL_SECONDS and friends could only
        # be set in code (bench/events.py found the relay's 0.5 s idle poll could not be changed).
        for key in EVENT_TUNING_KEYS:
            if env(key) is not None:
                setattr(self, key, env(key))

    def as_dict(self) -> dict:
        out = {}
        for klass in reversed(type(self).__mro__):
            out.update({k: v for k, v in vars(klass).items() if k.isupper()})
        out.update({k: v for k, v in vars(self).items() if k.isupper()})
        return out
