"""Register models are servable the way the toolkit serves them: one node, a precision the GPUs run, the prompt.

Covers ``sovereign.config.model_serving`` (the one fit formula), the register's serving check
(``register_checks.register_serving_violations``, run by ``load_register``), and the deployment checks that use
it (``invariants.model_fits_gpus``, ``models_are_approved``'s harmony refusal, ``capacity_fits``' one-node rule).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from sovereign.catalogue import machines
from sovereign.catalogue.machines import machine_size
from sovereign.config.base import ModelRecord
from sovereign.config.invariants import check_invariants
from sovereign.config.loader import load_register
from sovereign.config.model_serving import MULTI_NODE_REASON, dtype_problem, node_problem
from sovereign.config.schema import COUNTRY_CONFIG
from sovereign.types import Cloud
from tests.config.helpers import AS_OF, CONFIG_DIR, edit, merged, messages

GPT_OSS_WEIGHTS = (
    "cdg.ocir.io/frsovereignns/frsovereignregistry/models/gpt-oss-120b@sha256:"
    # pragma: allowlist nextline secret (the register's placeholder digest)
    "0923c7848aa2cc312c10fbcf2dd7759e4fbcd75df5845aa4d5844419ef47e6cc"
)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("_defaults.yaml", "models.yaml", "de.yaml", "fr.yaml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def _record(model_id: str) -> ModelRecord:
    register, problems = load_register(CONFIG_DIR, as_of=AS_OF)
    assert register is not None, problems
    record = register.find(model_id)
    assert record is not None
    return record


def _size(cloud: Cloud, name: str) -> machines.MachineSize:
    size = machine_size(cloud, name)
    assert size is not None
    return size


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _refused(config_dir: Path) -> list[str]:
    register, problems = load_register(config_dir, as_of=AS_OF)
    assert register is None, "the register must be refused"
    return [str(p) for p in problems]


# --- the records -------------------------------------------------------------------------------------------


def test_accepts_gpt_oss_with_mxfp4_harmony_and_its_reasoning_parser() -> None:
    for model_id, layers in (("gpt-oss-120b", 36), ("gpt-oss-20b", 24)):
        record = _record(model_id)
        assert record.weights_dtype == "mxfp4" and record.display_name.endswith("(MXFP4)")
        assert record.reasoning_parser == "openai_gptoss"  # vLLM 0.33.0 vllm/reasoning/__init__.py
        assert record.chat_format == "harmony"
        assert record.kv_cache_bytes_per_token == 2 * layers * 8 * 64 * 2
        # For mxfp4 the GPU memory of the weights is the artifact's size, not parameters x a byte count.
        assert record.weights_gpu_gib == record.weights_size_gib
    assert _record("qwen3-32b").reasoning_parser == "qwen3"


def test_rejects_a_reasoning_parser_vllm_does_not_register() -> None:
    data = _record("gpt-oss-120b").model_dump()
    with pytest.raises(ValidationError, match="openai_gptoss"):
        ModelRecord.model_validate({**data, "reasoning_parser": "gpt_oss"})


def test_rejects_an_mxfp4_display_name_without_the_mark() -> None:
    data = _record("gpt-oss-20b").model_dump()
    with pytest.raises(ValidationError, match=r"\(MXFP4\)"):
        ModelRecord.model_validate({**data, "display_name": "gpt-oss-20b"})
    with pytest.raises(ValidationError, match=r"\(MXFP4\)"):
        ModelRecord.model_validate({**_record("qwen3-32b").model_dump(), "display_name": "Qwen3 32B (MXFP4)"})


def test_rejects_mxfp4_weights_smaller_than_4_25_bits_per_parameter() -> None:
    data = _record("gpt-oss-120b").model_dump()
    # 116.8B x 4.25 bits = 57.8 GiB; 95% of it is 54 GiB.
    with pytest.raises(ValidationError, match="at least 54 GiB"):
        ModelRecord.model_validate({**data, "weights_size_gib": 30})


# --- one node, and the precision the GPUs run -------------------------------------------------------------


def test_accepts_gpt_oss_120b_on_one_h100_80gb() -> None:
    record = _record("gpt-oss-120b")
    one_h100 = dataclasses.replace(_size(Cloud.OCI, "BM.GPU.H100.8"), gpus=1)
    # 61 GiB of weights + 4.5 GiB KV cache for 64k tokens on 80 x 0.9 - 2 = 70 GiB.
    assert node_problem(record, one_h100, 65536) is None


def test_accepts_mxfp4_on_ampere_gpus() -> None:
    # Mxfp4Config.get_min_capability() is 80 in vLLM 0.33.0; Ampere runs the MoE on Marlin.
    record = _record("gpt-oss-20b")
    for cloud, name in ((Cloud.AZURE, "Standard_NC24ads_A100_v4"), (Cloud.AZURE, "Standard_NV36ads_A10_v5")):
        assert dtype_problem(record, _size(cloud, name)) is None
        assert node_problem(record, _size(cloud, name), 4096) is None


def test_rejects_mxfp4_on_a_gpu_below_compute_capability_8(monkeypatch: pytest.MonkeyPatch) -> None:
    # No catalogue GPU is older than Ampere; a Volta (7.0) or Turing (7.5) size added later is refused.
    monkeypatch.setitem(machines.GPU_COMPUTE_CAPABILITY, "V100", (7, 0))
    monkeypatch.setitem(machines.GPU_COMPUTE_CAPABILITY, "T4", (7, 5))
    a100 = _size(Cloud.AZURE, "Standard_NC24ads_A100_v4")
    v100, t4 = (dataclasses.replace(a100, gpu_model=m) for m in ("V100", "T4"))
    problem = dtype_problem(_record("gpt-oss-20b"), v100)
    assert problem is not None and "need compute capability 8.0" in problem and "V100 is 7.0" in problem
    assert dtype_problem(_record("gpt-oss-20b"), t4) is not None
    assert dtype_problem(_record("llama-3.3-70b-instruct"), t4) is None  # fp8: Fp8Config minimum 75
    assert dtype_problem(_record("qwen3-32b"), t4) is not None  # bf16 needs 8.0


def test_rejects_a_deployment_whose_gpus_cannot_run_its_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    register, problems = load_register(CONFIG_DIR, as_of=AS_OF)
    assert register is not None, problems
    # Loaded with this capability, the register itself would refuse the fr approvals (the test above's check).
    monkeypatch.setitem(machines.GPU_COMPUTE_CAPABILITY, "H100", (7, 5))
    fr = COUNTRY_CONFIG.validate_python(edit(merged("fr"), {"assistant.deployments.0.model": "gpt-oss-120b"}))
    found = [str(v) for v in check_invariants(fr, register, AS_OF)]
    assert any(
        "assistant.deployments[0].model" in m
        and "cannot run on GPU pool size BM.GPU.H100.8" in m
        and "mxfp4 weights need compute capability 8.0" in m
        for m in found
    ), found


def test_accepts_gpt_oss_120b_memory_on_one_gpu_of_fr() -> None:
    fr = edit(
        merged("fr"),
        {
            "assistant.deployments.0.model": "gpt-oss-120b",
            "assistant.deployments.0.weights": GPT_OSS_WEIGHTS,
            "assistant.deployments.0.gpus_per_replica": 1,
        },
    )
    found = messages(fr)
    assert not [m for m in found if "GiB of mxfp4 weights" in m or "cannot run on" in m], found


def test_rejects_a_harmony_model_deployment() -> None:
    fr = edit(
        merged("fr"),
        {"assistant.deployments.0.model": "gpt-oss-120b", "assistant.deployments.0.weights": GPT_OSS_WEIGHTS},
    )
    found = messages(fr)
    assert any(
        "assistant.deployments[0].model" in m
        and "chat_format 'harmony'" in m
        and "ignores --chat-template" in m
        for m in found
    ), found
    # The model is approved for fr and its digest is the register's: harmony is the only refusal of the model.
    assert [m for m in found if "assistant.deployments[0].model" in m and "harmony" not in m] == []


def test_rejects_gpus_per_replica_beyond_one_node_as_multi_node() -> None:
    kr = edit(merged("kr"), {"assistant.deployments.0.gpus_per_replica": 4})
    found = messages(kr)
    assert any(
        "gpus_per_replica" in m and "largest GPU node has 1" in m and MULTI_NODE_REASON in m for m in found
    ), found


# --- the register's serving check ---------------------------------------------------------------------------


def test_accepts_every_shipped_approval() -> None:
    register, problems = load_register(CONFIG_DIR, as_of=AS_OF)
    assert register is not None and problems == []


def test_rejects_an_approval_for_a_country_whose_gpus_cannot_hold_the_model(config_dir: Path) -> None:
    # de's GPU pools become one 24 GB A10 per node: EuroLLM 9B (17 GiB) still fits; Llama 3.3 70B FP8 (66 GiB)
    # and Mistral Small 24B (45 GiB) do not.
    _replace(config_dir / "de.yaml", "vm_size: Standard_NCC40ads_H100_v5", "vm_size: Standard_NV36ads_A10_v5")
    found = _refused(config_dir)
    text = (config_dir / "models.yaml").read_text(encoding="utf-8").splitlines()
    llama = [p for p in found if "models[0].approved_countries[0]" in p]
    assert len(llama) == 1, found
    line = int(re.search(r"models\.yaml:(\d+):", llama[0]).group(1))  # type: ignore[union-attr]
    assert "approved_countries: [de, gb]" in text[line - 1]
    assert "'de' is approved for 'llama-3.3-70b-instruct'" in llama[0]
    assert "Standard_NV36ads_A10_v5" in llama[0] and "leave 20 GiB" in llama[0]
    assert "approve 'llama-3.3-70b-instruct' only for countries whose GPU pools hold it" in llama[0]
    assert any("models[1].approved_countries[2]" in p for p in found), found
    assert not any("models[2]" in p for p in found), found  # eurollm fits on the A10


def test_rejects_a_model_no_single_node_can_hold(config_dir: Path) -> None:
    _replace(
        config_dir / "models.yaml",
        "    parameters_billion: 32.8\n    weights_dtype: bf16\n    weights_size_gib: 62\n",
        "    parameters_billion: 1000.0\n    weights_dtype: bf16\n    weights_size_gib: 1900\n",
    )
    found = _refused(config_dir)
    [problem] = [p for p in found if "weights_size_gib" in p]
    assert "no single GPU node in the machine catalogue can serve 'qwen3-32b'" in problem
    assert "BM.GPU.B200.8" in problem and MULTI_NODE_REASON in problem, problem
    # A model refused as multi-node is not also reported against each approved country.
    assert not any("approved_countries" in p for p in found), found
