"""The program runs the way the Pulumi CLI runs it (``main: stacks/``), unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# pulumi-language-python-exec runs the program directory with runpy.run_path, which puts that directory first on
# sys.path; the stack program must then still import (no module in stacks/ may shadow the standard library).
ENTRY = """
import runpy, sys
from sovereign.engine.recorder import run_program
config = {"sovereign-ai:country": sys.argv[1], "sovereign-ai:environment": "prod",
          "sovereign-ai:chatOidcClientSecret": "s", "sovereign-ai:chatSessionSecret": "s",
          "sovereign-ai:assistantApiKey": "s"}
recording = run_program(lambda: runpy.run_path("stacks", run_name="__main__"), stack=sys.argv[1] + "-prod",
                        config=config, secret_config_keys=tuple(k for k in config if "Secret" in k or "ApiKey" in k))
print(len(recording.registrations), sorted(recording.outputs))
"""


def test_stack_directory_shadows_no_standard_module() -> None:
    shadowing = [p.name for p in (ROOT / "stacks").glob("*.py") if p.stem in sys.stdlib_module_names]
    assert shadowing == []


def test_the_cli_entry_point_runs_the_same_program() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, "no"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    count, outputs = result.stdout.strip().split(" ", 1)
    assert int(count) > 100
    assert outputs == "['cluster_id', 'key_ids', 'kubeconfig', 'oidc_issuer_url', 'registry']"


def test_invalid_country_is_a_clean_run_error() -> None:
    code = ENTRY.replace('"sovereign-ai:country": sys.argv[1]', '"sovereign-ai:country": "zz"')
    result = subprocess.run(
        [sys.executable, "-c", code, "no"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "RunError" in result.stderr and "no country file for 'zz'" in result.stderr
