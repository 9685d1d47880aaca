"""The in-process probes: exclusive phase times, what counts as loaded, and the footprint claims."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.probe import PhaseTimer

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_phase_timer_counts_nested_calls_once() -> None:
    timer = PhaseTimer()
    inner = timer.wrap(lambda: time.sleep(0.05), "inner")

    def outer_body() -> str:
        time.sleep(0.05)
        inner()
        inner()
        return "done"

    outer = timer.wrap(outer_body, "outer")
    assert outer() == "done"
    assert 0.1 <= timer.seconds["inner"] < 0.2
    assert 0.05 <= timer.seconds["outer"] < 0.1  # its own time only, not the inner calls'


def test_lazy_provider_placeholders_do_not_count_as_loaded() -> None:
    code = (
        "import sys, json, pulumi_kubernetes\n"
        "from benchmarks.probe import loaded_modules\n"
        "print(json.dumps([loaded_modules(('pulumi_kubernetes',)), 'pulumi_kubernetes.apps' in sys.modules]))"
    )
    loaded, placeholder_present = json.loads(_python(code))
    assert "pulumi_kubernetes" in loaded
    assert placeholder_present and "pulumi_kubernetes.apps" not in loaded


def test_validate_loads_no_provider_sdk(tmp_path: Path) -> None:
    """The real `sovereign validate` of every shipped country, through the CLI entry point."""
    result_file = tmp_path / "validate.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", "--result", str(result_file), "validate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result_file.read_text(encoding="utf-8"))
    assert probe["exit"] == 0
    assert probe["provider_modules"] == []
    assert "valid: " in result.stdout


def test_forkserver_preload_holds_no_cloud_sdk() -> None:
    """`sovereign plan --all` preloads modules into every worker: never a cloud's own SDK, and each name must
    import (the forkserver silently skips a name that fails)."""
    code = (
        "import sys, json\n"
        "from sovereign.plan.runner import _SHARED_PRELOAD\n"
        "for name in _SHARED_PRELOAD: __import__(name)\n"
        "from benchmarks.probe import loaded_modules\n"
        "loaded = set(loaded_modules(('pulumi_azure_native', 'pulumi_oci', 'pulumi_kubernetes')))\n"
        "clouds = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi_azure_native', 'pulumi_oci'))\n"
        "missing = [n for n in _SHARED_PRELOAD if n.startswith('pulumi_') and n not in loaded]\n"
        "print(json.dumps([clouds, missing, len(_SHARED_PRELOAD)]))"
    )
    clouds, missing, count = json.loads(_python(code))
    assert clouds == []
    assert missing == []
    assert count > 4


def test_phase_timer_install_and_sdk_counter() -> None:
    """Installed wrappers replace a function wherever the toolkit holds it; the counter sees SDK objects."""
    code = (
        "import json, pulumi\n"
        "import stacks.program, sovereign.config.loader as loader\n"
        "from benchmarks.probe import PhaseTimer, SdkCounter\n"
        "from sovereign.engine.recorder import run_program\n"
        "from tests.config.helpers import CONFIG_DIR\n"
        "timer = PhaseTimer()\n"
        "timer.install('sovereign.config.loader', 'load_register', 'config')\n"
        "same = stacks.program.load_register is loader.load_register\n"
        "register, _ = stacks.program.load_register(CONFIG_DIR)\n"
        "counter = SdkCounter()\n"
        "counter.install()\n"
        "def program():\n"
        "    parent = pulumi.ComponentResource('t:index:Unit', 'u')\n"
        "    child = pulumi.CustomResource('t:index:R', 'r', {'a': 1}, pulumi.ResourceOptions(parent=parent))\n"
        "    pulumi.CustomResource('t:index:R', 's', {'b': child.id.apply(lambda i: i)},\n"
        "        pulumi.ResourceOptions(aliases=[pulumi.Alias(name='old')]))\n"
        "run_program(program)\n"
        "print(json.dumps([same, register is not None, timer.seconds['config'], dict(counter.counts)]))"
    )
    same, loaded, seconds, counts = json.loads(_python(code))
    assert same and loaded and seconds > 0
    assert counts["resources"] == 3 + 1  # and the root stack
    assert counts["alias_urns"] == 1
    assert counts["apply_calls"] >= 1 and counts["outputs"] > counts["resources"]
