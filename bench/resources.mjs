// The resource plan's benchmark rows (run by bench/run.mjs): a long bert-base case that used to run as one
// batch (486 tokens × 20 variants, eval and train mode) and 20 000 variants of a small model, each a whole
// CLI process with its peak resident memory. The "before" figures are the same files on commit 6d6b04b,
// measured by hand on this machine (see bench/calibration.md).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BEFORE = {
  eval: 'before: one batch of 22, 12.4 s, 5.6 GB',
  train: 'before: one batch of 22, 22.5 s, 9.3 GB',
  many: 'before: one batch; 5 000 variants alone took 12.7 s and 3.5 GB (now 11.8 s, 353 MB)',
};

/** A bert-base case of about 500 tokens and 20 variants, each changing one word in the middle. */
function longCase(mode) {
  const words =
    'the history of the city began with a small settlement near the river where farmers and traders met to exchange grain cloth and tools'.split(
      ' ',
    );
  const text = Array.from({ length: 480 }, (_, i) => words[i % words.length]);
  const subs =
    'village town market harbor castle bridge temple garden forest valley mountain island library school church palace tower field road gate'.split(
      ' ',
    );
  const variants = subs.map((s, k) => '~ ' + text.map((w, i) => (i === 200 + k * 10 ? s : w)).join(' '));
  return `---\nmodels:\n  - name: bert\n    config: bert-base-uncased\nmode: ${mode}\n---\n${text.join(' ')}\n${variants.join('\n')}\n`;
}

/** One base and 20 000 variants for a 2-layer GPT-2 of width 32 (GPT-2's tokenizer and vocabulary). */
function manyVariants() {
  const animals = 'cat dog bird fish horse mouse lion tiger bear wolf'.split(' ');
  const variants = Array.from(
    { length: 20000 },
    (_, i) => `~ the quick brown ${animals[i % 10]} jumps over the lazy ${animals[Math.floor(i / 10) % 10]} ${i}`,
  );
  return `---\nmodels:\n  - name: small\n    config: gpt2\n    n_layer: 2\n    n_embd: 32\n    n_head: 4\nmode: eval\n---\nthe quick brown fox jumps over the lazy dog\n${variants.join('\n')}\n`;
}

export function resourceRows(timedCli, dir) {
  const rows = [];
  for (const mode of ['eval', 'train']) {
    const file = join(dir, `long-${mode}.prompt`);
    writeFileSync(file, longCase(mode));
    const r = timedCli(['compare', file], dir);
    rows.push([
      `bert-base, 486 tokens × 20 variants, ${mode} mode, CLI (model cached)`,
      `${r.seconds.toFixed(1)} s`,
      `${r.mb.toFixed(0)} MB`,
      `${r.passes}; target ≤ 2 GB; ${BEFORE[mode]}`,
    ]);
  }
  const file = join(dir, 'many.prompt');
  writeFileSync(file, manyVariants());
  const r = timedCli(['compare', file], dir);
  rows.push([
    '20 000 variants of a 2-layer GPT-2 (width 32), CLI, to the end',
    `${r.seconds.toFixed(0)} s`,
    `${r.mb.toFixed(0)} MB`,
    `${r.passes}; ${BEFORE.many}`,
  ]);
  return rows;
}
