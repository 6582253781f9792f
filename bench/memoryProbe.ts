// One memory measurement in a process of its own (run by bench/calibrate.mjs): open a full-size model
// from the cache, run one forward pass of B inputs of T tokens, print the resident memory at each step
// and the process's peak (process.resourceUsage().maxRSS) as one JSON line.
import { ensureModel } from '../extension/lab/models/modelCache';
import { ModelSession } from '../extension/lab/models/session';
import { PRESETS, dropoutRates, moduleOf } from '../extension/lab/config';
import type { HfConfig } from '../extension/lab/types';
import { estimateModel, passBytes } from '../extension/lab/resources';
import { benchSpec } from './benchSpec';

const [cacheDir, preset, tText, bText, mode, attentionsText] = process.argv.slice(2);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function main(): Promise<void> {
  const config = PRESETS[preset] as HfConfig;
  const spec = benchSpec(config, { name: preset, configSource: preset, mode: mode === 'train' ? 'train' : 'eval' });
  const built = await ensureModel(spec, cacheDir);
  const started = process.memoryUsage().rss;
  const session = await ModelSession.open(built.onnxPath, built.dims, { attentions: attentionsText === '1' });
  const opened = process.memoryUsage().rss;
  const openedPeak = process.resourceUsage().maxRSS * 1024;
  const T = Number(tText);
  const B = Number(bText);
  const inputs = Array.from({ length: B }, (_, b) => ({
    ids: Array.from({ length: T }, (_, i) => 1000 + ((i * 7 + b) % 5000)),
    dropoutSeed: mode === 'train' ? 1234 + b : null,
  }));
  const d = built.dims;
  const rates = dropoutRates(config, mode === 'train' ? 'train' : 'eval');
  const causal = moduleOf(config.model_type).attention(config) === 'causal';
  const outputs = await session.forward(inputs, { causal, rates }, { attentions: attentionsText === '1' });
  const after = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  const size = estimateModel(d);
  const shape = {
    inputs: B,
    length: T,
    train: mode === 'train',
    attentions: attentionsText === '1',
    logitRowsPerInput: 1,
  };
  console.log(
    JSON.stringify({
      preset,
      T,
      B,
      mode,
      attentions: attentionsText === '1',
      startMb: mb(started),
      openedMb: mb(opened),
      openedPeakMb: mb(openedPeak),
      afterMb: mb(after),
      peakMb: mb(peak),
      passMb: mb(peak - opened),
      estimatedPassMb: mb(passBytes(d, shape, size.hasLmHead)),
      openMb: mb(opened - started),
      estimatedOpenMb: mb(size.residentBytes),
      outputs: outputs.length,
    }),
  );
  await session.release();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
