"""NodeBootstrap: what OKE nodes fetch at boot from in-country storage, so the kubelet can pull the country's
private OCIR images with the node's instance principal.

Declares, for the credential provider binary staged in the country's node-bootstrap bucket
(:mod:`sovereign.catalogue.oke_credential_provider`):

- a look-up of the object (``getObjectHead``), so a real ``pulumi preview`` fails before anything is created
  when the binary was not staged, instead of nodes that never join;
- one read-only pre-authenticated request (PAR) on that one object (``ObjectRead``, no listing), whose URL goes
  into the node pools' cloud-init. The nodes have no internet route; the URL resolves to Object Storage in the
  primary region, reached through the service gateway. The node checks the binary's SHA-256 before installing
  it, so the URL grants nothing but a copy of a public binary.

The PAR expires on 1 January two years after the validation year (:func:`par_expiry`): OCI requires an expiry
(``CreatePreauthenticatedRequestDetails.timeExpires``, required), and ``time_expires`` forces a new PAR
(terraform-provider-oci ``objectstorage_preauthrequest_resource.go``: ForceNew), so the date moves once a year,
not on every run. The new URL updates the node pools' metadata in place (``node_metadata`` is not ForceNew in
``containerengine_node_pool_resource.go``) and only nodes created afterwards read it; running nodes installed the
binary when they booted.

Non-goals: creating the bucket or uploading the binary (the bucket must exist, with the binary, before the
node pools do: it is created with the state bucket, see the README's OCI deployment steps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_oci as oci

from components.oci.regions import realm_domain, realm_of, require_region
from sovereign.catalogue import oke_credential_provider as ocp

__all__ = ["NodeBootstrap", "NodeBootstrapArgs", "object_storage_endpoint", "par_expiry"]


def par_expiry(as_of: dt.date) -> dt.date:
    """1 January two years after ``as_of``'s year: always at least a year away, and stable within a year."""
    return dt.date(as_of.year + 2, 1, 1)


def object_storage_endpoint(region: str) -> str:
    """``https://objectstorage.<region>.<realm domain>``: the host a PAR's ``access_uri`` is appended to
    (pulumi_oci ``objectstorage/preauthrequest.py``: "The URI to embed in the URL
    `https://objectstorage.${var.region}.oraclecloud.com{var.access_uri}`")."""
    return f"https://objectstorage.{require_region(region)}.{realm_domain(realm_of(region))}"


@dataclass(frozen=True)
class NodeBootstrapArgs:
    region: str
    """Primary region: the bucket's region, and the nodes'."""
    namespace: pulumi.Input[str]
    """Object Storage namespace of the tenancy."""
    bucket: str
    """The node-bootstrap bucket (``oci.node_bootstrap.bucket``)."""
    as_of: dt.date
    """Validation date; the PAR's expiry derives from it."""


class NodeBootstrap(pulumi.ComponentResource):
    credential_provider_url: pulumi.Output[str]
    """PAR URL of the credential provider binary. Not a secret on purpose: it reads one object, a public binary
    the node checks by digest, and a visible URL lets the plan check the node script (``oke-registry-pulls``)."""

    def __init__(
        self, name: str, args: NodeBootstrapArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:NodeBootstrap", name, None, opts)
        require_region(args.region)
        object_name = ocp.object_name("amd64")
        head: Any = oci.objectstorage.get_object_head_output(
            bucket=args.bucket,
            namespace=args.namespace,
            object=object_name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        par = oci.objectstorage.Preauthrequest(
            f"{name}-credential-provider",
            name=f"{name}-credential-provider",
            namespace=args.namespace,
            bucket=args.bucket,
            # From the look-up, so the PAR waits for it (and a missing object stops the deployment there).
            object_name=head.object,
            access_type="ObjectRead",
            time_expires=f"{par_expiry(args.as_of).isoformat()}T00:00:00Z",
            opts=pulumi.ResourceOptions(parent=self),
        )
        endpoint = object_storage_endpoint(args.region)
        self.credential_provider_url = par.access_uri.apply(lambda uri: endpoint + (uri or ""))
        self.register_outputs({})
