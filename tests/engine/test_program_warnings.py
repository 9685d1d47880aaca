"""A program's ``pulumi.log.warn`` (what the Pulumi CLI prints during a real ``pulumi up``) becomes a plan note."""

from __future__ import annotations

import pulumi

from sovereign.engine.recorder import run_program


def test_the_programs_warnings_are_recorded_not_printed() -> None:
    recording = run_program(lambda: pulumi.log.warn("second deployment needed"))
    assert recording.warnings == ["second deployment needed"]
