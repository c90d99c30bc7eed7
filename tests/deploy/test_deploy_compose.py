"""Deployment files stay consistent with the code: compose files, Dockerfiles, per-service pins.

1. Every compose file is valid: Debian's docker-compose 1.29 (`config -q`, no engine needed) when
   installed, and always a structural check here (depends_on targets, each container's
   configuration, one database per service, nothing of the CIC's reachable from training; each
   service's mailer alone holds the SMTP login and reaches out on a network of its own).
2. Each Dockerfile copies shared/ and its own service only.
(The lock files and what each pyproject.toml declares: test_deploy_supply_chain.py.)
"""

from __future__ import annotations

import email.utils
import glob
import os
import re
import shutil
import subprocess
from urllib.parse import unquote, urlsplit

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (requirements-dev.in) is needed for the compose checks")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = {  # service directory -> (python package, name of its database URL variable)
    "training": ("training", "TRAINING_DATABASE_URL"),
    "cic-tracker": ("cic_tracker", "CIC_DATABASE_URL"),
    "gateway": ("gateway", "GATEWAY_DATABASE_URL"),
}
ORG_OF = {"training": "training", "cic-tracker": "cic", "gateway": "gateway"}
REQUIRED_COMPOSE = [
    "docker-compose.yml",
    "deploy/training/docker-compose.yml",
    "deploy/cic/docker-compose.yml",
]
COMPOSE_FILES = sorted(
    {os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "docker-compose*.yml"))}
    | {
        os.path.relpath(p, REPO)
        for p in glob.glob(os.path.join(REPO, "deploy", "**", "docker-compose*.yml"), recursive=True)
    }
)
DOCKERFILES = {svc: os.path.join("services", svc, "Dockerfile") for svc in SERVICES}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
ROLES = ("web", "relay", "consume", "mailer", "schedule")  # deploy/docker/entrypoint.py's long-running roles
SMTP_TLS_MODES = ("starttls", "ssl", "none")  # imatter_shared.notifications.smtp
SMTP_CREDENTIALS = ("SMTP_USERNAME", "SMTP_PASSWORD")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


# -- reading compose files the way docker-compose does (enough of it) ------------------------

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env: dict):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3) or ""
        have = env.get(name)
        if op and op.endswith("?") and not have:
            raise AssertionError(f"${{{name}}} is required: the file cannot be read without it")
        if op == ":-":
            return have if have else default
        if op == "-":
            return have if have is not None else default
        return have or ""

    return _VAR.sub(sub, value)


def load(path: str, env: dict | None = None) -> dict:
    with open(os.path.join(REPO, path), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)  # resolves anchors and `<<` merges like docker-compose
    return interpolate(data, env or {})


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def depends_on(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def app_of(service: dict) -> str | None:
    """Which of our services a container runs: by the Dockerfile it is built from, else its image."""
    build = service.get("build")
    if isinstance(build, dict) and build.get("dockerfile"):
        match = re.search(r"services/([^/]+)/Dockerfile$", build["dockerfile"])
        if match:
            return match.group(1)
    image = str(service.get("image", ""))
    match = re.search(r"/(training|cic-tracker|gateway):", image)
    return match.group(1) if match else None


def role_of(service: dict) -> str:
    command = service.get("command") or ["web"]
    if isinstance(command, str):
        command = command.split()
    return command[0]


def is_postgres(service: dict) -> bool:
    return str(service.get("image", "")).startswith("postgres:")


def has_var(env: dict, *names: str) -> bool:
    return any(env.get(n) or env.get(f"{n}_FILE") for n in names)


def named_volumes(service: dict) -> set[str]:
    out = set()
    for vol in service.get("volumes") or []:
        source = vol.get("source", "") if isinstance(vol, dict) else str(vol).split(":")[0]
        if source and not source.startswith((".", "/", "$", "~")):
            out.add(source)
    return out


def writable_volumes(service: dict) -> set[str]:
    out = set()
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            if not vol.get("read_only"):
                out.add(vol.get("source", ""))
        elif not str(vol).endswith(":ro"):
            out.add(str(vol).split(":")[0])
    return out & named_volumes(service)


def mounts(service: dict) -> list[tuple[str, str]]:
    out = []
    for vol in service.get("volumes") or []:
        if isinstance(vol, dict):
            out.append((vol.get("source", ""), vol.get("target", "")))
        else:
            parts = str(vol).split(":")
            out.append((parts[0], parts[1] if len(parts) > 1 else parts[0]))
    return out


def networks(service: dict) -> set[str]:
    nets = service.get("networks")
    if nets is None:
        return {"default"} if service.get("network_mode") is None else set()
    return set(nets)


def secrets_of(service: dict) -> set[str]:
    return {s if isinstance(s, str) else s["source"] for s in service.get("secrets") or []}


def secret_path_ok(service: dict, path: str) -> bool:
    """A file path handed to a container must exist in it: a secret or a mounted volume."""
    if path.startswith("/run/secrets/"):
        return path[len("/run/secrets/") :].split("/")[0] in secrets_of(service)
    return any(target and path.startswith(target.rstrip("/") + "/") for _, target in mounts(service))


def database_url(env: dict, var: str) -> str:
    return env.get(var) or env.get("DATABASE_URL") or ""


@pytest.fixture(params=COMPOSE_FILES)
def compose(request):
    return request.param, load(request.param)


# -- 1. validity -------------------------------------------------------------------------------


def test_the_expected_compose_files_exist():
    for path in REQUIRED_COMPOSE:
        assert path in COMPOSE_FILES, f"{path} is missing"


@pytest.mark.parametrize("path", COMPOSE_FILES)
def test_docker_compose_1_29_accepts_the_file(path, tmp_path):
    binary = shutil.which("docker-compose")
    if binary is None:
        msg = "docker-compose is not installed (apt-get install docker-compose); the structural checks still ran"
        if services_required():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    # A clean environment: the defaults in the file must be enough to read it.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    env["DOCKER_HOST"] = f"unix://{tmp_path}/no-engine.sock"  # proves no engine is needed
    result = subprocess.run(
        [binary, "-f", os.path.join(REPO, path), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"docker-compose rejects {path}:\n{result.stderr}"
    if "--profile" in open(os.path.join(REPO, path), encoding="utf-8").read():
        profiled = subprocess.run(
            [binary, "-f", os.path.join(REPO, path), "--profile", "gateway", "config", "-q"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert profiled.returncode == 0, profiled.stderr


def test_only_keys_docker_compose_1_29_reads(compose):
    path, data = compose
    assert str(data.get("version", "")).startswith("3."), f"{path}: use compose file format 3.x"
    top = {k for k in data if not k.startswith("x-")}
    assert top <= {"version", "services", "networks", "volumes", "secrets", "configs"}, (
        f"{path}: docker-compose 1.29 rejects top-level {sorted(top - {'version', 'services', 'networks', 'volumes', 'secrets', 'configs'})}"
    )
    for name, service in data["services"].items():
        assert "develop" not in service, f"{path}:{name}: `develop:` needs compose v2"
        for dep, spec in depends_on(service).items():
            assert "required" not in spec, f"{path}:{name}: depends_on.{dep}.required needs compose v2"


def test_depends_on_names_existing_services_that_can_satisfy_it(compose):
    path, data = compose
    services = data["services"]
    for name, service in services.items():
        for dep, spec in depends_on(service).items():
            assert dep in services, f"{path}:{name} depends on unknown service {dep!r}"
            condition = spec.get("condition", "service_started")
            assert condition in CONDITIONS, f"{path}:{name}: unknown condition {condition!r}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{path}:{name} waits for {dep} healthy, it has no healthcheck"
                )
            if not service.get("profiles"):
                assert not services[dep].get("profiles"), (
                    f"{path}:{name} depends on {dep}, which only runs in a profile"
                )

    def visit(name, stack):
        assert name not in stack, f"{path}: dependency cycle {' -> '.join([*stack, name])}"
        for dep in depends_on(services[name]):
            visit(dep, [*stack, name])

    for name in services:
        visit(name, [])


def test_networks_volumes_and_secrets_are_declared(compose):
    path, data = compose
    declared_nets = set(data.get("networks") or {}) | {"default"}
    declared_vols = set(data.get("volumes") or {})
    declared_secrets = data.get("secrets") or {}
    for name, service in data["services"].items():
        assert networks(service) <= declared_nets, (
            f"{path}:{name}: undeclared network(s) {networks(service) - declared_nets}"
        )
        assert named_volumes(service) <= declared_vols, f"{path}:{name}: undeclared volume(s)"
        assert secrets_of(service) <= set(declared_secrets), f"{path}:{name}: undeclared secret(s)"
    for name, spec in declared_secrets.items():
        # secret files are made by deploy/make-secrets.sh into a git-ignored secrets/ folder
        assert spec.get("file", "").startswith("./secrets/"), f"{path}: secret {name} must live in ./secrets/"


def test_each_container_is_given_what_its_service_needs(compose):
    path, data = compose
    services = data["services"]
    roles: dict[str, set[str]] = {}
    for name, service in services.items():
        env = environment(service)
        app = app_of(service)
        where = f"{path}:{name}"
        for var, value in env.items():
            if var.endswith("_FILE") and value.startswith("/"):
                assert secret_path_ok(service, value), (
                    f"{where}: {var}={value} is neither a secret nor on a volume"
                )
        if is_postgres(service):
            for var in ("POSTGRES_DB", "POSTGRES_USER"):
                assert env.get(var), f"{where}: {var} not set"
            assert has_var(env, "POSTGRES_PASSWORD"), f"{where}: POSTGRES_PASSWORD(_FILE) not set"
            assert service.get("healthcheck"), f"{where}: a database needs a health check (pg_isready)"
            continue
        if app is None:
            continue
        role = role_of(service)
        roles.setdefault(app, set()).add(role)
        if role == "keys":  # the one-off key makers: the gateway's JWT pair, training's signing key
            assert (
                app == "gateway"
                and has_var(env, "JWT_PRIVATE_KEY_FILE")
                and has_var(env, "JWT_PUBLIC_KEY_FILE")
            ) or (app == "training" and has_var(env, "CREDENTIALS_KEY_FILE")), f"{where}: keys for what?"
            continue
        assert role in ROLES, f"{where}: unknown command {role!r}"
        package, db_var = SERVICES[app]
        assert database_url(env, db_var) or has_var(env, db_var, "DATABASE_URL"), f"{where}: no database URL"
        if role == "web":
            health = " ".join(map(str, (service.get("healthcheck") or {}).get("test", [])))
            assert "/readyz" in health or "/healthz" in health, f"{where}: web needs a /readyz health check"
            assert has_var(env, "JWT_PUBLIC_KEY", "JWT_PUBLIC_KEY_FILE"), f"{where}: no key to verify tokens"
        if role == "mailer":
            # `flask notify send`: its database and the SMTP relay, nothing else (no broker, no keys)
            assert_mailer_settings(where, env)
            for var in (
                "AMQP_URL",
                "JWT_PRIVATE_KEY_FILE",
                "JWT_PRIVATE_KEY",
                "GATEWAY_SECRET_KEY",
                "IMATTER_ADMIN_PASSWORD",
            ):
                assert not has_var(env, var), f"{where}: a mailer has no use for {var}"
            continue
        if role == "schedule":
            assert not has_var(env, "SCHEDULE_COMMANDS"), (
                f"{where}: the jobs are the service's own (`flask schedule run`), not a list here"
            )
        if role == "schedule" and app == "gateway":
            # reminders and retention on its own database: it signs nothing, seeds nothing
            for var in (
                "JWT_PRIVATE_KEY_FILE",
                "JWT_PRIVATE_KEY",
                "GATEWAY_SECRET_KEY",
                "IMATTER_ADMIN_PASSWORD",
            ):
                assert not has_var(env, var), f"{where}: the gateway's scheduler has no use for {var}"
            continue
        if app == "gateway":
            for var in (
                "TRAINING_URL",
                "CIC_URL",
                "JWT_PRIVATE_KEY_FILE",
                "GATEWAY_SECRET_KEY",
                "IMATTER_ADMIN_PASSWORD",
            ):
                assert has_var(env, var), f"{where}: {var} not set"
            continue
        for var in ("AMQP_URL", "EVENTS_EXCHANGE", "EVENTS_QUEUE"):
            assert has_var(env, var), f"{where}: {var} not set"
    for app in ("training", "cic-tracker"):
        if app in roles:
            assert {"web", "relay", "consume"} <= roles[app], (
                f"{path}: {app} needs its web, relay and consumer as separate containers (has {sorted(roles[app])})"
            )


def _key_source(service: dict, path: str) -> tuple[str, str]:
    """Where a key file handed to a container comes from: ("secret", name) or ("volume", name),
    and it must be read-only there (a web process never writes its signing key)."""
    if path.startswith("/run/secrets/"):
        return "secret", path[len("/run/secrets/") :].split("/")[0]
    for vol in service.get("volumes") or []:
        source, target = (
            (vol.split(":") + [""])[:2] if isinstance(vol, str) else (vol["source"], vol["target"])
        )
        if target and path.startswith(target.rstrip("/") + "/"):
            read_only = vol.endswith(":ro") if isinstance(vol, str) else bool(vol.get("read_only"))
            assert read_only, f"{path}: the signing key's volume is mounted writable"
            return "volume", source
    raise AssertionError(f"{path} is neither a secret nor on a volume")


def test_every_training_web_signs_with_the_one_shared_credentials_key(compose):
    """Decision 0052: training's web processes sign credentials and serve the key set; every one
    of them (and every replica of each) is given the same key, from a secret or a volume that
    outlives the container, never one it would make itself. The processes that sign nothing
    (relay, consumer, mailer, scheduler) are given none."""
    path, data = compose
    sources = set()
    for name, service in data["services"].items():
        if app_of(service) != "training":
            continue
        env, role = environment(service), role_of(service)
        if role == "web":
            key = env.get("CREDENTIALS_KEY_FILE")
            assert key, f"{path}:{name}: no CREDENTIALS_KEY_FILE: each container would need its own key"
            sources.add(_key_source(service, key))
        elif role != "keys":
            assert "CREDENTIALS_KEY_FILE" not in env, f"{path}:{name} ({role}) signs nothing: no key for it"
            assert "credentials_key" not in secrets_of(service), f"{path}:{name} ({role}) holds the key"
    if any(app_of(s) == "training" and role_of(s) == "web" for s in data["services"].values()):
        assert len(sources) == 1, f"{path}: training's web processes sign with different keys: {sources}"
        kind, source = sources.pop()
        if kind == "secret":
            assert data["secrets"][source]["file"] == "./secrets/credentials_issuer.pem"
        else:  # a volume some one-off container filled: it is a named volume, kept across rollouts
            assert source in (data.get("volumes") or {}), f"{path}: {source} is not a named volume"
            makers = [
                s
                for s in data["services"].values()
                if app_of(s) == "training" and role_of(s) == "keys" and source in named_volumes(s)
            ]
            assert makers, f"{path}: nothing makes the key in the {source} volume"


def assert_mailer_settings(where: str, env: dict) -> None:
    assert env.get("SMTP_HOST"), f"{where}: SMTP_HOST not set"
    assert env.get("SMTP_PORT", "").isdigit() and 0 < int(env["SMTP_PORT"]) < 65536, (
        f"{where}: SMTP_PORT {env.get('SMTP_PORT')!r}"
    )
    assert env.get("SMTP_TLS") in SMTP_TLS_MODES, f"{where}: SMTP_TLS must be one of {SMTP_TLS_MODES}"
    name, address = email.utils.parseaddr(env.get("MAIL_FROM", ""))
    assert "@" in address and "." in address.split("@")[1], (
        f"{where}: MAIL_FROM {env.get('MAIL_FROM')!r} is no address"
    )
    if env.get("SMTP_TLS") == "none":
        # a login in clear text over the network: only for the local catcher, which wants none
        assert not (env.get("SMTP_USERNAME") or env.get("SMTP_USERNAME_FILE")), (
            f"{where}: SMTP login without TLS"
        )


def _db_service_of(data: dict, name: str) -> tuple[str, dict]:
    service = data["services"][name]
    env = environment(service)
    app = app_of(service)
    url = urlsplit(database_url(env, SERVICES[app][1]))
    assert url.scheme == "postgresql+psycopg", f"{name}: the database URL must be postgresql+psycopg://"
    host = url.hostname
    assert host in data["services"] and is_postgres(data["services"][host]), (
        f"{name}: database host {host!r} is not a PostgreSQL service of this file"
    )
    return host, {"user": unquote(url.username or ""), "db": url.path.lstrip("/"), "password": url.password}


def test_each_service_has_its_own_database_and_credentials(compose):
    path, data = compose
    services = data["services"]
    owner: dict[str, str] = {}
    for name, service in services.items():
        app = app_of(service)
        if app is None or role_of(service) == "keys":
            continue
        host, url = _db_service_of(data, name)
        db_env = environment(services[host])
        env = environment(service)
        assert url["db"] == db_env["POSTGRES_DB"], f"{path}:{name}: database {url['db']!r} is not {host}'s"
        assert url["user"] == db_env["POSTGRES_USER"], f"{path}:{name}: user {url['user']!r} is not {host}'s"
        # the same password on both sides, from the same secret or the same value
        if db_env.get("POSTGRES_PASSWORD_FILE"):
            assert env.get("PGPASSWORD_FILE") == db_env["POSTGRES_PASSWORD_FILE"], (
                f"{path}:{name}: PGPASSWORD_FILE must be the database's POSTGRES_PASSWORD_FILE"
            )
            secret = db_env["POSTGRES_PASSWORD_FILE"].rsplit("/", 1)[-1]
            assert secret in secrets_of(service) and secret in secrets_of(services[host])
        else:
            assert (url["password"] or env.get("PGPASSWORD")) == db_env["POSTGRES_PASSWORD"], (
                f"{path}:{name}: its database password differs from {host}'s"
            )
        assert networks(service) & networks(services[host]), f"{path}:{name} shares no network with {host}"
        assert owner.setdefault(host, app) == app, (
            f"{path}: {owner[host]} and {app} share the database {host}"
        )
    users = {environment(services[h])["POSTGRES_USER"] for h in owner}
    vols = [named_volumes(services[h]) for h in owner]
    assert len(users) == len(owner), f"{path}: the services' databases must have separate users"
    assert all(not (a & b) for i, a in enumerate(vols) for b in vols[i + 1 :]), (
        f"{path}: databases share a volume"
    )


def _side(data: dict, org: str) -> dict:
    """The containers of one organisation: its service's containers and their databases."""
    names = {n for n, s in data["services"].items() if app_of(s) and ORG_OF[app_of(s)] == org}
    for name in list(names):
        if role_of(data["services"][name]) != "keys":
            names.add(_db_service_of(data, name)[0])
    return {n: data["services"][n] for n in names}


@pytest.mark.parametrize("org,other", [("training", "cic"), ("cic", "training")])
def test_an_organisation_reaches_nothing_of_the_other(compose, org, other):
    path, data = compose
    mine, theirs = _side(data, org), _side(data, other)
    if not mine or not theirs:
        return  # an organisation's own file: the other side is not even in it
    their_dbs = {n for n, s in theirs.items() if is_postgres(s)}
    # a volume both sides mount read-only (the gateway's public key) carries nothing of either
    their_vols = set().union(*(writable_volumes(s) for s in theirs.values()))
    their_data_nets = set().union(*(networks(theirs[n]) for n in their_dbs))
    their_dir = {"cic": "services/cic-tracker", "training": "services/training"}[other]
    for name, service in mine.items():
        where = f"{path}:{name}"
        env = environment(service)
        assert not (networks(service) & their_data_nets), f"{where} can reach {other}'s database network"
        assert not (named_volumes(service) & their_vols), f"{where} mounts a volume of {other}'s"
        assert not (writable_volumes(service) & set().union(*(named_volumes(s) for s in theirs.values()))), (
            f"{where} writes to a volume {other} mounts"
        )
        for source, _ in mounts(service):
            assert their_dir not in source, f"{where} mounts {other}'s code or data"
        for var, value in env.items():
            assert not any(re.search(rf"\b{re.escape(db)}\b", value) for db in their_dbs), (
                f"{where}: {var} refers to {other}'s database"
            )
        other_var = {"cic": "CIC_DATABASE_URL", "training": "TRAINING_DATABASE_URL"}[other]
        assert other_var not in env, f"{where} is given {other_var}"


def test_the_broker_users_are_the_ones_setup_users_creates():
    """Root compose: each service logs in to RabbitMQ as its own user, with the password and
    vhost the broker container hands to deploy/rabbitmq/setup-users.sh."""
    data = load("docker-compose.yml")
    broker = environment(data["services"]["rabbitmq"])
    script = open(os.path.join(REPO, "deploy", "rabbitmq", "setup-users.sh"), encoding="utf-8").read()
    seen = {}
    for name, service in data["services"].items():
        app = app_of(service)
        if app not in ("training", "cic-tracker") or role_of(service) in ("keys", "mailer"):
            continue
        env = environment(service)
        url = urlsplit(env["AMQP_URL"])
        key = "TRAINING" if app == "training" else "CIC"
        assert url.hostname == "rabbitmq"
        assert unquote(url.path.lstrip("/")) == broker["RABBITMQ_VHOST"], (
            f"{name}: another vhost than the users'"
        )
        assert url.password == broker[f"{key}_AMQP_PASSWORD"], (
            f"{name}: its AMQP password is not its broker user's"
        )
        assert f"{key}_AMQP_USER:-{url.username}}}" in script, (
            f"{name}: user {url.username} is not setup-users.sh's default"
        )
        assert f"{key}_QUEUE:-{env['EVENTS_QUEUE']}}}" in script, (
            f"{name}: queue {env['EVENTS_QUEUE']} is not its user's"
        )
        seen.setdefault(app, set()).add(url.username)
    assert len(seen.get("training", ())) == 1 and len(seen.get("cic-tracker", ())) == 1
    assert seen["training"] != seen["cic-tracker"], "the two services must not share a broker user"
    assert "management" in data["services"]["rabbitmq"]["image"]


# -- email: the mailers, their relay, the reminders ------------------------------------------


def _containers(data: dict, app: str, role: str) -> dict[str, dict]:
    return {n: s for n, s in data["services"].items() if app_of(s) == app and role_of(s) == role}


def test_each_service_with_a_web_has_a_mailer_beside_it(compose):
    """All three services write email to their outbox; without a mailer it is never delivered."""
    path, data = compose
    for app in SERVICES:
        for name, web in _containers(data, app, "web").items():
            mailers = {
                n: s
                for n, s in _containers(data, app, "mailer").items()
                if s.get("profiles") == web.get("profiles")
            }
            assert mailers, f"{path}: {name} has no mailer container ({app}, command mailer)"
            for mailer in mailers.values():
                assert depends_on(mailer).get(name, {}).get("condition") == "service_healthy", (
                    f"{path}: {app}'s mailer should start once {name} is healthy (migrated)"
                )


def test_links_in_email_point_at_the_portal(compose):
    """Email is rendered where it is written (web requests, reminders, event handlers): those
    containers need PORTAL_URL, or every link points at the development default."""
    path, data = compose
    for name, service in data["services"].items():
        if app_of(service) and role_of(service) in ("web", "schedule", "consume"):
            url = urlsplit(environment(service).get("PORTAL_URL", ""))
            assert url.scheme in ("http", "https") and url.hostname, f"{path}:{name}: PORTAL_URL not set"


def test_every_service_has_exactly_one_scheduler(compose):
    """Each service that runs here (per profile) has one scheduler container, `flask schedule run`
    through the entrypoint's `schedule` role, started once its web is healthy (migrated); no
    other container schedules anything. Which jobs it runs is the service's own list, checked by
    test_each_service_schedules_the_jobs_it_owns."""
    path, data = compose
    for app in SERVICES:
        for name, web in _containers(data, app, "web").items():
            schedulers = {
                n: s
                for n, s in _containers(data, app, "schedule").items()
                if s.get("profiles") == web.get("profiles")
            }
            assert len(schedulers) == 1, (
                f"{path}: {app} needs exactly one scheduler, has {sorted(schedulers)}"
            )
            ((sched_name, scheduler),) = schedulers.items()
            assert scheduler.get("command") == ["schedule"], (
                f"{path}:{sched_name}: {scheduler.get('command')}"
            )
            assert depends_on(scheduler).get(name, {}).get("condition") == "service_healthy", (
                f"{path}:{sched_name} should start once {name} is healthy (migrated)"
            )
    for name, service in data["services"].items():
        text = " ".join(map(str, service.get("command") or [])) + " " + " ".join(environment(service))
        if role_of(service) != "schedule":
            assert "schedule" not in text.lower(), f"{path}:{name} schedules something beside the scheduler"


# the jobs issue 19 lists (licence expiry, retention, outbox/inbox pruning, reminders), by the
# service that owns the data each one touches; `dp retention` everywhere there is personal data
OWNED_JOBS = {
    "training": {"licences expire", "dp retention", "events prune", "notify reminders"},
    "cic_tracker": {"tracker retention", "dp retention", "events prune", "notify reminders"},
    "gateway": {"dp retention", "notify reminders"},  # no events: nothing to prune
}


@pytest.mark.parametrize("package", sorted(OWNED_JOBS))
def test_each_service_schedules_the_jobs_it_owns(package, tmp_path, monkeypatch):
    """What the scheduler container runs (`flask schedule run`) is the service's SCHEDULE: it holds
    every job the service owns, each once, each a command the service really has."""
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    module = __import__(package)
    schedule = __import__(f"{package}.cli", fromlist=["SCHEDULE"]).SCHEDULE
    commands = [job.command for job in schedule]
    assert len(commands) == len(set(commands)) and len({j.name for j in schedule}) == len(schedule)
    assert OWNED_JOBS[package] <= set(commands), (
        f"{package}: not scheduled: {OWNED_JOBS[package] - set(commands)}"
    )
    assert all(0 < job.every_seconds <= 86400 for job in schedule)
    app = module.create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "ACCESS_LOG": False,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
        }
    )
    runner = app.test_cli_runner()
    for command in commands:
        result = runner.invoke(args=[*command.split(), "--help"])
        assert result.exit_code == 0, f"{package}: `flask {command}` is no command: {result.output}"
    listed = runner.invoke(args=["schedule", "list"])
    assert listed.exit_code == 0 and all(f"flask --app {package} {c}" in listed.output for c in commands)


def test_make_run_schedules_each_service_once():
    """make run (the Procfile): each service's `flask worker` runs its scheduler thread; nothing
    else schedules (no `schedule run` beside it, no `--no-schedule`)."""
    with open(os.path.join(REPO, "Procfile"), encoding="utf-8") as fh:
        lines = [line.split(":", 1)[1] for line in fh if line.strip() and not line.startswith("#")]
    for package in OWNED_JOBS:
        schedulers = [
            line
            for line in lines
            if f"--app {package} " in line and (" worker" in line or "schedule run" in line)
        ]
        assert len(schedulers) == 1 and "--no-schedule" not in schedulers[0], (
            f"Procfile: {package}: {schedulers}"
        )


def test_the_gateway_reads_its_metrics_token_from_a_file_and_only_it(compose):
    """The gateway's /metrics answers only METRICS_TOKEN's bearer (decision 0044): every gateway
    web container gets it, as METRICS_TOKEN_FILE (a value would show in `docker inspect`), and no
    other container (the mailers and schedulers serve no /metrics)."""
    path, data = compose
    for name, service in data["services"].items():
        env = environment(service)
        assert "METRICS_TOKEN" not in env, f"{path}:{name}: METRICS_TOKEN as a value; use METRICS_TOKEN_FILE"
        if app_of(service) == "gateway" and role_of(service) == "web":
            assert env.get("METRICS_TOKEN_FILE", "").startswith("/"), f"{path}:{name}: no METRICS_TOKEN_FILE"
            assert secret_path_ok(service, env["METRICS_TOKEN_FILE"])
        else:
            assert "METRICS_TOKEN_FILE" not in env, f"{path}:{name} has no use for the metrics token"
        made = env.get("MAKE_METRICS_TOKEN_FILE")
        if made:  # the development file: the keys container writes it where the gateway reads it
            assert role_of(service) == "keys"
            gateway = environment(data["services"]["gateway"])
            assert gateway["METRICS_TOKEN_FILE"] == made and secret_path_ok(service, made)


def test_only_the_mailers_hold_the_smtp_login(compose):
    path, data = compose
    for name, service in data["services"].items():
        if role_of(service) == "mailer" and app_of(service):
            continue
        env = environment(service)
        for var in SMTP_CREDENTIALS:
            assert var not in env and f"{var}_FILE" not in env, f"{path}:{name} is given {var}"
        assert not any("smtp" in s for s in secrets_of(service)), f"{path}:{name} mounts an SMTP secret"


def test_a_mailer_reaches_out_on_a_network_no_other_service_shares(compose):
    """The mailer talks to an SMTP relay outside, so one of its networks is not internal. Apart
    from its own database's network, it shares none with another service's containers or
    databases: the CIC's mailer can reach nothing of training's, training's none of the CIC's."""
    path, data = compose
    declared = data.get("networks") or {}
    for name, mailer in data["services"].items():
        app = app_of(mailer)
        if not app or role_of(mailer) != "mailer":
            continue
        own_db = _db_service_of(data, name)[0]
        nets = networks(mailer)
        assert any(not (declared.get(n) or {}).get("internal") for n in nets), (
            f"{path}:{name}: every network is internal, so the SMTP relay is out of reach"
        )
        for other, service in data["services"].items():
            if other == name or other == own_db:
                continue
            if app_of(service) == app and not is_postgres(service):
                continue  # its own service's containers
            if app_of(service) is None and not is_postgres(service) and not service.get("ports"):
                continue  # a helper that publishes nothing (the development mail catcher)
            shared = nets & networks(service)
            assert not shared, f"{path}:{name} shares {sorted(shared)} with {other}"


@pytest.mark.parametrize("org", ["training", "cic"])
def test_make_secrets_writes_every_secret_file_the_organisation_reads(org, tmp_path):
    """deploy/make-secrets.sh, run on a copy, writes each secret file deploy/<org>/docker-compose.yml
    names, except what another operator hands over (the broker's URL, the gateway's public key)."""
    if shutil.which("openssl") is None and org == "training":
        pytest.skip("openssl is needed for the gateway's key pair")
    (tmp_path / "deploy").mkdir()
    script = tmp_path / "deploy" / "make-secrets.sh"
    shutil.copy(os.path.join(REPO, "deploy", "make-secrets.sh"), script)
    args = ["sh", str(script), org] + (["--own-gateway"] if org == "cic" else [])
    env = {"PATH": os.environ.get("PATH", ""), "SMTP_PASSWORD": "relay-password-for-the-test"}
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    secrets_dir = tmp_path / "deploy" / org / "secrets"
    handed_over = {"amqp_url"} | ({"jwt_public"} if org == "cic" else set())
    declared = load(f"deploy/{org}/docker-compose.yml")["secrets"]
    for name, spec in declared.items():
        if name in handed_over:
            continue
        assert (secrets_dir / spec["file"][len("./secrets/") :]).is_file(), (
            f"make-secrets.sh {org} does not write {name}"
        )
    assert (secrets_dir / "smtp_password").read_text().strip() == "relay-password-for-the-test"


# -- 2. Dockerfiles ------------------------------------------------------------------------------


def dockerfile_instructions(path: str) -> list[tuple[str, str]]:
    text = open(os.path.join(REPO, path), encoding="utf-8").read()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def copy_sources(args: str) -> list[str]:
    if args.startswith("["):
        import json

        parts = json.loads(args)
    else:
        parts = args.split()
    parts = [p for p in parts if not p.startswith("--")]
    return parts[:-1]


@pytest.mark.parametrize("svc", sorted(SERVICES))
def test_dockerfile_copies_the_common_package_and_its_own_service_only(svc):
    instructions = dockerfile_instructions(DOCKERFILES[svc])
    sources = []
    for word, args in instructions:
        if word == "ADD":
            pytest.fail(f"{DOCKERFILES[svc]}: use COPY (ADD fetches URLs and unpacks archives)")
        if word == "COPY":
            assert "--from" not in args, "no multi-stage copies expected"
            sources += copy_sources(args)
    norm = [s.rstrip("/") or "." for s in sources]
    assert "shared" in norm, f"{svc}: shared/ is not copied"
    assert f"services/{svc}" in norm, f"{svc}: its own services/{svc}/ is not copied"
    for source in norm:
        assert source not in (".", "services", "*"), f"{svc}: COPY {source} takes the whole repository"
        if source.startswith("services/"):
            assert source.split("/")[1] == svc, f"{svc}: copies another service's code: {source}"
        else:
            assert source == "shared" or source.startswith("deploy/docker/"), (
                f"{svc}: unexpected COPY {source}"
            )
        assert os.path.exists(os.path.join(REPO, source)), f"{svc}: COPY source {source} does not exist"


@pytest.mark.parametrize("svc", sorted(SERVICES))
def test_dockerfile_is_slim_non_root_pinned_and_runs_its_own_app(svc):
    instructions = dockerfile_instructions(DOCKERFILES[svc])
    words = [w for w, _ in instructions]
    froms = [a for w, a in instructions if w == "FROM"]
    assert len(froms) == 1 and re.fullmatch(
        r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", froms[0]
    ), f"{svc}: base image {froms}: python 3.11 slim by its full version (or digest), not a moving tag"
    users = [a for w, a in instructions if w == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"{svc}: must run as a non-root user"
    assert words.index("USER") > max(i for i, w in enumerate(words) if w in ("RUN", "COPY")), (
        f"{svc}: USER must come after the last RUN/COPY"
    )
    runs = " ".join(a for w, a in instructions if w == "RUN")
    assert re.search(r"pip install [^&]*--require-hashes -r /app/requirements.lock", runs), (
        f"{svc}: does not install its lock with --require-hashes"
    )
    assert f"services/{svc}/requirements.lock" in " ".join(a for w, a in instructions if w == "COPY")
    env = " ".join(a for w, a in instructions if w == "ENV")
    package = SERVICES[svc][0]
    assert f"IMATTER_APP={package}" in env, f"{svc}: IMATTER_APP must name {package}"
    assert f"/app/services/{svc}" in env and "/app/shared" in env, f"{svc}: PYTHONPATH must hold its code"
    assert os.path.isfile(os.path.join(REPO, "services", svc, package, "__init__.py"))
    entry = [a for w, a in instructions if w == "ENTRYPOINT"]
    assert entry and "imatter-entrypoint" in entry[-1]


def test_dockerignore_keeps_local_state_and_tests_out():
    lines = {
        line.strip()
        for line in open(os.path.join(REPO, ".dockerignore"), encoding="utf-8")
        if line.strip() and not line.startswith("#")
    }
    for needed in (".git", ".venv", "var", "**/tests", "**/__pycache__", "**/secrets"):
        assert needed in lines, f".dockerignore should exclude {needed}"
    assert not any(line.startswith(("shared", "services/", "deploy/docker")) for line in lines)


def test_compose_builds_each_service_from_its_own_dockerfile():
    for path in COMPOSE_FILES:
        for name, service in load(path)["services"].items():
            build = service.get("build")
            if not build:
                continue
            context = os.path.normpath(os.path.join(REPO, os.path.dirname(path), build["context"]))
            assert context == REPO, f"{path}:{name}: the build context must be the repository root"
            assert os.path.isfile(os.path.join(context, build["dockerfile"])), (
                f"{path}:{name}: no {build['dockerfile']}"
            )


def test_every_image_is_pinned_by_version_or_digest(compose):
    """A moving tag (latest, postgres:15, 3.11-slim) changes under a deployment that did not
    change; our own images default to the release version."""
    path, data = compose
    for name, service in data["services"].items():
        image = str(service.get("image", ""))
        assert image, f"{path}:{name}: no image"
        if "@sha256:" in image:
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        # PostgreSQL numbers its releases major.minor (15.14); the rest major.minor.patch
        postgres = image.startswith("postgres:") and re.fullmatch(r"\d+\.\d+(-\w+)?", tag)
        assert re.match(r"\d+\.\d+\.\d+", tag) or postgres or (app_of(service) and tag == "dev"), (
            f"{path}:{name}: {image} is not pinned by version"
        )


def test_rabbitmq_is_4_x_and_imports_the_definitions_at_boot(compose):
    path, data = compose
    for name, service in data["services"].items():
        image = str(service.get("image", ""))
        if not image.startswith("rabbitmq:"):
            continue
        assert re.match(r"rabbitmq:4\.\d+\.\d+-management", image), f"{path}:{name}: {image}"
        targets = {target: source for source, target in mounts(service)}
        assert targets.get("/etc/rabbitmq/imatter-definitions.json", "").endswith("definitions.json")
        conf = targets.get("/etc/rabbitmq/conf.d/20-imatter.conf", "")
        assert conf.endswith("rabbitmq.conf"), f"{path}:{name}: rabbitmq.conf is not mounted"
        text = open(os.path.join(REPO, "deploy", "rabbitmq", "rabbitmq.conf"), encoding="utf-8").read()
        assert "load_definitions = /etc/rabbitmq/imatter-definitions.json" in text
