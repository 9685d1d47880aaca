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
    "network": "Network",
    "operationalinsights": "OperationalInsights",
    "privatedns": "Network",
    "storage": "Storage",
}


def resource_id(type_token: str, name: str) -> str:
    """A Resource Manager id of the real shape: ``.../providers/Microsoft.Compute/diskEncryptionSets/<name>``."""
    _, module, kind = type_token.split(":")
    base = f"/subscriptions/{MOCK_SUBSCRIPTION}/resourceGroups"
    if type_token == "azure-native:resources:ResourceGroup":
        return f"{base}/{name}"
    namespace = _NAMESPACES.get(module, module.capitalize())
    singular = kind[0].lower() + kind[1:]
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        plural = singular[:-1] + "ies"
    else:
        plural = singular + ("es" if singular.endswith("s") else "s")
    return f"{base}/offline/providers/Microsoft.{namespace}/{plural}/{name}"


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _named(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # azure-native returns the Azure name as the `name` output; auto-named resources get the Pulumi name.
    _identities_as_response(inputs)
    return {"name": name}


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


def _identity(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "resourceName", name)
    return {
        "name": azure_name,
        "principalId": _guid("principal", azure_name),
        "clientId": _guid("client", azure_name),
        "tenantId": MOCK_TENANT,
    }


def _vault(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "vaultName", name)
    return {"name": azure_name, "properties": {"vaultUri": f"https://{azure_name}.vault.azure.net/"}}


def _managed_hsm(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "name", name)
    return {"name": azure_name, "properties": {"hsmUri": f"https://{azure_name}.managedhsm.azure.net/"}}


def _key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    vault = _azure_name(inputs, "vaultName", "offline-vault")
    key_name = _azure_name(inputs, "keyName", name)
    version = uuid.uuid5(_NAMESPACE, f"{vault}/{key_name}").hex
    uri = f"https://{vault}.vault.azure.net/keys/{key_name}"
    return {"name": key_name, "keyUri": uri, "keyUriWithVersion": f"{uri}/{version}"}


def _managed_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "resourceName", name)
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
    azure_name = _azure_name(inputs, "registryName", name.replace("-", ""))
    return {"name": azure_name, "loginServer": f"{azure_name.lower()}.azurecr.io"}


def _storage_account(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "accountName", name.replace("-", ""))
    return {
        "name": azure_name,
        "primaryEndpoints": {"blob": f"https://{azure_name}.blob.core.windows.net/"},
    }


def _workspace(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "workspaceName", name)
    return {"name": azure_name, "customerId": _guid("workspace", azure_name)}


def _log_analytics_cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    azure_name = _azure_name(inputs, "clusterName", name)
    return {"name": azure_name, "clusterId": _guid("la-cluster", azure_name)}


def _user_credentials(args: dict[str, Any]) -> dict[str, Any]:
    cluster = str(args.get("resourceName", "offline-cluster"))
    encoded = base64.b64encode(fake_kubeconfig(cluster).encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": encoded}]}


def _named_by(key: str) -> Any:
    """The Azure name comes from the resource's own name input when the program sets one."""

    def fabricate(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"name": _azure_name(inputs, key, name)}

    return fabricate


_NAME_INPUTS = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:network:VirtualNetwork": "virtualNetworkName",
    "azure-native:network:Subnet": "subnetName",
    "azure-native:network:NetworkSecurityGroup": "networkSecurityGroupName",
    "azure-native:network:RouteTable": "routeTableName",
    "azure-native:network:PrivateEndpoint": "privateEndpointName",
    "azure-native:privatedns:PrivateZone": "privateZoneName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:compute:DiskEncryptionSet": "diskEncryptionSetName",
    "azure-native:monitor:PrivateLinkScope": "scopeName",
    "azure-native:containerservice:AgentPool": "agentPoolName",
    "azure-native:authorization:PolicyAssignment": "policyAssignmentName",
}

RESOURCES: dict[str, Any] = {
    **{type_token: _named_by(key) for type_token, key in _NAME_INPUTS.items()},
    "azure-native:*": _named,
    "azure-native:managedidentity:UserAssignedIdentity": _identity,
    "azure-native:keyvault:Vault": _vault,
    "azure-native:keyvault:ManagedHsm": _managed_hsm,
    "azure-native:keyvault:Key": _key,
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerregistry:Registry": _registry,
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:operationalinsights:Workspace": _workspace,
    "azure-native:operationalinsights:Cluster": _log_analytics_cluster,
}

CALLS: dict[str, Any] = {
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
