"""deploy/: the Kubernetes manifests fit the app they run (probes, ports, grace periods)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.app import create_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.32.0"  # the oldest minor we state support for (deploy/README.md)


def manifests() -> dict[str, dict[str, Any]]:
    """Every object in deploy/ by kind (the kustomization not included)."""
    objects = {}
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            for doc in yaml.safe_load_all(path.read_text()):
                objects[doc["kind"]] = doc
    return objects


def container() -> dict[str, Any]:
    """The Deployment's one container."""
    (only,) = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return only


def gunicorn_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """gunicorn.conf.py's values with the environment the Deployment sets."""
    for var in container()["env"]:
        if "value" in var:
            monkeypatch.setenv(var["name"], var["value"])
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # no directory of its own
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    files = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    (image,) = kustomization["images"]
    assert image["name"] == container()["image"] and image["newTag"] not in ("", "latest")


def test_probes_point_at_real_endpoints(tiny_model_path: Path) -> None:
    client = create_app({"MODEL_PATH": tiny_model_path, "TESTING": True}).test_client()
    probes = {k: container()[k]["httpGet"] for k in ("startupProbe", "readinessProbe")}
    probes["livenessProbe"] = container()["livenessProbe"]["httpGet"]
    assert probes["startupProbe"]["path"] == probes["readinessProbe"]["path"] == "/readyz"
    assert probes["livenessProbe"]["path"] == "/healthz"
    for probe in probes.values():
        assert client.get(probe["path"]).status_code == 200, probe
    broken = create_app({"MODEL_PATH": tiny_model_path.parent / "none.joblib", "TESTING": True})
    assert broken.test_client().get("/readyz").status_code == 503  # not ready without a model
    assert broken.test_client().get("/healthz").status_code == 200  # but alive


def test_startup_budget_covers_model_load() -> None:
    startup = container()["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30  # load takes ~10 s


def test_grace_periods_are_ordered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pod = manifests()["Deployment"]["spec"]["template"]["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    graceful = gunicorn_settings(tmp_path, monkeypatch)["graceful_timeout"]
    assert graceful == 25
    assert pod["terminationGracePeriodSeconds"] > int(pre_stop[1]) + graceful


def test_ports_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    objects = manifests()
    (port,) = container()["ports"]
    bind = gunicorn_settings(tmp_path, monkeypatch)["bind"]
    assert bind == f"0.0.0.0:{port['containerPort']}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"EXPOSE {port['containerPort']}" in dockerfile
    (service_port,) = objects["Service"]["spec"]["ports"]
    assert service_port["targetPort"] == port["name"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container()[probe]["httpGet"]["port"] == port["name"]


def test_security_and_wiring() -> None:
    objects = manifests()
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    uid = re.search(r"--uid (\d+)", (ROOT / "Dockerfile").read_text())
    assert uid and pod["securityContext"]["runAsUser"] == int(uid.group(1)) == 10001
    assert container()["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container()["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert set(mounts) == {"/tmp", "/dev/shm"}
    assert all("emptyDir" in volumes[name] for name in mounts.values())
    keys = next(v for v in container()["env"] if v["name"] == "ESCALATION_API_KEYS")
    assert "secretKeyRef" in keys["valueFrom"]
    assert "cpu" in container()["resources"]["requests"]
    labels = objects["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        spec = objects[kind]["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= labels.items(), kind
    assert (
        objects["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"]
        == (objects["Deployment"]["metadata"]["name"])
    )


def test_manifests_are_valid_kubernetes_objects() -> None:
    validate = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed (the deploy extra: make test-engines)",
    )
    for obj in manifests().values():
        validate.validate(obj, KUBERNETES_VERSION, strict=True)  # raises on any error
    bad = dict(manifests()["Service"], spec={"ports": [{"port": "eighty"}]})
    with pytest.raises(validate.ValidationError):
        validate.validate(bad, KUBERNETES_VERSION, strict=True)
