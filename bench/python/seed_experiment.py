"""The seed experiment as a Python user writes it with Hugging Face `transformers`: the reference the
benchmark compares Perturbation Lab against. PyPI is unreachable on the project's machines, so this script
is not run by `npm run bench`; on a machine with `pip install torch transformers` run

    python bench/python/seed_experiment.py          # the seed's four models
    python bench/python/seed_experiment.py --two    # only gpt2 and the causal BERT

It prints the wall time and the peak resident memory of the whole process (imports included, as the
CLI's figures include Node's start), plus the seed's answer for each model.
"""
import argparse
import resource
import time

started = time.perf_counter()

import torch  # noqa: E402
from transformers import AutoConfig, AutoModel, AutoTokenizer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--two", action="store_true", help="only gpt2 and the causal BERT in train mode")
args = parser.parse_args()

torch.manual_seed(0)
entries = [("gpt2", "gpt2", {}, "eval"), ("bert-causal", "bert-base-uncased", {"is_decoder": True}, "train")]
if not args.two:
    entries += [("bert-causal-eval", "bert-base-uncased", {"is_decoder": True}, "eval"), ("bert", "bert-base-uncased", {}, "eval")]

base, variant = "<pad> Ich will ein", "<pad> Ich will das"
for name, preset, overrides, mode in entries:
    config = AutoConfig.from_pretrained(preset, **overrides)
    model = AutoModel.from_config(config)  # random weights, training mode, as the seed had it
    if mode == "eval":
        model.eval()
    tokenizer = AutoTokenizer.from_pretrained(preset)
    with torch.no_grad():
        states = [model(**tokenizer(text, return_tensors="pt", add_special_tokens=False), output_hidden_states=True).last_hidden_state for text in (base, variant)]
    first_unchanged = torch.allclose(states[0][0, 0], states[1][0, 0], atol=1e-3)
    print(f"{name:18} {mode:5}  position 0 unchanged (allclose, atol 1e-3): {first_unchanged}")

peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"wall {time.perf_counter() - started:.2f} s, peak RSS {peak_mb:.0f} MB")
