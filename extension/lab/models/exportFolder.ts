/**
 * A model as a Hugging Face folder: `config.json` + `model.safetensors` under Hugging Face's names (the
 * architecture's export class: BertModel with its pooler; GPT2LMHeadModel with `lm_head` tied and therefore
 * not stored; LlamaForCausalLM, MarianMTModel, …), which `transformers.AutoModel.from_pretrained(DIR)` loads
 * with no missing or unexpected keys, and its tokenizer's files, which `AutoTokenizer.from_pretrained(DIR)`
 * loads (exportTokenizer.ts).
 *
 * Nothing the user owns is destroyed: a folder that already holds files is refused unless `force`
 * (and then only the files an export writes are replaced, other files stay); the folder a
 * model is read from (its checkpoint, its config.json, the model cache) is never written, compared by
 * real path; everything is written in a temporary folder beside the target and renamed into place.
 */
import { trackTempFolder } from '../tempFolders';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { kindOfPathSync, shownPath } from '../io';
import type { ModelSpec } from '../types';
import { ensureModel, type BuildProgress } from './modelCache';
import { moduleOf } from './registry';
import { tokenizerExportFiles } from './exportTokenizer';

const FILES = ['config.json', 'model.safetensors'] as const;

/** A refused `--out`: the user's input (exit 2), with what to do instead. */
export class OutputFolderError extends Error {}

export interface ExportOptions {
  /** Replace `config.json` and `model.safetensors` in a folder that already holds files. */
  force?: boolean;
  progress?: BuildProgress;
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (for a folder not made yet). */
function realPathOf(path: string): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  for (let p = absolute; ; p = dirname(p)) {
    try {
      return join(realpathSync(p), ...missing.reverse());
    } catch {
      if (dirname(p) === p) return absolute;
      missing.push(basename(p));
    }
  }
}

const isInside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** The folders a model is read from: never a place to write. */
function foldersReadFrom(spec: ModelSpec): string[] {
  const folders: string[] = [];
  if (spec.weights) folders.push(kindOfPathSync(spec.weights) === 'folder' ? spec.weights : dirname(spec.weights));
  if (isAbsolute(spec.configSource)) folders.push(dirname(spec.configSource));
  return folders.map(realPathOf);
}

/** Refuses an output folder before anything is built: checked by the CLI first, and again before writing. */
export function checkOutputFolder(spec: ModelSpec, cacheDir: string, outDir: string, force = false): void {
  const out = realPathOf(outDir);
  for (const folder of foldersReadFrom(spec)) {
    if (out === folder)
      throw new OutputFolderError(
        `--out ${shownPath(outDir)} is the folder this model is read from; export writes a new folder, so choose another --out`,
      );
  }
  if (isInside(out, realPathOf(cacheDir)))
    throw new OutputFolderError(
      `--out ${shownPath(outDir)} is inside the model cache (${shownPath(cacheDir)}); choose a folder outside it`,
    );
  const kind = kindOfPathSync(outDir);
  if (kind === 'file') throw new OutputFolderError(`--out ${shownPath(outDir)} is a file, not a folder`);
  if (kind === 'folder' && !force) {
    const present = readdirSync(outDir);
    if (present.length > 0)
      throw new OutputFolderError(
        `--out ${shownPath(outDir)} is not empty (it holds ${present.length} ${present.length === 1 ? 'entry' : 'entries'}); choose a new or empty folder, or add --force to replace ${FILES.join(', ')} and the tokenizer's files in it (other files stay)`,
      );
  }
}

export async function exportModelFolder(
  spec: ModelSpec,
  cacheDir: string,
  outDir: string,
  options: ExportOptions = {},
): Promise<{ configPath: string; weightsPath: string; tokenizerFiles: string[] }> {
  checkOutputFolder(spec, cacheDir, outDir, options.force);
  const built = await ensureModel(spec, cacheDir, options.progress);
  const tokenizer = tokenizerExportFiles(spec.tokenizer, cacheDir);
  // Checked again: the build took a while, and the folder may have changed meanwhile.
  checkOutputFolder(spec, cacheDir, outDir, options.force);
  const config: Record<string, unknown> = {
    ...spec.config,
    architectures: [moduleOf(spec.architecture).exportClass],
    torch_dtype: 'float32',
  };
  const parent = dirname(resolve(outDir));
  mkdirSync(parent, { recursive: true });
  // Beside the target, so the renames below stay on one file system.
  const temp = mkdtempSync(join(parent, `.${basename(outDir)}.partial-`));
  // Ctrl-C of the CLI mid-export removes it too (cli/signals.ts).
  const untrack = trackTempFolder(temp);
  try {
    writeFileSync(join(temp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    copyFileSync(built.weightsPath, join(temp, 'model.safetensors'));
    for (const file of tokenizer) writeFileSync(join(temp, file.name), file.bytes);
    if (kindOfPathSync(outDir) === 'missing') renameSync(temp, outDir);
    else if (readdirSync(outDir).length === 0) {
      rmdirSync(outDir);
      renameSync(temp, outDir);
    } else {
      // --force into a folder with other files: each file replaced by one rename; the rest stays.
      for (const name of [...FILES, ...tokenizer.map((f) => f.name)]) renameSync(join(temp, name), join(outDir, name));
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
    untrack();
  }
  return {
    configPath: join(outDir, 'config.json'),
    weightsPath: join(outDir, 'model.safetensors'),
    tokenizerFiles: tokenizer.map((f) => join(outDir, f.name)),
  };
}
