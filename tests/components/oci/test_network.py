"""SovereignNetwork under the recording mocks: private-only subnets, no internet or NAT gateway, no egress path."""

import pytest

from components.oci.network import SovereignNetwork, SovereignNetworkArgs
from sovereign.clouds.oci.offline import OFFLINE_SERVICES_CIDR
from sovereign.engine.recorder import Recording, run_program
from tests.components.oci.helpers import REGION, TAGS, TENANCY, as_program, at

SUBNET = "oci:Core/subnet:Subnet"
RULE = "oci:Core/networkSecurityGroupSecurityRule:NetworkSecurityGroupSecurityRule"


def _args(**overrides: object) -> SovereignNetworkArgs:
    base: dict[str, object] = {
        "parent_compartment_id": TENANCY,
        "compartment_name": "sovereign-de-prod",
        "region": REGION,
        "vcn_cidr": "10.20.0.0/16",
        "freeform_tags": TAGS,
    }
    return SovereignNetworkArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def closed() -> Recording:
    """Egress 'none', prod protection."""
    return run_program(as_program(lambda: SovereignNetwork("de", _args())))


@pytest.fixture(scope="module")
def non_prod() -> Recording:
    """Egress 'none' as always, non-prod (no protection)."""
    return run_program(as_program(lambda: SovereignNetwork("de", _args(protect_stateful=False))))


def test_compartment_under_parent_protected_and_never_deleted(closed: Recording) -> None:
    compartment = closed.one("oci:Identity/compartment:Compartment", "de-compartment")
    assert compartment.get("compartmentId") == TENANCY, at(compartment)
    assert compartment.get("name") == "sovereign-de-prod", at(compartment)
    assert compartment.get("enableDelete") is False, at(compartment)
    assert compartment.protect is True, at(compartment)


def test_non_prod_compartment_unprotected(non_prod: Recording) -> None:
    compartment = non_prod.one("oci:Identity/compartment:Compartment", "de-compartment")
    assert compartment.protect is False, at(compartment)


def test_every_subnet_private(closed: Recording) -> None:
    subnets = closed.of_type(SUBNET)
    assert sorted(s.name for s in subnets) == ["de-api", "de-lb", "de-pods", "de-workers"]
    for subnet in subnets:
        assert subnet.get("prohibitPublicIpOnVnic") is True, at(subnet)
        assert subnet.get("prohibitInternetIngress") is True, at(subnet)
        assert subnet.get("routeTableId") == "ocid1.routetable.oc1..offlinedeprivateroutes", at(subnet)
        assert subnet.get("compartmentId") == "ocid1.compartment.oc1..offlinedecompartment", at(subnet)


def test_subnet_cidrs_from_plan(closed: Recording) -> None:
    cidrs = {s.name: s.get("cidrBlock") for s in closed.of_type(SUBNET)}
    assert cidrs == {
        "de-api": "10.20.255.240/28",
        "de-workers": "10.20.128.0/18",
        "de-pods": "10.20.0.0/17",
        "de-lb": "10.20.192.0/19",
    }


def test_no_internet_gateway_and_no_nat(closed: Recording) -> None:
    types = {r.type for r in closed.registrations}
    assert "oci:Core/internetGateway:InternetGateway" not in types
    assert "oci:Core/natGateway:NatGateway" not in types
    assert "oci:Core/publicIp:PublicIp" not in types


def test_routes_only_to_oracle_services(closed: Recording) -> None:
    table = closed.one("oci:Core/routeTable:RouteTable", "de-private-routes")
    assert table.get("routeRules") == [
        {
            "destination": OFFLINE_SERVICES_CIDR,
            "destinationType": "SERVICE_CIDR_BLOCK",
            "networkEntityId": "ocid1.servicegateway.oc1..offlinedeservicegateway",
            "description": "Oracle services in-region through the service gateway",
        }
    ], at(table)


def test_service_gateway_to_all_regional_services(closed: Recording) -> None:
    gateway = closed.one("oci:Core/serviceGateway:ServiceGateway", "de-service-gateway")
    assert gateway.get("services") == [{"serviceId": "ocid1.service.oc1..offlineallservices"}], at(gateway)


def test_default_security_list_emptied(closed: Recording) -> None:
    default = closed.one("oci:Core/defaultSecurityList:DefaultSecurityList", "de-default-security-list")
    assert default.get("manageDefaultResourceId") == "ocid1.securitylist.oc1..offlinedevcndefault", at(
        default
    )
    assert default.get("ingressSecurityRules") == [], at(default)
    assert default.get("egressSecurityRules") == [], at(default)


def test_no_nsg_rule_reaches_the_internet(closed: Recording) -> None:
    for rule in closed.of_type(RULE):
        assert rule.get("source") != "0.0.0.0/0", at(rule)
        assert rule.get("destination") != "0.0.0.0/0", at(rule)
        if rule.get("direction") == "EGRESS" and rule.get("destinationType") == "CIDR_BLOCK":
            assert rule.get("destination").startswith("10.20."), f"egress outside the VCN {at(rule)}"


def test_api_nsg_accepts_workers_by_nsg_on_6443(closed: Recording) -> None:
    rule = closed.one(RULE, "de-nsgs-api-in-workers-6443")
    assert rule.get("networkSecurityGroupId") == "ocid1.networksecuritygroup.oc1..offlinedensgsapi", at(rule)
    assert rule.get("source") == "ocid1.networksecuritygroup.oc1..offlinedensgsworkers", at(rule)
    assert rule.get("sourceType") == "NETWORK_SECURITY_GROUP", at(rule)
    assert rule.get("direction") == "INGRESS", at(rule)
    assert rule.get("protocol") == "6", at(rule)
    assert rule.get("stateless") is False, at(rule)


def test_parenting(closed: Recording) -> None:
    network = closed.one("sovereign:oci:SovereignNetwork", "de")
    nsgs = closed.one("sovereign:oci:OkeNetworkSecurity", "de-nsgs")
    assert nsgs.parent == network.urn, at(nsgs)
    assert {r.name for r in closed.children_of(network.urn)} >= {
        "de-compartment",
        "de-vcn",
        "de-service-gateway",
        "de-private-routes",
        "de-api",
        "de-nsgs",
    }
    rules = closed.of_type(RULE)
    assert len(rules) == 34  # 30 + worker<->worker, pods<->workers for VCN-native pods (O10)
    assert all(r.parent == nsgs.urn for r in rules), [at(r) for r in rules if r.parent != nsgs.urn]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "germanywestcentral"}, "unknown OCI region"),
        ({"compartment_name": "de prod"}, "compartment_name"),
        ({"vcn_cidr": "10.0.0.0/8"}, "/16 to /24"),
    ],
)
def test_rejects_unsafe_or_invalid_args(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)


def test_no_args_value_opens_an_egress_path() -> None:
    """OCI security rules filter by address, not host name: no field can ask for a NAT or internet gateway."""
    fields = set(SovereignNetworkArgs.__dataclass_fields__)
    assert not {f for f in fields if "egress" in f or "nat" in f or "internet" in f}, fields
