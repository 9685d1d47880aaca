"""The README's table of invariants ("The invariants by name") is what `sovereign validate` runs: every invariant
of ``INVARIANTS`` and of each cloud's ``INVARIANTS`` has its row with the right cloud, and no row names a check
that does not exist (a removed or renamed invariant would otherwise stay documented as a control)."""

from __future__ import annotations

import re
from pathlib import Path

from sovereign.clouds import cloud_module
from sovereign.config.invariants import INVARIANTS
from sovereign.types import Cloud

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(?P<name>[a-z_]+)` \| (?P<cloud>[a-z]+) \| [^|]+ \| (?P<refuses>[^|]+) \|$")


def _documented() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### The invariants by name", 1)[1].split("\n#", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines() if line.startswith("| `")]
    assert rows and all(rows), [line for line in section.splitlines() if line.startswith("| `")]
    names = [m["name"] for m in rows if m]
    assert len(names) == len(set(names)), "an invariant has two rows"
    assert all(m["refuses"].strip() for m in rows if m)
    return {m["name"]: m["cloud"] for m in rows if m}


def _enforced() -> dict[str, str]:
    enforced = {check.__name__: "all" for check in INVARIANTS}
    for cloud in Cloud:
        for check in cloud_module(cloud, "invariants").INVARIANTS:
            assert check.__name__ not in enforced, f"{check.__name__} is both neutral and {cloud.value}'s"
            enforced[check.__name__] = cloud.value
    return enforced


def test_every_invariant_has_its_row() -> None:
    documented, enforced = _documented(), _enforced()
    missing = {n: c for n, c in enforced.items() if n not in documented}
    assert not missing, f"README.md 'The invariants by name' lacks rows for: {missing}"
    wrong_cloud = {
        n: (documented[n], c) for n, c in enforced.items() if n in documented and documented[n] != c
    }
    assert not wrong_cloud, f"README.md names the wrong cloud (documented, enforced): {wrong_cloud}"


def test_every_row_is_an_invariant() -> None:
    stale = sorted(set(_documented()) - set(_enforced()))
    assert not stale, f"README.md documents invariants the code does not run: {stale}"
