"""Check item "shape availability per region": a pool whose shape an availability domain does not offer fails
the program (a real preview asks ``ListShapes`` per AD), instead of a pool whose nodes never launch there."""

from __future__ import annotations

from typing import Any

import pytest

from components.oci.node_pool import shape_offered_in
from sovereign.engine import outputs
from tests.components.oci.helpers import record_platform

SHAPES = "oci:Core/getShapes:getShapes"


def test_a_shape_missing_from_a_chosen_ad_is_refused_with_the_ads_that_offer_it() -> None:
    shape_offered_in("BM.GPU.H100.8", {"AD-1": ["BM.GPU.H100.8"], "AD-2": ["BM.GPU.H100.8"]}, "h100")
    with pytest.raises(
        ValueError, match=r"not offered in AD-2 \(offered in: AD-1\).*availability_domain_indexes"
    ):
        shape_offered_in(
            "BM.GPU.H100.8", {"AD-1": ["BM.GPU.H100.8"], "AD-2": ["VM.Standard.E5.Flex"]}, "h100"
        )


def test_the_program_asks_every_chosen_ad_and_fails_on_a_missing_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[dict[str, Any]] = []
    offline = outputs._CALLS[SHAPES]

    def only_cpu_in_the_last_ad(args: dict[str, Any]) -> dict[str, Any]:
        asked.append(args)
        answer = offline(args)
        if str(args.get("availabilityDomain", "")).endswith("-3") and args.get("shape", "").startswith("BM."):
            answer = {**answer, "shapes": []}
        return answer

    monkeypatch.setitem(outputs._CALLS, SHAPES, only_cpu_in_the_last_ad)
    with pytest.raises(Exception, match=r"shape BM\.GPU\.H100\.8 is not offered in"):
        record_platform()
    assert {a["shape"] for a in asked} >= {"BM.GPU.H100.8"}
    assert all(str(a["compartmentId"]).startswith("ocid1.tenancy.") for a in asked)
