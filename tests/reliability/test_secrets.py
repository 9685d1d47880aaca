"""Secrets stay secret: stack-config secrets never reach any output; kubeconfigs are secret; no secret is committed.

A platform repository (country files and two stacks, de-prod on Azure and fr-prod on OCI, in git) carries
sentinel values for the chat front end's secrets in its stack files, as plain values (which reach the program,
like a decrypted `pulumi config set --secret`) and as a `secure:` ciphertext. Every output a pull request or an
auditor sees is searched for them: plan JSON and markdown, the report (markdown and JSON), diff (JSON and
markdown) against a commit with other sentinels, and the manifests. Then the repository itself is scanned with
detect-secrets against ``.secrets.baseline``, whose every entry is a false positive explained below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stacks.program import REQUIRED_SECRETS
from tests.gitrepo import git
from tests.reliability.workspace import AS_OF, ROOT, Result, Workspace, make_workspace, run

OIDC, SESSION, API_KEY = REQUIRED_SECRETS
# Distinctive, and low-entropy on purpose: detect-secrets must not flag this file.
BASE_VALUES = {
    "de-prod": {
        OIDC: "sentinel-de-oidc-base-qx7",
        SESSION: {"secure": "sentinel-de-ciphertext-base-qx7"},
        API_KEY: "sentinel-de-apikey-base-qx7",
    },
    "fr-prod": {
        OIDC: "sentinel-fr-oidc-base-qx7",
        SESSION: "sentinel-fr-session-base-qx7",
        API_KEY: {"secure": "sentinel-fr-apikey-ciphertext-base-qx7"},
    },
}
HEAD_VALUES = {
    "de-prod": {
        OIDC: "sentinel-de-oidc-head-qx7",
        SESSION: {"secure": "sentinel-de-ciphertext-head-qx7"},
        API_KEY: "sentinel-de-apikey-head-qx7",
    },
    "fr-prod": {
        OIDC: "sentinel-fr-oidc-head-qx7",
        SESSION: "sentinel-fr-session-head-qx7",
        API_KEY: {"secure": "sentinel-fr-apikey-ciphertext-head-qx7"},
    },
}
SENTINELS = [
    v if isinstance(v, str) else v["secure"]
    for values in (BASE_VALUES, HEAD_VALUES)
    for stack in values.values()
    for v in stack.values()
]
STACKS = ("de-prod", "fr-prod")


def _with_secrets(workspace: Workspace, values: dict[str, dict[str, Any]]) -> None:
    for stack, secrets in values.items():
        shipped = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
        lines = [
            f"  sovereign-ai:{key}: "
            + (value if isinstance(value, str) else f"{{secure: {value['secure']}}}")
            for key, value in secrets.items()
        ]
        workspace.stack(stack).write_text(shipped + "\n".join(lines) + "\n", encoding="utf-8")


class Outputs:
    """Everything the commands wrote, by name, as text."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def add(self, name: str, result: Result) -> None:
        assert result.code == 0, f"{name}: exit {result.code}\n{result.stderr}"
        self.texts[f"{name} (stdout)"] = result.stdout
        self.texts[f"{name} (stderr)"] = result.stderr

    def add_files(self, name: str, folder: Path) -> None:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        assert files, f"{name}: wrote nothing to {folder}"
        for path in files:
            self.texts[f"{name}: {path.relative_to(folder)}"] = path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    root = tmp_path_factory.mktemp("secrets")
    ws = make_workspace(root / "platform", stacks=STACKS)
    _with_secrets(ws, BASE_VALUES)
    git(ws.root, "init", "-q", "-b", "main")
    git(ws.root, "add", ".")
    git(ws.root, "commit", "-q", "-m", "base")
    _with_secrets(ws, HEAD_VALUES)
    de = ws.country("de")  # and a real change next to the secrets, so the diff has something to show
    de.write_text(
        de.read_text(encoding="utf-8").replace(
            "oidc_client_id: de-national-assistant", "oidc_client_id: de-bund"
        ),
        encoding="utf-8",
    )
    git(ws.root, "commit", "-q", "-am", "rotate the chat secrets; new client id")

    found = Outputs()
    plans = root / "plans"
    found.add(
        "plan --format json",
        run(ws, "plan", *STACKS, "--format", "json", "--out", str(plans), "--as-of", AS_OF),
    )
    found.add_files("plan json", plans)
    found.add("plan --format markdown", run(ws, "plan", *STACKS, "--format", "markdown", "--as-of", AS_OF))
    for stack in STACKS:
        report = root / "report" / f"{stack}.md"
        found.add(f"report {stack}", run(ws, "report", stack, "--out", str(report), "--as-of", AS_OF))
        manifests = root / "manifests" / stack
        found.add(
            f"manifests {stack}", run(ws, "manifests", stack, "--out", str(manifests), "--as-of", AS_OF)
        )
        found.add_files(f"manifests {stack}", manifests)
    found.add_files("report", root / "report")
    base = ("diff", "--base", "HEAD~1", "--as-of", AS_OF)
    found.add("diff --format json", run(ws, *base, *STACKS, "--format", "json"))
    found.add("diff --format markdown", run(ws, *base, "de-prod", "--format", "markdown"))
    return found


def test_no_sentinel_secret_reaches_any_output(outputs: Outputs) -> None:
    leaks = [(name, s) for name, text in outputs.texts.items() for s in SENTINELS if s in text]
    assert leaks == []
    assert "offline-plan-placeholder" not in "".join(outputs.texts.values())


def test_the_outputs_are_the_real_thing(outputs: Outputs) -> None:
    """Guards against a vacuous pass: the commands ran on the sentinel stacks and wrote what they should."""
    names = " ".join(outputs.texts)
    for expected in (
        "plan json: de-prod.json",
        "plan json: fr-prod.json",
        "report: de-prod.md.json",
        "manifests fr-prod: ",
    ):
        assert expected in names, expected
    documents = [json.loads(outputs.texts[f"plan json: {s}.json"]) for s in STACKS]
    for document in documents:
        # The plain sentinel was the value used: no placeholder was needed for it ...
        assert not any(OIDC in note for note in document["notes"]), document["notes"]
        # ... and it went into a Kubernetes Secret, masked.
        secrets = [r for r in document["resources"] if r["type"] == "kubernetes:core/v1:Secret"]
        assert secrets and all("[secret]" in json.dumps(r["inputs"]) for r in secrets)
    diff = json.loads(outputs.texts["diff --format json (stdout)"])
    de = next(d for d in diff if d["stack"] == "de-prod")
    assert de["changed"], "the diff saw no change: the sentinel rotation and the client id change were lost"
    manifests = [t for n, t in outputs.texts.items() if n.startswith("manifests de-prod: ")]
    assert any("kind: Secret" in t for t in manifests)


def test_kubeconfigs_are_secret_in_every_plan(prod_plans: dict[str, dict[str, Any]]) -> None:
    for name, document in prod_plans.items():
        providers = [r for r in document["resources"] if r["type"] == "pulumi:providers:kubernetes"]
        assert providers, name
        for provider in providers:
            assert provider["inputs"].get("kubeconfig") == "[secret]", provider["urn"]


EXPORTS = """
import datetime, json, sys
from sovereign.engine.recorder import SECRET, run_program
from sovereign.plan.stackfiles import PROJECT, default_stacks_dir, find_stacks
from stacks.program import REQUIRED_SECRETS, sovereign_program

[stack] = find_stacks(default_stacks_dir(), [sys.argv[1]])
config = {f"{PROJECT}:{key}": "offline" for key in REQUIRED_SECRETS} | dict(stack.config)
recording = run_program(
    lambda: sovereign_program(as_of=datetime.date(2026, 11, 22)),
    project=PROJECT, stack=stack.name, config=config,
    secret_config_keys=tuple(f"{PROJECT}:{key}" for key in REQUIRED_SECRETS),
)
print(json.dumps({key: value == SECRET for key, value in recording.outputs.items()}))
"""


@pytest.mark.parametrize("stack", ["kr-prod", "jp-prod"])
def test_the_kubeconfig_export_is_secret(stack: str) -> None:
    """The stack's exports, as `pulumi stack output` would show them: the kubeconfig is secret, the rest not."""
    done = subprocess.run(
        [sys.executable, "-c", EXPORTS, stack], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    secret = json.loads(done.stdout.strip().splitlines()[-1])
    assert secret["kubeconfig"] is True and secret["cluster_id"] is False and secret["registry"] is False, (
        secret
    )


# --- the repository ---------------------------------------------------------------------------------------------

BASELINE = ROOT / ".secrets.baseline"
# Why each finding in the baseline is not a secret, by (file, detector). A new finding fails the test below:
# remove the secret, or add it to the baseline (`detect-secrets scan --baseline .secrets.baseline`, then
# `detect-secrets audit .secrets.baseline`) with its reason here.
REASONS = {
    ("README.md", "Secret Keyword"): "names of CI secrets (OCI_CLIENT_SECRET ...), not their values",
    ("components/kubernetes/chat_pod.py", "Secret Keyword"): "key names inside a Kubernetes Secret",
    ("tools/actionlint.py", "Base64 High Entropy String"): "sha512 checksum of a pinned download",
    ("sovereign/plan/stackfiles.py", "Secret Keyword"): "the offline plan's placeholder for `secure:` values",
    ("tests/ci/test_oci_session.py", "Secret Keyword"): "a fake value in a test",
    (
        "tests/engine/test_sdk_contract.py",
        "Hex High Entropy String",
    ): "Pulumi's public wire-format signatures",
    ("tests/ci/test_workflows.py", "Hex High Entropy String"): "git commit SHAs of pinned GitHub Actions",
    ("tests/components/kubernetes/helpers.py", "Secret Keyword"): "fake values in a test",
    ("tests/components/kubernetes/test_chat.py", "Secret Keyword"): "Kubernetes Secret names in a test",
    ("tests/config/test_component_guards.py", "Secret Keyword"): "a TLS Secret's name in a test country file",
    (
        "components/kubernetes/inference_pod.py",
        "Secret Keyword",
    ): "the name of vLLM's key variable and Secret key",
    ("tests/components/kubernetes/test_inference.py", "Secret Keyword"): "a Secret's name in a test",
    ("tests/policies/test_chat_rules.py", "Secret Keyword"): "a TLS Secret's name in a test",
    ("sovereign/policies/model_api.py", "Secret Keyword"): "the name of vLLM's key variable, not a key",
    ("tests/reliability/test_secrets.py", "Secret Keyword"): "sentinel values this test plants to find leaks",
    **{
        (
            f"country_configs/{code}.yaml",
            "Secret Keyword",
        ): "the name of the chat's TLS Secret (tls_secret_name)"
        for code in ("ae", "au", "br", "de", "fr", "gb", "in", "jp", "kr", "no")
    },
}


def _findings(results: dict[str, list[dict[str, Any]]]) -> set[tuple[str, str, str]]:
    return {(file, r["type"], r["hashed_secret"]) for file, found in results.items() for r in found}


def test_detect_secrets_finds_nothing_new_in_the_repository() -> None:
    """`detect-secrets scan` over every tracked file: each finding is one the baseline explains."""
    scanner = Path(sys.executable).with_name("detect-secrets")
    # The baseline holds hashes of the explained findings, nothing else: not scanned itself.
    command = [str(scanner), "scan", "--no-verify", "--exclude-files", r"^\.secrets\.baseline$"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    new = _findings(json.loads(done.stdout)["results"]) - _findings(
        json.loads(BASELINE.read_text())["results"]
    )
    assert new == set(), "new secrets (or false positives to explain in .secrets.baseline and REASONS)"


def test_every_baseline_entry_is_audited_and_explained() -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    entries = [(file, r) for file, found in baseline["results"].items() for r in found]
    assert entries
    for file, r in entries:
        assert (file, r["type"]) in REASONS, f"{file}: {r['type']} has no reason in REASONS"
        assert r.get("is_secret") is False, f"{file}:{r['line_number']} is not audited as a false positive"
