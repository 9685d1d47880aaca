"""Pure helpers of the OCI components: regions, policy statements, subnet plan, NSG rules, node images."""

import base64
import datetime as dt
import re

import pytest

from components.oci.addressing import plan_subnets
from components.oci.node_bootstrap import object_storage_endpoint, par_expiry
from components.oci.node_images import (
    GPU_TAINT,
    CredentialProviderInstall,
    cloud_init_user_data,
    select_node_image,
)
from components.oci.nsg_rules import oke_rules
from components.oci.regions import (
    REGION_KEYS,
    realm_of,
    region_key,
    registry_host,
    registry_hosts,
    require_region,
)
from components.oci.statements import (
    FENCED_QUOTA_FAMILIES,
    admin_statements,
    key_access_statements,
    quota_statements,
)

# --- regions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "key", "realm"),
    [("eu-frankfurt-1", "FRA", "oc1"), ("eu-paris-1", "CDG", "oc1"), ("eu-frankfurt-2", "STR", "oc19")],
)
def test_region_keys_and_realms(region: str, key: str, realm: str) -> None:
    assert region_key(region) == key, region
    assert realm_of(region) == realm, region


def test_region_keys_in_conditions_are_one_case_which_iam_ignores() -> None:
    """IAM matches conditions without regard to case ("Condition matching is case insensitive", Oracle
    "Conditions", docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm), so upper-case 'CDG' in
    ``request.region = 'CDG'`` fences the same requests as 'cdg'. What the toolkit must keep is one case, the
    IAM region table's upper case, for every region: a mix would make a statement change on no real change."""
    keys = set(REGION_KEYS.values())
    assert keys and all(re.fullmatch(r"[A-Z]{3}", k) for k in keys), sorted(keys)
    [statement] = admin_statements(groups=["g"], compartment_id="c", regions=["eu-paris-1"])
    assert "request.region = 'CDG'" in statement


def test_registry_host_per_realm() -> None:
    assert registry_host("eu-paris-1") == "cdg.ocir.io"
    assert registry_host("eu-madrid-2") == "artifacts.eu-madrid-2.oci.oraclecloud.eu"
    assert registry_hosts("eu-paris-1") == (
        "cdg.ocir.io",
        "eu-paris-1.ocir.io",
        "artifacts.eu-paris-1.oci.oraclecloud.com",
    )


@pytest.mark.parametrize("bad", ["FRA", "germanywestcentral", "eu-frankfurt-9", ""])
def test_rejects_unknown_region(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown OCI region"):
        require_region(bad)


# --- statements ----------------------------------------------------------------------------------------------


def test_quota_statements_zero_every_family_outside_one_region() -> None:
    statements = quota_statements(compartment_path="sov-de", allowed_regions=["eu-frankfurt-1"])
    assert statements[0] == (
        "zero compute-core quotas in compartment sov-de where request.region != 'eu-frankfurt-1'"
    )
    assert [s.split()[1] for s in statements] == list(FENCED_QUOTA_FAMILIES)


def test_quota_statements_name_only_the_allowed_regions() -> None:
    statements = quota_statements(
        compartment_path="sovereign:fr", allowed_regions=["eu-paris-1", "eu-marseille-1"]
    )
    for statement in statements:
        assert statement.endswith(
            "where all {request.region != 'eu-paris-1', request.region != 'eu-marseille-1'}"
        ), statement
        assert set(re.findall(r"'([a-z0-9-]+)'", statement)) == {"eu-paris-1", "eu-marseille-1"}, statement


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"compartment_path": "sov de", "allowed_regions": ["eu-paris-1"]}, "compartment_path"),
        ({"compartment_path": "sov", "allowed_regions": []}, "at least one in-country region"),
        ({"compartment_path": "sov", "allowed_regions": ["CDG"]}, "unknown OCI region"),
        (
            {"compartment_path": "sov", "allowed_regions": ["eu-paris-1"], "families": ["compute core"]},
            "family",
        ),
    ],
)
def test_rejects_bad_quota_inputs(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        quota_statements(**kwargs)


def test_admin_statements_are_region_keyed_and_exclude_policy_writes() -> None:
    statements = admin_statements(
        groups=["fr-admins", "FrDomain/fr-ops"],
        compartment_id="ocid1.compartment.oc1..c",
        regions=["eu-paris-1"],
    )
    assert statements == [
        "Allow group fr-admins to manage all-resources in compartment id ocid1.compartment.oc1..c where all "
        "{request.region = 'CDG', request.permission != 'POLICY_CREATE', request.permission != 'POLICY_UPDATE', "
        "request.permission != 'POLICY_DELETE'}",
        "Allow group 'FrDomain'/'fr-ops' to manage all-resources in compartment id ocid1.compartment.oc1..c where "
        "all {request.region = 'CDG', request.permission != 'POLICY_CREATE', request.permission != "
        "'POLICY_UPDATE', request.permission != 'POLICY_DELETE'}",
    ]


def test_admin_statements_one_per_region() -> None:
    statements = admin_statements(groups=["g"], compartment_id="c", regions=["eu-paris-1", "eu-marseille-1"])
    assert [re.search(r"request.region = '(\w+)'", s)[1] for s in statements] == ["CDG", "MRS"]  # type: ignore[index]


@pytest.mark.parametrize("group", ["fr admins", "a/b/c", "x'y"])
def test_rejects_group_names_that_could_rewrite_a_statement(group: str) -> None:
    with pytest.raises(ValueError, match="admin_groups"):
        admin_statements(groups=[group], compartment_id="c", regions=["eu-paris-1"])


def test_key_statements_limit_each_grant_to_one_key_and_the_vault_region() -> None:
    statements = key_access_statements(
        compartment_id="C",
        region="eu-frankfurt-1",
        cluster_group="dg-clusters",
        worker_group="dg-workers",
        cluster_secrets_key_id="k-etcd",
        volume_key_id="k-vol",
        object_storage_key_id="k-obj",
        image_signing_key_id=None,
    )
    assert len(statements) == 7
    for statement in statements:
        assert re.search(
            r"where all \{(request\.principal\.type = '\w+', )?target\.key\.id = 'k-\w+', "
            r"request\.region = 'FRA'\}$",
            statement,
        ), statement
    assert "Allow service objectstorage-eu-frankfurt-1 to use keys" in statements[6]


def test_volume_key_is_delegated_to_node_pools_and_clusters() -> None:
    """OKE since 2024-08 (contengpolicyconfig.htm): boot volumes need the key delegated to 'nodepool'
    principals, block volumes (PVCs) to 'cluster' principals."""
    statements = key_access_statements(
        compartment_id="C",
        region="eu-frankfurt-1",
        cluster_group="dg-clusters",
        worker_group="dg-workers",
        cluster_secrets_key_id="k-etcd",
        volume_key_id="k-vol",
        object_storage_key_id="k-obj",
        image_signing_key_id=None,
    )
    delegated = [s for s in statements if s.startswith("Allow any-user")]
    assert delegated == [
        f"Allow any-user to use key-delegates in compartment id C where all {{request.principal.type = '{p}', "
        "target.key.id = 'k-vol', request.region = 'FRA'}"
        for p in ("nodepool", "cluster")
    ]


def test_admin_groups_by_ocid_use_the_group_id_subject() -> None:
    """Oracle policy syntax: 'group id <group_ocid>' (Identity/policysyntax/subject.htm)."""
    ocid = "ocid1.group.oc1..aaaaaaaafradmins"
    [statement] = admin_statements(groups=[ocid], compartment_id="c", regions=["eu-paris-1"])
    assert statement.startswith(f"Allow group id {ocid} to manage all-resources in compartment id c "), (
        statement
    )


@pytest.mark.parametrize("bad", ["ocid1.group.oc1..x y", "ocid1.user.oc1..aaaa", "ocid1.group.oc1..a'b"])
def test_rejects_ocids_that_are_not_group_ocids(bad: str) -> None:
    with pytest.raises(ValueError, match="admin_groups"):
        admin_statements(groups=[bad], compartment_id="c", regions=["eu-paris-1"])


def test_rejects_quote_in_key_id() -> None:
    with pytest.raises(ValueError, match="key id"):
        key_access_statements(
            compartment_id="C",
            region="eu-frankfurt-1",
            cluster_group="a",
            worker_group="b",
            cluster_secrets_key_id="k' or 1=1",
            volume_key_id="v",
            object_storage_key_id="o",
            image_signing_key_id=None,
        )


# --- subnet plan ---------------------------------------------------------------------------------------------


def test_plan_carves_pods_first_and_api_last() -> None:
    plan = plan_subnets("10.50.0.0/16")
    assert plan.as_dict() == {
        "api": "10.50.255.240/28",
        "workers": "10.50.128.0/18",
        "pods": "10.50.0.0/17",
        "load_balancers": "10.50.192.0/19",
    }


def test_plan_takes_config_subnets() -> None:
    overrides = {
        "workers": "10.50.0.0/20",
        "api": "10.50.16.0/28",
        "load_balancers": "10.50.18.0/24",
        "pods": "10.50.64.0/18",
    }
    assert plan_subnets("10.50.0.0/16", overrides).as_dict() == overrides


@pytest.mark.parametrize(
    ("vcn", "overrides", "message"),
    [
        ("10.0.0.0/8", {}, "/16 to /24"),
        ("10.0.0.0/16", {"api": "10.1.0.0/28"}, "not inside the VCN"),
        ("10.0.0.0/16", {"api": "10.0.0.0/28"}, "overlaps"),
        ("10.0.0.0/16", {"bastion": "10.0.0.0/28"}, "unknown role"),
    ],
)
def test_rejects_bad_subnet_plans(vcn: str, overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_subnets(vcn, overrides)


# --- NSG rules -----------------------------------------------------------------------------------------------


def test_no_rule_opens_the_internet() -> None:
    rules = oke_rules(
        vcn_cidr="10.0.0.0/16", api_client_cidrs=["10.9.0.0/24"], lb_client_cidrs=["10.8.0.0/24"]
    )
    assert not [r.key for r in rules if r.peer in ("0.0.0.0/0", "::/0")]
    egress_cidrs = {
        (r.nsg, r.peer, r.ports) for r in rules if r.direction == "EGRESS" and r.peer_kind == "cidr"
    }
    assert egress_cidrs == set(), f"no rule sends traffic to an address range: {egress_cidrs}"


def test_api_accepts_only_cluster_peers_and_named_clients() -> None:
    rules = oke_rules(vcn_cidr="10.0.0.0/16", api_client_cidrs=["10.9.0.0/24"])
    sources = {(r.peer_kind, r.peer) for r in rules if r.nsg == "api" and r.direction == "INGRESS"}
    assert sources == {("nsg", "workers"), ("nsg", "pods"), ("cidr", "10.9.0.0/24")}


# --- node images and cloud-init ------------------------------------------------------------------------------

_SOURCES = [
    ("Oracle-Linux-8.9-2025.03.01-0-OKE-1.31.1-900", "img-89"),
    ("Oracle-Linux-8.10-2025.01.31-0-OKE-1.31.1-800", "img-810"),
    ("Oracle-Linux-8.10-Gen2-GPU-2025.01.31-0-OKE-1.31.1-800", "img-gpu"),
    ("Oracle-Linux-8.10-aarch64-2025.01.31-0-OKE-1.31.1-800", "img-arm"),
    ("Oracle-Linux-8.10-2025.06.30-0-OKE-1.30.1-999", "img-130"),
]


def test_select_newest_release_not_the_greatest_string() -> None:
    assert select_node_image(_SOURCES, kubernetes_version="v1.31.1", gpu=False) == "img-89"
    assert select_node_image(_SOURCES, kubernetes_version="v1.31.1", gpu=True) == "img-gpu"
    assert select_node_image(_SOURCES, kubernetes_version="v1.31.1", gpu=False, arm=True) == "img-arm"


def test_rejects_version_without_image() -> None:
    with pytest.raises(ValueError, match=r"no Oracle Linux GPU image for Kubernetes v1\.29\.1"):
        select_node_image(_SOURCES, kubernetes_version="v1.29.1", gpu=True)


def test_cloud_init_keeps_oke_init_and_registers_taints() -> None:
    script = base64.b64decode(cloud_init_user_data([GPU_TAINT, "team=a:NoExecute"])).decode()
    assert "instance/metadata/oke_init_script" in script
    assert script.endswith(
        'bash /var/run/oke-init.sh --kubelet-extra-args "--register-with-taints='
        'nvidia.com/gpu=present:NoSchedule,team=a:NoExecute"\n'
    )


def test_rejects_malformed_taint() -> None:
    with pytest.raises(ValueError, match="taints"):
        cloud_init_user_data(["gpu:Sometimes"])


_PAR = "https://objectstorage.eu-paris-1.oraclecloud.com/p/tok/n/ns/b/fr-node-bootstrap/o/oke-credential-provider/x"


def test_cloud_init_installs_the_credential_provider_before_the_kubelet() -> None:
    """O15: the kubelet gets Oracle's OCIR credential provider (oracle-devrel/oke-credential-provider-for-ocir,
    examples/run-on-worker-instance-principal/cloud-init.sh): binary in the bin dir under the provider's name,
    its config, and both kubelet flags passed to OKE's init script, after a digest check."""
    install = CredentialProviderInstall(_PAR, "sha256:" + "0f" * 32, "par.ocir.io")
    script = base64.b64decode(cloud_init_user_data([GPU_TAINT], install)).decode()
    lines = script.splitlines()
    check = next(i for i, line in enumerate(lines) if "sha256sum -c" in line)
    install_line = next(i for i, line in enumerate(lines) if line.startswith("install -m 0755"))
    init = next(i for i, line in enumerate(lines) if line.startswith("bash /var/run/oke-init.sh"))
    assert check < install_line < init
    assert lines[check].startswith(f'echo "{"0f" * 32}  /usr/local/bin/credential-provider-oke.download"')
    assert lines[check].endswith("|| exit 1"), "a node with another binary must never join"
    assert '      - "par.ocir.io"' in lines, "matchImages names only the country's registry"
    assert "  - name: credential-provider-oke" in lines, "the kubelet runs <bin dir>/<provider name>"
    assert lines[init] == (
        'bash /var/run/oke-init.sh --kubelet-extra-args "--register-with-taints=nvidia.com/gpu=present:NoSchedule '
        "--image-credential-provider-bin-dir=/usr/local/bin "
        '--image-credential-provider-config=/etc/kubernetes/credential-provider-config.yaml"'
    )


@pytest.mark.parametrize(
    ("url", "sha256", "match"),
    [
        (
            "https://github.com/oracle-devrel/x/releases/latest/download/a",
            "sha256:" + "0f" * 32,
            "pre-authenticated",
        ),
        (_PAR, "0f" * 32, "sha256"),
    ],
)
def test_credential_provider_from_a_par_with_a_digest_only(url: str, sha256: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        CredentialProviderInstall(url, sha256, "par.ocir.io")


def test_par_expiry_moves_once_a_year() -> None:
    """time_expires forces a new PAR (terraform-provider-oci objectstorage_preauthrequest_resource.go)."""
    assert par_expiry(dt.date(2026, 1, 1)) == par_expiry(dt.date(2026, 12, 31)) == dt.date(2028, 1, 1)
    assert object_storage_endpoint("eu-paris-1") == "https://objectstorage.eu-paris-1.oraclecloud.com"
