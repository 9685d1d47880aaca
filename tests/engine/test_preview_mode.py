"""``run_program(preview=True)``: the program runs as a first ``pulumi preview`` of a new stack sees it."""

from __future__ import annotations

import pulumi

from sovereign.engine.recorder import UNKNOWN, run_program

SEEN: dict[str, object] = {}


def _program() -> None:
    SEEN["dry_run"] = pulumi.runtime.is_dry_run()
    key = pulumi.CustomResource("azure-native:keyvault:Key", "key", {"vaultName": "kv", "keyName": "disk"})
    pulumi.CustomResource("example:index:Consumer", "consumer", {"keyId": key.id, "fixed": "plain"})
    namespace = pulumi.runtime.invoke("oci:ObjectStorage/getNamespace:getNamespace", {}).value
    pulumi.CustomResource("example:index:Bucket", "bucket", {"namespace": namespace["namespace"]})


def test_preview_knows_no_computed_output_but_runs_invokes() -> None:
    recording = run_program(_program, preview=True)
    assert SEEN["dry_run"] is True
    consumer = recording.one("example:index:Consumer")
    assert consumer.get("keyId") == UNKNOWN and consumer.get("fixed") == "plain"
    assert recording.one("example:index:Bucket").get("namespace") == "offlinens"


def test_the_full_plan_fabricates_the_same_outputs() -> None:
    recording = run_program(_program)
    assert SEEN["dry_run"] is False
    key_id = recording.one("example:index:Consumer").get("keyId")
    assert key_id.endswith("/providers/Microsoft.KeyVault/vaults/kv/keys/disk")
    assert sorted(r.urn for r in recording.registrations) == sorted(
        r.urn for r in run_program(_program, preview=True).registrations
    )
