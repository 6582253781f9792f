/**
 * Checks of config keys and values against an architecture. They return problems without a
 * place: the caller knows whether the key was written in the prompt file (point at it) or
 * came from a config.json (point at the `config:` value and name the file).
 */
import type { Architecture, HfConfig, Suggestion } from '../types';
import { checkValue, suggestValues } from './checks';
import { listNames } from './diagnostics';
import { ARCHITECTURE_LABEL, CONFIG_KEYS, CROSS_FAMILY_NAMES, REFUSED_KEYS } from './configKeys';
import { closestMatch } from './suggest';

export interface KeyProblem {
  code: string;
  message: string;
  suggestion?: Suggestion;
}

/** The keys that shape an architecture, listed when a key is unknown and nothing is close. */
export function forwardKeysOf(architecture: Architecture): string[] {
  return [...CONFIG_KEYS[architecture].values()].filter((k) => k.affectsForward).map((k) => k.key);
}

/**
 * One key of a config (from a file or an override). `otherCandidates` are further names the
 * user may have meant (the model-entry keys, when the key was written in an entry).
 */
export function checkConfigKey(
  architecture: Architecture,
  key: string,
  value: unknown,
  otherCandidates: readonly string[] = [],
): KeyProblem | undefined {
  const label = ARCHITECTURE_LABEL[architecture];
  if (key === 'model_type') {
    return value === architecture
      ? undefined
      : {
          code: 'bad-value',
          message: `\`model_type\` cannot change the architecture: this model is ${label} (\`model_type: ${architecture}\`), as its config says`,
        };
  }
  const refused = REFUSED_KEYS[architecture][key];
  if (refused) return { code: 'not-this-architecture', message: refused };
  const info = CONFIG_KEYS[architecture].get(key);
  if (!info) return unknownKey(architecture, key, otherCandidates);
  const bad = checkValue(key, value, info.check);
  if (bad) {
    // Offer only the values the builder implements (`hidden_act: gelu`, not every activation Hugging Face knows).
    const suggestion = suggestValues(key, value, info.check, (choice) => !info.unsupported?.(choice));
    return suggestion ? { code: 'bad-value', message: bad, suggestion } : { code: 'bad-value', message: bad };
  }
  const unsupported = info.unsupported?.(value);
  if (unsupported) return { code: 'not-supported', message: unsupported };
  return undefined;
}

function unknownKey(architecture: Architecture, key: string, otherCandidates: readonly string[]): KeyProblem {
  const label = ARCHITECTURE_LABEL[architecture];
  const guess =
    CROSS_FAMILY_NAMES[architecture][key] ??
    closestMatch(key, [...CONFIG_KEYS[architecture].keys(), ...otherCandidates]);
  if (guess) {
    return {
      code: 'unknown-key',
      message: `\`${key}\` is not a ${label} config key; did you mean \`${guess}\`?`,
      suggestion: { target: 'key', key, texts: [guess], closeMatch: true },
    };
  }
  return {
    code: 'unknown-key',
    message: `\`${key}\` is not a ${label} config key. ${label} keys that shape the model: ${listNames(forwardKeysOf(architecture), 'and')}`,
  };
}

export interface ConsistencyProblem extends KeyProblem {
  /** The keys involved, most specific first: the caller points at the first one it has a place for. */
  keys: string[];
}

/** Checks across keys of a complete config whose single values are already valid. */
export function checkConsistency(config: HfConfig): ConsistencyProblem[] {
  const problems: ConsistencyProblem[] = [];
  const [hiddenKey, headsKey] =
    config.model_type === 'bert' ? ['hidden_size', 'num_attention_heads'] : ['n_embd', 'n_head'];
  const hidden = config[hiddenKey] as number;
  const heads = config[headsKey] as number;
  if (hidden % heads !== 0) {
    problems.push({
      keys: [headsKey, hiddenKey],
      code: 'bad-value',
      message: `\`${hiddenKey}\` (${hidden}) must be divisible by \`${headsKey}\` (${heads}): every head gets an equal slice of the hidden state`,
    });
  }
  // BERT's pad_token_id is the padding row of the word embedding, so it must be a row.
  const pad = config.pad_token_id;
  if (config.model_type === 'bert' && typeof pad === 'number' && pad >= (config.vocab_size as number)) {
    problems.push({
      keys: ['pad_token_id', 'vocab_size'],
      code: 'bad-value',
      message: `\`pad_token_id\` (${pad}) must be less than \`vocab_size\` (${String(config.vocab_size)}): it is a row of the word embedding`,
    });
  }
  return problems;
}
