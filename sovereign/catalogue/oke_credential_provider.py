"""Oracle's kubelet image credential provider for OCIR, which lets OKE nodes pull from the country's private
repositories with their instance principal: pinned in one place.

Data only (STYLE rule 14). Sources, last checked 2026-12 (oracle-devrel/oke-credential-provider-for-ocir,
newest tag ``v0.1.1``, commit 5236e15):
- README: the provider implements the kubelet CredentialProvider v1 API "for passwordless pulls from the
  Container Registry (OCIR)"; it "translates instance principal authentication into the JWT token that is used by
  Kubelet"; kubelet and API server at least v1.26. Oracle's alternative is an image pull secret holding a user's
  auth token (docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contengpullingimagesfromocir.htm): a long-lived
  personal credential in every namespace, which the toolkit does not use.
- ``examples/run-on-worker-instance-principal/``: a dynamic group of the worker nodes with ``read repos`` on the
  repositories' compartment (the platform's ``repository_read_statements``), the binary in the bin dir under the
  provider's name, and OKE's init script run with ``--image-credential-provider-bin-dir`` and
  ``--image-credential-provider-config``. The example's cloud-init downloads the binary from GitHub; the nodes
  here have no internet route, so each country stages the release asset in an in-country bucket
  (``oci.node_bootstrap``) and the nodes fetch it through a read-only pre-authenticated request, checking its
  SHA-256 before installing it.
- ``credential-provider-config.yaml``: the provider's settings below (its env entries), unchanged except
  ``matchImages``, which names only the country's registry host instead of ``*.ocir.io``.
"""

from __future__ import annotations

__all__ = [
    "ARCHITECTURES",
    "BIN_DIR",
    "CONFIG_PATH",
    "PROVIDER_NAME",
    "RELEASE",
    "asset_name",
    "object_name",
    "provider_config",
]

RELEASE = "v0.1.1"
PROVIDER_NAME = "credential-provider-oke"
"""The kubelet runs ``<bin dir>/<name>`` for every provider its config names, so the file is named this."""
BIN_DIR = "/usr/local/bin"
CONFIG_PATH = "/etc/kubernetes/credential-provider-config.yaml"
ARCHITECTURES = ("amd64", "arm64")
_DEFAULT_CACHE = "55m"
"""The upstream config's ``defaultCacheDuration``: OCIR tokens from the provider are valid for an hour."""


def asset_name(architecture: str) -> str:
    """The release asset's file name (``releases/download/v0.1.1/oke-credential-provider-for-ocir-linux-amd64``)."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture {architecture!r} (allowed: {', '.join(ARCHITECTURES)})")
    return f"oke-credential-provider-for-ocir-linux-{architecture}"


def object_name(architecture: str) -> str:
    """Where the country stages the asset in its node-bootstrap bucket."""
    return f"oke-credential-provider/{RELEASE}/{asset_name(architecture)}"


def provider_config(registry_host: str) -> str:
    """The kubelet's CredentialProviderConfig (kubelet.config.k8s.io/v1) for the country's registry only."""
    return (
        "apiVersion: kubelet.config.k8s.io/v1\n"
        "kind: CredentialProviderConfig\n"
        "providers:\n"
        f"  - name: {PROVIDER_NAME}\n"
        "    apiVersion: credentialprovider.kubelet.k8s.io/v1\n"
        "    matchImages:\n"
        f'      - "{registry_host}"\n'
        f"    defaultCacheDuration: {_DEFAULT_CACHE}\n"
        "    env:\n"
        "      - name: REGISTRY_TOKEN_PATH\n"
        "        value: /20180419/docker/token\n"
        "      - name: DEFAULT_USER\n"
        "        value: BEARER_TOKEN\n"
        "      - name: REGISTRY_PROTOCOL\n"
        "        value: https\n"
        "      - name: OCIR_AUTH_METHOD\n"
        "        value: INSTANCE_PRINCIPAL\n"
        "      - name: TOKEN_VALIDATION\n"
        "        value: enabled\n"
    )
