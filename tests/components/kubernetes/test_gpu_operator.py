"""GpuOperator: chart and every image from the country's mirror by digest, GPU taint and label, driver source.

Images are composed the way the chart and the operator compose them (NVIDIA/gpu-operator v26.7.0
``templates/_helpers.tpl`` ``repository/image:version``; ``internal/image/image.go`` ``ImagePath``: ``@`` only
when the version starts with ``sha256:``; NFD ``templates/master.yaml`` ``repository:tag``), so a value the
chart would turn into a tag reference, or into a reference outside the mirror, fails here.
"""

import re
from typing import Any

import pytest

from components.kubernetes.gpu_operator import (
    DISABLED_COMPONENTS,
    PRIVILEGED_PSA_LABELS,
    GpuDriverSource,
    GpuOperator,
    GpuOperatorArgs,
    gpu_operator_values,
)
from sovereign.catalogue import gpu_operator as catalogue
from sovereign.contracts import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE
from sovereign.types import Environment, parse_image_ref
from tests.components.kubernetes.helpers import NETWORK_POLICY, REGISTRY, record

RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
API_SERVER = "10.40.16.0/28"
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
SYSTEM_TOLERATION = {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def args(**changes: Any) -> GpuOperatorArgs:
    values: dict[str, Any] = {
        "registry_prefix": REGISTRY,
        "country_code": "de",
        "environment": Environment.PROD,
        "driver_source": GpuDriverSource.NODE_IMAGE,
        "api_server_cidrs": (API_SERVER,),
        "node_runtime_class": "nvidia-container-runtime",
        "controller_tolerations": (SYSTEM_TAINT,),
    }
    values.update(changes)
    return GpuOperatorArgs(**values)


MIRROR_LINE = "deb [arch=amd64] https://ubuntu-mirror.de.gov.example/ubuntu jammy main universe"
CONFIDENTIAL: dict[str, Any] = {
    "driver_source": GpuDriverSource.OPERATOR,
    "node_runtime_class": "nvidia",
    "driver_package_sources": (MIRROR_LINE,),
    "driver_package_cidrs": ("10.250.0.0/28",),
}


@pytest.fixture(scope="module")
def recording():
    return record(lambda: GpuOperator("gpu", args()))


@pytest.fixture(scope="module")
def confidential():
    return record(lambda: GpuOperator("gpu", args(**CONFIDENTIAL)))


def chart_image(spec: dict[str, Any]) -> str:
    """How the chart's helpers and the operator turn repository/image/version into a reference."""
    version = spec["version"]
    joiner = "@" if version.startswith("sha256:") else ":"
    return f"{spec['repository']}/{spec['image']}{joiner}{version}"


def image_specs(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for key, value in values.items():
        if isinstance(value, dict) and {"repository", "image", "version"} <= set(value):
            found[key] = value
        if isinstance(value, dict) and isinstance(value.get("manager"), dict):
            found[f"{key}.manager"] = value["manager"]
    return found


def test_chart_comes_from_the_country_registry_pinned(recording) -> None:
    release = recording.one(RELEASE, "gpu-release")
    assert release.get("chart") == f"oci://{REGISTRY}/helm/gpu-operator", release.urn
    assert release.get("version") == catalogue.CHART_VERSION == "v26.7.0", release.urn
    assert release.get("namespace") == "gpu-operator", release.urn
    assert release.get("name") == "gpu-operator", (
        release.urn
    )  # fullname 'gpu-operator', not '<name>-gpu-operator'


def test_every_image_resolves_into_the_mirror_by_a_catalogue_digest(recording) -> None:
    release = recording.one(RELEASE, "gpu-release")
    values = release.get("values")
    pinned = {image.digest for image in catalogue.MIRRORED_IMAGES}
    specs = image_specs(values)
    assert {
        "operator",
        "validator",
        "devicePlugin",
        "gfd",
        "dcgmExporter",
        "toolkit",
        "driver.manager",
    } <= set(specs), release.urn
    nfd = values["node-feature-discovery"]["image"]
    references = {key: chart_image(spec) for key, spec in specs.items() if spec.get("enabled", True)}
    references["node-feature-discovery"] = f"{nfd['repository']}:{nfd['tag']}"
    for key, reference in references.items():
        host, _, digest = parse_image_ref(reference)  # raises unless pinned by digest
        assert host == REGISTRY and reference.startswith(f"{REGISTRY}/mirror/"), (release.urn, key, reference)
        assert digest in pinned, (release.urn, key, reference)
    assert references["devicePlugin"] == (
        f"{REGISTRY}/mirror/nvidia/k8s-device-plugin:v0.20.0@{catalogue.DEVICE_PLUGIN.digest}"
    ), release.urn


def test_catalogue_digests_are_well_formed_and_distinct_per_repository() -> None:
    for image in catalogue.MIRRORED_IMAGES:
        assert DIGEST.fullmatch(image.digest), image
        assert image.upstream.split("/", 1)[0] in ("nvcr.io", "registry.k8s.io"), image
        parse_image_ref(image.mirror_ref(REGISTRY))
    assert len({i.upstream for i in catalogue.MIRRORED_IMAGES}) == len(catalogue.MIRRORED_IMAGES)


def test_operands_tolerate_the_gpu_taint_and_nfd_runs_on_gpu_nodes_only(recording) -> None:
    release = recording.one(RELEASE, "gpu-release")
    values = release.get("values")
    assert values["daemonsets"]["tolerations"] == [GPU_TOLERATION], release.urn
    worker = values["node-feature-discovery"]["worker"]
    assert worker["tolerations"] == [GPU_TOLERATION], release.urn
    assert worker["nodeSelector"] == {GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}, release.urn
    assert values["devicePlugin"]["enabled"] is True and values["gfd"]["enabled"] is True, release.urn


def test_controllers_run_on_the_tainted_system_pool(recording) -> None:
    values = recording.one(RELEASE, "gpu-release").get("values")
    nfd = values["node-feature-discovery"]
    for tolerations in (
        values["operator"]["tolerations"],
        nfd["master"]["tolerations"],
        nfd["gc"]["tolerations"],
    ):
        assert tolerations == [SYSTEM_TOLERATION]


def test_node_image_driver_leaves_driver_toolkit_and_cdi_to_the_node(recording) -> None:
    values = recording.one(RELEASE, "gpu-release").get("values")
    assert values["driver"]["enabled"] is False and values["toolkit"]["enabled"] is False
    assert values["cdi"] == {"enabled": False}
    # Operands must run with the runtime AKS configured, or their sandboxes fail ("no runtime for nvidia").
    assert values["operator"]["runtimeClass"] == "nvidia-container-runtime"


def test_confidential_gpus_get_the_operators_driver_and_no_kata_cc_manager(confidential) -> None:
    release = confidential.one(RELEASE, "gpu-release")
    values = release.get("values")
    driver = values["driver"]
    assert driver["enabled"] is True and values["toolkit"]["enabled"] is True, release.urn
    assert (driver["repository"], driver["image"], driver["version"]) == (
        f"{REGISTRY}/mirror/nvidia",
        "driver",
        catalogue.DRIVER.version,
    ), release.urn
    assert driver["upgradePolicy"] == {"autoUpgrade": False}, release.urn
    assert values["operator"]["runtimeClass"] == "nvidia" and values["cdi"] == {"enabled": True}, release.urn
    # ccManager only acts on Kata sandboxes (state_manager.go isStateEnabled); Azure sets the CC mode itself.
    assert values["ccManager"] == {"enabled": False} and values["sandboxWorkloads"] == {"enabled": False}


def test_unused_privileged_components_are_off() -> None:
    values = gpu_operator_values(args())
    assert all(values[key] == {"enabled": False} for key in DISABLED_COMPONENTS)
    assert values["dcgmExporter"]["serviceMonitor"] == {"enabled": False}
    assert values["psa"] == {"enabled": False} and values["platform"] == {"openshift": False}


def test_namespace_is_privileged_default_deny_and_reaches_only_dns_and_the_api_server(recording) -> None:
    namespace = recording.one(NAMESPACE, "gpu-namespace")
    labels = namespace.get("metadata.labels")
    assert {k: labels[k] for k in PRIVILEGED_PSA_LABELS} == PRIVILEGED_PSA_LABELS, namespace.urn
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged", namespace.urn
    assert namespace.protect is True, namespace.urn
    deny = recording.one(NETWORK_POLICY, "gpu-default-deny")
    assert deny.get("spec.policyTypes") == ["Ingress", "Egress"] and not deny.get("spec.ingress"), deny.urn
    api = recording.one(NETWORK_POLICY, "gpu-allow-api-server")
    assert api.get("spec.egress") == [
        {"to": [{"ipBlock": {"cidr": API_SERVER}}], "ports": [{"protocol": "TCP", "port": 443}]}
    ], api.urn
    assert len(recording.of_type(NETWORK_POLICY)) == 3


def test_release_waits_for_its_network_policies(recording) -> None:
    release = recording.one(RELEASE, "gpu-release")
    policies = {p.urn for p in recording.of_type(NETWORK_POLICY)}
    assert policies <= set(release.dependencies), release.urn


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"registry_prefix": "nvcr.io"}, "public registry"),
        ({"api_server_cidrs": ()}, "api_server_cidrs is empty"),
        ({"api_server_cidrs": ("10.0.0.0/8",)}, "opens egress"),
        ({"gpu_taint": "nvidia.com/gpu"}, "key[=value]:Effect"),
        ({"controller_tolerations": ("CriticalAddonsOnly",)}, "key[=value]:Effect"),
        ({**CONFIDENTIAL, "node_runtime_class": "nvidia-container-runtime"}, "node_runtime_class"),
        ({**CONFIDENTIAL, "driver_package_sources": ()}, "in-country package mirror"),
        ({"driver_package_cidrs": ("10.250.0.0/28",)}, "in-country package mirror"),
        ({**CONFIDENTIAL, "driver_package_cidrs": ("0.0.0.0/0",)}, "opens egress"),
        ({"namespace_name": "GPU_Operator"}, "DNS label"),
    ],
)
def test_rejects_invalid_args(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        args(**changes)


def test_the_confidential_driver_builds_from_the_in_country_mirror_only(confidential: Any) -> None:
    repo = confidential.one("kubernetes:core/v1:ConfigMap", "gpu-driver-repo")
    assert repo.get("data") == {"custom-repo.list": MIRROR_LINE + "\n"}, repo.urn
    release = confidential.one("kubernetes:helm.sh/v3:Release")
    assert release.get("values.driver.repoConfig") == {"configMapName": "gpu-driver-repo"}, release.urn
    mirror = confidential.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "gpu-allow-package-mirror")
    peers = {
        (rule["to"][0]["ipBlock"]["cidr"], rule["ports"][0]["port"]) for rule in mirror.get("spec.egress")
    }
    assert peers == {("10.250.0.0/28", 80), ("10.250.0.0/28", 443)}, mirror.urn
    assert {repo.urn, mirror.urn} <= set(release.dependencies), release.urn
