"""Nothing lost: proven from the plan JSON that ``sovereign plan --format json`` writes for every prod stack.

1. Every resource type of a prod plan is classified: stateful (its deletion or replacement loses data or
   keys), in ``sovereign.policies.stateful``, the table the ``stateful-protected`` policy reads; or stateless,
   here with the reason. A new type fails until someone classifies it.
2. Every stateful resource of every prod stack is ``protect``ed; keys, vaults and resource groups are also
   ``retain_on_delete`` (a destroy leaves them in the cloud).
3. Renaming keeps the cloud resources: a store renamed in a country file, with the rename listed in the stack
   file (``sovereign-ai:renamed``, see ``stacks/renames.py``), answers to every old URN through aliases, so the
   engine updates in place what it would otherwise destroy and recreate.
"""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from sovereign.engine.recorder import run_program
from sovereign.plan.diff import diff_documents
from sovereign.policies.stateful import RETAINED_TYPES, STATEFUL_TYPES
from stacks.renames import RENAMED_KEY, keep_renamed_resources
from tests.reliability.conftest import PROD_STACKS, plan_json
from tests.reliability.workspace import make_workspace

STATEFUL = STATEFUL_TYPES  # the one table the stateful-protected policy reads, with its reasons
RETAINED = RETAINED_TYPES
STATELESS_PREFIXES = {
    "pulumi:providers:": "provider configuration",
    "azure-native:network:": "network plumbing, recreated from the program",
    "azure-native:privatedns:": "DNS records the private endpoints register again",
    "azure-native:authorization:": "role and policy assignments",
    "azure-native:managedidentity:": "identities; grants are declared again with them",
    "azure-native:monitor:": "diagnostic settings and private link scopes",
    "oci:Core/": "network plumbing",
    "oci:Identity/policy:": "IAM statements",
    "oci:Identity/dynamicGroup:": "IAM matching rules",
    "kubernetes:apps/": "workloads, recreated from their images and the program",
    "kubernetes:networking.k8s.io/": "network policies",
    "kubernetes:rbac.authorization.k8s.io/": "role bindings",
    "kubernetes:policy/": "disruption budgets",
    "kubernetes:autoscaling/": "autoscalers",
    "kubernetes:storage.k8s.io/": "storage classes (claims hold the data)",
}
STATELESS = {
    "azure-native:containerservice:AgentPool": "nodes, recreated from the pool spec",
    "azure-native:operationalinsights:LinkedService": "links the workspace to its cluster",
    "azure-native:storage:BlobServiceProperties": "settings of the account's blob service",
    "oci:ContainerEngine/nodePool:NodePool": "nodes, recreated from the pool spec",
    "oci:Limits/quota:Quota": "region fences",
    "oci:Sch/connector:Connector": "moves audit logs into the locked bucket",
    "oci:ObjectStorage/preauthrequest:Preauthrequest": "a read URL for the staged credential provider; a new one "
    "only changes the URL new nodes fetch from",
    "oci:ContainerEngine/addon:Addon": "OKE-managed add-ons (autoscaler, metrics, cert-manager), installed again",
    "kubernetes:core/v1:ConfigMap": "rendered from the program",
    "kubernetes:helm.sh/v3:Release": "the GPU Operator: its objects are rendered again from the pinned chart",
    "time:index/sleep:Sleep": "a wait between a grant and its consumer; holds nothing",
    "kubernetes:core/v1:Secret": "rendered from stack config",  # pragma: allowlist secret (a type name)
    "kubernetes:core/v1:Service": "routing",
    "azure-native:containerregistry:Replication": "a replica of the registry, synced again from the primary",
    "oci:Kms/vaultVerification:VaultVerification": "a vault's replica; the keys stay in the primary vault",
    "kubernetes:core/v1:ServiceAccount": "workload identities",
    "kubernetes:core/v1:LimitRange": "namespace limits",
    "kubernetes:core/v1:ResourceQuota": "tenant quotas",
    "kubernetes:keda.sh/v1alpha1:ScaledObject": "scaling rules of the inference Deployments",
    "kubernetes:scheduling.k8s.io/v1:PriorityClass": "scheduling priorities, rendered from the program",
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": "an admission rule, rendered again",
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": "binds that rule",
}
# Each category the issue names, per cloud: the prod plan must hold at least one, or the checks prove nothing.
REQUIRED = {
    "azure": {
        "vaults": "azure-native:keyvault:Vault",
        "keys": "azure-native:keyvault:Key",
        "disk encryption sets": "azure-native:compute:DiskEncryptionSet",
        "storage accounts": "azure-native:storage:StorageAccount",
        "registries": "azure-native:containerregistry:Registry",
        "log workspaces": "azure-native:operationalinsights:Workspace",
    },
    "oci": {
        "vaults": "oci:Kms/vault:Vault",
        "keys": "oci:Kms/key:Key",
        "buckets": "oci:ObjectStorage/bucket:Bucket",
        "registries": "oci:Artifacts/containerRepository:ContainerRepository",
        "log groups": "oci:Logging/logGroup:LogGroup",
    },
}


def _stateless(kind: str) -> bool:
    return kind in STATELESS or any(kind.startswith(p) for p in STATELESS_PREFIXES)


def unprotected(document: dict[str, Any]) -> list[str]:
    """Every way the plan could lose state: stateful resources not protected, or not retained where required."""
    found = []
    for r in document["resources"]:
        if r["type"] in STATEFUL and not r["protect"]:
            found.append(f"not protected: {r['urn']}")
        if r["type"] in RETAINED and not r["retain_on_delete"]:
            found.append(f"not retained on delete: {r['urn']}")
    return found


def test_every_prod_resource_type_is_classified(prod_plans: dict[str, dict[str, Any]]) -> None:
    assert set(prod_plans) == set(PROD_STACKS) and len(PROD_STACKS) >= 10
    unknown = {
        r["type"]
        for d in prod_plans.values()
        for r in d["resources"]
        if r["custom"] and r["type"] not in STATEFUL and not _stateless(r["type"])
    }
    assert not unknown, f"classify these types in {__name__} (stateful or not, with the reason): {unknown}"


def test_every_prod_stack_holds_each_kind_of_state(prod_plans: dict[str, dict[str, Any]]) -> None:
    for name, document in prod_plans.items():
        types = {r["type"] for r in document["resources"]}
        missing = {what for what, kind in REQUIRED[document["cloud"]].items() if kind not in types}
        assert not missing, f"{name} declares no {missing}"


def test_prod_protects_every_stateful_resource_and_retains_keys(
    prod_plans: dict[str, dict[str, Any]],
) -> None:
    checked = 0
    for name, document in prod_plans.items():
        assert document["environment"] == "prod"
        assert unprotected(document) == [], name
        checked += sum(1 for r in document["resources"] if r["type"] in STATEFUL)
    assert checked > 150, checked  # about 19 stateful resources per stack


def test_the_check_catches_what_it_looks_for(prod_plans: dict[str, dict[str, Any]]) -> None:
    """The control: the same check on a plan with one vault unprotected and one key not retained fails."""
    document = copy.deepcopy(prod_plans["de-prod"])
    vault = next(r for r in document["resources"] if r["type"] == "azure-native:keyvault:Vault")
    key = next(r for r in document["resources"] if r["type"] == "azure-native:keyvault:Key")
    vault["protect"], key["retain_on_delete"] = False, False
    assert sorted(unprotected(document)) == sorted(
        [f"not protected: {vault['urn']}", f"not retained on delete: {key['urn']}"]
    )


# --- renames ---------------------------------------------------------------------------------------------------


def _rename_entry(new: str, old: str) -> str:
    return f"  sovereign-ai:{RENAMED_KEY}:\n    {new}: {old}\n"


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """de-prod with its store 'weights' renamed 'models' in de.yaml, the rename listed in its stack file; fr-prod
    with its key custody listed as formerly 'fr-prod-custody' (a component renamed in code)."""
    root = tmp_path_factory.mktemp("renamed")
    ws = make_workspace(root / "platform", stacks=("de-prod", "fr-prod"))
    de = ws.country("de")
    text = de.read_text(encoding="utf-8")
    assert text.count("    - name: weights\n") == 1
    de.write_text(text.replace("    - name: weights\n", "    - name: models\n"), encoding="utf-8")
    for stack, entry in (
        ("de-prod", _rename_entry("de-prod-store-models", "de-prod-store-weights")),
        ("fr-prod", _rename_entry("fr-prod-keys", "fr-prod-custody")),
    ):
        path = ws.stack(stack)
        path.write_text(path.read_text(encoding="utf-8") + entry, encoding="utf-8")
    return plan_json(ws, ("de-prod", "fr-prod"), root / "plans")


def _subtree(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    by_urn = {r["urn"]: r for r in document["resources"]}
    [top] = [r for r in document["resources"] if r["name"] == name and not r["custom"]]
    found = []
    for r in document["resources"]:
        node: dict[str, Any] | None = r
        while node is not None and node is not top:
            node = by_urn.get(node["parent"] or "")
        if node is top:
            found.append(r)
    return found


def test_a_renamed_store_answers_to_every_old_urn(
    prod_plans: dict[str, dict[str, Any]], renamed: dict[str, dict[str, Any]]
) -> None:
    before, after = prod_plans["de-prod"], renamed["de-prod"]
    current = {r["urn"] for r in after["resources"]}
    claimed: dict[str, list[str]] = {}
    for r in after["resources"]:
        for alias in r["aliases"]:
            claimed.setdefault(alias, []).append(r["urn"])
    gone = [r for r in before["resources"] if r["urn"] not in current]
    assert gone, "the rename changed no URN: the test renames nothing"
    for r in gone:  # each vanished URN is claimed, through an alias, by exactly one resource of the new plan
        assert len(claimed.get(r["urn"], [])) == 1, r["urn"]
    moved = {r["urn"] for r in _subtree(after, "de-prod-store-models")}
    assert {u for r in gone for u in claimed[r["urn"]]} == moved
    kinds = {r["type"] for r in _subtree(after, "de-prod-store-models")}
    assert {"azure-native:storage:StorageAccount", "azure-native:storage:BlobContainer"} <= kinds


def test_diff_reports_the_rename_kept_and_without_aliases_replaced(
    prod_plans: dict[str, dict[str, Any]], renamed: dict[str, dict[str, Any]]
) -> None:
    before, after = prod_plans["de-prod"], renamed["de-prod"]
    kept = diff_documents("de-prod", before, after)
    assert kept.replaced == [] and kept.added == [] and kept.removed == []
    account = next(r for r in kept.renamed if r["type"] == "azure-native:storage:StorageAccount")
    assert account["from"].endswith("::de-prod-store-weights-account")
    assert account["to"].endswith("::de-prod-store-models-account")
    assert account["to"] not in kept.changed  # same inputs: updated in place, nothing to change
    # Its Azure names follow the old name too (an account name cannot change in place).
    endpoint = next(r for r in kept.renamed if r["type"] == "azure-native:network:PrivateEndpoint")
    assert endpoint["to"] not in kept.changed, kept.changed[endpoint["to"]]
    # The control: the same change without the stack file's entry destroys and recreates the store.
    bare = copy.deepcopy(after)
    for r in bare["resources"]:
        r["aliases"] = []
    lost = {r["type"] for r in diff_documents("de-prod", before, bare).replaced}
    assert {"azure-native:storage:StorageAccount", "azure-native:storage:BlobContainer"} <= lost


def test_a_renamed_component_aliases_its_whole_subtree(
    prod_plans: dict[str, dict[str, Any]], renamed: dict[str, dict[str, Any]]
) -> None:
    """One entry for fr-prod's KeyCustody reaches every descendant, the HSM vault and keys included: each answers
    to its URN with the component's old name in place of the new one."""
    document = renamed["fr-prod"]
    assert {r["urn"] for r in document["resources"]} == {r["urn"] for r in prod_plans["fr-prod"]["resources"]}
    subtree = _subtree(document, "fr-prod-keys")
    assert {"oci:Kms/vault:Vault", "oci:Kms/key:Key"} <= {r["type"] for r in subtree}
    for r in subtree:
        head, name = r["urn"].rsplit("::", 1)
        old = (
            f"{head}::{name.replace('fr-prod-keys', 'fr-prod-custody', 1)}"
            if name.startswith("fr-prod-keys")
            else None
        )
        assert old in r["aliases"], (r["urn"], r["aliases"])
    inside = {r["urn"] for r in subtree}
    # Outside the renamed subtree, the only aliases are the platform's own: its L2 components' URNs from before
    # they moved under it (children of the root stack), which every plan carries.
    before = {r["urn"]: r["aliases"] for r in prod_plans["fr-prod"]["resources"]}
    outside = [
        r for r in document["resources"] if r["urn"] not in inside and r["aliases"] != before[r["urn"]]
    ]
    assert outside == [], [r["urn"] for r in outside]


def _program_with(table: Any, names: tuple[str, ...]) -> list[str]:
    """Run a tiny program through the rename table under the recording engine; return the aliases recorded."""

    def program() -> None:
        check = keep_renamed_resources(pulumi.Config())
        for name in names:
            pulumi.ComponentResource("test:index:Thing", name)
        check()

    config = {} if table is None else {f"sovereign-ai:{RENAMED_KEY}": table}
    recording = run_program(program, project="sovereign-ai", stack="t", config=config)
    return [a for r in recording.registrations for a in r.aliases]


def test_a_rename_entry_that_matches_nothing_fails_the_plan() -> None:
    assert _program_with('{"b": "a"}', ("b",)) == [
        "urn:pulumi:t::sovereign-ai::pulumi:pulumi:Stack$test:index:Thing::a"
    ]
    assert _program_with(None, ("b",)) == []
    with pytest.raises(pulumi.RunError, match=r"no resource named 'typo' in stack t — use a name"):
        _program_with('{"typo": "a"}', ("b",))
    for table, message in (('["a"]', "expected a mapping"), ('{"b": "b"}', "different, non-empty old name")):
        with pytest.raises(pulumi.RunError, match=message):
            _program_with(table, ("b",))


def test_plan_aliases_are_full_urns_of_the_stack(renamed: dict[str, dict[str, Any]]) -> None:
    """The 'aliases' of the plan contract hold full URNs (what the engine looks up), never bare names."""
    for name, document in renamed.items():
        aliases = [a for r in document["resources"] for a in r["aliases"]]
        assert aliases and all(a.startswith(f"urn:pulumi:{name}::sovereign-ai::") for a in aliases), name
