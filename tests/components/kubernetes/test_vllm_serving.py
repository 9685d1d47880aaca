"""The vLLM server as it will really run (vLLM 0.33.0, transformers 5.20.2 chat-template rules).

The chat templates are rendered the way transformers' ``_cached_compile_jinja_template`` does
(``transformers/utils/chat_template_utils.py``, 5.20.2: ``ImmutableSandboxedEnvironment(trim_blocks=True,
lstrip_blocks=True, extensions=[AssistantTracker, jinja2.ext.loopcontrols])``, a ``tojson`` filter with
``ensure_ascii=False``, ``raise_exception`` and ``strftime_now`` globals), which is what vLLM's HF renderer calls.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jinja2
import jinja2.ext
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from components.kubernetes.inference_pod import (
    DRAIN_SECONDS,
    PRE_STOP_SLEEP_SECONDS,
    TERMINATION_GRACE_SECONDS,
    vllm_server_args,
)
from components.kubernetes.localization import (
    PROMPT_PREFIX_FILE,
    Localization,
    assistant_config,
    chat_template_with_default_prompt,
)
from components.kubernetes.model_loading import MODEL_DIR
from sovereign.config.invariants import check_invariants
from sovereign.config.loader import load_register
from sovereign.config.schema import COUNTRY_CONFIG, ModelRegister
from sovereign.rules.vllm_args import server_args_problems
from tests.components.kubernetes.helpers import inference_args
from tests.config.helpers import AS_OF, CONFIG_DIR, merged

TEMPLATES = Path(__file__).parent / "chat_templates"
MISSING = {
    # Register models whose shipped chat template was not found in a citable public copy (see
    # chat_templates/README.md). Never reconstruct one: add the real file when it is found.
    "normistral-11b-warm": "a base model (a third-party note quotes its card: 'not finetuned to follow "
    "instructions'); no copy of its tokenizer_config.json was found, so whether it ships a chat template at all "
    "is unverified (without one the chat-template init container stops the pod: 'no chat template in the weights')",
    "falcon-h1-34b-instruct": "no copy of tiiuae/Falcon-H1-34B-Instruct's tokenizer_config.json or "
    "chat_template.jinja was found in the public code index",
    **dict.fromkeys(
        ("gpt-oss-120b", "gpt-oss-20b"),
        "chat_format 'harmony': vLLM 0.33.0 renders gpt-oss chats with openai-harmony and never applies the chat "
        "template (vllm/renderers/online_renderer.py, use_harmony), so a template fixture would test nothing the "
        "model sees; validation refuses deploying it (test_rejects_a_harmony_model_deployment)",
    ),
}
COUNTRIES = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml") if p.stem not in {"_defaults", "models"})
PROMPT = 'あなたは日本政府のアシスタントです。𠀋 (U+2000B) 😀 "quotes" %} {{ braces }}'


def _render(template: str, messages: list[dict[str, str]]) -> str:
    def raise_exception(message: str) -> None:
        raise jinja2.exceptions.TemplateError(message)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = lambda x, **kw: json.dumps(x, ensure_ascii=False, **kw)
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda f: dt.datetime.now().strftime(f)
    return env.from_string(template).render(
        messages=messages, add_generation_prompt=True, bos_token="<s>", eos_token="</s>"
    )


def _register() -> ModelRegister:
    register, problems = load_register(CONFIG_DIR)
    assert register is not None, problems
    return register


def _reaches_model(model_template: str, placement: str) -> list[str]:
    """The conversations in which the national prompt is missing from what the model sees."""
    served = chat_template_with_default_prompt(model_template, PROMPT, placement)
    missing = []
    for name, messages in {
        "no system message": [{"role": "user", "content": "こんにちは"}],
        "client system message": [
            {"role": "system", "content": "Antworte knapp."},
            {"role": "user", "content": "こんにちは"},
        ],
    }.items():
        rendered = _render(served, messages)
        if PROMPT not in rendered or "こんにちは" not in rendered:
            missing.append(name)
        # The client's own system message is kept after the national prompt (when the template renders it).
        if name == "client system message" and "Antworte knapp." in rendered:
            assert rendered.index(PROMPT) < rendered.index("Antworte knapp.")
    return missing


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.jinja")), ids=lambda p: p.stem)
def test_national_prompt_reaches_the_model_through_its_own_template(path: Path) -> None:
    record = _register().find(path.stem)
    assert record is not None, f"fixture {path.name} names no register model"
    assert _reaches_model(path.read_text(encoding="utf-8"), record.system_prompt_placement) == []


def test_every_register_model_has_its_template_or_a_reason() -> None:
    register_ids = {m.id for m in _register().models}
    fixtures = {p.stem for p in TEMPLATES.glob("*.jinja")}
    assert register_ids - fixtures - MISSING.keys() == set(), "add the model's real chat template fixture"
    assert MISSING.keys() <= register_ids, "MISSING names a model that is not in the register"
    assert fixtures & MISSING.keys() == set(), "a model with a fixture is still listed as MISSING"


def _country_deployments() -> list[object]:
    """(country, env, deployment, model id, localization) of every shipped deployment."""
    found: list[object] = []
    for code in COUNTRIES:
        for env in ("prod", "staging"):
            config = COUNTRY_CONFIG.validate_python(merged(code, env))
            for d in config.assistant.deployments if config.assistant else []:
                localization = Localization(tuple(d.languages), d.locale, d.system_prompt)
                found.append(
                    pytest.param(
                        code, env, d.name, d.model, localization, id=f"{code}-{env}-{d.name}-{d.model}"
                    )
                )
    return found


@pytest.mark.parametrize(
    ("country", "env", "deployment", "model", "localization"),
    _country_deployments(),
)
def test_each_country_prompt_reaches_its_model(
    country: str, env: str, deployment: str, model: str, localization: Localization
) -> None:
    # What a pod really serves: the prefix file of the assistant ConfigMap joined before the model's own
    # template, as scripts/render_chat_template.py does. That file is all of the ConfigMap the model sees; the
    # prefix carries the country's prompt and, after it, its locale and languages (Localization.model_prompt).
    record = _register().find(model)
    assert record is not None
    if model in MISSING:
        pytest.skip(f"{model}: no real chat template ({MISSING[model]})")
    data = assistant_config(localization, record.chat_template, record.system_prompt_placement)
    served = data[PROMPT_PREFIX_FILE] + (TEMPLATES / f"{model}.jinja").read_text(encoding="utf-8")
    rendered = _render(served, [{"role": "user", "content": "?"}])
    assert localization.system_prompt in rendered, f"{country}/{env} {deployment}: prompt lost"
    assert f"Locale: {localization.default_locale}." in rendered, f"{country}/{env} {deployment}: locale lost"


def test_a_template_that_drops_system_content_is_caught() -> None:
    # LLM-jp-3 renders a fixed sentence for a system message: with 'system' placement the prompt is lost.
    template = (TEMPLATES / "llm-jp-3-13b-instruct.jinja").read_text(encoding="utf-8")
    assert _reaches_model(template, "system") == ["no system message", "client system message"]


def test_characters_above_the_bmp_survive_the_prefix() -> None:
    rendered = _render(chat_template_with_default_prompt("{{ messages[0]['content'] }}", PROMPT), [])
    assert rendered == PROMPT
    rendered.encode("utf-8")  # a lone surrogate would raise here, as it does in the tokenizer


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--max_model_len", "4096"], "--max-model-len, which the component sets"),
        (["-tp", "4"], "--tensor-parallel-size, which the component sets"),
        (["--model=x"], "--model, which the component sets"),
        (["--max-num-seqs", "8", "--max_num_seqs", "64"], "repeats --max-num-seqs"),
        (["--enable-prefix-caching", "--no-enable-prefix-caching"], "repeats --enable-prefix-caching"),
        (["--trust-remote-code"], "not an allowed flag"),
        (["--config", "x.yaml"], "not an allowed flag"),
        (["--max-num"], "not an allowed flag"),  # argparse would expand a unique prefix
        (["-q", "fp8"], "not an allowed flag"),
        (["--compilation-config.level", "3"], "not an allowed flag"),
        (["--kv-cache-dtype", "int4"], "takes one of"),
        (["--max-num-seqs", "many"], "positive whole number"),
        (["stray"], "is not a flag"),
    ],
)
def test_extra_server_args_are_read_as_vllm_reads_them(args: list[str], needle: str) -> None:
    problems = server_args_problems(args)
    assert any(needle in p for p in problems), problems


def test_the_component_refuses_what_validation_refuses() -> None:
    with pytest.raises(ValueError, match="--tensor-parallel-size, which the component sets"):
        inference_args(extra_server_args=("-tp", "4"))


def test_allowed_extra_server_args_pass() -> None:
    ok = [
        "--max-num-seqs=64",
        "--enable_prefix_caching",
        "--kv-cache-dtype",
        "fp8",
        "--max-num-batched-tokens",
        "8192",
    ]
    assert server_args_problems(ok) == []


def test_server_runs_vllm_serve_with_a_positional_model() -> None:
    service = inference_args()
    args = vllm_server_args(service)
    assert service.server_command == ("vllm", "serve")
    assert args[0] == MODEL_DIR and "--model" not in args
    assert args[args.index("--tokenizer-mode") + 1] == "hf"
    assert args[args.index("--shutdown-timeout") + 1] == str(DRAIN_SECONDS)


def test_drain_fits_in_the_grace_period() -> None:
    assert DRAIN_SECONDS > 0
    assert PRE_STOP_SLEEP_SECONDS + DRAIN_SECONDS < TERMINATION_GRACE_SECONDS


def test_sarvam_gets_its_reasoning_parser() -> None:
    record = _register().find("sarvam-m")
    assert record is not None and record.reasoning_parser == "deepseek_r1"


def test_a_70b_bf16_on_one_94_gb_gpu_is_refused() -> None:
    register = _register()
    models = [
        m.model_copy(
            update={
                "weights_dtype": "bf16",
                "display_name": "Llama 3.3 70B Instruct",
                "weights_size_gib": 140,
            }
        )
        if m.id == "llama-3.3-70b-instruct"
        else m
        for m in register.models
    ]
    found = [
        str(v)
        for v in check_invariants(
            COUNTRY_CONFIG.validate_python(merged("de")), ModelRegister(models=models), AS_OF
        )
    ]
    assert any("132 GiB of bf16 weights" in f and "1 x 94 GiB" in f for f in found), found
    shipped = [
        str(v) for v in check_invariants(COUNTRY_CONFIG.validate_python(merged("de")), register, AS_OF)
    ]
    assert not any("GiB of fp8 weights" in f for f in shipped), shipped


def test_display_name_must_match_precision() -> None:
    record = _register().find("llama-3.3-70b-instruct")
    assert record is not None
    with pytest.raises(ValueError, match=r"\(FP8\)"):
        type(record).model_validate({**record.model_dump(), "weights_dtype": "bf16", "weights_size_gib": 140})
