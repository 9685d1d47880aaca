# Init container of an inference server: write the chat template vLLM serves (`python3 -c`, the serving image).
# Reads MODEL_DIR, CHAT_TEMPLATE_SOURCE (a template file; empty: look in the weights), PROMPT_PREFIX, OUTPUT.
# Tested in tests/components/kubernetes/test_scripts.py. Sent verbatim (the pod spec carries it), so the formatter
# leaves it alone and its one line of imports stays.
# ruff: noqa: E401, I001
# fmt: off
import json, os, pathlib, sys
model = pathlib.Path(os.environ["MODEL_DIR"])
source = os.environ.get("CHAT_TEMPLATE_SOURCE", "")
if source:
    template = pathlib.Path(source).read_text(encoding="utf-8")
elif (model / "chat_template.jinja").is_file():
    template = (model / "chat_template.jinja").read_text(encoding="utf-8")
else:
    template = json.loads((model / "tokenizer_config.json").read_text(encoding="utf-8")).get("chat_template")
    if isinstance(template, list):
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
if not template:
    sys.exit("no chat template in the weights: set chat_template in the model risk register")
prefix = pathlib.Path(os.environ["PROMPT_PREFIX"]).read_text(encoding="utf-8")
pathlib.Path(os.environ["OUTPUT"]).write_text(prefix + template, encoding="utf-8")
