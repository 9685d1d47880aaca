"""The OCI stacks' passphrase stays in the country: each OCI passphrase stack names the in-country OCI Vault secret
holding it (validation refuses a missing, foreign or malformed one), and CI reads it from there with
`sovereign ci passphrase-file` instead of keeping it as a GitHub secret."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from tests.cli.test_config_commands import run
from tests.config.helpers import DELETE, edit, merged, messages

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-22"
FIELD = "deployment.secrets_provider.passphrase_secret"
WORKFLOWS = ROOT / ".github" / "workflows"


def test_accepts_the_shipped_oci_secrets_and_a_region_key_ocid() -> None:
    assert messages(merged("fr")) == []
    # Regions before Frankfurt put the lower-case region key in OCIDs (identifiers.htm): CDG is eu-paris-1.
    keyed = edit(merged("fr"), {FIELD: "ocid1.vaultsecret.oc1.cdg.amaaaaaafrexample"})
    assert messages(keyed) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (DELETE, "missing: an OCI passphrase stack names the OCI Vault secret"),
        ("ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaaexample", "lies in 'de', not in 'fr'"),
        ("ocid1.vaultsecret.oc1.fra.amaaaaaaexample", "lies in 'de', not in 'fr'"),
        ("ocid1.vaultsecret.oc19.eu-paris-1.amaaaaaaexample", "is in realm oc19, but the tenancy is in oc1"),
        ("ocid1.key.oc1.eu-paris-1.amaaaaaaexample", "is not an OCI Vault secret OCID"),
        ("ocid1.vaultsecret.oc1.mars-olympus-1.amaaaaaaexample", "names region 'mars-olympus-1'"),
    ],
)
def test_rejects_a_passphrase_secret_outside_the_country(value: object, expected: str) -> None:
    found = [m for m in messages(edit(merged("fr"), {FIELD: value})) if "passphrase_secret" in m]
    assert len(found) == 1 and expected in found[0], found


def test_rejects_a_passphrase_secret_on_a_cloud_key_stack() -> None:
    found = messages(edit(merged("de"), {FIELD: "ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaaexample"}))
    assert any("passphrase_secret" in m and "only an OCI stack with 'url: passphrase'" in m for m in found)


def _runs_pulumi(step: dict[str, object]) -> bool:
    """A step that runs a Pulumi command (not the CLI installation, which pulumi/actions does without one)."""
    uses, run, with_ = str(step.get("uses", "")), str(step.get("run", "")), step.get("with") or {}
    command = isinstance(with_, dict) and "command" in with_
    return (uses.startswith("pulumi/actions@") and command) or any(
        line.strip().startswith("pulumi ") for line in run.splitlines()
    )


def test_no_workflow_reads_the_passphrase_from_a_github_secret() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        assert "secrets.PULUMI_CONFIG_PASSPHRASE" not in text, path.name
        workflow = yaml.safe_load(text)
        for job in workflow["jobs"].values():
            steps = job.get("steps") or []
            names = [s.get("name", "") for s in steps]
            ups = [i for i, s in enumerate(steps) if _runs_pulumi(s)]
            if not ups:
                continue
            [reader] = [
                i for i, n in enumerate(names) if n.startswith("The passphrase from the country's OCI Vault")
            ]
            assert reader < ups[0], path.name  # read before any Pulumi command
            assert "sovereign ci passphrase-file" in steps[reader]["run"]
            assert "PULUMI_CONFIG_PASSPHRASE_FILE=" in steps[reader]["run"]


def _fake_oci(bin_dir: Path, answer: Mapping[str, object] | None, exit_code: int = 0) -> dict[str, str]:
    """An `oci` on PATH that prints ``answer`` for `oci secrets secret-bundle get` and records its arguments."""
    bin_dir.mkdir()
    script = bin_dir / "oci"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys, pathlib\n"
        f"pathlib.Path({str(bin_dir / 'args.json')!r}).write_text(json.dumps(sys.argv[1:]))\n"
        f"sys.stdout.write({json.dumps(json.dumps(answer))})\n"
        "sys.stderr.write('NotAuthorizedOrNotFound' if " + str(exit_code) + " else '')\n"
        f"sys.exit({exit_code})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


PASSPHRASE = "correct horse battery staple, in-country"  # pragma: allowlist secret (a test value)


def test_passphrase_file_reads_the_declared_secret_and_never_prints_it(tmp_path: Path) -> None:
    bundle = {
        "data": {
            "secret-bundle-content": {
                "content-type": "BASE64",
                "content": base64.b64encode(PASSPHRASE.encode()).decode(),
            }
        }
    }
    env = _fake_oci(tmp_path / "bin", bundle)
    out = tmp_path / "runner" / "pulumi-passphrase"
    result = run("ci", "passphrase-file", "fr-prod", "--out", str(out), "--as-of", AS_OF, env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == PASSPHRASE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert PASSPHRASE not in result.stdout + result.stderr
    declared = yaml.safe_load((ROOT / "country_configs" / "fr.yaml").read_text(encoding="utf-8"))
    secret = declared["deployment"]["secrets_provider"]["passphrase_secret"]
    assert json.loads((tmp_path / "bin" / "args.json").read_text()) == [
        "secrets",
        "secret-bundle",
        "get",
        "--secret-id",
        secret,
    ]


def test_passphrase_file_is_a_no_op_for_a_key_vault_stack(tmp_path: Path) -> None:
    env = _fake_oci(tmp_path / "bin", None)
    out = tmp_path / "pulumi-passphrase"
    result = run("ci", "passphrase-file", "de-prod", "--out", str(out), "--as-of", AS_OF, env=env)
    assert result.returncode == 0 and not out.exists() and "needs no passphrase" in result.stderr
    assert not (tmp_path / "bin" / "args.json").exists()


@pytest.mark.parametrize(
    ("answer", "exit_code", "expected"),
    [
        (None, 1, "failed (exit 1): NotAuthorizedOrNotFound"),
        ({"data": {}}, 0, "holds no data.secret-bundle-content.content"),
        ({"data": {"secret-bundle-content": {"content": "***not base64***"}}}, 0, "is not base64"),
        (
            {"data": {"secret-bundle-content": {"content": ""}}},
            0,
            "the secret is empty",
        ),
    ],
)
def test_rejects_an_unreadable_secret_with_the_fix(
    tmp_path: Path, answer: dict[str, object] | None, exit_code: int, expected: str
) -> None:
    env = _fake_oci(tmp_path / "bin", answer, exit_code)
    out = tmp_path / "pulumi-passphrase"
    result = run("ci", "passphrase-file", "fr-prod", "--out", str(out), "--as-of", AS_OF, env=env)
    assert result.returncode == 2 and not out.exists()
    assert expected in result.stderr and "read secret-bundles" in result.stderr
    assert "Traceback" not in result.stderr


def test_rejects_a_missing_oci_cli(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(shutil.which("git") or "/usr/bin/git").parent)}
    result = run("ci", "passphrase-file", "fr-prod", "--out", str(tmp_path / "p"), "--as-of", AS_OF, env=env)
    assert result.returncode == 2 and "is not on PATH" in result.stderr
