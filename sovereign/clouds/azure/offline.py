"""Fabricated outputs of azure-native resources and functions for the offline engine (``sovereign.engine.outputs``
composes every cloud's ``offline`` module through ``sovereign.clouds.cloud_module``).

Every value is derived from the resource's name (or its Azure-name input) so that plans are reproducible:
key URIs, vault URIs, the AKS OIDC issuer and kubelet identity, registry login servers, workspace customer ids
and identity principal/client ids. Values that the real provider computes but the components do not read are
left out on purpose: fabricating them would only hide a missing dependency.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from sovereign.clouds.azure.naming import RULES, auto_name
from sovereign.engine.outputs_kubernetes import fake_kubeconfig

PACKAGE = "azure-native"
"""The Pulumi package whose resources and functions this module fabricates outputs for."""
MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
MOCK_TENANT = "11111111-1111-1111-1111-111111111111"
_NAMESPACE = uuid.UUID("5f0c2b9e-7a4d-4a53-9a36-2c1f0e8d7b61")


# azure-native module -> the Resource Manager namespace its ids use.
_NAMESPACES = {
    "authorization": "Authorization",
    "compute": "Compute",
    "containerregistry": "ContainerRegistry",
    "containerservice": "ContainerService",
    "insights": "Insights",
    "keyvault": "KeyVault",
    "managedidentity": "ManagedIdentity",
    "monitor": "Insights",
    "network": "Network",
    "operationalinsights": "OperationalInsights",
    "privatedns": "Network",
    "storage": "Storage",
}


_CHILD_OF = {
    # Child resources: their id nests under the parent named by this input (``vaults/<vault>/keys/<key>``).
    "azure-native:keyvault:Key": ("vaultName", "vaults"),
    "azure-native:network:Subnet": ("virtualNetworkName", "virtualNetworks"),
    "azure-native:containerservice:AgentPool": ("resourceName", "managedClusters"),
}


def resource_id(type_token: str, name: str, inputs: dict[str, Any] | None = None) -> str:
    """A Resource Manager id of the real shape: ``.../providers/Microsoft.Compute/diskEncryptionSets/<name>``,
    child resources under their parent (``.../Microsoft.KeyVault/vaults/<vault>/keys/<key>``)."""
    _, module, kind = type_token.split(":")
    base = f"/subscriptions/{MOCK_SUBSCRIPTION}/resourceGroups"
    if type_token == "azure-native:resources:ResourceGroup":
        return f"{base}/{name}"
    namespace = _NAMESPACES.get(module, module.capitalize())
    parent = _CHILD_OF.get(type_token)
    parent_name = (inputs or {}).get(parent[0]) if parent else None
    if parent and isinstance(parent_name, str):
        return (
            f"{base}/offline/providers/Microsoft.{namespace}/{parent[1]}/{parent_name}/{_plural(kind)}/{name}"
        )
    return f"{base}/offline/providers/Microsoft.{namespace}/{_plural(kind)}/{name}"


def _plural(kind: str) -> str:
    singular = kind[0].lower() + kind[1:]
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + ("es" if singular.endswith("s") else "s")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def physical_name(type_token: str, name: str, inputs: dict[str, Any]) -> str:
    """The Azure name a resource gets: its explicit name input, or azure-native's auto-name.

    The auto-name is emulated exactly in shape (``sovereign.clouds.azure.naming.auto_name``: the Pulumi name
    + 8 hex characters, no truncation) so that everything derived from it (ids, URIs, host names) is as long
    and as shaped as the real one; the offline engine once stripped dashes and added no suffix, which hid
    names Azure refuses.
    """
    rule = RULES.get(type_token)
    if rule is None:
        return auto_name(name, f"{type_token}::{name}")
    value = inputs.get(rule.name_input)
    if isinstance(value, str) and value:
        return value
    return auto_name(name, f"{type_token}::{name}", rule.auto_name)


def _named(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # azure-native returns the Azure name as the `name` output (types with their own fabricator set it there).
    _identities_as_response(inputs)
    return {}


def _identities_as_response(inputs: dict[str, Any]) -> None:
    """azure-native v3 takes ``identity.userAssignedIdentities`` as a list of ids but returns a map keyed by id.

    Echoed unchanged, the list makes the SDK fail to read the resource's outputs ("Expected 'list'"). The
    generic merge in ``sovereign.engine.outputs`` never overrides an input, so the list is rewritten in place:
    the engine's state is a shallow copy of this same dict, so the nested ``identity`` object is shared. The
    recorded inputs are taken from the request separately and keep the list form that is really sent.
    """
    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        identity["userAssignedIdentities"] = {
            identity_id: {
                "principalId": _guid("principal", identity_id),
                "clientId": _guid("client", identity_id),
            }
            for identity_id in identity["userAssignedIdentities"]
            if isinstance(identity_id, str)
        }


def _azure_name(inputs: dict[str, Any], key: str, default: str) -> str:
    value = inputs.get(key)
    return value if isinstance(value, str) and value else default


def _physical_name_output(type_token: str) -> Any:
    """The ``name`` output of a type: its physical Azure name (explicit or emulated auto-name)."""
    return lambda name, inputs: {"name": physical_name(type_token, name, inputs)}


def _identity(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:managedidentity:UserAssignedIdentity", name, inputs)
    return {
        "name": azure_name,
        "principalId": _guid("principal", azure_name),
        "clientId": _guid("client", azure_name),
        "tenantId": MOCK_TENANT,
    }


def _vault(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:keyvault:Vault", name, inputs)
    return {"name": azure_name, "properties": {"vaultUri": f"https://{azure_name}.vault.azure.net/"}}


def _key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    vault = _azure_name(inputs, "vaultName", "offline-vault")
    key_name = physical_name("azure-native:keyvault:Key", name, inputs)
    version = uuid.uuid5(_NAMESPACE, f"{vault}/{key_name}").hex
    uri = f"https://{vault}.vault.azure.net/keys/{key_name}"
    return {"name": key_name, "keyUri": uri, "keyUriWithVersion": f"{uri}/{version}"}


def _managed_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:containerservice:ManagedCluster", name, inputs)
    location = _azure_name(inputs, "location", "offline")
    return {
        "name": azure_name,
        "nodeResourceGroup": f"MC_offline_{azure_name}_{location}",
        "privateFQDN": f"{azure_name}.privatelink.{location}.azmk8s.io",
        "oidcIssuerProfile": {
            "issuerURL": f"https://{location}.oic.prod-aks.azure.com/{MOCK_TENANT}/{_guid('oidc', azure_name)}/"
        },
        "identityProfile": {
            "kubeletidentity": {
                "objectId": _guid("kubelet-object", azure_name),
                "clientId": _guid("kubelet-client", azure_name),
                "resourceId": resource_id(
                    "azure-native:managedidentity:UserAssignedIdentity", f"{azure_name}-kubelet"
                ),
            }
        },
    }


def _registry(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:containerregistry:Registry", name, inputs)
    return {"name": azure_name, "loginServer": f"{azure_name.lower()}.azurecr.io"}


def _storage_account(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:storage:StorageAccount", name, inputs)
    return {
        "name": azure_name,
        "primaryEndpoints": {"blob": f"https://{azure_name}.blob.core.windows.net/"},
    }


def _workspace(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:operationalinsights:Workspace", name, inputs)
    return {"name": azure_name, "customerId": _guid("workspace", azure_name)}


def _log_analytics_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = physical_name("azure-native:operationalinsights:Cluster", name, inputs)
    return {"name": azure_name, "clusterId": _guid("la-cluster", azure_name)}


def _user_credentials(args: dict[str, Any]) -> dict[str, Any]:
    cluster = str(args.get("resourceName", "offline-cluster"))
    encoded = base64.b64encode(fake_kubeconfig(cluster).encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": encoded}]}


RESOURCES: dict[str, Any] = {
    **{type_token: _physical_name_output(type_token) for type_token in RULES},
    "azure-native:*": _named,
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:Key": _key,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:operationalinsights:Workspace": _workspace,
    "azure-native:operationalinsights:Cluster": _log_analytics_cluster,
}

_HUB: dict[str, str] = {}
"""The hub firewall the offline plan stands in for: the one the country file declares (``prepare``)."""


def prepare(config: Any) -> None:
    """Before an offline plan: stand in for the country's hub firewall as declared (its private IP, in the
    primary region). The offline plan cannot see the hub; a real preview asks Azure through the same invokes,
    and ``EgressAllowList`` refuses a firewall that is not at the next hop or not in the country."""
    _HUB.clear()
    egress = getattr(getattr(config, "azure", None), "egress", None)
    if egress is not None and egress.firewall_ip is not None and egress.firewall_policy_id is not None:
        _HUB.update(firewall_ip=str(egress.firewall_ip), location=config.regions.primary)


def set_offline_hub(firewall_ip: str, location: str) -> None:
    """What ``prepare`` does, for component tests that build a platform without a country file."""
    _HUB.clear()
    _HUB.update(firewall_ip=firewall_ip, location=location)


def _firewall_policy(args: dict[str, Any]) -> dict[str, Any]:
    group, policy = str(args.get("resourceGroupName")), str(args.get("firewallPolicyName"))
    firewall = f"/subscriptions/{MOCK_SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.Network/azureFirewalls"
    # No declared hub: no firewall uses the policy, and the component's check fails, as it would in Azure.
    return {
        "name": policy,
        "location": _HUB.get("location"),
        "firewalls": [{"id": f"{firewall}/{policy}-firewall"}] if _HUB else [],
    }


def _azure_firewall(args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("azureFirewallName"))
    return {
        "name": name,
        "location": _HUB.get("location"),
        "ipConfigurations": [
            {
                "name": "hub",
                "privateIPAddress": _HUB.get("firewall_ip"),
                "etag": "offline",
                "provisioningState": "Succeeded",
                "type": "Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations",
            }
        ],
    }


CALLS: dict[str, Any] = {
    "azure-native:network:getFirewallPolicy": _firewall_policy,
    "azure-native:network:getAzureFirewall": _azure_firewall,
    "azure-native:authorization:getClientConfig": lambda args: {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": MOCK_SUBSCRIPTION,
        "tenantId": MOCK_TENANT,
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": _user_credentials,
}


def _identities_shape_only(state: dict[str, Any]) -> None:
    """Preview: the map keyed by identity id that the SDK reads back, with nothing computed in it."""
    identity = state.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        identity = state["identity"] = dict(identity)
        identity["userAssignedIdentities"] = {
            identity_id: {}
            for identity_id in identity["userAssignedIdentities"]
            if isinstance(identity_id, str)
        }


RESHAPES: dict[str, Any] = {"azure-native:*": _identities_shape_only}
"""Input-to-response shape corrections, applied in preview too: values are never invented, only re-shaped."""
