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
    "PLACEMENTS",
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

    @property
    def model_prompt(self) -> str:
        """What the model receives: the country's prompt, then the locale and languages in one fixed line, so the
        model knows which locale to answer in when a conversation does not say (the chat front end's
        ``DEFAULT_LOCALE`` only sets its own UI language; vLLM has no locale setting)."""
        return (
            f"{self.system_prompt}\n\nLocale: {self.default_locale}. Languages: {', '.join(self.languages)}."
        )


PLACEMENTS = ("system", "first_user")


def _jinja_literal(text: str) -> str:
    # JSON without ensure_ascii: Jinja decodes a string literal with Python's unicode-escape after
    # backslash-replacing non-ASCII (jinja2/lexer.py), so a raw character round-trips, while JSON's ASCII form
    # of a character above U+FFFF is a surrogate pair that unicode-escape turns into two lone surrogates.
    return json.dumps(text, ensure_ascii=False)


def prompt_prefix(system_prompt: str, placement: str = "system") -> str:
    """The Jinja block that puts the country's system prompt into every conversation.

    The prompt always comes first: a client's own system message is kept after it (in the same system
    message, as most templates render only one), so no client can replace the national prompt. With
    ``first_user`` placement, for templates that drop or replace system content (LLM-jp-3 renders a fixed
    sentence instead), the prompt opens the first user turn. The prompt is a JSON string literal, so quotes,
    braces or ``%}`` in it cannot break out. Content may be a string or a list of parts (vLLM's "openai"
    content format), so both are handled.
    """
    if placement not in PLACEMENTS:
        raise ValueError(f"system_prompt_placement must be one of {PLACEMENTS} (got {placement!r})")
    literal = _jinja_literal(system_prompt)
    if placement == "system":
        # Only a leading system message counts: that is the one templates render as the system prompt.
        target, condition = "system", "loop.first and m['role'] == 'system'"
    else:
        target, condition = "user", "not sovereign.done and m['role'] == 'user'"
    return (
        "{#- sovereign-ai: the country's system prompt, in every conversation -#}\n"
        f"{{%- set sovereign = namespace(prompt={literal}, out=[], done=false) -%}}\n"
        "{%- for m in messages -%}\n"
        f"{{%- if {condition} -%}}\n"
        "{%- if m['content'] is string -%}\n"
        "{%- set joined = sovereign.prompt + '\\n\\n' + m['content'] -%}\n"
        "{%- else -%}\n"
        "{%- set joined = [{'type': 'text', 'text': sovereign.prompt + '\\n\\n'}] + m['content'] -%}\n"
        "{%- endif -%}\n"
        f"{{%- set sovereign.out = sovereign.out + [{{'role': '{target}', 'content': joined}}] -%}}\n"
        "{%- set sovereign.done = true -%}\n"
        "{%- else -%}\n"
        "{%- set sovereign.out = sovereign.out + [m] -%}\n"
        "{%- endif -%}\n"
        "{%- endfor -%}\n"
        "{%- if not sovereign.done -%}\n"
        f"{{%- set sovereign.out = [{{'role': '{target}', 'content': sovereign.prompt}}] + sovereign.out -%}}\n"
        "{%- endif -%}\n"
        "{%- set messages = sovereign.out -%}\n"
    )


def chat_template_with_default_prompt(
    model_template: str, system_prompt: str, placement: str = "system"
) -> str:
    """What the pod serves: the prefix, then the model's template (the init container does the same join)."""
    return prompt_prefix(system_prompt, placement) + model_template


def is_inline_template(chat_template: str) -> bool:
    """A template given as Jinja text rather than as a file path."""
    return "{{" in chat_template or "{%" in chat_template


def assistant_config(
    localization: Localization, chat_template: str | None, placement: str = "system"
) -> dict[str, str]:
    """Files of the assistant's ConfigMap, mounted read-only into the inference pods."""
    data = {
        PROMPT_PREFIX_FILE: prompt_prefix(localization.model_prompt, placement),
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
