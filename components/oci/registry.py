"""ContainerRegistry: the country's private, in-region OCI Registry repositories.

Declares one repository per configured path in the country compartment, each private (``is_public`` false)
and immutable (a pushed tag can never be overwritten, so a digest seen in review is the image that runs), and
one region-conditioned IAM policy that lets the given dynamic groups (the cluster, for image verification,
and the worker nodes, for kubelet pulls) read them. When an image-signing key is given, every repository
records it: the cluster's image verification policy admits only images signed with it, so the CI pipeline
must sign each pushed digest (``oci artifacts container image-signature sign-upload``) with that key.

Non-goals: pushing or signing images (the supply-chain pipeline's job, with the same key), pull-through
caches of public registries, the tenancy-wide registry setting that auto-creates repositories on first push.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_oci as oci

from components.oci.regions import registry_host, registry_hosts, require_region
from components.oci.statements import repository_read_statements

if TYPE_CHECKING:
    from components.oci.key_custody import KeyCustody
    from components.oci.network import SovereignNetwork

__all__ = ["ContainerRegistry", "ContainerRegistryArgs"]

_REPOSITORY = re.compile(r"[a-z0-9]([a-z0-9._-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*")


@dataclass(frozen=True)
class ContainerRegistryArgs:
    network: SovereignNetwork
    """The platform network: its country compartment holds the repositories and the read policy."""
    keys: KeyCustody
    """The country's keys: the cluster and worker dynamic groups read the repositories; images are signed with
    its image-signing key."""
    region: str
    """Region identifier of the provider; the registry endpoint is derived from it."""
    repositories: Sequence[str]
    """Repository paths, such as 'models/vllm-openai' (lower case, '/'-separated)."""
    namespace: pulumi.Input[str] | None = None
    """Object Storage namespace (the registry uses the tenancy's). Omitted: looked up."""
    identity_provider: pulumi.ProviderResource | None = None
    """Home-region OCI provider for the IAM policy. Omitted: the inherited provider."""
    freeform_tags: Mapping[str, str] = field(default_factory=dict)
    """Free-form tags on every resource."""
    protect_stateful: bool = True
    """Protect the repositories (and their images) from deletion by Pulumi (False for non-prod)."""

    def __post_init__(self) -> None:
        require_region(self.region)
        if not self.repositories or len(set(self.repositories)) != len(self.repositories):
            raise ValueError(
                f"repositories: need at least one and no duplicates (got {list(self.repositories)})"
            )
        for path in self.repositories:
            if not _REPOSITORY.fullmatch(path):
                raise ValueError(
                    f"repositories: {path!r} is not a lower-case repository path like 'models/vllm'"
                )


class ContainerRegistry(pulumi.ComponentResource):
    registry_host: str
    """The endpoint repository URLs use ('fra.ocir.io' in oc1, 'artifacts.<region>.oci.<domain>' elsewhere)."""
    registry_hosts: tuple[str, ...]
    """Every documented endpoint of the region's registry, for admission allow-lists."""
    namespace: pulumi.Output[str]
    repository_ids: dict[str, pulumi.Output[str]]
    repository_urls: dict[str, pulumi.Output[str]]
    """'<host>/<namespace>/<path>' by path; reference images there by digest."""

    def __init__(
        self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("sovereign:oci:ContainerRegistry", name, None, opts)
        host = registry_host(args.region)
        compartment_id = args.network.compartment_id
        readers = [args.keys.cluster_dynamic_group_name, args.keys.worker_dynamic_group_name]
        namespace = (
            pulumi.Output.from_input(args.namespace)
            if args.namespace is not None
            else oci.objectstorage.get_namespace_output(
                compartment_id=compartment_id, opts=pulumi.InvokeOutputOptions(parent=self)
            ).namespace
        )
        signing = pulumi.Output.from_input(args.keys.image_signing_key_id)
        readme = signing.apply(
            lambda key: (
                f"Private, immutable, in-region. Images must be signed with Vault key {key}; the cluster "
                "runs only signed images, referenced by digest."
                if key
                else "Private, immutable, in-region. Reference images by digest."
            )
        )
        tags = dict(args.freeform_tags)
        repositories = {
            path: oci.artifacts.ContainerRepository(
                f"{name}-{path.replace('/', '-')}",
                compartment_id=compartment_id,
                display_name=path,
                is_public=False,
                is_immutable=True,
                readme=oci.artifacts.ContainerRepositoryReadmeArgs(content=readme, format="text/plain"),
                freeform_tags=signing.apply(
                    lambda key: {**tags, "sovereign.ai/signing-key": key} if key else tags
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect_stateful),
            )
            for path in args.repositories
        }
        statements = pulumi.Output.all(compartment_id, *readers).apply(
            lambda v: repository_read_statements(
                dynamic_groups=v[1:], compartment_id=v[0], region=args.region
            )
        )
        oci.identity.Policy(
            f"{name}-readers",
            compartment_id=compartment_id,
            name=f"{name}-readers",
            description="Cluster and worker nodes pull from the in-country registry, in its region only",
            statements=statements,
            freeform_tags=tags,
            opts=pulumi.ResourceOptions(parent=self, provider=args.identity_provider),
        )

        self.registry_host = host
        self.registry_hosts = registry_hosts(args.region)
        self.namespace = namespace
        self.repository_ids = {path: repo.id for path, repo in repositories.items()}
        self.repository_urls = {
            path: namespace.apply(lambda ns, p=path: f"{host}/{ns}/{p}") for path in repositories
        }
        self.register_outputs(
            {"registry_host": host, "namespace": namespace, "repository_urls": self.repository_urls}
        )
