"""Everything a stack file (and the project file, and CI's backend variable) can say about where the state and
the stack secrets' key are is held to the country file's ``deployment:`` declaration, which must be in-country.

Each rejection starts from the shipped files and makes an edit a careless or hostile operator would make; each is
refused by ``sovereign validate`` with the file, the line, the setting and the fix.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sovereign.config.data_paths import data_paths
from sovereign.config.loader import validate_files

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 22)
DE_VAULT = "azurekeyvault://de-pulumi-secrets.vault.azure.net/keys/pulumi-stack-secrets"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project: Pulumi.yaml, country files, stack files."""
    shutil.copytree(ROOT / "country_configs", tmp_path / "country_configs")
    shutil.copytree(
        ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    monkeypatch.delenv("SOVEREIGN_STACKS_DIR", raising=False)
    monkeypatch.delenv("SOVEREIGN_CONFIG_DIR", raising=False)
    return tmp_path


def _replace(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def _problems(project: Path) -> list[str]:
    """What `sovereign validate` (no paths) reports: the country files, then the stack and project files."""
    from sovereign.cli.config_commands import _stack_file_problems

    config_dir = project / "country_configs"
    configs, problems = validate_files(config_dir=config_dir, as_of=AS_OF)
    return [str(p) for p in (*problems, *_stack_file_problems(config_dir, configs))]


def _one(found: list[str], *needles: str) -> str:
    """The problem mentioning every needle (once per environment it is wrong in: prod, staging)."""
    hits = [m for m in found if all(n in m for n in needles)]
    assert hits, f"no problem with {needles}; got {found}"
    assert len({m.split(": [")[0] for m in hits}) == 1, f"more than one place: {hits}"
    return hits[0]


def _country(project: Path, code: str) -> Path:
    return project / "country_configs" / f"{code}.yaml"


def _stack(project: Path, name: str) -> Path:
    return project / "stacks" / f"Pulumi.{name}.yaml"


# Accepted ------------------------------------------------------------------------------------------------------


def test_shipped_project_is_accepted(project: Path) -> None:
    assert _problems(project) == []


def test_both_paths_are_listed_in_country(project: Path) -> None:
    configs, problems = validate_files(config_dir=project / "country_configs", as_of=AS_OF)
    assert problems == []
    for config in configs:
        paths = {p.name: p for p in data_paths(config)}
        state = next(p for n, p in paths.items() if n.startswith("Pulumi state"))
        key = next(p for n, p in paths.items() if n.startswith("the key that wraps"))
        assert state.country == config.country and state.region == config.deployment.state_backend.region
        assert key.country == config.country
        assert state.setting == ("deployment", "state_backend", "region")


def test_accepts_an_in_country_vault_server_for_oci(project: Path) -> None:
    country = _replace(
        _country(project, "fr"), "    url: passphrase\n", "    url: hashivault://fr-pulumi-stack-secrets\n"
    )
    # A Vault server keeps the key itself: no OCI Vault secret holds a passphrase.
    secret = next(
        line for line in country.read_text(encoding="utf-8").splitlines() if "passphrase_secret:" in line
    )
    _replace(country, secret + "\n", "")
    for stack in ("fr-prod", "fr-staging"):
        _replace(
            _stack(project, stack),
            "config:\n",
            "secretsprovider: hashivault://fr-pulumi-stack-secrets\nconfig:\n",
        )
    assert _problems(project) == []


def test_accepts_a_passphrase_stack_after_pulumi_stack_init(project: Path) -> None:
    # What `pulumi stack init` writes for a passphrase stack (pkg/secrets/passphrase/manager.go).
    _replace(
        _stack(project, "fr-prod"),
        "config:\n",
        "encryptionsalt: v1:0ZvQ7q1xZxE=:v1:Yc6VbH3o7r7y6QzV:Kk==\nconfig:\n",
    )
    assert _problems(project) == []


# The declaration ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("https://api.pulumi.com", "Pulumi Cloud"),
        ("https://app.pulumi.com/sovereign-de", "Pulumi Cloud"),
        ("file:///var/lib/pulumi-state", "one machine"),
        ("s3://de-pulumi-state?region=eu-central-1", "is Amazon S3"),
        ("gs://de-pulumi-state", "Google Cloud Storage"),
        ("azblob://pulumi-state", "storage_account"),
        (
            "azblob://pulumi-state?storage_account=desovereignstate&domain=blob.example.net",
            "only 'storage_account'",
        ),
    ],
)
def test_rejects_a_state_backend_the_country_cannot_hold(project: Path, url: str, needle: str) -> None:
    path = _replace(
        _country(project, "de"),
        "    url: azblob://pulumi-state?storage_account=desovereignstate\n",
        f"    url: {url}\n",
    )
    msg = _one(_problems(project), "deployment.state_backend.url", needle)
    assert msg.startswith(f"{path}:{_line_of(path, url)}:"), msg
    assert "declare the country's own store: 'azblob://" in msg


def test_rejects_state_in_a_storage_account_abroad(project: Path) -> None:
    # The account is moved to the Netherlands; the URL does not say so, the declared region does.
    path = _country(project, "de")
    text = path.read_text(encoding="utf-8")
    block = text.split("deployment:\n", 1)[1]
    path.write_text(
        text.replace(block, block.replace("    region: germanywestcentral\n", "    region: westeurope\n", 1))
    )
    msg = _one(_problems(project), "deployment.state_backend.region")
    assert "lies in 'nl', not in 'de'" in msg and "germanywestcentral" in msg


def test_rejects_an_oci_bucket_in_another_country(project: Path) -> None:
    path = _country(project, "fr")
    text = path.read_text(encoding="utf-8").replace(
        "objectstorage.eu-paris-1.oraclecloud.com&region=eu-paris-1",
        "objectstorage.eu-frankfurt-1.oraclecloud.com&region=eu-frankfurt-1",
    )
    path.write_text(
        text.replace(
            "    region: eu-paris-1\n  secrets_provider", "    region: eu-frankfurt-1\n  secrets_provider"
        )
    )
    _one(_problems(project), "deployment.state_backend.region", "lies in 'de', not in 'fr'")


def test_rejects_a_declared_region_the_oci_endpoint_contradicts(project: Path) -> None:
    # Hostile: the declared region stays in France while the URL points at Frankfurt.
    _replace(
        _country(project, "fr"),
        "objectstorage.eu-paris-1.oraclecloud.com&region=eu-paris-1",
        "objectstorage.eu-frankfurt-1.oraclecloud.com&region=eu-frankfurt-1",
    )
    _one(_problems(project), "deployment.state_backend.region", "endpoint is in 'eu-frankfurt-1'")


def test_rejects_an_oci_endpoint_signed_for_another_region(project: Path) -> None:
    _replace(
        _country(project, "fr"), "oraclecloud.com&region=eu-paris-1", "oraclecloud.com&region=us-ashburn-1"
    )
    _one(_problems(project), "deployment.state_backend.url", "must set 'region=eu-paris-1'")


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("awskms://alias/pulumi-de?region=eu-central-1", "AWS KMS"),
        ("gcpkms://projects/p/locations/europe-west3/keyRings/r/cryptoKeys/k", "Google Cloud KMS"),
        ("default", "leaves the choice to the backend"),
        ("azurekeyvault://de-pulumi.managedhsm.azure.net/keys/pulumi", "Managed HSM"),
        ("azurekeyvault://de-pulumi-secrets.vault.example.org/keys/pulumi", "is not 'azurekeyvault://"),
    ],
)
def test_rejects_a_secrets_provider_that_is_not_the_countrys_key(
    project: Path, url: str, needle: str
) -> None:
    path = _replace(_country(project, "de"), f"    url: {DE_VAULT}\n", f"    url: {url}\n")
    msg = _one(_problems(project), "deployment.secrets_provider.url", needle)
    assert msg.startswith(f"{path}:{_line_of(path, f'url: {url}')}:"), msg
    assert "declare the country's own key: 'azurekeyvault://" in msg


def test_rejects_a_key_vault_in_another_country(project: Path) -> None:
    path = _country(project, "de")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f"{DE_VAULT}\n    region: germanywestcentral", f"{DE_VAULT}\n    region: swedencentral")
    )
    _one(_problems(project), "deployment.secrets_provider.region", "lies in 'se', not in 'de'")


def test_rejects_a_key_vault_without_its_region(project: Path) -> None:
    path = _country(project, "de")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"{DE_VAULT}\n    region: germanywestcentral\n", f"{DE_VAULT}\n"))
    _one(_problems(project), "deployment.secrets_provider.region", "does not say which region")


def test_rejects_a_passphrase_kept_abroad_or_nowhere(project: Path) -> None:
    path = _replace(_country(project, "fr"), "    country: fr\n", "    country: us\n")
    _one(_problems(project), "deployment.secrets_provider.country", "'us'")
    path.write_text(path.read_text(encoding="utf-8").replace("    country: us\n", ""), encoding="utf-8")
    _one(_problems(project), "deployment.secrets_provider.country", "not declared", "declare 'country: fr'")


def test_rejects_a_staging_override_that_moves_the_state_abroad(project: Path) -> None:
    path = _country(project, "de")
    text = path.read_text(encoding="utf-8")
    anchor = re.search(r"^  staging:.*\n", text, re.MULTILINE)
    assert anchor
    block = "    deployment:\n      state_backend:\n        region: francecentral\n"
    path.write_text(text[: anchor.end()] + block + text[anchor.end() :], encoding="utf-8")
    found = _problems(project)
    msg = _one(found, "deployment.state_backend.region", "lies in 'fr'")
    assert "[staging]" in msg and not any("[prod]" in m and "deployment" in m for m in found)


def test_rejects_a_country_file_without_the_declaration(project: Path) -> None:
    path = _country(project, "no")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"deployment:\n(  .*\n)+", "", text), encoding="utf-8")
    _one(_problems(project), "no.yaml", "deployment")


# The stack file -------------------------------------------------------------------------------------------------


def test_rejects_a_stack_file_with_another_vault(project: Path) -> None:
    other = "azurekeyvault://ops-shared-vault.vault.azure.net/keys/pulumi"
    path = _replace(_stack(project, "de-prod"), DE_VAULT, other)
    msg = _one(_problems(project), "secretsprovider", other)
    assert msg.startswith(f"{path}:{_line_of(path, 'secretsprovider:')}:"), msg
    assert f"set 'secretsprovider: {DE_VAULT}'" in msg and "change-secrets-provider" in msg
    # The staging stack of the same country is untouched and not reported.
    assert not any("de-staging" in m for m in _problems(project))


def test_rejects_a_stack_file_that_drops_the_secrets_provider(project: Path) -> None:
    path = _stack(project, "de-staging")
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^secretsprovider: .*\n", "", text, flags=re.MULTILINE), encoding="utf-8")
    _one(_problems(project), "Pulumi.de-staging.yaml", "secretsprovider", "is missing")


def test_rejects_passphrase_secrets_under_a_declared_cloud_key(project: Path) -> None:
    path = _replace(
        _stack(project, "gb-prod"),
        "config:\n",
        "encryptionsalt: v1:0ZvQ7q1xZxE=:v1:Yc6VbH3o7r7y6QzV:Kk==\nconfig:\n",
    )
    msg = _one(_problems(project), "encryptionsalt")
    assert msg.startswith(f"{path}:{_line_of(path, 'encryptionsalt')}:"), msg


def test_rejects_a_cloud_key_on_a_passphrase_country(project: Path) -> None:
    _replace(
        _stack(project, "jp-prod"),
        "config:\n",
        "secretsprovider: awskms://alias/pulumi?region=ap-northeast-1\nconfig:\n",
    )
    _one(_problems(project), "Pulumi.jp-prod.yaml", "secretsprovider", "is 'passphrase'")


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("environment:\n  - sovereign/de-prod\n", "Pulumi ESC"),
        ("secretprovider: awskms://alias/pulumi\n", "unknown stack-file key 'secretprovider'"),
    ],
)
def test_rejects_stack_file_keys_that_bypass_the_declaration(project: Path, line: str, needle: str) -> None:
    path = _replace(_stack(project, "kr-prod"), "config:\n", line + "config:\n")
    msg = _one(_problems(project), needle)
    key = line.split(":", maxsplit=1)[0]
    top = [
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith(key + ":")
    ]
    assert msg.startswith(f"{path}:{top[0]}:"), msg


def test_rejects_a_project_wide_backend(project: Path) -> None:
    path = project / "Pulumi.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "backend:\n  url: https://api.pulumi.com\n", encoding="utf-8"
    )
    msg = _one(_problems(project), "Pulumi.yaml", "backend")
    assert msg.startswith(f"{path}:{_line_of(path, 'backend:')}:") and "PULUMI_BACKEND_URL" in msg


# What the stack file's config says ------------------------------------------------------------------------------


def _config_line(project: Path, stack: str, line: str) -> Path:
    return _replace(_stack(project, stack), "config:\n", "config:\n" + line)


@pytest.mark.parametrize(
    "table",
    [
        "  sovereign-ai:renamed: de-prod-store-weights\n",  # a name, not a mapping
        "  sovereign-ai:renamed:\n    de-prod-store-models: de-prod-store-models\n",  # new == old
        '  sovereign-ai:renamed:\n    de-prod-store-models: ""\n',  # empty old name
    ],
)
def test_rejects_a_rename_table_the_program_refuses(project: Path, table: str) -> None:
    """stacks/renames.py ``_table``: a mapping of new resource name to a different, non-empty old name."""
    path = _config_line(project, "de-prod", table)
    msg = _one(_problems(project), "config.sovereign-ai:renamed")
    assert msg.startswith(f"{path}:{_line_of(path, 'sovereign-ai:renamed')}:") and "new-name: old-name" in msg


def test_accepts_a_rename_table(project: Path) -> None:
    _config_line(
        project, "de-prod", "  sovereign-ai:renamed:\n    de-prod-store-models: de-prod-store-weights\n"
    )
    assert _problems(project) == []


def test_rejects_a_mistyped_program_setting(project: Path) -> None:
    # The program would read the right key as unset and deploy the log cluster without its key a second time.
    path = _config_line(project, "gb-prod", "  sovereign-ai:logs-cluster-key-grantd: true\n")
    msg = _one(_problems(project), "logs-cluster-key-grantd")
    assert msg.startswith(f"{path}:{_line_of(path, 'grantd')}:") and "known:" in msg


def test_rejects_a_setting_pulumi_cannot_read_as_a_bool(project: Path) -> None:
    _config_line(project, "gb-prod", "  sovereign-ai:logs-cluster-key-granted: yes please\n")
    _one(_problems(project), "logs-cluster-key-granted", "not true or false")


def test_rejects_a_secret_in_clear_text(project: Path) -> None:
    path = _config_line(project, "kr-prod", "  sovereign-ai:assistantApiKey: 6f1c0b3e9a\n")
    msg = _one(_problems(project), "assistantApiKey", "clear text")
    assert msg.startswith(f"{path}:{_line_of(path, 'assistantApiKey')}:") and "--secret" in msg


def test_accepts_an_encrypted_secret(project: Path) -> None:
    _config_line(project, "kr-prod", "  sovereign-ai:assistantApiKey:\n    secure: v1:AAABBBCCC\n")
    assert _problems(project) == []


def test_rejects_a_provider_default_in_the_stack_file(project: Path) -> None:
    _config_line(project, "kr-prod", "  azure-native:location: eastus\n")
    _one(_problems(project), "config.azure-native:location", "not read")


def test_rejects_re_enabled_default_providers(project: Path) -> None:
    path = _stack(project, "in-prod")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('  pulumi:disable-default-providers:\n    - "*"\n', ""), encoding="utf-8")
    _one(_problems(project), "Pulumi.in-prod.yaml", "disable-default-providers", "default region")


# The command line and CI ----------------------------------------------------------------------------------------


def _run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SOVEREIGN_", "PULUMI_BACKEND", "PULUMI_CLOUD_SECRET"))
    }
    return subprocess.run(
        [sys.executable, "-m", "sovereign", *args],
        cwd=project,
        env={**full, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_exits_2_on_a_stack_file_with_another_key(project: Path) -> None:
    _replace(_stack(project, "no-prod"), "no-pulumi-secrets", "shared-pulumi-secrets")
    result = _run(project, "validate", "--as-of", AS_OF.isoformat())
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Pulumi.no-prod.yaml:4: secretsprovider:" in result.stderr


def test_rejects_a_ci_backend_other_than_the_declared_one(project: Path) -> None:
    declared = "azblob://pulumi-state?storage_account=desovereignstate"
    ok = _run(
        project, "ci", "backend-check", "de-prod", "--as-of", AS_OF.isoformat(), PULUMI_BACKEND_URL=declared
    )
    assert ok.returncode == 0, ok.stderr
    for url in ("https://api.pulumi.com", "azblob://pulumi-state?storage_account=sharedstate", ""):
        bad = _run(
            project, "ci", "backend-check", "de-prod", "--as-of", AS_OF.isoformat(), PULUMI_BACKEND_URL=url
        )
        assert bad.returncode == 2, (url, bad.stderr)
        assert f"PULUMI_BACKEND_URL to '{declared}'" in bad.stderr
    override = _run(
        project,
        "ci",
        "backend-check",
        "de-prod",
        "--as-of",
        AS_OF.isoformat(),
        PULUMI_BACKEND_URL=declared,
        # pragma: allowlist nextline secret (a key address, not a key)
        PULUMI_CLOUD_SECRET_OVERRIDE="awskms://alias/pulumi?region=eu-central-1",
    )
    assert override.returncode == 2 and "PULUMI_CLOUD_SECRET_OVERRIDE" in override.stderr


def test_every_workflow_checks_the_backend_before_pulumi() -> None:
    """Each job that reaches a backend (login, preview, up) runs the check first."""
    for name in ("deploy.yml", "drift.yml", "pull-request.yml"):
        text = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        uses = [m.start() for m in re.finditer(r"pulumi login|command: (up|preview)|cloud-url:", text)]
        checks = [m.start() for m in re.finditer(r"sovereign ci backend-check", text)]
        assert uses and checks, name
        assert all(any(c < u for c in checks) for u in uses), name
