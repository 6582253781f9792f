/**
 * Recorded host → panel messages for the webview test: the seed experiment
 * (`examples/encoder-vs-decoder.prompt`) with its four outcomes — gpt2 causal, bert-causal
 * nondeterministic (train mode), bert-causal-eval causal, bert bidirectional — plus a run whose
 * file, model, prompt, tokens and prose carry markup (`<pad>`, `<img src=x onerror=alert(1)>`),
 * failures, and a 512-token × 13-layer comparison. The numbers have the shapes the lab produces
 * for these random-weight models (exact zeros before the edit in eval mode, dropout noise of a few
 * units in train mode, a leak of tenths into earlier positions without a causal mask).
 */
import type {
  AlignedPair,
  Finding,
  LayerMetrics,
  ModelSummary,
  NextTokenShift,
  TokenView,
  VariantResult,
  Verdict,
} from '../../extension/protocol/report';
import type { RunOutline, ToWebview } from '../../extension/protocol/webview';

export const SEED_FILE = 'examples/encoder-vs-decoder.prompt';
export const SEED_BASE = '<pad> Ich will ein';
export const SEED_VARIANT = '<pad> Ich will das';
export const IMG_TOKEN = '<img src=x onerror=alert(1)>';
export const PAD_TOKEN = '<pad>';

/** Deterministic numbers: the same fixture every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tokens = (list: [number, string, boolean?][]): TokenView[] =>
  list.map(([id, text, special]) => ({ id, text, special: special ?? false }));

function model(
  name: string,
  architecture: 'bert' | 'gpt2',
  overrides: { mode: 'train' | 'eval'; isDecoder?: boolean },
): ModelSummary {
  const train = overrides.mode === 'train';
  const config: Record<string, unknown> =
    architecture === 'gpt2'
      ? { model_type: 'gpt2', n_layer: 12, n_embd: 768, n_head: 12, vocab_size: 50257, activation_function: 'gelu_new' }
      : {
          model_type: 'bert',
          num_hidden_layers: 12,
          hidden_size: 768,
          num_attention_heads: 12,
          vocab_size: 30522,
          is_decoder: overrides.isDecoder ?? false,
        };
  return {
    name,
    architecture,
    config,
    configSource: architecture === 'gpt2' ? 'preset gpt2' : 'preset bert-base-uncased',
    weights: null,
    seed: 0,
    mode: overrides.mode,
    dropout: 'independent',
    addSpecialTokens: false,
    atol: 1e-3,
    rtol: 1e-5,
    numLayers: 12,
    hiddenSize: 768,
    numHeads: 12,
    hasLmHead: architecture === 'gpt2',
    dropoutRates: train ? { hidden: 0.1, attention: 0.1, embedding: 0.1 } : { hidden: 0, attention: 0, embedding: 0 },
  };
}

export const SEED_MODELS: ModelSummary[] = [
  model('gpt2', 'gpt2', { mode: 'eval' }),
  model('bert-causal', 'bert', { mode: 'train', isDecoder: true }),
  model('bert-causal-eval', 'bert', { mode: 'eval', isDecoder: true }),
  model('bert', 'bert', { mode: 'eval' }),
];

const GPT2_BASE = tokens([
  [27, '<'],
  [15636, 'pad'],
  [29, '>'],
  [26364, 'ĠIch'],
  [481, 'Ġwill'],
  [304, 'Ġe'],
  [259, 'in'],
]);
const GPT2_VARIANT = [
  ...GPT2_BASE.slice(0, 5),
  ...tokens([
    [288, 'Ġd'],
    [292, 'as'],
  ]),
];
const BERT_BASE = tokens([
  [1026, '<'],
  [11687, 'pad'],
  [1028, '>'],
  [22564, 'ich'],
  [2097, 'will'],
  [16417, 'ein'],
]);
const BERT_VARIANT = [...BERT_BASE.slice(0, 5), ...tokens([[8695, 'das']])];

/** Index-aligned pairs of two equally long sequences, `changed` where the ids differ. */
function pairsByIndex(base: TokenView[], variant: TokenView[]): AlignedPair[] {
  return base.map((token, i) => ({ base: i, variant: i, kind: token.id === variant[i].id ? 'same' : 'changed' }));
}

function causalMask(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j <= i ? 1 : 0)));
}

function fullMask(n: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => 1));
}

/**
 * Layers 0..numLayers of metrics for `pairs`: `delta(layer, pairIndex)` gives max |Δ| (null where a
 * side is missing); cosine distance and allclose follow from it.
 */
function layerMetrics(
  numLayers: number,
  pairs: AlignedPair[],
  delta: (layer: number, pair: number) => number | null,
  atol = 1e-3,
): LayerMetrics[] {
  return Array.from({ length: numLayers + 1 }, (_, layer) => {
    const maxAbsDiff = pairs.map((_, p) => delta(layer, p));
    return {
      layer,
      maxAbsDiff,
      cosineDistance: maxAbsDiff.map((d) => (d === null ? null : d === 0 ? 0 : Math.min(1.2, d * d * 0.04 + d * 0.02))),
      allclose: maxAbsDiff.map((d) => (d === null ? null : d <= atol)),
    };
  });
}

function padFinding(tokenizer: 'GPT-2' | 'BERT'): Finding {
  return {
    code: 'pad-text-not-pad-token',
    severity: 'warning',
    message: `\`<pad>\` here is ordinary text: the ${tokenizer} tokenizer splits it into \`<\`, \`pad\`, \`>\` — it is not a padding token, and the model attends to it like any other word.`,
  };
}

function seedResult(
  modelName: string,
  verdict: Verdict,
  parts: Pick<
    VariantResult,
    'layers' | 'control' | 'frontier' | 'nextToken' | 'evidence' | 'explanation' | 'findings'
  > & { gpt2: boolean; causal: boolean },
): VariantResult {
  const baseTokens = parts.gpt2 ? GPT2_BASE : BERT_BASE;
  const variantTokens = parts.gpt2 ? GPT2_VARIANT : BERT_VARIANT;
  return {
    model: modelName,
    caseIndex: 0,
    variantIndex: 0,
    baseText: SEED_BASE,
    variantText: SEED_VARIANT,
    baseTokens,
    variantTokens,
    alignment: { firstPerturbed: 5, lengthChange: 0, pairs: pairsByIndex(baseTokens, variantTokens) },
    layers: parts.layers,
    control: parts.control,
    frontier: parts.frontier,
    nextToken: parts.nextToken,
    attentionMask: {
      rule: parts.causal ? 'causal' : 'bidirectional',
      keep: parts.causal ? causalMask(baseTokens.length) : fullMask(baseTokens.length),
    },
    verdict,
    evidence: parts.evidence,
    explanation: parts.explanation,
    findings: parts.findings,
  };
}

const exactControl = { maxAbsDiff: 0, perLayerMaxAbsDiff: new Array(13).fill(0), identical: true };

function gpt2Result(): VariantResult {
  const rand = random(2);
  const pairs = pairsByIndex(GPT2_BASE, GPT2_VARIANT);
  // Random-init GPT-2: small embedding differences that grow through the residual stream, then ln_f.
  const layers = layerMetrics(12, pairs, (layer, p) =>
    p < 5 ? 0 : layer === 12 ? 3.1 + rand() * 1.4 : 0.06 * (1 + layer * 0.55) * (0.7 + rand() * 0.6),
  );
  const nextToken: NextTokenShift = {
    klDivergence: 0.0021,
    baseTop: tokens([
      [31373, 'Ġuns'],
      [4486, 'Ġgod'],
      [39922, 'ĠStadt'],
      [1169, 'the'],
      [50256, '<|endoftext|>', true],
    ]).map((t, i) => ({ id: t.id, text: t.text, probability: 3.4e-5 - i * 2.1e-6 })),
    variantTop: tokens([
      [4486, 'Ġgod'],
      [31373, 'Ġuns'],
      [8405, 'Ġhaus'],
      [1169, 'the'],
      [262, 'Ġthe'],
    ]).map((t, i) => ({ id: t.id, text: t.text, probability: 3.3e-5 - i * 1.9e-6 })),
  };
  return seedResult('gpt2', 'causal', {
    gpt2: true,
    causal: true,
    layers,
    control: exactControl,
    frontier: { firstPerturbed: 5, firstChanged: 5 },
    nextToken,
    evidence: {
      earlierMaxAbsDiff: 0,
      earlierMaxAt: null,
      noiseFloor: 4.8e-7,
      controlMaxAbsDiff: 0,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: true,
      marginOverNoise: 0,
    },
    explanation:
      'Causal: positions 0–4, before the edit at position 5 (`Ġe` `in` → `Ġd` `as`), kept their hidden states exactly in every layer (max |Δ| 0); only positions from 5 on changed.',
    findings: [
      padFinding('GPT-2'),
      {
        code: 'causal-as-expected',
        severity: 'info',
        message:
          'As a causal model must: with a causal mask (GPT-2 always has it) each position attends only to itself and earlier positions, so a later edit cannot reach it.',
      },
    ],
  });
}

function bertCausalTrainResult(): VariantResult {
  const rand = random(3);
  const pairs = pairsByIndex(BERT_BASE, BERT_VARIANT);
  // Dropout in train mode: every position differs by a few units, the edited one a little more.
  const layers = layerMetrics(12, pairs, (layer, p) => (layer === 0 ? 2.2 : 3.0) + rand() * 1.25 + (p === 5 ? 0.6 : 0));
  layers[7].maxAbsDiff[2] = 4.3;
  const perLayer = [2.6, 3.4, 3.7, 3.5, 3.9, 3.6, 4.0, 3.8, 4.2, 3.7, 3.9, 4.1, 3.6];
  const controlMax = 4.2;
  return seedResult('bert-causal', 'nondeterministic', {
    gpt2: false,
    causal: true,
    layers,
    control: { maxAbsDiff: controlMax, perLayerMaxAbsDiff: perLayer, identical: false },
    frontier: { firstPerturbed: 5, firstChanged: 0 },
    nextToken: null,
    evidence: {
      earlierMaxAbsDiff: 4.3,
      earlierMaxAt: { layer: 7, position: 2 },
      noiseFloor: controlMax,
      controlMaxAbsDiff: controlMax,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: false,
      marginOverNoise: 4.3 / controlMax,
    },
    explanation:
      'Nondeterministic: the same input run twice already differs (control max |Δ| 4.2), so the difference between the two prompts cannot show which positions the edit reached. Dropout is on because the model is in training mode; set `mode: eval` to judge it.',
    findings: [
      {
        code: 'train-mode-dropout',
        severity: 'warning',
        message:
          "This model is in training mode, so dropout is on: even the same input run twice gives different hidden states (control max |Δ| 4.2). Structure can't be judged. Hugging Face's `from_config` leaves models in training mode; call `.eval()` — here: set `mode: eval`.",
        fix: { description: 'set mode: eval (dropout off)', key: 'mode', value: 'eval' },
      },
      padFinding('BERT'),
    ],
  });
}

function bertCausalEvalResult(): VariantResult {
  const rand = random(4);
  const pairs = pairsByIndex(BERT_BASE, BERT_VARIANT);
  const layers = layerMetrics(12, pairs, (layer, p) => (p < 5 ? 0 : (layer === 0 ? 2.6 : 3.4) + rand() * 1.1));
  return seedResult('bert-causal-eval', 'causal', {
    gpt2: false,
    causal: true,
    layers,
    control: exactControl,
    frontier: { firstPerturbed: 5, firstChanged: 5 },
    nextToken: null,
    evidence: {
      earlierMaxAbsDiff: 0,
      earlierMaxAt: null,
      noiseFloor: 9.5e-7,
      controlMaxAbsDiff: 0,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: true,
      marginOverNoise: 0,
    },
    explanation:
      'Causal: positions 0–4, before the edit at position 5 (`ein` → `das`), kept their hidden states exactly in every layer (max |Δ| 0); only positions from 5 on changed.',
    findings: [
      padFinding('BERT'),
      {
        code: 'causal-as-expected',
        severity: 'info',
        message:
          'As a causal model must: with a causal mask (for BERT, `is_decoder: true` adds that mask) each position attends only to itself and earlier positions, so a later edit cannot reach it.',
      },
    ],
  });
}

function bertBidirectionalResult(): VariantResult {
  const rand = random(5);
  const pairs = pairsByIndex(BERT_BASE, BERT_VARIANT);
  // Without a causal mask the edit leaks back from layer 1 on, growing with depth; the embeddings are per position.
  const layers = layerMetrics(12, pairs, (layer, p) =>
    p === 5
      ? (layer === 0 ? 2.6 : 3.4) + rand() * 1.1
      : layer === 0
        ? 0
        : Math.min(0.61, 0.04 * layer * (0.6 + rand() * 0.7)),
  );
  layers[11].maxAbsDiff[4] = 0.61;
  return seedResult('bert', 'bidirectional', {
    gpt2: false,
    causal: false,
    layers,
    control: exactControl,
    frontier: { firstPerturbed: 5, firstChanged: 0 },
    nextToken: null,
    evidence: {
      earlierMaxAbsDiff: 0.61,
      earlierMaxAt: { layer: 11, position: 4 },
      noiseFloor: 9.5e-7,
      controlMaxAbsDiff: 0,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: false,
      marginOverNoise: 0.61 / 9.5e-7,
    },
    explanation:
      'Bidirectional: the edit at position 5 (`ein` → `das`) also changed all 5 earlier positions (max |Δ| 0.61 at layer 11, position 4, 6.4e5× the noise floor, while the same input run twice gave identical states), because without a causal mask every position attends to every other.',
    findings: [
      {
        code: 'bidirectional-attention',
        severity: 'info',
        message:
          'Without a causal mask every position attends to every other, so a change anywhere reaches all positions, earlier ones included: this is how an encoder reads. For BERT, `is_decoder: true` is the switch that adds the causal mask.',
        fix: { description: 'set is_decoder: true (causal mask)', key: 'is_decoder', value: true },
      },
      padFinding('BERT'),
    ],
  });
}

export function seedOutline(runId = 'run-1'): RunOutline {
  return {
    runId,
    file: SEED_FILE,
    models: SEED_MODELS,
    cases: [{ caseIndex: 0, baseText: SEED_BASE, variants: [{ variantIndex: 0, text: SEED_VARIANT }] }],
  };
}

export const SEED_RESULTS: VariantResult[] = [
  gpt2Result(),
  bertCausalTrainResult(),
  bertCausalEvalResult(),
  bertBidirectionalResult(),
];

/** The verdict each model of the seed experiment must get. */
export const SEED_VERDICTS: Record<string, Verdict> = {
  gpt2: 'causal',
  'bert-causal': 'nondeterministic',
  'bert-causal-eval': 'causal',
  bert: 'bidirectional',
};

/** A whole seed run as the host streams it: start, progress while models build, one result per model, the end. */
export function seedRunMessages(runId = 'run-1'): ToWebview[] {
  const messages: ToWebview[] = [{ type: 'runStarted', outline: seedOutline(runId) }];
  for (const result of SEED_RESULTS) {
    const preset = result.model === 'gpt2' ? 'gpt2 (124M parameters)' : 'bert-base-uncased (109M parameters)';
    messages.push(
      {
        type: 'progress',
        runId,
        model: result.model,
        stage: 'tokenizing',
        message: `tokenizing with the ${result.model === 'gpt2' ? 'GPT-2' : 'BERT'} tokenizer`,
      },
      {
        type: 'progress',
        runId,
        model: result.model,
        stage: 'building',
        message: `building ${preset} from its config — first use takes a few seconds`,
      },
      {
        type: 'progress',
        runId,
        model: result.model,
        stage: 'running',
        message: 'running case 1 (3 inputs in one batch)',
      },
      { type: 'result', runId, result },
    );
  }
  messages.push({ type: 'runFinished', runId, elapsedMs: 3412 });
  return messages;
}

/** A run where every string the panel shows tries to be markup: it must all read as text. */
export function hostileRunMessages(runId = 'run-hostile'): ToWebview[] {
  const name = 'tiny-<b>bert</b>';
  const summary = {
    ...model(name, 'bert', { mode: 'eval', isDecoder: true }),
    numLayers: 2,
    hiddenSize: 32,
    numHeads: 4,
    weights: 'models/<script>alert(3)</script>',
  };
  const baseText = `${PAD_TOKEN} ${IMG_TOKEN} ein`;
  const variantText = `${PAD_TOKEN} ${IMG_TOKEN} das`;
  const baseTokens = tokens([
    [0, PAD_TOKEN, true],
    [30522, IMG_TOKEN],
    [16417, 'ein'],
  ]);
  const variantTokens = tokens([
    [0, PAD_TOKEN, true],
    [30522, IMG_TOKEN],
    [8695, 'das'],
  ]);
  const pairs = pairsByIndex(baseTokens, variantTokens);
  const result: VariantResult = {
    model: name,
    caseIndex: 0,
    variantIndex: 0,
    baseText,
    variantText,
    baseTokens,
    variantTokens,
    alignment: { firstPerturbed: 2, lengthChange: 0, pairs },
    layers: layerMetrics(2, pairs, (layer, p) => (p < 2 ? 0 : 1.2 + layer * 0.4)),
    control: { maxAbsDiff: 0, perLayerMaxAbsDiff: [0, 0, 0], identical: true },
    frontier: { firstPerturbed: 2, firstChanged: 2 },
    nextToken: {
      klDivergence: 0.12,
      baseTop: [{ id: 30522, text: IMG_TOKEN, probability: 0.4 }],
      variantTop: [{ id: 0, text: PAD_TOKEN, probability: 0.3 }],
    },
    attentionMask: { rule: 'causal', keep: causalMask(3) },
    verdict: 'causal',
    evidence: {
      earlierMaxAbsDiff: 0,
      earlierMaxAt: null,
      noiseFloor: 1e-7,
      controlMaxAbsDiff: 0,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: true,
      marginOverNoise: 0,
    },
    explanation: `Causal: positions 0–1, before the edit at position 2 (\`ein\` → \`das\`), kept their hidden states exactly; \`${IMG_TOKEN}\` and \`${PAD_TOKEN}\` did not change.`,
    findings: [
      {
        code: 'special-tokens-added',
        severity: 'info',
        message: `Position 0 is the special token \`${PAD_TOKEN}\` written in your text <script>alert(4)</script>.`,
      },
    ],
  };
  return [
    {
      type: 'runStarted',
      outline: {
        runId,
        file: `examples/${IMG_TOKEN}.prompt`,
        models: [summary],
        cases: [{ caseIndex: 0, baseText, variants: [{ variantIndex: 0, text: variantText }] }],
      },
    },
    { type: 'progress', runId, model: name, stage: 'building', message: `building ${IMG_TOKEN}` },
    { type: 'result', runId, result },
    { type: 'runFinished', runId, elapsedMs: 120 },
  ];
}

/**
 * A long comparison: `positions` GPT-2 tokens, one replaced in the middle and one inserted after
 * it (so the alignment has a one-sided pair), `numLayers` + 1 layers.
 */
export function largeResult(positions = 512, numLayers = 12): VariantResult {
  const rand = random(9);
  const baseTokens = tokens(
    Array.from({ length: positions }, (_, i): [number, string] => [1000 + (i % 700), i % 3 === 0 ? `Ġw${i}` : `t${i}`]),
  );
  const edit = Math.floor(positions / 2);
  const variantTokens = [
    ...baseTokens.slice(0, edit),
    ...tokens([
      [7, 'Ġchanged'],
      [8, 'Ġinserted'],
    ]),
    ...baseTokens.slice(edit + 1),
  ];
  const pairs: AlignedPair[] = [];
  for (let i = 0; i < edit; i++) pairs.push({ base: i, variant: i, kind: 'same' });
  pairs.push({ base: edit, variant: edit, kind: 'changed' }, { base: null, variant: edit + 1, kind: 'inserted' });
  for (let i = edit + 1; i < positions; i++) pairs.push({ base: i, variant: i + 1, kind: 'same' });
  const layers = layerMetrics(numLayers, pairs, (layer, p) =>
    pairs[p].base === null ? null : p < edit ? 0 : (0.05 + rand() * 0.3) * (1 + layer * 0.4),
  );
  return {
    model: 'gpt2-long',
    caseIndex: 0,
    variantIndex: 0,
    baseText: baseTokens.map((t) => t.text).join(''),
    variantText: variantTokens.map((t) => t.text).join(''),
    baseTokens,
    variantTokens,
    alignment: { firstPerturbed: edit, lengthChange: 1, pairs },
    layers,
    control: exactControl,
    frontier: { firstPerturbed: edit, firstChanged: edit },
    nextToken: null,
    attentionMask: { rule: 'causal', keep: causalMask(positions) },
    verdict: 'causal',
    evidence: {
      earlierMaxAbsDiff: 0,
      earlierMaxAt: null,
      noiseFloor: 4.8e-7,
      controlMaxAbsDiff: 0,
      atol: 1e-3,
      rtol: 1e-5,
      allcloseAtPosition0: true,
      marginOverNoise: 0,
    },
    explanation: `Causal: positions 0–${edit - 1}, before the edit at position ${edit}, kept their hidden states exactly in every layer (max |Δ| 0); only positions from ${edit} on changed.`,
    findings: [
      {
        code: 'token-count-changed',
        severity: 'warning',
        message: `The variant has 1 more token than the base (${positions + 1} vs ${positions}): every position after the edit shifts, so positions after it are compared by alignment from the end, not by index.`,
      },
    ],
  };
}

export function largeRunMessages(runId = 'run-large'): ToWebview[] {
  const result = largeResult();
  const outline: RunOutline = {
    runId,
    file: 'examples/long-context.prompt',
    models: [{ ...model('gpt2-long', 'gpt2', { mode: 'eval' }) }],
    cases: [{ caseIndex: 0, baseText: result.baseText, variants: [{ variantIndex: 0, text: result.variantText }] }],
  };
  return [
    { type: 'runStarted', outline },
    { type: 'result', runId, result },
    { type: 'runFinished', runId, elapsedMs: 2100 },
  ];
}

export const runnerCrashed = (runId: string): ToWebview => ({
  type: 'runFailed',
  runId,
  kind: 'runner-crashed',
  message: 'The runner exited with signal SIGKILL while building bert-base-uncased (out of memory?).',
  details: ['last stderr line: <pad> allocation of 436207616 bytes failed'],
});

export const INPUT_FAILED: ToWebview = {
  type: 'runFailed',
  runId: 'run-3',
  kind: 'input',
  message: 'examples/encoder-vs-decoder.prompt has 2 errors.',
  details: [
    'examples/encoder-vs-decoder.prompt:5:5: `is_decoder` is not a GPT-2 config key (GPT-2 is always causal)',
    'examples/encoder-vs-decoder.prompt:12:5: `add_cross_attention` is not supported yet',
  ],
};
