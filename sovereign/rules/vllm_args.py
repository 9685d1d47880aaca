"""Which vLLM server flags an operator may add, read the way vLLM itself reads them.

Pinned to vLLM 0.33.0 (PyPI wheel). vLLM's ``FlexibleArgumentParser.parse_args``
(``vllm/utils/argparse_utils.py``) rewrites ``_`` to ``-`` in a ``--`` flag's name (up to the first ``.``),
splits ``--flag=value``, turns ``--cfg.key value`` into ``--cfg '{"key": ...}'``, expands ``-O3`` into
``--optimization-level 3`` and pulls a ``--config`` YAML file in; argparse then takes the last of duplicated
flags, accepts the short aliases registered in ``vllm/engine/arg_utils.py`` (``-tp``, ``-q``, ``-pp``...) and
unique prefixes (``allow_abbrev`` is on for the ``serve`` subparser). A deny-list of spellings cannot follow
all that, so this is an allow-list over the normalised form: a flag the component sets, or any flag not
listed, is refused. Used by the config validation and by the inference component's guard.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALLOWED_SERVER_FLAGS", "COMPONENT_SERVER_FLAGS", "server_args_problems"]

_SHORT_ALIASES = {
    # vllm/engine/arg_utils.py and vllm/entrypoints/common/cli_args.py, 0.33.0: every single-dash alias.
    "-q": "--quantization",
    "-tp": "--tensor-parallel-size",
    "-pp": "--pipeline-parallel-size",
    "-n": "--nnodes",
    "-r": "--node-rank",
    "-dcp": "--decode-context-parallel-size",
    "-pcp": "--prefill-context-parallel-size",
    "-dp": "--data-parallel-size",
    "-dpn": "--data-parallel-rank",
    "-dpr": "--data-parallel-start-rank",
    "-dpl": "--data-parallel-size-local",
    "-dpa": "--data-parallel-address",
    "-dpp": "--data-parallel-rpc-port",
    "-dpb": "--data-parallel-backend",
    "-dph": "--data-parallel-hybrid-lb",
    "-dpe": "--data-parallel-external-lb",
    "-dpm": "--data-parallel-multi-port-external-lb",
    "-ep": "--enable-expert-parallel",
    "-sc": "--speculative-config",
    "-dc": "--diffusion-config",
    "-cc": "--compilation-config",
    "-ac": "--attention-config",
    "-asc": "--api-server-count",
}

COMPONENT_SERVER_FLAGS = frozenset(
    {
        "--model",
        "--served-model-name",
        "--tensor-parallel-size",
        "--max-model-len",
        "--chat-template",
        "--gpu-memory-utilization",
        "--host",
        "--port",
        "--shutdown-timeout",
        "--tokenizer-mode",
        "--reasoning-parser",
    }
)
"""Set by the inference component from the Args and the register; a second value would win (last wins)."""


@dataclass(frozen=True)
class _Flag:
    takes_value: bool
    choices: tuple[str, ...] = ()
    boolean_forms: tuple[str, ...] = ()
    """Extra spellings of a boolean flag (argparse ``BooleanOptionalAction`` / vLLM ``EnableDisableAction``)."""


_INT = _Flag(takes_value=True)

ALLOWED_SERVER_FLAGS: dict[str, _Flag] = {
    # Throughput tuning that changes neither the model, nor where it comes from, nor what is logged.
    "--max-num-seqs": _INT,
    "--max-num-batched-tokens": _INT,
    "--enable-prefix-caching": _Flag(
        False, boolean_forms=("--no-enable-prefix-caching", "--disable-prefix-caching")
    ),
    "--enable-chunked-prefill": _Flag(
        False, boolean_forms=("--no-enable-chunked-prefill", "--disable-chunked-prefill")
    ),
    "--enforce-eager": _Flag(False, boolean_forms=("--no-enforce-eager",)),
    # KV cache precision: FP8 halves the KV cache (the memory check in validation assumes 16-bit, the
    # conservative case). Choices of ``CacheDType`` in vllm/config/cache.py 0.33.0, minus the DeepSeek-MLA ones.
    "--kv-cache-dtype": _Flag(True, choices=("auto", "bfloat16", "float16", "fp8", "fp8_e4m3", "fp8_e5m2")),
}
"""Deliberately short. Not here: ``--quantization`` (the artifact's precision is what the register assessed and
the memory check counts: quantize the artifact, declare ``weights_dtype``), ``--enable-log-requests`` (puts
citizens' prompts into logs), anything naming a tokenizer, revision, download dir, token, API key, config
file or remote code (``--trust-remote-code``: code from the weights runs in the server)."""

_BOOLEAN_FORMS = {form: name for name, flag in ALLOWED_SERVER_FLAGS.items() for form in flag.boolean_forms}


def _canonical(token: str) -> tuple[str, str | None]:
    """(flag name as vLLM normalises it, inline value) for one token starting with '-'."""
    if token.startswith("-O") and not token.startswith("--"):
        return "--optimization-level", token[2:].removeprefix("=") or None
    name, sep, value = token.partition("=")
    if name.startswith("--"):
        head, dot, rest = name[2:].partition(".")
        name = "--" + head.replace("_", "-") + dot + rest
    name = _SHORT_ALIASES.get(name, name)
    return name, value if sep else None


def server_args_problems(args: tuple[str, ...] | list[str]) -> list[str]:
    """Every reason ``args`` may not be added to ``vllm serve``; empty when they may."""
    problems: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if not token.startswith("-"):
            problems.append(f"'{token}' is not a flag (values follow their flag, e.g. '--max-num-seqs 64')")
            continue
        name, inline = _canonical(token)
        base = name.split(".", 1)[0]
        key = _BOOLEAN_FORMS.get(base, base)
        if key in seen:
            problems.append(f"'{token}' repeats {key}: vLLM would silently keep the last one; give it once")
            continue
        seen.add(key)
        if base in COMPONENT_SERVER_FLAGS:
            problems.append(f"'{token}' is {base}, which the component sets from the config and the register")
            continue
        flag = ALLOWED_SERVER_FLAGS.get(key)
        if flag is None or "." in name:
            problems.append(
                f"'{token}' ({base}) is not an allowed flag: allowed are {', '.join(ALLOWED_SERVER_FLAGS)}"
            )
            continue
        if not flag.takes_value:
            if inline is not None:
                problems.append(f"'{token}': {key} takes no value")
            continue
        value = inline
        if value is None:
            if i >= len(args) or args[i].startswith("--"):
                problems.append(f"'{token}' needs a value")
                continue
            value = args[i]
            i += 1
        if flag.choices and value not in flag.choices:
            problems.append(f"'{token} {value}': {key} takes one of {', '.join(flag.choices)}")
        elif not flag.choices and not value.isdigit():
            problems.append(f"'{token} {value}': {key} takes a positive whole number")
    return problems
