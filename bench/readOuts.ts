// Benchmark of what the read-outs cost (not a test): `node build.mjs && node out/bench/readOuts.js` (a markdown table),
// or `--rows` (JSON rows for `npm run bench`). For gpt2 and Qwen/Qwen2.5-0.5B from their presets (random weights,
// seed 0, eval mode), one 16-token comparison as a case runs it (base, control and a variant that changes position 8,
// in one call; the LM head on the last row): plain, with the logit lens (`lens: 5`, the positions a case reads), with
// one layer's heads (`heads: 5`), and with both, then 20 variants in one call with the lens; warm (median of 5 after one run to warm up), wall time, CPU seconds
// (all threads) and the peak resident memory of the process, each model in its own process. The lens multiplies
// every layer's stream at the read positions by the unembedding (layers × positions × hidden × vocab): Qwen's
// 151 936-token vocabulary is where it costs.
import { loadavg } from 'node:os';
import { ensureModel } from '../extension/lab/models/modelCache';
import { PRESETS, withClassDefaults } from '../extension/lab/models/registry';
import { ModelSession, type WantedOutputs } from '../extension/lab/models/session';
import { lensRequest } from '../extension/lab/experiment/readOutsWanted';
import { benchSpec } from './benchSpec';
import { benchMain, childRows, peakMb, warmMedian } from './harness';

const MODELS = ['gpt2', 'Qwen/Qwen2.5-0.5B'] as const;
type Model = (typeof MODELS)[number];
const T = 16;
const EDIT = 8;
/** Measured once with the lens graph before its layers were chained (every layer's logits alive at once). */
const BEFORE_CHAIN: Record<Model, string> = {
  gpt2: '',
  'Qwen/Qwen2.5-0.5B': '; before, every layer’s logits at once: 7.4 GB and 13.2 s for one such call',
};

/** One model in this process: prints one JSON line per read-out asked for. */
async function measure(model: Model, cacheDir: string): Promise<void> {
  const spec = { ...benchSpec(withClassDefaults(PRESETS[model]), { name: model, configSource: model }), lens: 5 };
  const built = await ensureModel(spec, cacheDir);
  // As a comparison opens it (the picked heads are outputs of their own: they stay).
  const session = await ModelSession.open(built.onnxPath, built.dims, { attentions: false });
  const base = Array.from({ length: T }, (_, i) => 1000 + 37 * i);
  const variant = base.map((id, i) => (i === EDIT ? id + 1 : id));
  type Inputs = { ids: number[] }[];
  const three: Inputs = [{ ids: base }, { ids: base }, { ids: variant }];
  // The last way: 20 variants in one call, as a pass of a big case runs them (its peak memory is the point).
  const many: Inputs = [...three, ...Array.from({ length: 19 }, (_, v) => ({ ids: variant.map((id) => id + 1 + v) }))];
  const lensOf = (inputs: Inputs) =>
    lensRequest(
      spec,
      true,
      inputs.map(() => T),
      0,
    );
  const lens = lensOf(three);
  const heads = { layer: 5 };
  const ways: [string, WantedOutputs, Inputs][] = [
    ['plain comparison', {}, three],
    ['with the logit lens (top 5)', { lens }, three],
    ['with one layer’s heads', { heads }, three],
    ['with both', { lens, heads }, three],
    ['20 variants in one call, with the lens', { lens: lensOf(many) }, many],
  ];
  const causal = model === 'gpt2';
  const run = (wanted: WantedOutputs, inputs: Inputs) =>
    session.forward(inputs, { causal, rates: {} }, { logits: 'last', ...wanted });
  let plain = 0;
  for (const [way, wanted, inputs] of ways) {
    const timed = await warmMedian(() => run(wanted, inputs), 5);
    if (way === ways[0][0]) plain = timed.seconds;
    const rows = (wanted.lens?.positions ?? []).reduce((n, ps) => n + ps.length, 0);
    console.log(
      JSON.stringify({
        model,
        way,
        seconds: timed.seconds,
        cpu: timed.cpu,
        ratio: timed.seconds / plain,
        lensRows: wanted.lens ? rows : 0,
        peakMb: peakMb(),
      }),
    );
  }
  await session.release();
}

interface ReadOutLine {
  way: string;
  seconds: number;
  cpu: number;
  ratio: number;
  lensRows: number;
  peakMb: number;
}

function rows(): string[][] {
  return childRows(__filename, MODELS, 'plab-bench-readouts-', (name, m: ReadOutLine) => {
    const model = name as Model;
    const rowsNote = m.lensRows ? `, lens on ${m.lensRows} stream rows per layer` : '';
    return [
      `${model}, 16-token comparison (base, control, variant), warm median of 5: ${m.way}${rowsNote}; CPU ${m.cpu.toFixed(2)} s (load ${loadavg()[0].toFixed(1)})`,
      `${(m.seconds * 1000).toFixed(0)} ms`,
      `${m.peakMb.toFixed(0)} MB`,
      m.way === 'plain comparison'
        ? 'reference'
        : m.way.startsWith('20 variants')
          ? `the lens one layer at a time${BEFORE_CHAIN[model]}`
          : `${m.ratio.toFixed(2)}× the plain comparison`,
    ];
  });
}

benchMain((model, cacheDir) => measure(model as Model, cacheDir), rows);
