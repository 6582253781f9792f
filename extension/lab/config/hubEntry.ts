/**
 * `from:` and `revision:` of a model entry: a model from the Hugging Face Hub, taken as `from_pretrained`
 * takes it (its config.json, its safetensors weights and tokenizer, eval mode by default).
 *
 * Phase 1 (pure, `draftHubRef`): the repo id is checked with Hugging Face's own rules, the revision is text,
 * and `config:` / `weights:` beside `from:` are errors — they exclude each other: `from:` brings both, and a
 * key of the config is overridden by writing it in the entry, as for `weights:`.
 * Phase 2 (`loadHubSource`): the front end's `HubPlanner` makes the model's plan (the cache first, else the
 * Hub: the commit, config.json and every file's size, before any weight); the entry then finishes exactly as
 * `weights:` with the snapshot folder would. Downloading the weights is a separate step
 * (`experiment/hubDownloads.ts`), after the resource plan and the user's confirmation.
 */
import { join } from 'node:path';
import { CancelledError } from '../cancel';
import { checkRepoId, checkRevision, HubError, type HubPlan } from '../hub';
import type { SourceRange } from '../types';
import { checkValue, isText, type ValueCheck } from './checks';
import type { DiagnosticList } from './diagnostics';
import { configFromJson, type LoadedConfig, type Sourced } from './sources';

/** The `from:` of an entry, valid as text: what phase 2 asks the cache or the Hub about. */
export interface HubRef {
  /** The model's name as written (for messages), when it is text. */
  model?: string;
  repoId: string;
  /** A branch, tag or commit; `main` when the entry gives none. */
  revision: string;
  /** The `from:` value: where problems with the repo are reported. */
  range: SourceRange;
}

/** Finds a model's plan from a ref: the cache alone, or the Hub too (config and sizes, never a weight). */
export type HubPlanner = (ref: HubRef) => Promise<HubPlan>;

/** What a `from:` entry finishes with: the plan, the repo's config, and the folder it loads from. */
export interface HubSource {
  plan: HubPlan;
  config: LoadedConfig;
  /** `snapshots/<commit>` in the Hugging Face cache: the model's `weights:` folder once downloaded. */
  dir: string;
  /** The snapshot folder when the repo has a tokenizer transformers.js reads (tokenizer.json + tokenizer_config.json). */
  tokenizerFolder?: string;
}

/** The fields phase 1 looks at. */
interface Field {
  value: unknown;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

const FROM_VALUE: ValueCheck = { ...isText, example: 'a Hub model id such as `gpt2` or `org/name`' };
const REVISION_VALUE: ValueCheck = { ...isText, example: 'a branch, tag or commit such as `main`' };

const EXCLUDED = {
  config:
    "`config:` and `from:` exclude each other: `from:` takes the repo's own config.json. Override single keys in this entry instead (such as `is_decoder: true`), or drop `from:` to build a model from a config with random weights",
  weights:
    "`weights:` and `from:` exclude each other: `from:` takes the repo's weights (through the Hugging Face cache). Keep one of them",
} as const;

function textValue(key: 'from' | 'revision', f: Field, check: ValueCheck, out: DiagnosticList): string | undefined {
  const bad = checkValue(key, f.value, check);
  if (bad === undefined) return f.value as string;
  // A number (`revision: 1234567`) is a commit or tag written without quotes: say how to write it.
  const quote = typeof f.value === 'number' ? ` (write it in quotes: \`${key}: "${String(f.value)}"\`)` : '';
  out.error('bad-value', bad + quote, f.valueRange);
  return undefined;
}

/**
 * Phase 1 of `from:` / `revision:`: the ref when `from:` is valid text, else undefined (problems reported).
 * Also reports `revision:` without `from:` and `config:` / `weights:` beside `from:`.
 */
export function draftHubRef(
  fields: ReadonlyMap<string, Field>,
  model: string | undefined,
  out: DiagnosticList,
): HubRef | undefined {
  const from = fields.get('from');
  const revision = fields.get('revision');
  if (!from) {
    if (revision)
      out.error(
        'revision-without-from',
        '`revision:` picks a branch, tag or commit of a `from:` model, and this entry has no `from:`',
        revision.keyRange,
      );
    return undefined;
  }
  for (const key of ['config', 'weights'] as const) {
    const other = fields.get(key);
    if (other) out.error('excluded-key', EXCLUDED[key], other.keyRange);
  }
  const repoText = textValue('from', from, FROM_VALUE, out);
  const revisionText = revision ? textValue('revision', revision, REVISION_VALUE, out) : 'main';
  let ok = repoText !== undefined && revisionText !== undefined;
  const check = (f: () => void, range: SourceRange) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof HubError)) throw e;
      out.error(e.code, e.message, range);
      ok = false;
    }
  };
  if (repoText !== undefined) check(() => checkRepoId(repoText), from.valueRange);
  if (revision && revisionText !== undefined) check(() => checkRevision(revisionText), revision.valueRange);
  if (!ok) return undefined;
  return {
    ...(model !== undefined ? { model } : {}),
    repoId: repoText!,
    revision: revisionText!,
    range: from.valueRange,
  };
}

/** The files of a plan that make a tokenizer transformers.js reads from the folder. */
function hasFolderTokenizer(plan: HubPlan): boolean {
  const paths = new Set(plan.files.map((f) => f.path));
  return paths.has('tokenizer.json') && paths.has('tokenizer_config.json');
}

/**
 * Phase 2 of `from:`: the plan and the repo's config, or the problem to place on the `from:` value. A
 * cancelled request is the user's choice, not a problem: it throws CancelledError.
 */
export async function loadHubSource(ref: HubRef, planner: HubPlanner): Promise<Sourced<HubSource>> {
  let plan: HubPlan;
  try {
    plan = await planner(ref);
  } catch (e) {
    if (!(e instanceof HubError)) throw e;
    if (e.code === 'cancelled') throw new CancelledError();
    return { problem: { code: `hub-${e.code}`, message: e.message } };
  }
  const loaded = configFromJson(plan.config, join(plan.snapshotDir, 'config.json'));
  if ('problem' in loaded) return loaded;
  return {
    ok: {
      plan,
      config: loaded.ok,
      dir: plan.snapshotDir,
      ...(hasFolderTokenizer(plan) ? { tokenizerFolder: plan.snapshotDir } : {}),
    },
  };
}
