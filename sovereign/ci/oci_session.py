"""OCI workload identity federation for a GitHub Actions job: the job's OIDC token becomes an OCI session.

``python -m sovereign.ci.oci_session`` asks GitHub for the job's OIDC token, exchanges it at the OCI IAM identity
domain (``/oauth2/v1/token``, token-exchange grant, ``urn:oci:token-type:oci-upst``) for a short-lived user
principal session token bound to a key pair made for this job, and writes ``~/.oci/config`` (profile DEFAULT) for
``auth=SecurityToken``. The OCI provider reads ``OCI_AUTH`` / ``OCI_CONFIG_FILE_PROFILE`` from the environment, so
the stack program needs no change. No API key is stored anywhere; the private key never leaves the runner.

Inputs (environment): ``OCI_DOMAIN_URL`` (the identity domain), ``OCI_CLIENT_ID`` / ``OCI_CLIENT_SECRET`` (the
domain's confidential application that trusts GitHub's issuer), ``OCI_TENANCY``, ``OCI_REGION``, and GitHub's
``ACTIONS_ID_TOKEN_REQUEST_URL`` / ``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` (present with ``id-token: write``).
Non-goals: no refresh (a session lasts as long as the domain allows, an hour by default); no OCI API calls.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = [
    "GITHUB_AUDIENCE",
    "exchange",
    "fingerprint",
    "github_oidc_token",
    "main",
    "new_key_pair",
    "write_oci_config",
]

GITHUB_AUDIENCE = "oci"
"""Audience the identity domain's trust configuration expects in GitHub's token."""
UPST = "urn:oci:token-type:oci-upst"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
_TIMEOUT_SECONDS = 30


class FederationError(Exception):
    """The exchange failed; the message says which step and never contains a token."""


def _post_json(request: urllib.request.Request) -> dict[str, object]:
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise FederationError(f"{request.full_url} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FederationError(f"{request.full_url}: {exc}") from None


def github_oidc_token(request_url: str, request_token: str, audience: str = GITHUB_AUDIENCE) -> str:
    """The job's OIDC token for ``audience`` (GitHub's ID-token endpoint, authorised by the request token)."""
    separator = "&" if "?" in request_url else "?"
    url = f"{request_url}{separator}audience={urllib.parse.quote(audience)}"
    answer = _post_json(urllib.request.Request(url, headers={"Authorization": f"bearer {request_token}"}))
    token = answer.get("value")
    if not isinstance(token, str) or not token:
        raise FederationError(
            "GitHub's ID-token endpoint returned no token (does the job have id-token: write?)"
        )
    return token


def new_key_pair(folder: Path) -> tuple[Path, str]:
    """A fresh RSA key for the session (private key file, public key as base64 DER), made with openssl."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / "session_key.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(key)],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    return key, base64.b64encode(der).decode()


def exchange(domain_url: str, client_id: str, client_secret: str, subject_token: str, public_key: str) -> str:
    """Exchange a GitHub OIDC token for an OCI user principal session token (UPST)."""
    form = urllib.parse.urlencode(
        {
            "grant_type": TOKEN_EXCHANGE,
            "requested_token_type": UPST,
            "subject_token": subject_token,
            "subject_token_type": "jwt",
            "public_key": public_key,
        }
    ).encode()
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    request = urllib.request.Request(
        f"{domain_url.rstrip('/')}/oauth2/v1/token",
        data=form,
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    token = _post_json(request).get("token")
    if not isinstance(token, str) or not token:
        raise FederationError("the identity domain returned no session token")
    return token


def fingerprint(public_key: str) -> str:
    """OCI's key fingerprint: MD5 of the DER public key, as colon-separated hex (not a security function)."""
    digest = hashlib.md5(base64.b64decode(public_key), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def write_oci_config(
    folder: Path, *, tenancy: str, region: str, key: Path, public_key: str, session_token: str
) -> Path:
    """``config`` (profile DEFAULT) and the token file, readable by the job's user only."""
    token_file = folder / "session_token"
    token_file.write_text(session_token, encoding="utf-8")
    token_file.chmod(0o600)
    config = folder / "config"
    config.write_text(
        "[DEFAULT]\n"
        f"tenancy={tenancy}\n"
        f"region={region}\n"
        f"key_file={key}\n"
        f"security_token_file={token_file}\n"
        f"fingerprint={fingerprint(public_key)}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def main() -> None:
    """Entry point for the workflows; exits 2 with a one-line reason (no token in it) on failure."""
    names = (
        "OCI_DOMAIN_URL",
        "OCI_CLIENT_ID",
        "OCI_CLIENT_SECRET",
        "OCI_TENANCY",
        "OCI_REGION",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    )
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        print(
            f"oci_session: missing {', '.join(missing)} (environment variables/secrets, id-token: write)",
            file=sys.stderr,
        )
        sys.exit(2)
    env = os.environ
    folder = Path(env.get("OCI_CONFIG_DIR", Path.home() / ".oci"))
    try:
        jwt = github_oidc_token(env["ACTIONS_ID_TOKEN_REQUEST_URL"], env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
        key, public_key = new_key_pair(folder)
        session = exchange(
            env["OCI_DOMAIN_URL"], env["OCI_CLIENT_ID"], env["OCI_CLIENT_SECRET"], jwt, public_key
        )
    except (FederationError, subprocess.CalledProcessError) as exc:
        print(f"oci_session: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"::add-mask::{session}")  # GitHub hides the token should anything print it later
    config = write_oci_config(
        folder,
        tenancy=env["OCI_TENANCY"],
        region=env["OCI_REGION"],
        key=key,
        public_key=public_key,
        session_token=session,
    )
    print(f"oci_session: wrote {config} (auth=SecurityToken, profile DEFAULT)")


if __name__ == "__main__":
    main()
