"""The gateway's settings, read from the environment once, when create_app builds its Config."""

import os
import secrets

from imatter_shared.config import BaseConfig, env, sqlite_url, var_path

# every rate limit (ratelimit.py explains each) and its default; "off" disables one
RATE_LIMIT_DEFAULTS = {
    "RATE_LIMIT_LOGIN": "10/minute",
    "RATE_LIMIT_LOGIN_IP": "30/minute",
    "RATE_LIMIT_LOGIN_EMAIL": "100/hour",
    "RATE_LIMIT_REGISTER": "100/minute",
    "RATE_LIMIT_VERIFY_RESEND": "5/hour",
    "RATE_LIMIT_PASSWORD_CHANGE": "5/15minutes",
    "RATE_LIMIT_RESET_IP": "20/hour",
    "RATE_LIMIT_RESET_EMAIL": "5/hour",
    "RATE_LIMIT_ACCOUNT_NOTICE": "3/hour",
}


class Config(BaseConfig):
    SERVICE_NAME = "gateway"
    PUBLIC_PORT = True

    def __init__(self):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = (
            env("GATEWAY_DATABASE_URL") or env("DATABASE_URL") or sqlite_url("gateway")
        )
        self.TRAINING_URL = env("TRAINING_URL", "http://127.0.0.1:8001")
        self.CIC_URL = env("CIC_URL", "http://127.0.0.1:8002")
        self.JWT_PRIVATE_KEY_FILE = env("JWT_PRIVATE_KEY_FILE") or var_path("keys", "jwt_private.pem")
        self.ACCESS_TOKEN_TTL = int(env("ACCESS_TOKEN_TTL", 1800))
        # absolute session lifetime: refresh refuses this many seconds after the password sign-in
        self.SESSION_MAX_AGE = int(env("SESSION_MAX_AGE", 12 * 3600))
        # X-Forwarded-For is believed only from these proxies (addresses/networks); none by default
        self.RATE_LIMIT_TRUSTED_PROXIES = env("RATE_LIMIT_TRUSTED_PROXIES", "")
        for name, default in RATE_LIMIT_DEFAULTS.items():
            setattr(self, name, env(name, default))
        self.UPSTREAM_CONNECT_TIMEOUT = float(env("UPSTREAM_CONNECT_TIMEOUT", 2.0))
        self.UPSTREAM_READ_TIMEOUT = float(env("UPSTREAM_READ_TIMEOUT", 30.0))
        # a keep-alive connection to a service idle longer than this is not reused: it must stay
        # below the services' gunicorn keepalive (2 s by default; upstream.FreshPool, decision 0071)
        self.UPSTREAM_IDLE_REUSE_SECONDS = float(env("UPSTREAM_IDLE_REUSE_SECONDS", 1.0))
        # the catalogue cache (response_cache.py): entries per worker, and the file whose change
        # tells every worker of this host that an edit went through
        self.CATALOGUE_CACHE_ENTRIES = int(env("CATALOGUE_CACHE_ENTRIES", 256))
        self.CATALOGUE_CACHE_GENERATION_FILE = env("CATALOGUE_CACHE_GENERATION_FILE") or var_path(
            "cache", "catalogue-generation"
        )
        # how long the merged OpenAPI document is kept (api/openapi.py)
        self.OPENAPI_CACHE_SECONDS = float(env("OPENAPI_CACHE_SECONDS", 300))
        # "1" only for plain-http hosts that are not loopback (portal/plumbing.py cookie_settings)
        self.PORTAL_INSECURE_COOKIES = env("PORTAL_INSECURE_COOKIES", "")
        # the seeded staff accounts' password (`flask seed`); without it one is generated and shown
        self.IMATTER_ADMIN_PASSWORD = env("IMATTER_ADMIN_PASSWORD")
        # argon2 parameters (passwords.py): "standard"; "fast-for-tests" only in the test suite
        self.PASSWORD_HASH_PROFILE = env("PASSWORD_HASH_PROFILE", "standard")
        self.IMATTER_TEST_SUITE = env("IMATTER_TEST_SUITE", "")  # "1" only under pytest (conftest.py)
        self.SECRET_KEY = env("GATEWAY_SECRET_KEY") or _file_secret(var_path("keys", "portal_secret"))


def _file_secret(path: str) -> str:
    """A per-installation random secret kept beside the keys (created once)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    with open(path) as fh:
        return fh.read().strip()
