/**
 * Download progress for the command line: on a terminal, one line redrawn in place (a bar, bytes of total,
 * the file, the speed), at most ten times a second; elsewhere (a pipe, a CI log) plain lines, one when a file
 * starts and one when it is done, never carriage returns or escape codes. Names from a repo are escaped so a
 * hostile file name cannot write to the terminal.
 */
import { formatBytes, type HubProgress, quoteName } from '../lab/hub';

/** The part of a stream the progress needs (stderr in the CLI; a fake in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface DownloadProgress {
  report(p: HubProgress): void;
  /** Ends the display: clears the bar and prints one summary line if anything was downloaded. */
  done(): void;
}

const REDRAW_MS = 100;

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function downloadProgress(
  stream: ProgressStream,
  label: string,
  now: () => number = Date.now,
): DownloadProgress {
  const name = quoteName(label, 60);
  const tty = Boolean(stream.isTTY);
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let bytes = 0;
  const announced = new Set<string>();

  const draw = (p: Extract<HubProgress, { kind: 'bytes' }>) => {
    const seconds = (now() - started) / 1000;
    const speed = seconds > 0 ? `${formatBytes(p.bytes / seconds)}/s` : '';
    const percent = p.total > 0 ? Math.floor((100 * p.bytes) / p.total) : 100;
    const text = `${formatBytes(p.bytes)} / ${formatBytes(p.total)} ${percent}% · ${quoteName(p.file, 40)} ${speed}`;
    const columns = stream.columns ?? 80;
    const width = Math.max(10, Math.min(30, columns - name.length - text.length - 5));
    const line = `${name} ${bar(p.total > 0 ? p.bytes / p.total : 1, width)} ${text}`;
    stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    drawn = true;
  };

  return {
    report(p) {
      switch (p.kind) {
        case 'checking':
          if (!tty) stream.write(`${name}: asking the Hub about ${quoteName(p.repoId)}@${quoteName(p.revision)}\n`);
          return;
        case 'waiting':
          if (tty && drawn) stream.write('\r\x1b[2K');
          stream.write(`${name}: waiting for another download of ${quoteName(p.file)}\n`);
          drawn = false;
          return;
        case 'bytes':
          bytes = p.bytes;
          if (!tty) {
            if (!announced.has(p.file)) {
              announced.add(p.file);
              stream.write(`${name}: downloading ${quoteName(p.file)} (${formatBytes(p.fileTotal)})\n`);
            }
            return;
          }
          if (now() - lastDraw >= REDRAW_MS || p.bytes === p.total) {
            lastDraw = now();
            draw(p);
          }
          return;
        case 'file-done':
          bytes = p.bytes;
          if (!tty)
            stream.write(`${name}: ${quoteName(p.file)} done (${formatBytes(p.bytes)} of ${formatBytes(p.total)})\n`);
          return;
      }
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[2K');
      if (bytes > 0) {
        const seconds = (now() - started) / 1000;
        stream.write(`${name}: downloaded ${formatBytes(bytes)} in ${seconds.toFixed(1)} s\n`);
      }
    },
  };
}
