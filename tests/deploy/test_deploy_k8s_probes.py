"""Kubernetes restarts a wedged relay or consumer: each relay and consumer container writes a
heartbeat file (IMATTER_HEARTBEAT_DIR on its writable /tmp) and is probed on its age by
`python -m imatter_shared.heartbeat` (decision 0049)."""

from __future__ import annotations

import glob
import os

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (requirements-dev.txt) is needed for the manifest checks")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOOP = {"relay": "relay", "consume": "consumer"}


def _loop_containers() -> list[dict]:
    found = []
    for path in sorted(glob.glob(os.path.join(REPO, "deploy", "k8s", "*.yaml"))):
        with open(path, encoding="utf-8") as fh:
            for doc in yaml.safe_load_all(fh):
                if doc and doc.get("kind") == "Deployment":
                    for c in doc["spec"]["template"]["spec"]["containers"]:
                        if c.get("args") in (["relay"], ["consume"]):
                            found.append(c)
    return found


def test_every_relay_and_consumer_is_probed_on_its_heartbeat():
    containers = _loop_containers()
    assert len(containers) == 4, "a relay and a consumer for training and for cic-tracker"
    for c in containers:
        env = {e["name"]: e["value"] for e in c.get("env", [])}
        folder = env.get("IMATTER_HEARTBEAT_DIR")
        assert folder and any(m["mountPath"] == "/tmp" for m in c["volumeMounts"]), (
            "the heartbeat needs a writable directory (the root filesystem is read-only)"
        )
        command = c["livenessProbe"]["exec"]["command"]
        assert command[:3] == ["python", "-m", "imatter_shared.heartbeat"], command
        assert command[-1] == f"{folder}/{LOOP[c['args'][0]]}", command
        max_age = float(command[command.index("--max-age") + 1])
        # the loops beat at least every few seconds (relay backoff at most 5 s): 60 s is a wedge
        assert 30 <= max_age <= 120
        assert c["livenessProbe"].get("initialDelaySeconds", 0) >= 10  # the loop needs to start first
