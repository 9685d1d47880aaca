"""The scripts containers run (``components/kubernetes/scripts/``), executed for real on temporary folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.kubernetes.chat_pod import _launcher
from components.kubernetes.model_loading import RENDER_TEMPLATE_SCRIPT
from components.kubernetes.scripts import read_script

PREFIX = "{# Antworte auf Deutsch. #}\n"


def _render(tmp_path: Path, *, source: str = "") -> subprocess.CompletedProcess[str]:
    (tmp_path / "prefix.jinja").write_text(PREFIX, encoding="utf-8")
    env = {
        **os.environ,
        "MODEL_DIR": str(tmp_path / "model"),
        "CHAT_TEMPLATE_SOURCE": source,
        "PROMPT_PREFIX": str(tmp_path / "prefix.jinja"),
        "OUTPUT": str(tmp_path / "out.jinja"),
    }
    return subprocess.run(
        [sys.executable, "-c", RENDER_TEMPLATE_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def model(tmp_path: Path) -> Path:
    (tmp_path / "model").mkdir()
    return tmp_path / "model"


def test_the_pod_gets_the_file_without_its_header() -> None:
    assert read_script("render_chat_template.py") == RENDER_TEMPLATE_SCRIPT
    assert RENDER_TEMPLATE_SCRIPT.startswith("import json, os, pathlib, sys\n")
    assert "ruff" not in RENDER_TEMPLATE_SCRIPT and "fmt:" not in RENDER_TEMPLATE_SCRIPT


def test_a_chat_template_file_in_the_weights_wins(tmp_path: Path, model: Path) -> None:
    (model / "chat_template.jinja").write_text("{{ file }}", encoding="utf-8")
    (model / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": "{{ json }}"}), encoding="utf-8"
    )
    result = _render(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == PREFIX + "{{ file }}"


def test_the_tokenizer_config_template_as_a_string(tmp_path: Path, model: Path) -> None:
    (model / "tokenizer_config.json").write_text(
        json.dumps({"chat_template": "{{ json }}"}), encoding="utf-8"
    )
    assert _render(tmp_path).returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == PREFIX + "{{ json }}"


def test_the_default_of_a_list_of_named_templates(tmp_path: Path, model: Path) -> None:
    templates = [{"name": "tool_use", "template": "{{ tools }}"}, {"name": "default", "template": "{{ d }}"}]
    (model / "tokenizer_config.json").write_text(json.dumps({"chat_template": templates}), encoding="utf-8")
    assert _render(tmp_path).returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == PREFIX + "{{ d }}"


def test_an_explicit_source_overrides_the_weights(tmp_path: Path, model: Path) -> None:
    (model / "chat_template.jinja").write_text("{{ file }}", encoding="utf-8")
    (tmp_path / "inline.jinja").write_text("{{ register }}", encoding="utf-8")
    assert _render(tmp_path, source=str(tmp_path / "inline.jinja")).returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == PREFIX + "{{ register }}"


@pytest.mark.parametrize("config", [{}, {"chat_template": [{"name": "tool_use", "template": "x"}]}])
def test_no_template_anywhere_fails_with_the_fix(
    tmp_path: Path, model: Path, config: dict[str, object]
) -> None:
    (model / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    result = _render(tmp_path)
    assert result.returncode == 1
    assert "no chat template in the weights: set chat_template in the model risk register" in result.stderr
    assert not (tmp_path / "out.jinja").exists()


def _secrets(folder: Path, model_api_key: str = "model-k3y") -> None:
    (folder / "oidc-client-secret").write_text("client-s3cret", encoding="utf-8")
    (folder / "session-secret").write_text("session-s3cret", encoding="utf-8")
    (folder / "model-api-key").write_text(model_api_key, encoding="utf-8")


def test_the_launcher_reads_the_secrets_into_the_server_environment(tmp_path: Path) -> None:
    _secrets(tmp_path)
    script = _launcher(("sh", "-c", 'printf "%s|%s" "$OAUTH_CLIENT_SECRET" "$WEBUI_SECRET_KEY"'), 1)
    assert "@" not in script and "client-s3cret" not in script
    script = script.replace("/var/run/secrets/sovereign/", f"{tmp_path}/")
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "client-s3cret|session-s3cret"


@pytest.mark.parametrize("base_urls", [1, 2, 3])
def test_the_launcher_gives_open_webui_the_model_key_once_per_base_url(
    tmp_path: Path, base_urls: int
) -> None:
    # Open WebUI 0.12.4 pairs OPENAI_API_KEYS with OPENAI_API_BASE_URLS by index and pads missing keys with ''
    # (routers/openai.py normalize_openai_api_keys): a single key would leave the second server keyless (401).
    _secrets(tmp_path)
    script = _launcher(("sh", "-c", 'printf "%s|%s" "$OPENAI_API_KEYS" "${MODEL_API_KEY-unset}"'), base_urls)
    result = subprocess.run(
        ["sh", "-c", script.replace("/var/run/secrets/sovereign/", f"{tmp_path}/")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ";".join(["model-k3y"] * base_urls) + "|unset"


@pytest.mark.parametrize("key", ["", "a;b", "a b"])
def test_the_launcher_refuses_a_model_key_open_webui_would_split(tmp_path: Path, key: str) -> None:
    _secrets(tmp_path, key)
    script = _launcher(("echo", "started"), 2).replace("/var/run/secrets/sovereign/", f"{tmp_path}/")
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "started" not in result.stdout
    assert "model API key" in result.stderr


def test_the_launcher_stops_when_a_secret_file_is_missing(tmp_path: Path) -> None:
    script = _launcher(("echo", "started"), 1).replace("/var/run/secrets/sovereign/", f"{tmp_path}/")
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "started" not in result.stdout
