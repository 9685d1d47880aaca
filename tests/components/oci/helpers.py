"""Shared inputs for the OCI component tests: plain OCIDs standing in for what the stack passes."""

from collections.abc import Callable
from typing import Any

TENANCY = "ocid1.tenancy.oc1..aaaatenancy"
COMPARTMENT = "ocid1.compartment.oc1..aaaacountry"
REGION = "eu-frankfurt-1"
TAGS = {"owner": "de-platform-team"}


def at(reg: Any) -> str:
    """Assertion message naming the registration: every assertion carries its URN."""
    return f"at {getattr(reg, 'urn', reg)}"


def as_program(build: Callable[[], object]) -> Callable[[], None]:
    """A Pulumi program (returning None) that builds one component."""

    def run() -> None:
        build()

    return run
