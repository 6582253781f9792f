/**
 * A model as a Hugging Face folder: `config.json` + `model.safetensors` under Hugging Face's names
 * (BertModel with its pooler; GPT2LMHeadModel with `lm_head` tied and therefore not stored), which
 * `transformers.AutoModel.from_pretrained(DIR)` loads with no missing or unexpected keys.
 * Each file is written beside its final name and renamed into place.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../types';
import { ensureModel, type BuildProgress } from './modelCache';

export async function exportModelFolder(
  spec: ModelSpec,
  cacheDir: string,
  outDir: string,
  progress?: BuildProgress,
): Promise<{ configPath: string; weightsPath: string }> {
  const built = await ensureModel(spec, cacheDir, progress);
  mkdirSync(outDir, { recursive: true });
  const config: Record<string, unknown> = {
    ...spec.config,
    architectures: [spec.architecture === 'bert' ? 'BertModel' : 'GPT2LMHeadModel'],
    torch_dtype: 'float32',
  };
  const configPath = join(outDir, 'config.json');
  const weightsPath = join(outDir, 'model.safetensors');
  writeFileSync(configPath + '.partial', JSON.stringify(config, null, 2) + '\n');
  copyFileSync(built.weightsPath, weightsPath + '.partial');
  renameSync(weightsPath + '.partial', weightsPath);
  renameSync(configPath + '.partial', configPath);
  return { configPath, weightsPath };
}
