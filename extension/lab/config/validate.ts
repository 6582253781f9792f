/**
 * Checks of config keys and values against an architecture. They return problems without a
 * place: the caller knows whether the key was written in the prompt file (point at it) or
 * came from a config.json (point at the `config:` value and name the file).
 */
import type { Architecture, HfConfig, Suggestion } from '../types';
import { moduleOf } from '../models/registry';
import { checkValue, suggestValues } from './checks';
import { listNames } from './diagnostics';
import { ARCHITECTURE_LABEL, configKeyTable } from './configKeys';
import { closestMatch } from './suggest';

export interface KeyProblem {
  code: string;
  message: string;
  suggestion?: Suggestion;
}

/** The keys that shape an architecture, listed when a key is unknown and nothing is close. */
export function forwardKeysOf(architecture: Architecture): string[] {
  return [...configKeyTable(architecture).values()].filter((k) => k.affectsForward).map((k) => k.key);
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
  // User keys are never looked up with `in` or `[]` on plain objects: `constructor` would find Object's.
  const refusedKeys = moduleOf(architecture).refusedKeys;
  const refused = Object.hasOwn(refusedKeys, key) ? refusedKeys[key] : undefined;
  if (refused) return { code: 'not-this-architecture', message: refused };
  const info = configKeyTable(architecture).get(key);
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
  const aliases = moduleOf(architecture).keyAliases;
  const guess =
    (Object.hasOwn(aliases, key) ? aliases[key] : undefined) ??
    closestMatch(key, [...configKeyTable(architecture).keys(), ...otherCandidates]);
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
  return moduleOf(config.model_type)
    .crossKeyProblems(config)
    .map((p) => ({ keys: p.keys, code: 'bad-value', message: p.message }));
}
