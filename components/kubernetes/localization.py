"""Localization of the assistant: languages, default locale, system prompt, and how the prompt reaches every
client through the model's chat template.

Pure (no resources). vLLM has no server-side default system prompt, so the country's prompt is put in front
of the model's own chat template as a small Jinja block: a conversation that arrives without a system message
gets the country's one, whichever client sent it (the chat front end or a tenant's application). The block
and the prompt live in a ConfigMap whose checksum is a pod annotation, so changing the prompt rolls the pods;
an init container joins the block and the model's template when the pod starts (the template may live in
the serving image or the weights, see ``inference_pod.py``). Non-goals: translating anything; the front
end's UI strings come with its image.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import TypeAdapter

from sovereign.types import Bcp47Tag

__all__ = [
    "INLINE_TEMPLATE_FILE",
    "MAX_SYSTEM_PROMPT_CHARS",
    "PROMPT_PREFIX_FILE",
    "Localization",
    "assistant_config",
    "chat_template_with_default_prompt",
    "config_checksum",
    "is_inline_template",
    "prompt_prefix",
]

PROMPT_PREFIX_FILE = "prompt-prefix.jinja"
INLINE_TEMPLATE_FILE = "model-chat-template.jinja"
MAX_SYSTEM_PROMPT_CHARS = 8000
"""A prompt longer than this eats the context window of every request; keep it short."""

_BCP47 = TypeAdapter(Bcp47Tag)


def _language(tag: str) -> str:
    return tag.split("-", 1)[0]


@dataclass(frozen=True)
class Localization:
    """How the assistant speaks to citizens of one country."""

    languages: tuple[str, ...]
    """BCP-47 tags of the languages the assistant serves, such as ('de', 'en', 'tr'); at least one."""
    default_locale: str
    """BCP-47 tag of the default UI and answer locale, such as 'de-DE'; its language must be served."""
    system_prompt: str
    """The country's system prompt, used when a conversation brings none. Changing it rolls the pods."""

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("localization.languages must list at least one BCP-47 tag, such as 'de'")
        for tag in (*self.languages, self.default_locale):
            _BCP47.validate_python(tag)
        if _language(self.default_locale) not in {_language(tag) for tag in self.languages}:
            raise ValueError(
                f"localization.default_locale {self.default_locale!r} is in none of the languages "
                f"{list(self.languages)}: add its language or pick a locale of one of them"
            )
        if not self.system_prompt.strip() or len(self.system_prompt) > MAX_SYSTEM_PROMPT_CHARS:
            raise ValueError(
                f"localization.system_prompt must be 1 to {MAX_SYSTEM_PROMPT_CHARS} characters "
                f"(got {len(self.system_prompt)})"
            )


def prompt_prefix(system_prompt: str) -> str:
    """The Jinja block that inserts the country's system prompt when a conversation has none.

    The prompt becomes a Jinja string literal through JSON (ASCII-escaped), so quotes, braces or ``%}`` in
    the prompt cannot break out of it: Jinja decodes the same escapes JSON writes.
    """
    literal = json.dumps(system_prompt, ensure_ascii=True)
    return (
        "{#- sovereign-ai: the country's system prompt, for conversations that bring none -#}\n"
        "{%- if not messages or messages[0]['role'] != 'system' -%}\n"
        f"{{%- set messages = [{{'role': 'system', 'content': {literal}}}] + messages -%}}\n"
        "{%- endif -%}\n"
    )


def chat_template_with_default_prompt(model_template: str, system_prompt: str) -> str:
    """What the pod serves: the prefix, then the model's template (the init container does the same join)."""
    return prompt_prefix(system_prompt) + model_template


def is_inline_template(chat_template: str) -> bool:
    """A template given as Jinja text rather than as a file path."""
    return "{{" in chat_template or "{%" in chat_template


def assistant_config(localization: Localization, chat_template: str | None) -> dict[str, str]:
    """Files of the assistant's ConfigMap, mounted read-only into the inference pods."""
    data = {
        PROMPT_PREFIX_FILE: prompt_prefix(localization.system_prompt),
        "system-prompt.txt": localization.system_prompt,
        "languages": ",".join(localization.languages),
        "default-locale": localization.default_locale,
    }
    if chat_template is not None and is_inline_template(chat_template):
        data[INLINE_TEMPLATE_FILE] = chat_template
    return data


def config_checksum(data: Mapping[str, str]) -> str:
    """SHA-256 of the ConfigMap data, for the pod annotation that rolls pods when the data changes."""
    canonical = json.dumps(dict(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
