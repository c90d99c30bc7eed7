"""Rate limits on sign-in and sign-up: 429 problem+json with Retry-After, counted in the
gateway's database so every worker and process shares them."""

import pytest

from gateway import ratelimit

PASSWORD = "Correct-horse-battery-9"


def register(client, email, ip="198.51.100.1"):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Ada"},
        headers={"X-Forwarded-For": ip},
    )


def login(client, email, password=PASSWORD, ip="198.51.100.1"):
    return client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={"X-Forwarded-For": ip}
    )


class Clock:
    """The limiter's clock, frozen at the start of a minute so no test straddles a window."""

    def __init__(self):
        self.now = 1_900_000_020.0  # a multiple of 60

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(ratelimit, "time", c)
    return c


@pytest.fixture
def limits(app, monkeypatch, clock):
    def set_(**kw):
        for k, v in kw.items():
            monkeypatch.setitem(app.config, k, v)

    # the test client's peer is 127.0.0.1: named as the proxy, so X-Forwarded-For stands for the client
    set_(
        RATE_LIMIT_LOGIN="3/minute",
        RATE_LIMIT_LOGIN_IP="100/minute",
        RATE_LIMIT_REGISTER="100/minute",
        RATE_LIMIT_TRUSTED_PROXIES="127.0.0.1",
    )
    return set_


def assert_429(r):
    assert r.status_code == 429
    assert r.headers["Content-Type"] == "application/problem+json"
    assert int(r.headers["Retry-After"]) >= 1
    body = r.get_json()
    assert body["status"] == 429 and "try again" in body["detail"]


def test_failed_sign_ins_per_email_are_limited_even_for_the_right_password(client, limits):
    assert register(client, "ada@example.org").status_code == 201
    for _ in range(3):
        assert login(client, "ada@example.org", "Wrong-password-123").status_code == 401
    assert_429(login(client, "ada@example.org", "Wrong-password-123"))
    assert_429(login(client, "ADA@example.org"))  # the right password gains the guessing client nothing now
    # but another client (the owner) is not locked out by someone else's failures (M7)
    assert login(client, "ada@example.org", ip="203.0.113.9").status_code == 200
    assert register(client, "bea@example.org").status_code == 201
    assert login(client, "bea@example.org").status_code == 200  # other accounts are unaffected


def test_successful_sign_ins_are_not_counted(client, limits):
    register(client, "ada@example.org")
    for _ in range(6):
        assert login(client, "ada@example.org").status_code == 200


def test_failed_sign_ins_per_address_are_limited_across_emails(client, limits):
    limits(RATE_LIMIT_LOGIN_IP="4/minute")
    for i in range(4):
        assert login(client, f"nobody{i}@example.org", ip="203.0.113.5").status_code == 401
    assert_429(login(client, "someone-else@example.org", ip="203.0.113.5"))
    assert login(client, "someone-else@example.org", ip="203.0.113.6").status_code == 401


def test_sign_ups_per_address_are_limited(client, limits):
    limits(RATE_LIMIT_REGISTER="2/minute")
    assert register(client, "a1@example.org").status_code == 201
    assert register(client, "a2@example.org").status_code == 201
    assert_429(register(client, "a3@example.org"))
    assert register(client, "a3@example.org", ip="198.51.100.77").status_code == 201


def test_the_count_is_shared_by_another_process_on_the_same_database(app, client, limits, tmp_path):
    from gateway import create_app

    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JWT_PRIVATE_KEY_FILE": app.config["JWT_PRIVATE_KEY_FILE"],
            "JWT_PUBLIC_KEY_FILE": app.config["JWT_PUBLIC_KEY_FILE"],
            "ACCESS_LOG": False,
            "RATE_LIMIT_LOGIN": "3/minute",
            "RATE_LIMIT_LOGIN_IP": "100/minute",
            "RATE_LIMIT_TRUSTED_PROXIES": "127.0.0.1",
        }
    )
    other_client = other.test_client()
    try:
        for c in (client, other_client, client):
            assert login(c, "ada@example.org", "Wrong-password-123").status_code == 401
        assert_429(login(other_client, "ada@example.org", "Wrong-password-123"))
    finally:
        from gateway.extensions import db

        with other.app_context():
            db.engine.dispose()


def test_the_window_slides_so_a_burst_across_a_boundary_is_caught(client, limits, clock):
    clock.now += 50
    for _ in range(3):
        assert login(client, "ada@example.org", "Wrong-password-123").status_code == 401
    assert_429(login(client, "ada@example.org", "Wrong-password-123"))
    clock.now += 11  # a new fixed window; the previous one's failures still weigh ~2.95
    assert login(client, "ada@example.org", "Wrong-password-123").status_code == 401
    assert_429(login(client, "ada@example.org", "Wrong-password-123"))  # a fixed window would allow 2 more
    clock.now += 59  # only one failure left in the last minute
    assert login(client, "ada@example.org", "Wrong-password-123").status_code == 401


def test_a_limit_can_be_switched_off(client, limits):
    limits(RATE_LIMIT_REGISTER="off")
    for i in range(4):
        assert register(client, f"b{i}@example.org").status_code == 201


def test_forwarded_for_is_only_believed_from_a_trusted_proxy(client, limits):
    limits(RATE_LIMIT_REGISTER="1/minute", RATE_LIMIT_TRUSTED_PROXIES="10.9.9.9")
    assert register(client, "c1@example.org", ip="198.51.100.1").status_code == 201
    # the peer (127.0.0.1) is not trusted now, so a forged header does not reset the count
    assert_429(register(client, "c2@example.org", ip="198.51.100.2"))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("10/minute", (10, 60)),
        ("5/10minutes", (5, 600)),
        ("3/second", (3, 1)),
        ("100/hours", (100, 3600)),
        ("off", None),
    ],
)
def test_limit_syntax(text, expected):
    assert ratelimit.parse_limit(text) == expected


def test_a_bad_limit_is_refused():
    with pytest.raises(ValueError):
        ratelimit.parse_limit("ten a minute")
