"""The Kubernetes manifests (deploy/k8s) describe the same topology as the compose files, and
every reference in them resolves: Services and autoscalers reach existing Deployments, Secrets
and ConfigMaps exist in the same namespace, probes hit /healthz and /readyz, the migration runs
as a Job, only the gateway holds the signing key, and training's namespace holds nothing of the CIC's.
Email: a mailer Deployment per service alone holds its SMTP login and may reach out to the relay.
Schedules: one scheduler Deployment per service (`flask schedule run`), no CronJob."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (requirements-dev.in) is needed for the manifest checks")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8S = os.path.join(REPO, "deploy", "k8s")
NAMESPACE = {"training": "imatter-training", "cic-tracker": "rhm-cic", "gateway": "imatter-training"}
PACKAGE = {"training": "training", "cic-tracker": "cic_tracker", "gateway": "gateway"}


def load_all() -> list[dict]:
    docs = []
    for path in sorted(glob.glob(os.path.join(K8S, "*.yaml"))):
        if path.endswith("kustomization.yaml"):
            continue
        with open(path, encoding="utf-8") as fh:
            for doc in yaml.safe_load_all(fh):
                if doc:
                    doc["_file"] = os.path.basename(path)
                    docs.append(doc)
    return docs


def script_secrets() -> list[dict]:
    """The Secrets deploy/k8s/secrets.sh creates (`secret NAMESPACE NAME KEY=FILE...` lines), as
    objects whose stringData maps each key to the secret file it is read from."""
    out = []
    text = open(os.path.join(K8S, "secrets.sh"), encoding="utf-8").read()
    for ns, name, pairs in re.findall(r"^\s+secret (\S+) (\S+) (.+)$", text, re.M):
        data = dict(pair.split("=", 1) for pair in pairs.split())
        meta = {"name": name, "namespace": ns}
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": meta,
                "stringData": data,
                "_file": "secrets.sh",
            }
        )
    return out


MANIFESTS = load_all()
DOCS = MANIFESTS + script_secrets()


def objects(kind: str, namespace: str | None = None) -> list[dict]:
    return [
        d
        for d in DOCS
        if d["kind"] == kind and (namespace is None or d["metadata"].get("namespace") == namespace)
    ]


def by_name(kind: str, name: str, namespace: str) -> dict | None:
    return next((d for d in objects(kind, namespace) if d["metadata"]["name"] == name), None)


def pod_spec(doc: dict) -> dict:
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def workloads() -> list[dict]:
    return [d for d in DOCS if d["kind"] in ("Deployment", "Job", "CronJob")]


def containers(doc: dict) -> list[dict]:
    spec = pod_spec(doc)
    return list(spec.get("initContainers") or []) + list(spec["containers"])


def test_every_manifest_is_listed_in_the_kustomization_and_well_formed():
    with open(os.path.join(K8S, "kustomization.yaml"), encoding="utf-8") as fh:
        listed = set(yaml.safe_load(fh)["resources"])
    files = {os.path.basename(p) for p in glob.glob(os.path.join(K8S, "*.yaml"))} - {"kustomization.yaml"}
    assert listed == files
    namespaces = {d["metadata"]["name"] for d in objects("Namespace")}
    assert namespaces == {"imatter-training", "rhm-cic"}
    for doc in DOCS:
        assert doc.get("apiVersion") and doc["metadata"].get("name"), doc
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") in namespaces, (
                f"{doc['_file']}: {doc['metadata']['name']}"
            )


@pytest.mark.parametrize("svc", ["training", "cic-tracker"])
def test_each_service_has_web_relay_consumer_a_migration_job_and_an_autoscaled_web(svc):
    ns = NAMESPACE[svc]
    for role, command in (("web", "web"), ("relay", "relay"), ("consumer", "consume")):
        deployment = by_name("Deployment", f"{svc}-{role}", ns)
        assert deployment, f"no Deployment {svc}-{role} in {ns}"
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [command]
        assert container["image"].startswith(f"imatter/{svc}:")
    job = by_name("Job", f"{svc}-migrate", ns)
    assert job and [c["args"] for c in containers(job)] == [["migrate"]]
    hpa = by_name("HorizontalPodAutoscaler", f"{svc}-web", ns)
    assert hpa and hpa["spec"]["minReplicas"] >= 2


def test_web_pods_are_probed_on_healthz_and_readyz_and_do_not_migrate():
    webs = [d for d in objects("Deployment") if d["metadata"]["name"].endswith("-web")]
    assert {d["metadata"]["name"] for d in webs} == {"training-web", "cic-tracker-web", "gateway-web"}
    for deployment in webs:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        ns = deployment["metadata"]["namespace"]
        config = [
            by_name("ConfigMap", ref["configMapRef"]["name"], ns)
            for ref in container["envFrom"]
            if "configMapRef" in ref
        ]
        assert config and config[0]["data"]["MIGRATE_ON_START"] == "0", (
            "the Job migrates; replicas must not race"
        )


def test_services_and_autoscalers_point_at_existing_workloads():
    for service in objects("Service"):
        ns = service["metadata"]["namespace"]
        selector = service["spec"]["selector"]
        matches = [
            d
            for d in objects("Deployment", ns)
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matches) == 1, f"Service {service['metadata']['name']} selects {len(matches)} Deployments"
        ports = {
            p["name"]
            for c in matches[0]["spec"]["template"]["spec"]["containers"]
            for p in c.get("ports", [])
        }
        assert all(p["targetPort"] in ports for p in service["spec"]["ports"])
    for kind in ("HorizontalPodAutoscaler",):
        for hpa in objects(kind):
            ref = hpa["spec"]["scaleTargetRef"]
            assert by_name(ref["kind"], ref["name"], hpa["metadata"]["namespace"]), ref
    for deployment in objects("Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_every_secret_and_configmap_a_pod_uses_exists_in_its_namespace():
    for doc in workloads():
        ns = doc["metadata"]["namespace"]
        spec = pod_spec(doc)
        for volume in spec.get("volumes") or []:
            if "secret" in volume:
                assert by_name("Secret", volume["secret"]["secretName"], ns), (
                    f"{doc['metadata']['name']}: {volume}"
                )
        for container in containers(doc):
            for ref in container.get("envFrom") or []:
                kind, name = (
                    ("ConfigMap", ref["configMapRef"]["name"])
                    if "configMapRef" in ref
                    else ("Secret", ref["secretRef"]["name"])
                )
                assert by_name(kind, name, ns), f"{doc['metadata']['name']}: no {kind} {name} in {ns}"


def test_pods_run_as_non_root_with_a_read_only_root_and_resources():
    """What Pod Security "restricted" asks (the namespaces enforce it), on every pod."""
    for doc in workloads():
        spec = pod_spec(doc)
        where = doc["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] != 0, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in containers(doc):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], where
            assert container["securityContext"].get("runAsUser", 10001) != 0, where
            assert container["resources"]["requests"], container["name"]
            mounts = {m["mountPath"] for m in container.get("volumeMounts") or []}
            assert {"/var/lib/imatter", "/tmp"} <= mounts, "the var dir and /tmp must be writable"


def test_only_the_gateway_mounts_the_signing_key():
    holders = []
    for doc in workloads():
        ns = doc["metadata"]["namespace"]
        for volume in pod_spec(doc).get("volumes") or []:
            secret = by_name("Secret", volume.get("secret", {}).get("secretName", ""), ns)
            if secret and any("private" in key for key in secret.get("stringData", {})):
                holders.append(doc["metadata"]["name"])
    assert holders and all(name.startswith("gateway-") for name in holders), holders
    assert "gateway-mailer" not in holders, "the mailer signs nothing"
    assert "gateway-scheduler" not in holders, "the scheduler signs nothing"


def test_every_training_web_pod_mounts_the_one_credentials_signing_key():
    """Decision 0052: the training web pods sign credentials and serve the key set; every replica
    reads the same key from the credentials-signing Secret (made by secrets.sh from the file
    make-secrets.sh writes), read-only; an emptyDir key would differ per pod and die with it.
    The pods that sign nothing are given no key."""
    (secret,) = [
        s for s in objects("Secret", NAMESPACE["training"]) if s["metadata"]["name"] == "credentials-signing"
    ]
    assert secret["_file"] == "secrets.sh" and secret["stringData"] == {
        "credentials_issuer.pem": "credentials_issuer.pem"
    }
    web_pods = 0
    for doc in workloads():
        for container in containers(doc):
            if not container["image"].startswith("imatter/training:"):
                continue
            env = env_of(doc, container)
            volumes = {v["name"]: v for v in pod_spec(doc).get("volumes") or []}
            if container.get("args") != ["web"]:
                assert "CREDENTIALS_KEY_FILE" not in env, f"{doc['metadata']['name']} signs nothing"
                assert not any(
                    v.get("secret", {}).get("secretName") == "credentials-signing" for v in volumes.values()
                ), f"{doc['metadata']['name']} signs nothing: no key for it"
                continue
            web_pods += 1
            key = env.get("CREDENTIALS_KEY_FILE", "")
            mount = next(
                (m for m in container["volumeMounts"] if key.startswith(m["mountPath"].rstrip("/") + "/")),
                None,
            )
            assert mount, f"{doc['metadata']['name']}: CREDENTIALS_KEY_FILE={key!r} is on no mount"
            assert mount.get("readOnly") is True
            assert volumes[mount["name"]].get("secret", {}).get("secretName") == "credentials-signing", (
                f"{doc['metadata']['name']}: the signing key must come from the credentials-signing Secret"
            )
            assert key == f"{mount['mountPath'].rstrip('/')}/credentials_issuer.pem"
    assert web_pods, "no training web Deployment"


def env_of(doc: dict, container: dict) -> dict:
    """What a container's environment holds: its ConfigMaps' and Secrets' keys, then its own env."""
    ns = doc["metadata"]["namespace"]
    out = {}
    for ref in container.get("envFrom") or []:
        kind, name = (
            ("ConfigMap", ref["configMapRef"]["name"])
            if "configMapRef" in ref
            else ("Secret", ref["secretRef"]["name"])
        )
        source = by_name(kind, name, ns)
        out.update(source.get("data") or source.get("stringData") or {})
    out.update({e["name"]: e.get("value", "") for e in container.get("env") or []})
    return out


@pytest.mark.parametrize("svc", ["training", "cic-tracker", "gateway"])
def test_each_service_has_a_mailer_with_its_relay_settings(svc):
    ns = NAMESPACE[svc]
    deployment = by_name("Deployment", f"{svc}-mailer", ns)
    assert deployment, f"no Deployment {svc}-mailer in {ns}: its email would never leave the outbox"
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["mailer"] and container["image"].startswith(f"imatter/{svc}:")
    env = env_of(deployment, container)
    assert env["SMTP_HOST"] and env["SMTP_PORT"].isdigit() and env["SMTP_TLS"] in ("starttls", "ssl", "none")
    assert "@" in env["MAIL_FROM"] and env["PORTAL_URL"].startswith("https://")
    assert {"DATABASE_URL", "SMTP_USERNAME", "SMTP_PASSWORD"} <= env.keys()
    for path_var in ("JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE"):
        # create_app may write a key pair where these point: it must be a writable mount
        if path_var in env and svc == "gateway":
            assert env[path_var].startswith("/var/lib/imatter/"), (
                f"{svc}-mailer: {path_var} on a read-only path"
            )
    # the egress policy lets it reach the relay's port, its database and DNS
    policies = [
        p
        for p in objects("NetworkPolicy", ns)
        if "Egress" in p["spec"]["policyTypes"]
        and p["spec"]["podSelector"]["matchLabels"].items()
        <= deployment["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert policies, f"{svc}-mailer: no egress policy"
    allowed = {
        port["port"] for p in policies for rule in p["spec"]["egress"] for port in rule.get("ports", [])
    }
    assert {int(env["SMTP_PORT"]), 5432, 53} <= allowed, f"{svc}-mailer: egress allows {sorted(allowed)}"


def test_only_the_mailers_get_the_smtp_login():
    for doc in workloads():
        for container in containers(doc):
            refs = {r["secretRef"]["name"] for r in container.get("envFrom") or [] if "secretRef" in r}
            is_mailer = container.get("args") == ["mailer"]
            assert any(r.endswith("-smtp") for r in refs) == is_mailer, f"{doc['metadata']['name']}: {refs}"
    for secret in objects("Secret"):
        if "SMTP_PASSWORD" in (secret.get("stringData") or {}):
            assert secret["metadata"]["name"].endswith("-smtp"), secret["metadata"]["name"]


def test_only_the_gateways_web_reads_the_metrics_token_from_its_mounted_secret():
    """The gateway's /metrics answers only METRICS_TOKEN's bearer (decision 0044): gateway-web
    reads it from the Secret secrets.sh makes (gateway-metrics), mounted as a file."""
    holders = []
    for doc in workloads():
        for container in containers(doc):
            env = env_of(doc, container)
            assert "METRICS_TOKEN" not in env, f"{doc['metadata']['name']}: the token as a value"
            if "METRICS_TOKEN_FILE" in env:
                holders.append(doc["metadata"]["name"])
                path = env["METRICS_TOKEN_FILE"]
                volumes = {v["name"]: v for v in pod_spec(doc)["volumes"]}
                [mount] = [m for m in container["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
                secret_name = volumes[mount["name"]]["secret"]["secretName"]
                secret = by_name("Secret", secret_name, doc["metadata"]["namespace"])
                assert secret and path.rsplit("/", 1)[1] in secret["stringData"], (secret_name, path)
    assert holders == ["gateway-web"], holders


@pytest.mark.parametrize("svc", ["training", "cic-tracker", "gateway"])
def test_each_service_has_exactly_one_scheduler(svc):
    """One way to schedule: a Deployment per service runs the entrypoint's `schedule` role (`flask
    schedule run`: the service's own jobs under its leader lock); no CronJob, no other container
    runs a job. Which jobs: tests/deploy/test_deploy_compose.py::test_each_service_schedules_the_jobs_it_owns."""
    ns = NAMESPACE[svc]
    assert objects("CronJob") == [], "schedules run in the scheduler Deployments, not CronJobs"
    schedulers = [
        d
        for d in objects("Deployment", ns)
        for c in containers(d)
        if c["image"].startswith(f"imatter/{svc}:") and c.get("args") == ["schedule"]
    ]
    assert [d["metadata"]["name"] for d in schedulers] == [f"{svc}-scheduler"]
    (deployment,) = schedulers
    assert deployment["spec"]["replicas"] >= 1
    (container,) = containers(deployment)
    env = env_of(deployment, container)
    assert "DATABASE_URL" in env and "SCHEDULE_COMMANDS" not in env
    if svc == "gateway":
        for path_var in ("JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE"):
            assert env[path_var].startswith("/var/lib/imatter/"), f"{svc}-scheduler: {path_var} read-only"
    jobs = ("licences", "retention", "prune", "reminders", "schedule")
    for doc in workloads():
        for c in containers(doc):
            if c.get("args") != ["schedule"]:
                assert not any(word in " ".join(c.get("args") or []) for word in jobs), (
                    f"{doc['metadata']['name']} runs a scheduled job: {c.get('args')}"
                )


def test_the_training_namespace_holds_nothing_of_the_cic():
    for doc in DOCS:
        if doc["metadata"].get("namespace") != "imatter-training":
            continue
        text = yaml.safe_dump({k: v for k, v in doc.items() if k != "_file"})
        assert "cic-db" not in text and "cic_tracker?" not in text and "CIC_DATABASE_URL" not in text, doc[
            "metadata"
        ]["name"]
        if doc["kind"] == "Secret":
            assert "cic" not in str(doc.get("stringData", {})), "the CIC's broker credentials"
    cic_policies = objects("NetworkPolicy", "rhm-cic")
    assert any(
        p["spec"]["podSelector"] == {}
        and p["spec"]["policyTypes"] == ["Ingress"]
        and not p["spec"].get("ingress")
        for p in cic_policies
    ), "the CIC namespace denies ingress by default"


def test_namespaces_enforce_the_restricted_pod_security_standard():
    for namespace in objects("Namespace"):
        labels = namespace["metadata"]["labels"]
        assert labels.get("pod-security.kubernetes.io/enforce") == "restricted", namespace["metadata"]["name"]


def test_no_secret_value_is_part_of_the_kustomization():
    """Secrets come from deploy/k8s/secrets.sh or a secret store: applying the kustomization again
    never puts placeholders over real passwords, and no secret is committed."""
    assert not [d for d in MANIFESTS if d["kind"] == "Secret"], "a Secret among the manifests"
    with open(os.path.join(K8S, "kustomization.yaml"), encoding="utf-8") as fh:
        kustomization = yaml.safe_load(fh)
    assert "secretGenerator" not in kustomization and "CHANGE-ME" not in str(MANIFESTS)
    for doc in objects("ConfigMap"):
        for key, value in doc["data"].items():
            assert not re.search(r"PASSWORD|SECRET|_KEY$", key), f"{doc['metadata']['name']}: {key}"
            assert not re.search(r"://[^/@:]+:[^/@]+@", str(value)), (
                f"{doc['metadata']['name']}: a password in {key}"
            )


def test_images_are_pinned_by_version_never_latest():
    with open(os.path.join(K8S, "kustomization.yaml"), encoding="utf-8") as fh:
        kustomization = yaml.safe_load(fh)
    for image in kustomization["images"]:
        tag = str(image.get("newTag", ""))
        assert re.fullmatch(r"\d+\.\d+\.\d+", tag) or image.get("digest"), image
    for doc in workloads():
        for container in containers(doc):
            repo, _, tag = container["image"].partition(":")
            assert tag and tag != "latest" and re.match(r"\d+\.\d+\.\d+", tag), container["image"]


def test_secrets_sh_makes_every_secret_from_the_files_make_secrets_writes(tmp_path):
    """secrets.sh training, on a copy, with a kubectl that records what it is asked: each Secret
    is created from make-secrets.sh's files, environment values without their final newline."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed for the gateway's key pair")
    (tmp_path / "deploy" / "k8s").mkdir(parents=True)
    shutil.copy(os.path.join(REPO, "deploy", "make-secrets.sh"), tmp_path / "deploy")
    shutil.copy(os.path.join(K8S, "secrets.sh"), tmp_path / "deploy" / "k8s")
    env = {
        "PATH": f"{tmp_path}:{os.environ.get('PATH', '')}",
        "TRAINING_AMQP_URL": "amqps://t:pw@broker/imatter",
    }
    made = subprocess.run(
        ["sh", str(tmp_path / "deploy" / "make-secrets.sh"), "training"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    log = tmp_path / "kubectl.log"
    fake = tmp_path / "kubectl"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = create ]; then\n'
        '  echo "secret $4 $6" >> ' + str(log) + "\n"
        '  dir=${7#--from-file=}; for f in "$dir"/*; do printf "  %s=%s|\\n" "$(basename "$f")" "$(cat "$f"; printf x)" >> '
        + str(log)
        + "; done\n"
        "else cat > /dev/null; fi\n"
    )
    fake.chmod(0o755)
    result = subprocess.run(
        ["sh", str(tmp_path / "deploy" / "k8s" / "secrets.sh"), "training"],
        env={**env, "SMTP_USERNAME": "relay-user"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    recorded = log.read_text()
    for doc in script_secrets():
        if doc["metadata"]["namespace"] == "imatter-training":
            assert f"secret {doc['metadata']['name']} imatter-training" in recorded
    assert "  AMQP_URL=amqps://t:pw@broker/imatterx|" in recorded, "no final newline in an env value"
    assert "  SMTP_USERNAME=relay-userx|" in recorded
    assert "-----BEGIN PRIVATE KEY-----" in recorded.split("secret jwt-signing")[1]
