// Calibration probe (run by hand): build and open a tiny-width model with many layers and print the
// graph's node count, the model.onnx size and the memory of building and opening it.
import { statSync } from 'node:fs';
import { ensureModel } from '../extension/lab/models/modelCache';
import { ModelSession } from '../extension/lab/models/session';
import { PRESETS } from '../extension/lab/config';
import type { HfConfig } from '../extension/lab/types';
import { onnx } from 'onnx-proto';
import { readFileSync } from 'node:fs';
import { benchSpec } from './benchSpec';

const [cacheDir, preset, layersText] = process.argv.slice(2);
const mb = (b: number) => Math.round(b / 2 ** 20);

async function main(): Promise<void> {
  const base = PRESETS[preset] as HfConfig;
  const L = Number(layersText);
  const config = (
    base.model_type === 'gpt2'
      ? { ...base, n_layer: L, n_embd: 8, n_head: 2, n_positions: 16 }
      : {
          ...base,
          num_hidden_layers: L,
          hidden_size: 8,
          num_attention_heads: 2,
          intermediate_size: 8,
          max_position_embeddings: 16,
        }
  ) as HfConfig;
  const spec = benchSpec(config, { name: preset, configSource: preset });
  const t0 = Date.now();
  const built = await ensureModel(spec, cacheDir);
  const builtPeak = process.resourceUsage().maxRSS * 1024;
  const t1 = Date.now();
  const nodes = onnx.ModelProto.decode(readFileSync(built.onnxPath)).graph!.node!.length;
  const before = process.memoryUsage().rss;
  const session = await ModelSession.open(built.onnxPath, built.dims);
  const t2 = Date.now();
  console.log(
    JSON.stringify({
      preset,
      L,
      nodes,
      onnxMb: mb(statSync(built.onnxPath).size),
      onnxBytes: statSync(built.onnxPath).size,
      buildPeakMb: mb(builtPeak),
      buildS: (t1 - t0) / 1000,
      beforeOpenMb: mb(before),
      openedMb: mb(process.memoryUsage().rss),
      openPeakMb: mb(process.resourceUsage().maxRSS * 1024),
      openS: (t2 - t1) / 1000,
    }),
  );
  await session.release();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
