/**
 * Workspace trust: in an untrusted workspace the runner loads nothing from a file path — no
 * `config:` file, no `weights:` — because a workspace's files are not the user's to vouch for.
 * Presets with seeded random weights are safe and still run.
 */
import type { Experiment } from '../lab/types';

export function untrustedPaths(experiment: Experiment): string[] {
  const paths: string[] = [];
  for (const m of experiment.models) {
    if (m.weights) paths.push(`${m.name}: weights ${m.weights}`);
    if (m.configSource.includes('/') || m.configSource.includes('\\'))
      paths.push(`${m.name}: config ${m.configSource}`);
  }
  return paths;
}
