/**
 * Progress on stderr: model builds and loads are announced as they start (they take seconds at full
 * size); the rest is shown only once the command has run for more than a second. Model names are the
 * user's text: escaped for the terminal.
 */
import type { ExperimentProgress } from '../lab/experiment/runExperiment';
import { styleFor } from './style';
import { terminalText } from './terminalText';

export function stderrProgress(): { report(p: ExperimentProgress): void; done(): void } {
  const started = Date.now();
  const s = styleFor(process.stderr);
  return {
    report(p) {
      if (p.stage === 'building' || Date.now() - started > 1000)
        process.stderr.write(s.dim(terminalText(`[${p.model}] ${p.message}`)) + '\n');
    },
    done() {
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 1) process.stderr.write(s.dim(`done in ${seconds.toFixed(1)} s`) + '\n');
    },
  };
}

/** A build message of one model (`states`, `export`), escaped like every progress line. */
export function modelProgress(name: string): (message: string) => void {
  return (message) => process.stderr.write(terminalText(`[${name}] ${message}`) + '\n');
}
