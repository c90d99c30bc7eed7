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

    def as_dict(self) -> dict:
        out = {}
        for klass in reversed(type(self).__mro__):
            out.update({k: v for k, v in vars(klass).items() if k.isupper()})
        out.update({k: v for k, v in vars(self).items() if k.isupper()})
        return out
