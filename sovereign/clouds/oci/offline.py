"""Fabricated outputs of pulumi-oci resources and functions for the offline engine (``sovereign.engine.outputs``
composes every cloud's ``offline`` module through ``sovereign.clouds.cloud_module``).

Only what OCI *computes* and the components read back: vault endpoints, the VCN's default security list,
key versions, cluster endpoints, and the invokes (namespace, availability domains, Oracle Services Network,
node image options, kubeconfig). Everything is derived from names or arguments, so plans are reproducible.
"""

from __future__ import annotations

from typing import Any

from sovereign.catalogue import REGIONS
from sovereign.engine.outputs_kubernetes import fake_kubeconfig

PACKAGE = "oci"
"""The Pulumi package whose resources and functions this module fabricates outputs for."""
OFFLINE_ADS = ("Offl:OFFLINE-AD-1", "Offl:OFFLINE-AD-2", "Offl:OFFLINE-AD-3")
OFFLINE_SERVICES_CIDR = "all-offline-services-in-oracle-services-network"


def resource_id(type_token: str, name: str, inputs: dict[str, Any] | None = None) -> str:
    """An OCID of the real shape: ``ocid1.<kind>.oc1..offline<name>``."""
    kind = type_token.rsplit(":", 1)[-1].lower()
    return f"ocid1.{kind}.oc1..offline{name.replace('-', '')}"


def _vault(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    host = name.replace("-", "")
    return {
        "managementEndpoint": f"https://{host}-management.kms.offline.oraclecloud.com",
        "cryptoEndpoint": f"https://{host}-crypto.kms.offline.oraclecloud.com",
        "isPrimary": True,
        "state": "ACTIVE",
    }


def _vcn(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    flat = name.replace("-", "")
    return {
        "defaultSecurityListId": f"ocid1.securitylist.oc1..offline{flat}default",
        "defaultRouteTableId": f"ocid1.routetable.oc1..offline{flat}default",
        "defaultDhcpOptionsId": f"ocid1.dhcpoptions.oc1..offline{flat}default",
    }


def _key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "currentKeyVersion": f"ocid1.keyversion.oc1..offline{name.replace('-', '')}v1",
        "state": "ENABLED",
    }


def _cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "endpoints": [{"privateEndpoint": "10.0.0.2:6443", "kubernetes": "", "publicEndpoint": ""}],
        "openIdConnectDiscoveryEndpoint": f"https://oidc.offline.invalid/{name}",
    }


def _node_pool_option(args: dict[str, Any]) -> dict[str, Any]:
    version = str(args.get("nodePoolK8sVersion") or "v1.31.1").removeprefix("v")
    names = [
        f"Oracle-Linux-8.10-2025.01.31-0-OKE-{version}-800",
        f"Oracle-Linux-8.10-Gen2-GPU-2025.01.31-0-OKE-{version}-800",
        f"Oracle-Linux-8.10-aarch64-2025.01.31-0-OKE-{version}-800",
        f"Oracle-Linux-8.10-2024.09.30-0-OKE-{version}-700",
    ]
    return {
        "id": "all",
        "sources": [
            {"imageId": f"ocid1.image.oc1..offline{i}", "sourceName": n, "sourceType": "IMAGE"}
            for i, n in enumerate(names)
        ],
    }


def _region_subscriptions(args: dict[str, Any]) -> dict[str, Any]:
    """The offline tenancy is subscribed to exactly the regions a ``region_name`` filter asks about, each its
    home region: the stack's home-region check (``stacks/oci_platform.py``) then passes as it would against a
    tenancy configured correctly. What the real API answers is checked by ``confirm_home_region``'s tests."""
    names = [
        str(v)
        for f in args.get("filters") or []
        if (f or {}).get("name") == "region_name"
        for v in (f or {}).get("values") or []
    ]
    keys = {r.name: r.key for r in REGIONS.values() if r.key}
    return {
        "tenancyId": args.get("tenancyId"),
        "id": "region-subscriptions",
        "filters": args.get("filters"),
        "regionSubscriptions": [
            {"regionName": n, "regionKey": keys.get(n, ""), "isHomeRegion": True, "state": "READY"}
            for n in names
        ],
    }


def _kube_config(args: dict[str, Any]) -> dict[str, Any]:
    cluster_id = str(args.get("clusterId", "cluster"))
    return {
        "clusterId": cluster_id,
        "endpoint": args.get("endpoint"),
        "content": fake_kubeconfig(cluster_id.rsplit(".", 1)[-1]),
        "id": f"kubeconfig-{cluster_id}",
    }


def _preauthrequest(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The shape OCI returns: ``/p/<token>/n/<namespace>/b/<bucket>/o/<object>`` (Oracle, "Using
    Pre-Authenticated Requests"); the token is made up."""
    token = name.replace("-", "")
    path = f"/n/{inputs.get('namespace')}/b/{inputs.get('bucket')}/o/{inputs.get('objectName')}"
    return {"accessUri": f"/p/offline{token}{path}", "parId": f"offline{token}"}


RESOURCES: dict[str, Any] = {
    "oci:ObjectStorage/preauthrequest:Preauthrequest": _preauthrequest,
    "oci:Kms/vault:Vault": _vault,
    "oci:Core/vcn:Vcn": _vcn,
    "oci:Kms/key:Key": _key,
    "oci:ContainerEngine/cluster:Cluster": _cluster,
}


def _shapes(args: dict[str, Any]) -> dict[str, Any]:
    """Offline, every AD offers every catalogued OCI shape: which AD offers which shape is the tenancy's and the
    region's, and only a real preview asks (``components.oci.node_pool.shape_offered_in``)."""
    from sovereign.catalogue.machines import MACHINE_SIZES

    wanted = args.get("shape")
    names = [n for (cloud, n) in MACHINE_SIZES if cloud.value == "oci" and (wanted is None or n == wanted)]
    return {
        "id": f"shapes-{args.get('availabilityDomain')}",
        "compartmentId": args.get("compartmentId"),
        "availabilityDomain": args.get("availabilityDomain"),
        "shape": wanted,
        "shapes": [{"name": n, "shape": n} for n in names],
    }


CALLS: dict[str, Any] = {
    "oci:Core/getShapes:getShapes": _shapes,
    "oci:ObjectStorage/getNamespace:getNamespace": lambda args: {"namespace": "offlinens", "id": "offlinens"},
    # The staged object exists offline; under `pulumi preview` a missing one fails the look-up (HTTP 404).
    "oci:ObjectStorage/getObjectHead:getObjectHead": lambda args: {
        **args,
        "id": f"{args.get('namespace')}/{args.get('bucket')}/{args.get('object')}",
        "contentLength": 41943040,
        "contentType": "application/octet-stream",
        "etag": "offline-etag",
        "storageTier": "Standard",
        "archivalState": "",
        "metadata": {},
    },
    "oci:Identity/getAvailabilityDomains:getAvailabilityDomains": lambda args: {
        "compartmentId": args.get("compartmentId"),
        "id": "availability-domains",
        "availabilityDomains": [
            {
                "compartmentId": args.get("compartmentId"),
                "id": f"ocid1.availabilitydomain.oc1..offline{i}",
                "name": n,
            }
            for i, n in enumerate(OFFLINE_ADS, start=1)
        ],
    },
    "oci:Core/getServices:getServices": lambda args: {
        "id": "services",
        "services": [
            {
                "id": "ocid1.service.oc1..offlineallservices",
                "name": "All OFFLINE Services In Oracle Services Network",
                "description": "All OFFLINE Services In Oracle Services Network",
                "cidrBlock": OFFLINE_SERVICES_CIDR,
            }
        ],
    },
    "oci:ContainerEngine/getNodePoolOption:getNodePoolOption": _node_pool_option,
    "oci:ContainerEngine/getClusterKubeConfig:getClusterKubeConfig": _kube_config,
    "oci:Identity/getRegionSubscriptions:getRegionSubscriptions": _region_subscriptions,
}

RESHAPES: dict[str, Any] = {}
"""Input-to-response shape corrections (none: the echoed inputs read back as they are)."""
