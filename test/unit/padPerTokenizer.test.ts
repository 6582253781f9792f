/**
 * What `<pad>` and `[PAD]` are, per tokenizer, in real runs (the real tokenizers, tiny models): for MarianMT
 * `<pad>` is its pad token and its decoder start token; for GPT-2 and BERT uncased `<pad>` is ordinary text the
 * tokenizer splits; BERT reads `[PAD]` as its pad token, which nothing masks in a prompt; a Marian decoder input
 * that does not start with `<pad>` is not what `generate` feeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFiles, parsePromptFile } from '../../extension/lab/promptFile';
import { runExperiment } from '../../extension/lab/experiment/runExperiment';
import { ModelStore } from '../../extension/lab/models/modelStore';
import type { FindingCode, MeasuredResult } from '../../extension/protocol/report';
import { freshDir } from '../helpers/paths';
import { referenceFolder } from '../helpers/hfReference';
import { measured } from '../helpers/results';

const FILE = `---
models:
  - name: marian
    weights: ${referenceFolder('marian')}
  - name: gpt2
    config: gpt2
    n_layer: 1
    n_embd: 32
    n_head: 2
  - name: bert
    config: bert-base-uncased
    num_hidden_layers: 1
    hidden_size: 32
    num_attention_heads: 2
    intermediate_size: 37
    is_decoder: true
mode: eval
add_special_tokens: false
---
encoder: I want to buy a car
<pad> Ich will ein
~ <pad> Ich will das

encoder: I want to buy a car
[PAD] Ich will ein
~ [PAD] Ich will das
`;

test('<pad> and [PAD] per tokenizer: Marian’s start token, ordinary text for GPT-2 and BERT, BERT’s own [PAD]', async () => {
  const loaded = await loadModelFiles(parsePromptFile(FILE, '/virtual/pad.prompt'));
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const store = new ModelStore(freshDir());
  try {
    const report = await runExperiment(loaded.experiment!, { store });
    const at = (model: string, caseIndex: number): MeasuredResult =>
      measured(report.results.find((r) => r.model === model && r.caseIndex === caseIndex));
    const codes = (r: MeasuredResult): FindingCode[] => r.findings.map((f) => f.code);
    const message = (r: MeasuredResult, code: FindingCode) => r.findings.find((f) => f.code === code)?.message ?? '';

    // `<pad>`: Marian's pad token and decoder start token; ordinary text, split, for GPT-2 and BERT.
    const marian = at('marian', 0);
    assert.equal(marian.baseTokens[0].text, '<pad>');
    assert.equal(marian.baseTokens[0].special, true);
    assert.match(
      message(marian, 'pad-is-special-token'),
      /MarianMT's pad token \(id \d+\).*also MarianMT's decoder start token/,
    );
    assert.ok(!codes(marian).includes('pad-text-not-pad-token'));
    assert.ok(!codes(marian).includes('decoder-start-token'));
    for (const [model, label, pieces] of [
      ['gpt2', 'GPT-2', '`<`, `pad`, `>`'],
      ['bert', 'BERT', '`<`, `pad`, `>`'],
    ] as const) {
      const r = at(model, 0);
      assert.equal(
        message(r, 'pad-text-not-pad-token'),
        `\`<pad>\` here is ordinary text: the ${label} tokenizer splits it into ${pieces} — it is not a padding token, and the model attends to it like any other word.`,
      );
      assert.ok(!codes(r).includes('pad-is-special-token'), `${model}: <pad> is not special`);
      assert.ok(!codes(r).includes('decoder-start-token'), `${model} has no decoder start token`);
    }

    // `[PAD]`: BERT's own pad token (nothing masks it in a prompt); ordinary text for GPT-2 and for Marian, whose
    // decoder input then does not start with its start token.
    const bert = at('bert', 1);
    assert.equal(bert.baseTokens[0].text, '[PAD]');
    assert.equal(bert.baseTokens[0].special, true);
    assert.equal(
      message(bert, 'pad-is-special-token'),
      "`[PAD]` here is BERT's pad token (id 0), not the text it spells. In a prompt nothing masks it: the model attends to it like any other token.",
    );
    assert.match(
      message(at('gpt2', 1), 'pad-text-not-pad-token'),
      /^`\[PAD\]` here is ordinary text: the GPT-2 tokenizer/,
    );
    const marianPad = at('marian', 1);
    assert.ok(!marianPad.baseTokens[0].special, '[PAD] is text to Marian');
    assert.match(
      message(marianPad, 'pad-text-not-pad-token'),
      /^`\[PAD\]` here is ordinary text: the MarianMT tokenizer/,
    );
    assert.match(
      message(marianPad, 'decoder-start-token'),
      /^MarianMT's `generate` starts every decoder input with `<pad>` \(id \d+, its `decoder_start_token_id`\)/,
    );
  } finally {
    await store.dispose();
  }
});
