"""Sovereignty rules written once: pure functions that the config invariants, the plan policies and the
components' guards all call, each adapting the result to its own report type (a ``Violation`` with a path, a
policy ``Finding`` with a URN, a ``ValueError``). No SDK, no pydantic models required: plain values in,
reasons out."""
