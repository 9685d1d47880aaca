"""Whether a register model can be served on one GPU node the way this toolkit serves it (vLLM 0.33.0).

One formula for the deployment check (``invariants.model_fits_gpus``: the GPUs of one replica) and the register
check (``register_checks.register_serving_violations``: some GPU pool of every approved country): weights plus
the KV cache of the context fit the GPUs at vLLM's memory utilisation, less a per-GPU overhead, and the weights'
precision runs on the GPU. A replica is one pod on one node (a Deployment; ``components/kubernetes/inference.py``
passes ``--tensor-parallel-size`` = ``gpus_per_replica``), so nothing here spans nodes: multi-node serving
(LeaderWorkerSet with Ray pipeline parallelism, or vLLM's multi-node data parallelism) is not built, and a model
that no single node in the catalogue can hold is refused with :data:`MULTI_NODE_REASON`.
"""

from __future__ import annotations

from sovereign.catalogue.machines import MachineSize, compute_capability, unsupported_gpu_reason
from sovereign.config.base import ModelRecord, WeightsDtype

__all__ = [
    "DTYPE_MIN_COMPUTE_CAPABILITY",
    "GPU_MEMORY_UTILIZATION",
    "GPU_OVERHEAD_GIB",
    "MIN_SERVING_CONTEXT_TOKENS",
    "MULTI_NODE_REASON",
    "dtype_problem",
    "kv_cache_gib",
    "node_problem",
    "usable_gib",
]

GPU_MEMORY_UTILIZATION = 0.90
"""vLLM --gpu-memory-utilization the inference component passes (``InferenceServiceArgs`` default)."""
GPU_OVERHEAD_GIB = 2.0
"""Per GPU, outside weights and KV cache: activations of the profiling run, CUDA graphs, NCCL buffers."""

MIN_SERVING_CONTEXT_TOKENS = 4096
"""Context a register model must fit on a node of each approved country (or its own max_context_tokens when
shorter). A policy floor, not vLLM's: a chat turn with the country's prompt and a short history; gpt-oss's own
pre-training context is 4096 (``initial_context_length: int = 4096``, openai/gpt-oss ``gpt_oss/torch/model.py``)."""

DTYPE_MIN_COMPUTE_CAPABILITY: dict[WeightsDtype, tuple[int, int]] = {
    "bf16": (8, 0),
    "fp8": (7, 5),
    "mxfp4": (8, 0),
}
"""Lowest GPU compute capability vLLM 0.33.0 serves each weights dtype on. bf16: 'Bfloat16 is only supported on
GPUs with compute capability of at least 8.0' (``vllm/platforms/cuda.py`` ``check_if_supports_dtype``). fp8:
``Fp8Config.get_min_capability`` returns 75 (``vllm/model_executor/layers/quantization/fp8.py``). mxfp4:
``Mxfp4Config.get_min_capability`` returns 80, inherited by ``GptOssMxfp4Config`` (``quantization/mxfp4.py``);
on Ampere the MoE runs on Marlin (the oracle's ``MARLIN`` backend, ``fused_moe/oracle/mxfp4.py``; "GPT-OSS works
on Ampere devices by default, using the TRITON_ATTN attention backend and Marlin MXFP4 MoE", vllm-project/recipes
``OpenAI/GPT-OSS.md``). vLLM refuses a lower capability at start-up (``vllm/config/vllm.py``: 'is not supported
for the current GPU'). Every NVIDIA GPU in the catalogue is 8.0 or newer, so today this refuses only sizes added
later."""

MULTI_NODE_REASON = (
    "multi-node serving (LeaderWorkerSet/Ray pipeline parallel) is not supported by this toolkit: each replica is "
    "one pod on one node"
)


def usable_gib(gpu_memory_gib: float, gpus: int) -> float:
    """GiB for weights and KV cache on ``gpus`` GPUs of ``gpu_memory_gib`` each."""
    return (gpu_memory_gib * GPU_MEMORY_UTILIZATION - GPU_OVERHEAD_GIB) * gpus


def kv_cache_gib(record: ModelRecord, tokens: int) -> float:
    """KV cache of one sequence of ``tokens`` (vLLM refuses to start when max_model_len tokens do not fit)."""
    return record.kv_cache_bytes_per_token * tokens / 2**30


def dtype_problem(record: ModelRecord, size: MachineSize) -> str | None:
    """Why vLLM cannot run the record's weights dtype on the size's GPUs, or None."""
    have = compute_capability(size)
    need = DTYPE_MIN_COMPUTE_CAPABILITY[record.weights_dtype]
    if have is None:
        return f"{size.gpu_model} has no CUDA compute capability in the catalogue"
    if have < need:
        return (
            f"{record.weights_dtype} weights need compute capability {need[0]}.{need[1]} or newer in vLLM 0.33.0, "
            f"but {size.gpu_model} is {have[0]}.{have[1]}"
        )
    return None


def node_problem(record: ModelRecord, size: MachineSize, tokens: int) -> str | None:
    """Why one node of ``size`` cannot serve ``record`` with a context of ``tokens``, or None when it can."""
    unsupported = unsupported_gpu_reason(size) if size.gpus else "it has no GPUs"
    if unsupported:
        return f"{size.name}: {unsupported}"
    dtype = dtype_problem(record, size)
    if dtype:
        return f"{size.name}: {dtype}"
    need = record.weights_gpu_gib + kv_cache_gib(record, tokens)
    have = usable_gib(size.gpu_memory_gib, size.gpus)
    if need > have:
        return (
            f"{size.name}: {record.weights_gpu_gib:.0f} GiB of {record.weights_dtype} weights + "
            f"{kv_cache_gib(record, tokens):.1f} GiB KV cache for {tokens} tokens = {need:.0f} GiB, but its "
            f"{size.gpus} x {size.gpu_memory_gib} GiB GPUs leave {have:.0f} GiB"
        )
    return None
