"""OCI workload identity federation against a local stand-in for GitHub's ID-token endpoint and the identity domain."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sovereign.ci.oci_session import TOKEN_EXCHANGE, UPST, fingerprint

JWT = "eyJ.github.jwt"
SESSION = "upst-session-token-value"


class StandIn:
    """Records every request; answers like GitHub (``/idtoken``) and an identity domain (``/oauth2/v1/token``)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.domain_status = 200

    def handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization")})
                self._answer(200, {"value": JWT})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                outer.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "form": form}
                )
                if outer.domain_status != 200:
                    self._answer(outer.domain_status, {"error": "invalid_client"})
                else:
                    self._answer(200, {"token": SESSION})

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


@pytest.fixture
def stand_in() -> Iterator[tuple[StandIn, str]]:
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OCI_DOMAIN_URL": f"{url}/domain/",
        "OCI_CLIENT_ID": "app-id",
        "OCI_CLIENT_SECRET": "app-secret",
        "OCI_TENANCY": "ocid1.tenancy.oc1..example",
        "OCI_REGION": "eu-paris-1",
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"{url}/idtoken?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
        "OCI_CONFIG_DIR": str(folder),
    }
    return subprocess.run(
        [sys.executable, "-m", "sovereign.ci.oci_session"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exchanges_the_github_token_for_a_session_bound_to_a_fresh_key(
    stand_in: tuple[StandIn, str], tmp_path: Path
) -> None:
    state, url = stand_in
    result = _run(url, tmp_path)
    assert result.returncode == 0, result.stderr
    github, domain = state.requests
    assert github["path"] == "/idtoken?api-version=2.0&audience=oci"
    assert github["auth"] == "bearer request-token"
    assert domain["path"] == "/domain/oauth2/v1/token"
    assert domain["auth"] == "Basic " + base64.b64encode(b"app-id:app-secret").decode()
    form = {k: v[0] for k, v in domain["form"].items()}
    public_der = subprocess.run(
        ["openssl", "pkey", "-in", str(tmp_path / "session_key.pem"), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    assert form == {
        "grant_type": TOKEN_EXCHANGE,
        "requested_token_type": UPST,
        "subject_token": JWT,
        "subject_token_type": "jwt",
        "public_key": base64.b64encode(public_der).decode(),
    }
    config = (tmp_path / "config").read_text(encoding="utf-8").splitlines()
    assert config == [
        "[DEFAULT]",
        "tenancy=ocid1.tenancy.oc1..example",
        "region=eu-paris-1",
        f"key_file={tmp_path / 'session_key.pem'}",
        f"security_token_file={tmp_path / 'session_token'}",
        f"fingerprint={fingerprint(form['public_key'])}",
    ]
    assert (tmp_path / "session_token").read_text(encoding="utf-8") == SESSION
    for name in ("config", "session_token", "session_key.pem"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, f"{name} is readable by others"
    assert f"::add-mask::{SESSION}" in result.stdout


def test_a_refused_exchange_fails_cleanly_without_leaking_tokens(
    stand_in: tuple[StandIn, str], tmp_path: Path
) -> None:
    state, url = stand_in
    state.domain_status = 401
    result = _run(url, tmp_path)
    assert result.returncode == 2
    assert "oauth2/v1/token answered 401" in result.stderr
    assert JWT not in result.stderr + result.stdout and "app-secret" not in result.stderr + result.stdout
    assert not (tmp_path / "config").exists()


def test_missing_inputs_are_named(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "ACTIONS_ID_TOKEN"))}
    result = subprocess.run(
        [sys.executable, "-m", "sovereign.ci.oci_session"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "missing OCI_DOMAIN_URL, OCI_CLIENT_ID, OCI_CLIENT_SECRET" in result.stderr


def test_fingerprint_is_colon_separated_md5() -> None:
    assert fingerprint(base64.b64encode(b"abc").decode()) == "90:01:50:98:3c:d2:4f:b0:d6:96:3f:7d:28:e1:7f:72"
