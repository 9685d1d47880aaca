"""The OCI stacks' passphrase, read in the country: from the OCI Vault secret the country file names
(``deployment.secrets_provider.passphrase_secret``), with the job's OCI session, into a file only the job reads.

Pulumi's passphrase secrets manager takes "the passphrase found in PULUMI_CONFIG_PASSPHRASE, the file specified by
PULUMI_CONFIG_PASSPHRASE_FILE" (pulumi/pulumi ``pkg/secrets/passphrase/manager.go``), so the workflows set the
file's path and no CI service stores the passphrase. The secret is read with the OCI CLI the jobs already
install: ``oci secrets secret-bundle get --secret-id <ocid>`` (docs.oracle.com "Getting a Secret's Contents"),
whose bundle carries the content base64-encoded (``Base64SecretBundleContentDetails``).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["PassphraseUnavailable", "read_passphrase", "write_passphrase_file"]


class PassphraseUnavailable(Exception):
    """The secret could not be read; the message never holds its content."""


def _content(bundle: object) -> str | None:
    data = bundle.get("data") if isinstance(bundle, dict) else None
    content = None
    if isinstance(data, dict):
        details = data.get("secret-bundle-content") or data.get("secretBundleContent")
        content = details.get("content") if isinstance(details, dict) else None
    return content if isinstance(content, str) else None


def read_passphrase(secret_ocid: str, *, cli: str = "oci") -> bytes:
    """The current version of the secret, decoded; raises PassphraseUnavailable with the reason."""
    found = shutil.which(cli)
    if found is None:
        raise PassphraseUnavailable(
            f"the OCI CLI ('{cli}') is not on PATH: install it (uv tool install oci-cli)"
        )
    result = subprocess.run(
        [found, "secrets", "secret-bundle", "get", "--secret-id", secret_ocid],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PassphraseUnavailable(
            f"`oci secrets secret-bundle get` failed (exit {result.returncode}): {result.stderr.strip()[-500:]}"
        )
    try:
        content = _content(json.loads(result.stdout))
    except json.JSONDecodeError:
        content = None
    if content is None:
        raise PassphraseUnavailable("the OCI CLI's answer holds no data.secret-bundle-content.content")
    try:
        passphrase = base64.b64decode(content, validate=True)
    except binascii.Error:
        raise PassphraseUnavailable("the secret's content is not base64, as OCI Vault returns it") from None
    if not passphrase:
        raise PassphraseUnavailable("the secret is empty: store the passphrase in it")
    return passphrase


def write_passphrase_file(path: Path, passphrase: bytes) -> None:
    """Write ``passphrase`` to ``path``, readable by the job's user only (0600 from creation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(passphrase)
    path.chmod(0o600)
