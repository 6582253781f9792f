"""Residual activation patching as a Python user writes it with Hugging Face `transformers` forward hooks: the
reference `bench/patching.ts` compares Perturbation Lab against (python-figures.md: 20.3 s for bert-base, 23.2 s
for GPT-2 on the project's 2-core machine kind). PyTorch does not install on the project's machines, so
`npm run bench` quotes those figures; on a machine with `pip install torch transformers` run

    python bench/python/patching_hooks.py               # bert-base-uncased and gpt2
    python bench/python/patching_hooks.py --model gpt2  # one of them

The same workload as the TypeScript benchmark: random weights from each preset's config (seeded), eval mode, eager
attention, 2 threads, a 16-token base and a variant that changes position 8; for each block l (the stream entering
block l, `hidden_states[l]`) and each position p, one forward of the base with that vector replaced by the variant's
(a forward pre-hook on block l), and effect[l][p] = max |last_hidden_state_patched[t] - last_hidden_state_base[t]| at
the last position t: 12 x 16 = 192 forwards, after one warm-up forward. Prints the wall time of the grid and the peak
resident memory of the process, and the largest cell so the grids can be compared.
"""
import argparse
import resource
import time

import torch
from transformers import AutoConfig, AutoModel

T = 16
EDIT = 8

parser = argparse.ArgumentParser()
parser.add_argument("--model", choices=["bert-base-uncased", "gpt2"], action="append")
args = parser.parse_args()
torch.set_num_threads(2)


def blocks_of(model):
    # BertModel.encoder.layer / GPT2Model.h: the modules whose input is hidden_states[l].
    return model.encoder.layer if hasattr(model, "encoder") else model.h


def grid(preset):
    torch.manual_seed(0)
    config = AutoConfig.from_pretrained(preset, attn_implementation="eager")
    model = AutoModel.from_config(config).eval()
    base = torch.tensor([[1000 + 37 * i for i in range(T)]])
    variant = base.clone()
    variant[0, EDIT] += 1
    with torch.no_grad():
        base_out = model(base, output_hidden_states=True)
        variant_states = model(variant, output_hidden_states=True).hidden_states
        blocks = blocks_of(model)
        effect = torch.zeros(len(blocks), T)
        started = time.perf_counter()
        for layer, block in enumerate(blocks):
            for p in range(T):

                def patch(module, positional, kwargs, layer=layer, p=p):
                    hidden = positional[0].clone()
                    hidden[0, p] = variant_states[layer][0, p]
                    return (hidden, *positional[1:]), kwargs

                handle = block.register_forward_pre_hook(patch, with_kwargs=True)
                try:
                    patched = model(base).last_hidden_state
                finally:
                    handle.remove()
                effect[layer, p] = (patched[0, -1] - base_out.last_hidden_state[0, -1]).abs().max()
        elapsed = time.perf_counter() - started
    return elapsed, effect


for preset in args.model or ["bert-base-uncased", "gpt2"]:
    elapsed, effect = grid(preset)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{preset}: 12 x {T} grid with forward hooks, {elapsed:.2f} s, peak {peak_mb:.0f} MB, largest effect {effect.max():.4g}")
