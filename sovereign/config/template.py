"""Render a commented country file and its stack file (``sovereign new-country``).

The rendered file validates as written: it starts with the platform only (no assistant until a model in the
risk register is approved for the country), secure defaults everywhere, and placeholders that are marked
to be replaced before the first deployment (group object ids, approvers, OCI compartment).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sovereign.catalogue import Region, regions_in_country
from sovereign.catalogue.kubernetes import newest_supported_version
from sovereign.catalogue.machines import MachineSize
from sovereign.catalogue.regions import AZURE_REGION_ACCESS_REQUEST
from sovereign.config.base import ModelRecord
from sovereign.types import Cloud, Environment

__all__ = [
    "CountryTemplate",
    "render_country_file",
    "render_stack_file",
    "to_replace",
    "what_the_country_cannot_have",
]

_DEFAULT_SIZES = {
    Cloud.AZURE: ("Standard_D8ds_v5", "Standard_NC40ads_H100_v5"),
    Cloud.OCI: ("VM.Standard.E5.Flex", "VM.GPU.A10.2"),
}


def gpu_size_for(cloud: Cloud, models: list[ModelRecord]) -> str:
    """The GPU size a new country starts with: the cloud's default, or, when the register already approves models
    for the country that one node of it cannot serve (``register_serving_violations`` would refuse the file), the
    supported size with the least GPU memory that serves them all. The default when none does: validation then
    says which model needs what."""
    from sovereign.catalogue.machines import MACHINE_SIZES
    from sovereign.config.model_serving import MIN_SERVING_CONTEXT_TOKENS, node_problem

    def serves_all(size: MachineSize) -> bool:
        return all(
            node_problem(m, size, min(MIN_SERVING_CONTEXT_TOKENS, m.max_context_tokens)) is None
            for m in models
        )

    default = MACHINE_SIZES[(cloud, _DEFAULT_SIZES[cloud][1])]
    if serves_all(default):
        return default.name
    fitting = [
        m
        for m in MACHINE_SIZES.values()
        if m.cloud == cloud and m.gpus and not m.confidential and serves_all(m)
    ]
    return min(fitting, key=lambda m: (m.gpus * m.gpu_memory_gib, m.name)).name if fitting else default.name


def _placeholder_uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass(frozen=True)
class CountryTemplate:
    code: str
    display_name: str
    cloud: Cloud
    region: Region
    secondary: Region | None = None
    network_octet: int = 40
    """Second octet of the 10.x.0.0/16 address space, so countries do not collide when peered."""
    realm: str = "oc1"
    """OCI only: the tenancy's realm (the region's)."""
    gpu_size: str | None = None
    system_size: str | None = None
    kubernetes_version: str | None = None
    """Default: the newest minor the cloud supports on ``as_of`` (the longest time before an upgrade is due)."""
    as_of: dt.date | None = None
    """The day the file is written for (default: today)."""
    extra_sections: list[str] = field(default_factory=list)


def _secondary_for(region: Region) -> Region | None:
    others = [
        r for r in regions_in_country(region.cloud, region.country, region.realm) if r.name != region.name
    ]
    return others[0] if others else None


def _restricted(region: Region) -> str:
    # The file validates either way; the subscription cannot deploy there until the access request is granted.
    where = f" ({AZURE_REGION_ACCESS_REQUEST})" if region.cloud == Cloud.AZURE else ""
    return f"restricted-access: request access first{where}"


def template_for(code: str, display_name: str, cloud: Cloud, region: Region, octet: int) -> CountryTemplate:
    return CountryTemplate(
        code=code,
        display_name=display_name,
        cloud=cloud,
        region=region,
        secondary=_secondary_for(region),
        network_octet=octet,
        realm=region.realm or "oc1",
    )


def render_country_file(t: CountryTemplate) -> str:
    system_size, gpu_size = _DEFAULT_SIZES[t.cloud]
    system_size = t.system_size or system_size
    gpu_size = t.gpu_size or gpu_size
    o = t.network_octet
    day = t.as_of or dt.date.today()
    version = t.kubernetes_version or newest_supported_version(t.cloud, day)
    service = "AKS" if t.cloud == Cloud.AZURE else "OKE"
    lines = [
        "# yaml-language-server: $schema=../schema/country.schema.json",
        f"# {t.display_name}: sovereign AI platform on {'Azure' if t.cloud == Cloud.AZURE else 'Oracle Cloud'}.",
        "# Layered on _defaults.yaml; 'environments' holds per-environment overrides. Reference: README.md.",
        f"display_name: {t.display_name}",
        f"cloud: {t.cloud.value}",
        "regions:",
        f"  primary: {t.region.name}" + (f"      # {_restricted(t.region)}" if t.region.restricted else ""),
    ]
    if t.secondary:
        lines.append(
            f"  secondary: {t.secondary.name}      # in-country disaster-recovery region"
            + (f"; {_restricted(t.secondary)}" if t.secondary.restricted else "")
        )
    if t.cloud == Cloud.AZURE:
        lines += [
            "azure:",
            f"  pod_cidr: 100.{64 + o % 64}.0.0/16        # overlay range for pods (Azure CNI overlay)",
            "  # egress: none by default; 'mode: allow_list' with firewall_ip, firewall_policy_id and",
            "  # allowed_destinations opens named hosts (written into that firewall policy).",
            "  # key_custody: Key Vault Premium, 3072-bit RSA-HSM keys (from _defaults.yaml).",
        ]
    if t.cloud == Cloud.OCI:
        lines += [
            "oci:",
            f"  realm: {t.realm}",
            "  # Replace both before the first deployment: your tenancy OCID and Object Storage namespace.",
            "  # parent_compartment_id / parent_compartment_path: omitted, the country compartment is at the root.",
            f"  tenancy_id: ocid1.tenancy.{t.realm}..aaaaaaaa{t.code}sovereignplaceholder",
            f"  tenancy_namespace: {t.code}sovereignns",
            "  node_bootstrap:              # created with the state bucket before the first `pulumi up` (README)",
            f"    bucket: {t.code}-node-bootstrap",
            "    # Replace with the `sha256sum` of the OCIR credential provider release asset you staged.",
            f'    credential_provider_sha256: "sha256:{hashlib.sha256(f"placeholder-{t.code}".encode()).hexdigest()}"',
            "  # Replace with your in-network CI runners' or bastion's private range (reaches the API on 6443).",
            "  api_client_cidrs: [10.0.200.0/24]",
        ]
    pods = (
        f"\n    pods: 10.{o}.64.0/18               # VCN-native pod networking"
        if t.cloud == Cloud.OCI
        else ""
    )
    lines += [
        "network:",
        f"  address_space: [10.{o}.0.0/16]",
        "  subnets:",
        f"    nodes: 10.{o}.0.0/20",
        f"    api_server: 10.{o}.16.0/28",
        *([f"    private_endpoints: 10.{o}.17.0/24"] if t.cloud == Cloud.AZURE else []),
        f"    internal_load_balancers: 10.{o}.18.0/24" + pods,
        "  # service_cidr comes from _defaults.yaml.",
        "cluster:",
        f"  # The newest {service} minor supported on {day}; validation refuses it once its support ends",
        f"  # (the dates: sovereign/catalogue/{service.lower()}_versions.py).",
        f'  kubernetes_version: "{version}"',
        "  system_pool:",
        f"    vm_size: {system_size}",
        *(
            [
                "  user_pool:                  # chat front end and tenant workloads",
                f"    vm_size: {system_size}",
            ]
            if t.cloud == Cloud.AZURE
            else []
        ),
        "  gpu_pools:",
        "    - name: gpu",
        f"      vm_size: {gpu_size}",
        "      node_count_min: 0",
        "      node_count_max: 4",
        "  confidential_tier: none     # confidential_vm | confidential_gpu (needed for high/critical models)",
        "storage:",
        "  stores:",
        "    - name: weights",
        "      purpose: model_weights",
        "      redundancy: zone",
        "    - name: audit",
        "      purpose: audit_logs",
        "      redundancy: zone",
        "      retention_days: 2555",
        *(
            [
                "      # false for the first deployment (Azure creates the policy unlocked); then true, and deploy",
                "      # again to lock it (irreversible). README: locked audit stores.",
                "      lock_immutability: false",
            ]
            if t.cloud == Cloud.AZURE
            else []
        ),
        "registry:",
        f"  name: {t.code}sovereignregistry",
        "access:",
        "  # Replace the placeholder groups and approvers before the first deployment.",
        "  admin_groups:",
        f"    - name: {t.code}-platform-admins",
    ]
    if t.cloud == Cloud.AZURE:
        lines.append(f"      object_id: {_placeholder_uuid(t.code + '-admins')}")
    else:  # OCI policies name groups by OCID: a policy naming a missing group is rejected
        lines.append(f"      ocid: ocid1.group.{t.realm}..aaaaaaaa{t.code}platformadminsplaceholder")
    lines += ["  break_glass_groups:", f"    - name: {t.code}-break-glass"]
    if t.cloud == Cloud.AZURE:
        lines.append(f"      object_id: {_placeholder_uuid(t.code + '-break-glass')}")
    else:
        lines.append(f"      ocid: ocid1.group.{t.realm}..aaaaaaaa{t.code}breakglassplaceholder")
    lines += [
        "  operator_access_approvers: [security-officer@gov.example, platform-lead@gov.example]",
        "# assistant: add 'deployments' and 'chat' once a model in models.yaml is approved for this country.",
        *t.extra_sections,
        "tags:",
        f"  owner: {t.code}-platform-team",
        f"  cost_centre: {t.code.upper()}-AI-001",
        "  data_classification: confidential",
        *_deployment_lines(t),
        "environments:",
        "  prod: {}",
    ]
    return "\n".join(lines) + "\n"


def _deployment_lines(t: CountryTemplate) -> list[str]:
    """The in-country state backend and secrets provider (``sovereign.config.deployment``), as placeholders."""
    region = t.region.name
    if t.cloud == Cloud.AZURE:
        backend = f"azblob://pulumi-state?storage_account={t.code}sovereignstate"
        secrets = [f"    url: {_key_vault_url(t.code)}", f"    region: {region}"]
    else:
        from sovereign.catalogue.regions import OCI_REALMS

        endpoint = f"{t.code}sovereignns.compat.objectstorage.{region}.{OCI_REALMS[t.realm]}"
        backend = f"s3://{t.code}-pulumi-state?endpoint={endpoint}&region={region}&s3ForcePathStyle=true"
        # Pulumi has no OCI KMS secrets provider: a passphrase kept in the country's secret store.
        secrets = [
            "    url: passphrase",
            f"    country: {t.code}",
            "    # The OCI Vault secret holding the passphrase, in the country: CI reads it there.",
            f"    passphrase_secret: ocid1.vaultsecret.{t.realm}.{region}.amaaaaaa{t.code}passphraseplaceholder"
            "  # pragma: allowlist secret",
        ]
    return [
        "# Replace with your in-country state store and key; CI's PULUMI_BACKEND_URL and the stack file agree.",
        "deployment:",
        "  state_backend:",
        f"    url: {backend}",
        f"    region: {region}",
        "  secrets_provider:",
        *secrets,
    ]


def _key_vault_url(code: str) -> str:
    return f"azurekeyvault://{code}-pulumi-secrets.vault.azure.net/keys/pulumi-stack-secrets"


def render_stack_file(code: str, environment: Environment, cloud: Cloud, region: str) -> str:
    """The Pulumi stack config: which country-environment it plans.

    Default providers are disabled, so every resource must use the explicit provider the stack program builds
    in the country's region; nothing can silently land in a provider's default region. Credentials come from
    the environment, never from this file; secrets are added with ``pulumi config set --secret``.
    """
    return (
        f"# Stack {code}-{environment.value}: country_configs/{code}.yaml, environment '{environment.value}' "
        f"({cloud.value}, {region}).\n"
        + (
            f"secretsprovider: {_key_vault_url(code)}  # pragma: allowlist secret (a key's address, not a key)\n"
            if cloud == Cloud.AZURE
            else ""
        )
        + "config:\n"
        f"  sovereign-ai:country: {code}\n"
        f"  sovereign-ai:environment: {environment.value}\n"
        "  pulumi:disable-default-providers:\n"
        '    - "*"\n'
    )


def to_replace(t: CountryTemplate) -> list[str]:
    """What ``new-country`` wrote as a placeholder: the user replaces each before the first deployment."""
    items = [
        "access.admin_groups and access.break_glass_groups: your groups' "
        + ("Entra object ids" if t.cloud == Cloud.AZURE else "OCIDs"),
        "access.operator_access_approvers: the people who approve operator access (e-mail addresses)",
        "deployment.state_backend and deployment.secrets_provider: your in-country state store and key"
        + (" (and the OCI Vault secret holding the passphrase)" if t.cloud == Cloud.OCI else ""),
        "tags: your owner and cost centre",
    ]
    if t.cloud == Cloud.OCI:
        items += [
            "oci.tenancy_id and oci.tenancy_namespace: your tenancy's OCID and Object Storage namespace",
            "oci.node_bootstrap.credential_provider_sha256: the sha256sum of the credential provider you stage",
            "oci.api_client_cidrs: the private range of your CI runners or bastion",
        ]
    items.append(
        "assistant (when a model in models.yaml is approved for the country): image and weights references "
        "by digest from the country's registry; the register's digests are placeholders for your mirrored ones"
    )
    return items


def what_the_country_cannot_have(t: CountryTemplate) -> list[str]:
    """What validation would refuse for this country on this cloud, said before the user asks for it."""
    from sovereign.catalogue.machines import MACHINE_SIZES
    from sovereign.rules.residency import geo_pair_of

    limits = []
    if t.secondary is None:
        limits.append(
            f"no second in-country {t.cloud.value} region: no secondary region, so no in-country key or "
            "registry replica for disaster recovery (regions.secondary stays unset)"
        )
    if t.cloud == Cloud.AZURE:
        geo = geo_pair_of(t.cloud, t.region.name, t.code)
        if geo is not None and not geo.stays_in_country:
            limits.append(f"geo-redundant storage: {geo.refusal()}; stores use 'zone'")
        confidential = sorted(
            m.name for m in MACHINE_SIZES.values() if m.cloud == t.cloud and m.gpus and m.confidential
        )
        limits.append(
            "confidential GPUs (needed for models of tier high and critical): only "
            + ", ".join(confidential)
            + f", offered in few regions: check `az vm list-skus --location {t.region.name} --size "
            + f"{confidential[0]}` before setting confidential_tier: confidential_gpu"
        )
    else:
        limits.append(
            "confidential GPUs: no OCI GPU shape runs in confidential mode, so models of tier high and critical "
            "cannot be served here (confidential_tier: confidential_vm covers CPU pools only)"
        )
    return limits
