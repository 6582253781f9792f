import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compareVariant, type ModelRun } from '../../extension/lab/compare';
import { formatNumber } from '../../extension/lab/diagnose';
import { formatPair } from '../../extension/protocol/numbers';
import type { FindingCode, MeasuredResult, TokenView } from '../../extension/protocol/report';
import { loadReference, referenceConfig } from '../helpers/hfReference';
import { causalRun, compareInput, summary, withDelta, withNoise } from './compareFakes';

const codes = (result: MeasuredResult): FindingCode[] => result.findings.map((f) => f.code);
const finding = (result: MeasuredResult, code: FindingCode) => {
  const found = result.findings.find((f) => f.code === code);
  assert.ok(found, `expected finding ${code}, got ${codes(result).join(', ')}`);
  return found;
};

/** The seed's GPT-2 tokens: `<pad> Ich will ein` vs `<pad> Ich will das`. */
const SEED_BASE: TokenView[] = ['<', 'pad', '>', 'ĠIch', 'Ġwill', 'Ġe', 'in'].map((text, i) => ({
  id: [27, 15636, 29, 26364, 481, 304, 259][i],
  text,
  special: false,
}));
const SEED_VARIANT: TokenView[] = [
  ...SEED_BASE.slice(0, 5),
  { id: 288, text: 'Ġd', special: false },
  { id: 292, text: 'as', special: false },
];
const seedRun = (tokens: TokenView[]) =>
  causalRun(
    tokens.map((t) => t.id),
    {},
    tokens,
  );
const seedTexts = { baseText: '<pad> Ich will ein', variantText: '<pad> Ich will das' };
const gpt2 = summary({ architecture: 'gpt2', config: { model_type: 'gpt2' }, atol: 1e-3 });

describe('verdict: causal', () => {
  it('is causal when every earlier position is exactly unchanged, and says where change starts', () => {
    const result = compareVariant(
      compareInput(seedRun(SEED_BASE), seedRun(SEED_VARIANT), { model: gpt2, ...seedTexts }),
    );
    assert.equal(result.verdict, 'causal');
    assert.equal(result.evidence.earlierMaxAbsDiff, 0);
    assert.equal(result.evidence.allcloseAtPosition0, true);
    assert.equal(result.evidence.marginOverNoise, 0);
    assert.ok(result.findings.some((f) => f.code === 'causal-as-expected'));
    assert.equal(
      result.explanation,
      'Causal: positions 0–4, before the edit at position 5 (`Ġe` `in` → `Ġd` `as`), kept their hidden states exactly in every layer (max |Δ| 0); change starts at the edit.',
    );
  });

  it('stays causal under 1e-7 float32 jitter at earlier positions (below the noise floor)', () => {
    let variant = seedRun(SEED_VARIANT);
    for (let p = 0; p < 5; p++) variant = withDelta(variant, 1, p, 'all', 1e-7);
    const result = compareVariant(compareInput(seedRun(SEED_BASE), variant, { model: gpt2 }));
    assert.equal(result.verdict, 'causal');
    assert.ok((result.evidence.earlierMaxAbsDiff ?? 0) > 0);
    assert.ok((result.evidence.earlierMaxAbsDiff ?? 1) < result.evidence.noiseFloor);
    assert.match(result.explanation, /up to float32 rounding \(max \|Δ\| 1\.\de-7, noise floor \d\.\de-5\)/);
  });
});

describe('verdict: bidirectional', () => {
  it('is bidirectional when an earlier position changes, and names the attention rule and its switch', () => {
    const bert = summary({ config: { model_type: 'bert', is_decoder: false } });
    const variant = withDelta(causalRun([1, 2, 3, 4, 5, 7]), 2, 0, 'all', 0.3);
    const result = compareVariant(compareInput(causalRun([1, 2, 3, 4, 5, 6]), variant, { model: bert, causal: false }));
    assert.equal(result.verdict, 'bidirectional');
    assert.deepEqual(result.evidence.earlierMaxAt, { layer: 2, position: 0 });
    assert.equal(result.evidence.allcloseAtPosition0, false);
    const attention = finding(result, 'bidirectional-attention');
    assert.deepEqual(
      attention.fix,
      { kind: 'option', key: 'is_decoder', value: true, description: 'makes it causal' },
      'offered as a choice that makes it causal, not as the fix of an error',
    );
    assert.ok(!codes(result).includes('leak-below-atol'), 'a leak above atol needs no warning');
    assert.match(
      result.explanation,
      /^Bidirectional: the edit at position 5 \(`t6` → `t7`\) also changed 1 of the 5 earlier positions \(max \|Δ\| 0\.3 at layer 2, position 0, \d+× the noise floor, while the same input run twice gave identical states\), because without a causal mask every position attends to every other\.$/,
    );
  });

  it('still says bidirectional for a 0.003 leak below atol 0.01, and shows the margin', () => {
    const model = summary({ atol: 0.01, config: { model_type: 'bert', is_decoder: false } });
    const variant = withDelta(causalRun([1, 2, 3, 4, 5, 7]), 2, 0, 3, 0.003);
    const result = compareVariant(compareInput(causalRun([1, 2, 3, 4, 5, 6]), variant, { model, causal: false }));
    assert.equal(result.verdict, 'bidirectional');
    assert.equal(result.evidence.allcloseAtPosition0, true, 'torch.allclose alone calls position 0 unchanged');
    assert.ok(Math.abs((result.evidence.earlierMaxAbsDiff ?? 0) - 0.003) < 1e-6);
    assert.ok((result.evidence.marginOverNoise ?? 0) > 100);
    const leak = finding(result, 'leak-below-atol');
    assert.match(
      leak.message,
      /^max \|Δ\| 0\.003 at layer 2, position 0 is below your atol 0\.01, so torch\.allclose would call it unchanged — but the control run is exact, so the change is real \(×\d+ above the noise floor\)\.$/,
    );
    assert.deepEqual(leak.fix, {
      kind: 'option',
      description: 'below the leak and above the noise floor, so allclose agrees with the verdict',
      key: 'atol',
      value: 1e-4,
    });
    assert.match(result.explanation, /below your atol 0\.01, so torch\.allclose alone would have missed it\.$/);
  });

  it("judges Hugging Face's own tiny BERT: a 0.0028 leak is bidirectional; the causal BERT keeps earlier positions exact", () => {
    for (const [folder, expected] of [
      ['bert', 'bidirectional'],
      ['bert-causal', 'causal'],
    ] as const) {
      const { runs } = loadReference(folder);
      const config = referenceConfig(folder);
      const model = summary({ atol: 0.01, config, numLayers: 2, hiddenSize: 32 });
      const causal = config.is_decoder === true;
      const result = compareVariant(
        compareInput(referenceRun(runs.base), referenceRun(runs.last_changed), { model, causal }),
      );
      assert.equal(result.verdict, expected, folder);
      assert.deepEqual(result.frontier, { firstPerturbed: 7, firstChanged: expected === 'causal' ? 7 : 0 }, folder);
      if (expected === 'bidirectional') {
        assert.ok(codes(result).includes('leak-below-atol'), 'the leak (≈0.0028) is below atol 0.01');
        assert.ok((result.evidence.marginOverNoise ?? 0) > 50, `margin ${result.evidence.marginOverNoise}`);
      } else {
        assert.equal(result.evidence.earlierMaxAbsDiff, 0);
      }
    }
  });
});

describe('verdict: nondeterministic', () => {
  it('blames train-mode dropout and offers `mode: eval`', () => {
    const base = causalRun([1, 2, 3, 4]);
    const model = summary({
      mode: 'train',
      dropoutRates: [
        { key: 'hidden_dropout_prob', rate: 0.1 },
        { key: 'attention_probs_dropout_prob', rate: 0.1 },
      ],
    });
    const variant = withNoise(causalRun([1, 2, 3, 5]), 0.4, 7);
    const result = compareVariant(compareInput(base, variant, { model, control: withNoise(base, 0.4, 3) }));
    assert.equal(result.verdict, 'nondeterministic');
    const dropout = finding(result, 'train-mode-dropout');
    assert.deepEqual(dropout.fix, { kind: 'fix', key: 'mode', value: 'eval', description: 'turns dropout off' });
    assert.match(
      dropout.message,
      /^This model is in training mode, so dropout is on: even the same input run twice gives different hidden states \(control max \|Δ\| 0\.\d+\)\. Structure can't be judged\. Hugging Face's `from_config` leaves models in training mode; call `\.eval\(\)` — here: set `mode: eval`\.$/,
    );
    assert.match(
      result.explanation,
      /^Nondeterministic: before the edit, the same input run twice already changes positions 0–2 by up to 0\.\d+ \(the control run\), and the edit changed them by up to 0\.\d+, so/,
    );
    assert.equal(result.control.identical, false);
    assert.equal(result.frontier.firstChanged, 0, 'position 0 changed: the frontier says so');
    assert.ok(result.evidence.controlEarlierMaxAbsDiff! > 0.1, 'the control is the evidence at the earlier positions');
  });

  it('says the cause is unknown when dropout is off', () => {
    const base = causalRun([1, 2, 3, 4]);
    const result = compareVariant(
      compareInput(base, causalRun([1, 2, 3, 5]), { control: withDelta(base, 1, 2, 0, 0.01) }),
    );
    assert.equal(result.verdict, 'nondeterministic');
    assert.deepEqual(codes(result), ['nondeterministic-unknown']);
  });

  it('ignores a control that differs only within float32 rounding', () => {
    const base = causalRun([1, 2, 3, 4]);
    const result = compareVariant(
      compareInput(base, causalRun([1, 2, 3, 5]), { control: withDelta(base, 1, 2, 0, 2e-6) }),
    );
    assert.equal(result.verdict, 'causal');
    assert.equal(result.control.identical, false);
  });
});

describe('verdict: undetermined', () => {
  it('when both prompts give the same token ids', () => {
    const result = compareVariant(
      compareInput(causalRun([1, 2, 3]), causalRun([1, 2, 3]), { baseText: 'Hello', variantText: 'hello' }),
    );
    assert.equal(result.verdict, 'undetermined');
    assert.match(finding(result, 'identical-tokens').message, /same 3 token ids/);
    assert.equal(result.evidence.earlierMaxAbsDiff, null);
    assert.equal(result.evidence.allcloseAtPosition0, true);
  });

  it('when the perturbation is at position 0', () => {
    const result = compareVariant(compareInput(causalRun([1, 2, 3]), causalRun([9, 2, 3])));
    assert.equal(result.verdict, 'undetermined');
    assert.match(
      finding(result, 'perturbed-at-position-0').message,
      /position 0 \(`t1` → `t9`\).*Perturb a later token/,
    );
    assert.equal(result.evidence.allcloseAtPosition0, null);
    assert.equal(result.evidence.earlierMaxAt, null);
  });

  it('when nothing changes anywhere, not even at the edited position (all-zero weights), never causal', () => {
    const zero = (ids: number[]): ModelRun => {
      const run = causalRun(ids);
      return { ...run, hiddenStates: run.hiddenStates.map((s) => new Float32Array(s.length)) };
    };
    const model = summary({ config: { model_type: 'bert', is_decoder: true, initializer_range: 0 } });
    const result = compareVariant(compareInput(zero([1, 2, 3, 4]), zero([1, 2, 3, 5]), { model }));
    assert.equal(result.verdict, 'undetermined');
    assert.equal(result.frontier.firstChanged, null);
    const nothing = finding(result, 'nothing-changed');
    assert.match(nothing.message, /`initializer_range: 0` makes every random weight 0/);
    assert.deepEqual(nothing.fix && [nothing.fix.kind, nothing.fix.key, nothing.fix.value], [
      'fix',
      'initializer_range',
      0.02,
    ]);
    assert.match(result.explanation, /^Undetermined: every position of the base has the same hidden state/);
    // Appending to such a model: the new token is no evidence either.
    const appended = compareVariant(compareInput(zero([1, 2, 3]), zero([1, 2, 3, 4]), { model }));
    assert.equal(appended.verdict, 'undetermined');
  });
});

describe('verdict: non-finite', () => {
  it('is never causal on NaN states, names the layer, and says the random weights are finite', () => {
    const base = seedRun(SEED_BASE);
    const variant = seedRun(SEED_VARIANT);
    const control = seedRun(SEED_BASE);
    for (const run of [base, variant, control])
      for (let layer = 1; layer < 3; layer++) run.hiddenStates[layer].fill(NaN);
    const result = compareVariant(compareInput(base, variant, { model: gpt2, control }));
    assert.equal(result.verdict, 'non-finite');
    assert.equal(result.evidence.earlierMaxAbsDiff, 0, 'only the finite embeddings were measured');
    assert.equal(result.evidence.earlierNonFinite, true, 'and the evidence says the rest was not');
    assert.match(result.explanation, /^Not finite: the states of every run hold NaN from layer 1 on/);
    assert.match(result.explanation, /The weights are random and finite, so the values overflowed float32/);
    assert.deepEqual(codes(result).slice(0, 1), ['non-finite-states']);
    assert.ok(!codes(result).includes('causal-as-expected'));
  });

  it('calls Inf − Inf what it is, not 0', () => {
    const base = causalRun([1, 2, 3, 4]);
    base.hiddenStates[2].fill(Infinity);
    const variant = causalRun([1, 2, 3, 5]);
    variant.hiddenStates[2].fill(Infinity);
    const result = compareVariant(compareInput(base, variant));
    assert.equal(result.verdict, 'non-finite');
    assert.deepEqual(result.layers[2].nonFinite, [0, 1, 2, 3]);
    assert.match(result.explanation, /hold \+Inf from layer 2 on/);
  });
});

describe('appending a token', () => {
  it('says the appended token is new and every earlier position kept its state; no shift warning', () => {
    const result = compareVariant(compareInput(causalRun([1, 2, 3]), causalRun([1, 2, 3, 4])));
    assert.equal(result.verdict, 'causal');
    assert.deepEqual(result.frontier, { firstPerturbed: 3, firstChanged: 3 });
    assert.equal(
      result.explanation,
      'Causal: the variant appends `t4` at position 3 — a new position, with no state in the base to compare — and positions 0–2 before it kept their hidden states exactly in every layer (max |Δ| 0).',
    );
    assert.ok(!codes(result).includes('token-count-changed'), 'nothing after the edit shifts');
    const bert = compareVariant(
      compareInput(causalRun([1, 2, 3]), withDelta(causalRun([1, 2, 3, 4]), 1, 0, 'all', 0.2), { causal: false }),
    );
    assert.equal(bert.verdict, 'bidirectional');
    assert.equal(bert.frontier.firstChanged, 0, 'the same definition for both models: change starts at 0 here');
  });
});

describe('findings about the input', () => {
  it('says that `<pad>` is ordinary text, with the tokens it became', () => {
    const result = compareVariant(
      compareInput(seedRun(SEED_BASE), seedRun(SEED_VARIANT), { model: gpt2, ...seedTexts }),
    );
    assert.equal(
      finding(result, 'pad-text-not-pad-token').message,
      '`<pad>` here is ordinary text: the GPT-2 tokenizer splits it into `<`, `pad`, `>` — it is not a padding token, and the model attends to it like any other word.',
    );
    assert.equal(result.findings.filter((f) => f.code === 'pad-text-not-pad-token').length, 1, 'once for both sides');
  });

  it('stays quiet when `[PAD]` really became the pad token', () => {
    const tokens: TokenView[] = [
      { id: 0, text: '[PAD]', special: true },
      { id: 5, text: 'hi', special: false },
    ];
    const variantTokens: TokenView[] = [tokens[0], { id: 6, text: 'ho', special: false }];
    const result = compareVariant(
      compareInput(causalRun([0, 5], {}, tokens), causalRun([0, 6], {}, variantTokens), {
        baseText: '[PAD] hi',
        variantText: '[PAD] ho',
      }),
    );
    assert.ok(!codes(result).includes('pad-text-not-pad-token'));
  });

  it('warns when the token count changed', () => {
    const result = compareVariant(compareInput(causalRun([1, 2, 3, 4]), causalRun([1, 2, 9, 3, 4])));
    assert.equal(
      finding(result, 'token-count-changed').message,
      'The variant has 1 more token than the base (5 vs 4), so the 2 tokens after the edit moved: they are compared by aligning the prompts from the end (base position 2 with variant position 3), not by index.',
    );
    assert.match(result.explanation, /before the edit at position 2 \(inserted `t9`\)/);
  });

  it('notes a special [CLS] at position 0', () => {
    const cls: TokenView = { id: 101, text: '[CLS]', special: true };
    const sep: TokenView = { id: 102, text: '[SEP]', special: true };
    const word = (id: number): TokenView => ({ id, text: `w${id}`, special: false });
    const base = [cls, word(7), word(8), sep];
    const variant = [cls, word(7), word(9), sep];
    const model = summary({ addSpecialTokens: true });
    const run = (tokens: TokenView[]) =>
      causalRun(
        tokens.map((t) => t.id),
        {},
        tokens,
      );
    const result = compareVariant(compareInput(run(base), run(variant), { model }));
    const special = finding(result, 'special-tokens-added');
    assert.equal(special.severity, 'info');
    assert.match(special.message, /^Position 0 is the special token `\[CLS\]` that the tokenizer adds/);
    assert.match(special.message, /`\[SEP\]` at the end comes after the edit/);
    assert.equal(special.fix?.key, 'add_special_tokens');
  });
});

describe('formatNumber', () => {
  it('writes compact numbers', () => {
    assert.deepEqual([0, 0.003, 0.0028, 0.41, 1500, 116.7, 2.39e-5, 1e-7, 1e6, NaN].map(formatNumber), [
      '0',
      '0.003',
      '0.0028',
      '0.41',
      '1500',
      '120',
      '2.4e-5',
      '1e-7',
      '1e6',
      'NaN',
    ]);
  });

  it('writes a pair with the decimals its difference needs', () => {
    assert.deepEqual(formatPair(0.2955, 0.2912), ['0.2955', '0.2912']);
    assert.deepEqual(formatPair(0.376002, 0.376025), ['0.376002', '0.376025']);
    assert.deepEqual(formatPair(12.3, 12.5), ['12.30', '12.50']);
    assert.deepEqual(formatPair(-0.0084, 0.5), ['-0.0084', '0.5000']);
    assert.deepEqual(formatPair(0.41, 0.41), ['0.41', '0.41']);
    assert.deepEqual(formatPair(1, 1 + 1e-12), ['1', '1']);
  });
});

/** A Hugging Face reference run as a ModelRun (the fixture's numbers are float32 values printed in decimal). */
function referenceRun(run: ReturnType<typeof loadReference>['runs'][string]): ModelRun {
  const ids = run.input_ids[0];
  return {
    ids,
    tokens: ids.map((id) => ({ id, text: `#${id}`, special: false })),
    hiddenStates: run.hidden_states.data.map((layer) => Float32Array.from(layer)),
    nextTokenLogits: run.logits ? Float32Array.from(run.logits.data).slice(-run.logits.shape[2]) : null,
  };
}
