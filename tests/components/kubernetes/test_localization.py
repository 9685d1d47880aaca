"""Localization: locale rules, the prompt block, the checksum, and the init container that joins the template."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.kubernetes.localization import (
    INLINE_TEMPLATE_FILE,
    PROMPT_PREFIX_FILE,
    Localization,
    assistant_config,
    chat_template_with_default_prompt,
    config_checksum,
    prompt_prefix,
)
from components.kubernetes.model_loading import RENDER_TEMPLATE_SCRIPT, chat_template_source
from tests.components.kubernetes.helpers import PROMPT, localization

MODEL_TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"


def test_accepts_a_locale_of_a_served_language() -> None:
    assert localization(default_locale="tr-TR").default_locale == "tr-TR"


def test_rejects_a_locale_of_no_served_language() -> None:
    with pytest.raises(ValueError, match=r"default_locale 'fr-FR' is in none of the languages"):
        localization(default_locale="fr-FR")


def test_rejects_a_tag_that_is_not_bcp47() -> None:
    with pytest.raises(ValueError, match="BCP-47"):
        Localization(("german",), "de-DE", PROMPT)


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 8001])
def test_rejects_empty_or_oversized_prompt(prompt: str) -> None:
    with pytest.raises(ValueError, match="system_prompt must be 1 to 8000 characters"):
        localization(system_prompt=prompt)


def test_prompt_becomes_a_json_escaped_jinja_literal() -> None:
    block = prompt_prefix(PROMPT)
    set_line = block.splitlines()[1]
    literal = set_line.removeprefix("{%- set sovereign = namespace(prompt=").removesuffix(
        ", out=[], done=false) -%}"
    )
    assert json.loads(literal) == PROMPT
    # Not ASCII-escaped: JSON's surrogate pairs would reach Jinja as lone surrogates (K5).
    assert "\\u" not in literal
    # The prompt's own '%}' and '{{' only ever appear inside the quoted literal.
    assert set_line.count("%}") == 2 and literal.count("%}") == 1


def test_config_holds_prompt_block_languages_and_locale() -> None:
    data = assistant_config(localization(), None)
    assert data == {
        # The model gets the prompt and then its locale line (issue 14: the locale reaches the model too).
        PROMPT_PREFIX_FILE: prompt_prefix(f"{PROMPT}\n\nLocale: de-DE. Languages: de, en, tr."),
        "system-prompt.txt": PROMPT,
        "languages": "de,en,tr",
        "default-locale": "de-DE",
    }


def test_inline_template_is_shipped_in_the_config() -> None:
    assert assistant_config(localization(), MODEL_TEMPLATE)[INLINE_TEMPLATE_FILE] == MODEL_TEMPLATE


def test_checksum_follows_the_prompt_and_only_the_content() -> None:
    base = config_checksum(assistant_config(localization(), None))
    assert base == config_checksum(assistant_config(localization(), None))
    assert base != config_checksum(assistant_config(localization(system_prompt=PROMPT + " Danke."), None))


@pytest.mark.parametrize(
    ("template", "source"),
    [
        (None, ""),
        (MODEL_TEMPLATE, "/etc/sovereign/assistant/model-chat-template.jinja"),
        ("/vllm-workspace/examples/template_chatml.jinja", "/vllm-workspace/examples/template_chatml.jinja"),
        ("templates/chat.jinja", "/model-cache/model/templates/chat.jinja"),
    ],
)
def test_template_source_by_kind(template: str | None, source: str) -> None:
    assert chat_template_source(template) == source


@pytest.mark.parametrize("template", ["../../etc/passwd", "my template.jinja", " "])
def test_rejects_template_paths_that_escape_or_are_blank(template: str) -> None:
    with pytest.raises(ValueError, match="chat_template must be Jinja text"):
        chat_template_source(template)


def _render(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "prefix.jinja").write_text(prompt_prefix(PROMPT), encoding="utf-8")
    environment = {
        **os.environ,
        "MODEL_DIR": str(tmp_path / "model"),
        "CHAT_TEMPLATE_SOURCE": source,
        "PROMPT_PREFIX": str(tmp_path / "prefix.jinja"),
        "OUTPUT": str(tmp_path / "out.jinja"),
    }
    return subprocess.run(
        [sys.executable, "-c", RENDER_TEMPLATE_SCRIPT],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_init_script_joins_prefix_and_a_given_template(tmp_path: Path) -> None:
    (tmp_path / "given.jinja").write_text(MODEL_TEMPLATE, encoding="utf-8")
    assert _render(tmp_path, str(tmp_path / "given.jinja")).returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == chat_template_with_default_prompt(
        MODEL_TEMPLATE, PROMPT
    )


def test_init_script_prefers_the_template_file_of_the_weights(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "chat_template.jinja").write_text(MODEL_TEMPLATE, encoding="utf-8")
    assert _render(tmp_path, "").returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8").endswith(MODEL_TEMPLATE)


def test_init_script_reads_the_default_of_named_tokenizer_templates(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    config = {
        "chat_template": [{"name": "tool_use", "template": "{{ x }}"}, {"name": "default", "template": "D"}]
    }
    (tmp_path / "model" / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    assert _render(tmp_path, "").returncode == 0
    assert (tmp_path / "out.jinja").read_text(encoding="utf-8") == prompt_prefix(PROMPT) + "D"


def test_init_script_fails_loudly_without_any_template(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "tokenizer_config.json").write_text("{}", encoding="utf-8")
    result = _render(tmp_path, "")
    assert result.returncode == 1
    assert "no chat template in the weights" in result.stderr
