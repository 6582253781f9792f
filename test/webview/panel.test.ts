/**
 * The results panel's bundle in headless Chromium, fed messages recorded from real runs: the answer, the
 * summary and the detail of each outcome (the seed's nondeterministic model shows its control run as the
 * evidence; appending a token; NaN weights; all-zero weights), escaping, CSP, one run of one file after
 * failures and cancels, state restore after a reload, and a 512-token comparison. Layout at real widths and
 * the screenshots are in layout.test.ts.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { panelHtml } from '../../extension/host/panelHtml';
import { formatNumber } from '../../extension/protocol/numbers';
import type { MeasuredResult } from '../../extension/protocol/report';
import type { PanelState, ToWebview } from '../../extension/protocol/webview';
import {
  assertNoPageProblems,
  CHROMIUM,
  launchChromium,
  openPanel,
  posted,
  savedState,
  send,
  servePanel,
  waitForPosted,
  type PanelServer,
} from './panelHarness';
import {
  finishedAt,
  IMG_TOKEN,
  PAD_TOKEN,
  recordedRun,
  resultsOf,
  runnerCrashed,
  SCRIPT_TEXT,
  SEED_BASE,
  SEED_VERDICTS,
  seedRunMessages,
} from './recordedMessages';
import { heatmapCellPixel, heatmapGeometry, hoverCell, tooltipText } from './panelProbes';

const TIMEOUT = 60_000;
let server: PanelServer;
let browser: Browser;

it(`finds Debian's Chromium at ${CHROMIUM} (the panel tests need it: apt-get install chromium)`, () => {
  assert.ok(
    existsSync(CHROMIUM),
    `Chromium is missing at ${CHROMIUM}: install Debian's chromium (scripts/install-test-deps.sh does)`,
  );
});

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();
const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();

describe('panel HTML', () => {
  it('has a strict CSP with a nonce, no inline style or script, and no data', () => {
    const html = panelHtml({
      cspSource: 'https://*.vscode-cdn.net',
      nonce: 'abcDEF0123456789xyz',
      scriptUri: 'https://x.vscode-cdn.net/dist/webview.js',
      styleUri: 'https://x.vscode-cdn.net/media/panel.css',
    });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; style-src https://*.vscode-cdn.net; script-src 'nonce-abcDEF0123456789xyz'; img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net",
    );
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
    assert.doesNotMatch(html, /style=|<style/i, 'no inline styles');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [
      '<script type="module" nonce="abcDEF0123456789xyz" src="https://x.vscode-cdn.net/dist/webview.js">',
    ]);
    assert.throws(() => panelHtml({ cspSource: 'x', nonce: 'short', scriptUri: '', styleUri: '' }), /nonce/);
    assert.throws(
      () =>
        panelHtml({
          cspSource: "x; script-src 'unsafe-inline'",
          nonce: 'abcDEF0123456789xyz',
          scriptUri: '',
          styleUri: '',
        }),
      /CSP source/,
    );
  });
});

describe('results panel in Chromium', () => {
  before(async () => {
    server = await servePanel();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'says ready, answers the seed question in one sentence above the table, and shows the four verdicts as they stream in',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
        assert.match(csp ?? '', new RegExp(`script-src 'nonce-${server.lastNonce}'`));
        const messages = seedRunMessages('run-1');
        const firstResult = messages.findIndex((m) => m.type === 'result');
        await send(page, messages.slice(0, firstResult + 1));
        assert.equal(await page.locator('tr[data-model]').count(), 4);
        assert.equal(await page.locator('[data-action="cancel"]').isVisible(), true);
        assert.equal(await page.locator('[data-action="export"]').isDisabled(), true, 'nothing to export yet');
        assert.match(await text(page, '.status-text'), /Running — 1 of 4 results/);
        assert.match(await text(page, '.answer'), /^gpt2 is causal .*\(1 of 4 models so far\)$/);
        await page.locator('[data-action="cancel"]').click();
        await waitForPosted(page, { type: 'cancel', runId: 'run-1' });

        await send(page, messages.slice(firstResult + 1));
        const rows = await page
          .locator('tr[data-model]')
          .evaluateAll((trs) =>
            trs.map((tr) => [tr.getAttribute('data-model'), tr.querySelector('.badge')?.textContent]),
          );
        assert.deepEqual(Object.fromEntries(rows), SEED_VERDICTS);
        assert.equal(await page.locator('[data-action="cancel"]').isVisible(), false);
        assert.match(await text(page, '.status-text'), /^Finished in [\d.]+ s · 4 of 4 results$/);
        assert.equal(
          await text(page, '.answer'),
          "gpt2 and bert-causal-eval are causal (positions before the edit kept their states); bert-causal can't be judged in train mode (dropout changes even the same input run twice) — set mode: eval; bert reads both ways (no causal mask: the edit changed earlier positions).",
        );
        const order = await page.evaluate(() => {
          const answer = document.querySelector('.answer')!;
          const table = document.querySelector('.summary-table')!;
          return answer.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
        });
        assert.ok(order, 'the answer comes before the table');
        assert.deepEqual(
          await texts(page, 'tr[data-model] .model-meta'),
          [
            'GPT-2 · random weights (seed 0) · causal mask · eval mode · 12 layers',
            'BERT · random weights (seed 0) · causal mask · train mode · 12 layers',
            'BERT · random weights (seed 0) · causal mask · eval mode · 12 layers',
            'BERT · random weights (seed 0) · no causal mask · eval mode · 12 layers',
          ],
          'random weights are said wherever a model is named',
        );
        assert.equal(await page.locator('.detail-model').textContent(), 'gpt2');
        assert.match(
          await text(page, '.next-token-card .random-weights-note'),
          /^Random weights \(seed 0\): these candidates mean nothing as language/,
        );
        assert.equal(await page.locator('[data-action="export"]').isDisabled(), false);
        await assertNoPageProblems(panel);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    "the nondeterministic seed model doesn't contradict itself: change starts at 0, the control run is the evidence, no changed cell is grey",
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, seedRunMessages());
        const cell = page.locator('tr[data-model="bert-causal"] .result-cell');
        const evidence = await cell.locator('.evidence').innerText();
        assert.match(evidence, /^same input twice: 4\.9 at positions 0–4\nthe edit: 4\.9 — no more than noise shows$/);
        assert.doesNotMatch(evidence, /none/);
        await cell.click();
        assert.equal(await page.locator('.diagnosis .badge').textContent(), 'nondeterministic');
        const evidenceList = await page.locator('.evidence-list').innerText();
        assert.match(evidenceList, /first changed position\s+0/);
        assert.match(evidenceList, /same input twice, before the edit\s+4\.9/);
        const trainMode = page.locator('.finding[data-code="train-mode-dropout"]');
        assert.match(
          (await trainMode.locator('.finding-message').textContent()) ?? '',
          /training mode, so dropout is on/,
        );
        assert.deepEqual(
          [
            await trainMode.locator('.fix-label').textContent(),
            await trainMode.locator('.fix-setting').textContent(),
            await trainMode.locator('.fix-description').textContent(),
          ],
          ['Fix', 'mode: eval', 'turns dropout off'],
          'the fix reads once: the setting, then what it does',
        );
        assert.equal(
          await page.locator('.heatmap').count(),
          2,
          'the control run has its own heatmap, on the same scale',
        );
        assert.equal(await page.locator('.heatmap[data-source="control"]').count(), 1);

        // Position 0, layer 5: allclose is False there, so the cell must not be grey "unchanged".
        await hoverCell(page, 0, 5, 0);
        const tip = await tooltipText(page);
        assert.match(tip, /max \|Δ\|[\d.]+ \(the same input twice changes this cell by [\d.]+\)/);
        assert.doesNotMatch(tip, /unchanged|`/);
        assert.match(tip, /allcloseFalse/);
        const pixels = await heatmapCellPixel(page, 0, 5, 0);
        assert.notDeepEqual(pixels.cell, pixels.unchangedSwatch, 'a changed cell is coloured, not grey');
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'shows a clicked cell in detail: fix and option, aligned tokens, heatmap, mask, tooltips without backticks',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, seedRunMessages());
        await page.locator('tr[data-model="bert"] .result-cell').click();
        assert.equal(await page.locator('.diagnosis .badge').textContent(), 'bidirectional');
        const option = page.locator('.finding[data-code="bidirectional-attention"] .finding-fix');
        assert.equal(await option.getAttribute('data-kind'), 'option', 'is_decoder is offered as a choice, not a fix');
        assert.equal(await option.locator('.fix-label').textContent(), 'Option');
        assert.equal(await option.locator('.fix-setting').textContent(), 'is_decoder: true');
        assert.equal(await option.locator('.fix-description').textContent(), 'makes it causal');
        assert.deepEqual(await texts(page, '.token.base'), ['<', 'pad', '>', 'ich', 'will', 'ein']);
        assert.deepEqual(await texts(page, '.token.variant'), ['<', 'pad', '>', 'ich', 'will', 'das']);
        assert.equal(await page.locator('.pair.perturbed').getAttribute('data-index'), '5');
        assert.equal(await page.locator('.rule-badge').textContent(), 'bidirectional');
        const canvas = page.locator('.heatmap-canvas').first();
        assert.equal(await canvas.getAttribute('data-rows'), '13');
        assert.equal(await canvas.getAttribute('data-columns'), '6');
        assert.equal(await page.locator('.heatmap').count(), 1, 'an exact control needs no heatmap of its own');

        await hoverCell(page, 0, 11, 1);
        const tip = await tooltipText(page);
        for (const part of ['layer 11 · position 1', 'pad', 'max |Δ|0.52', 'cosine distance', 'allcloseFalse'])
          assert.ok(tip.includes(part), `tooltip ${JSON.stringify(tip)} lacks ${part}`);
        assert.doesNotMatch(tip, /`/, 'tokens are shown as code, not in backticks');
        assert.equal(await page.locator('.tooltip code.tip-token').first().textContent(), 'pad');
        assert.equal(
          await page.locator('.pair.hover').getAttribute('data-index'),
          '1',
          'hovering a column marks its tokens',
        );
        const titles = await page
          .locator('[title]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
        assert.deepEqual(
          titles.filter((t) => t.includes('`')),
          [],
          'no title shows a literal backtick',
        );
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'appending a token: the new token is where change starts, earlier positions exact, no shift warning',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, recordedRun('append'));
        const gpt2 = await page.locator('tr[data-model="gpt2"] .evidence').innerText();
        assert.match(gpt2, /^positions 0–3: max \|Δ\| 0 \(exact\)\nallclose @0 True · changes from 4 \(new token\)$/);
        assert.match(await page.locator('tr[data-model="bert"] .evidence').innerText(), /changes from 0$/);
        assert.match(
          await text(page, '.explanation'),
          /^Causal: the variant appends Ġtomorrow at position 4 — a new position/,
        );
        assert.equal(await page.locator('.finding[data-code="token-count-changed"]').count(), 0);
        assert.equal(
          await page.locator('.pair.perturbed .token.variant').textContent(),
          'Ġtomorrow',
          'the edit mark is on the new token',
        );
        assert.match(await text(page, '.answer'), /^gpt2 and bert-causal are causal .*; bert reads both ways/);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'lens: and heads: — the logit-lens table and the head grid with its numbers on hover, tokens as text',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const messages = recordedRun('lens');
        await send(page, messages);
        const reported = (model: string) =>
          messages.flatMap((m) =>
            m.type === 'result' && m.result.model === model ? [m.result] : [],
          )[0] as MeasuredResult;
        // Llama: the lens at the last position, one row per stream, the prediction's first top-1 layer marked.
        await page.locator('tr[data-model="llama"] .result-cell').first().click();
        const lens = reported('llama').logitLens!;
        const last = lens.positions.at(-1)!;
        assert.equal(await page.locator('.lens-table tbody tr').count(), lens.layers);
        assert.equal(
          await page.locator('.lens-table tr.lens-first').getAttribute('data-layer'),
          String(last.firstLayer),
        );
        assert.deepEqual(
          await texts(page, '.lens-table tbody tr:last-child td:last-child .candidate-token'),
          last.variant.at(-1)!.map((t) => t.token),
        );
        // Another position: the table follows the list. Where the prediction is top 1 early, drops out and comes
        // back, the caption names both layers.
        await page.locator('.lens-position').selectOption('0');
        assert.equal(await page.locator('.lens-table').getAttribute('data-position'), '0');
        const unsettled = lens.positions.findIndex((p) => p.firstLayer !== p.settledLayer);
        assert.ok(unsettled >= 0, 'the recording has a prediction that drops out and comes back');
        await page.locator('.lens-position').selectOption(String(unsettled));
        assert.match(
          await text(page, '.lens-summary'),
          /first top 1 at (embeddings|layer \d+), for good from layer \d+/,
        );
        // Heads: one row per head, base / variant / difference; causal Llama has no leak head.
        assert.equal(await page.locator('.head-row[data-head]').count(), 4);
        assert.equal(await page.locator('.head-map[data-kind="difference"]').count(), 4);
        assert.match(await text(page, '.leak-none'), /^No head attends from an earlier position/);
        const heads = reported('llama').attentionHeads!;
        const map = page.locator('.head-row[data-head="2"] .head-map[data-kind="variant"]');
        const cell = Number(await map.getAttribute('data-cell'));
        await map.hover({ position: { x: cell * 0.5, y: cell * 3.5 } });
        await page.locator('.tooltip').waitFor({ state: 'visible' });
        const tip = await tooltipText(page);
        assert.match(tip, /^head 2 · variant · query 3 → key 0/);
        assert.ok(tip.includes(formatNumber(heads.variant[2][3][0])), tip);
        // Tiny BERT: bidirectional, its leak heads listed with the tokens as text.
        await page.locator('tr[data-model="tiny-bert"] .result-cell').first().click();
        assert.equal(await page.locator('.lens-card').count(), 0, 'no LM head, no lens');
        const leak = reported('tiny-bert').attentionHeads!.leaks[0];
        assert.match(await text(page, '.leak-list li:first-child'), new RegExp(`^head ${leak.head} `));
        // Marian's decoder layer: cross-attention maps beside the self-attention ones.
        await page.locator('tr[data-model="marian"] .result-cell').first().click();
        assert.equal(await page.locator('.head-map[data-kind="cross-variant"]').count(), 4);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'a click on a heatmap row asks for that layer’s heads; the answer draws them, a failure says why',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        // The recorded run as a plain comparison (no heads in its report), then the runner's answer from the same run.
        const recorded = recordedRun('lens');
        const plain = recorded.map((m) =>
          m.type === 'result' && m.result.kind === 'measured'
            ? { ...m, result: { ...m.result, attentionHeads: undefined } }
            : m,
        );
        await send(page, plain);
        await page.locator('tr[data-model="llama"] .result-cell').first().click();
        assert.equal(await page.locator('.head-row[data-head]').count(), 0);
        assert.match(await text(page, '.heads-status'), /^Click a row of the heatmap/);
        const g = await heatmapGeometry(page, 0);
        await page
          .locator('.heatmap-canvas')
          .first()
          .click({ position: { x: g.cellWidth / 2, y: g.axis + 2 * g.cellHeight + g.cellHeight / 2 } });
        const ask = { type: 'requestHeads', model: 'llama', caseIndex: 0, variantIndex: 0, layer: 1 } as const;
        await waitForPosted(page, ask);
        assert.equal(await text(page, '.heads-status'), 'Computing the heads of block 1…');
        const heads = recorded.flatMap((m) =>
          m.type === 'result' && m.result.kind === 'measured' && m.result.model === 'llama'
            ? [m.result.attentionHeads!]
            : [],
        )[0];
        const { type: _, ...ref } = ask;
        await send(page, [{ type: 'heads', runId: 'lens-run', ...ref, heads }]);
        assert.equal(await page.locator('.head-row[data-head]').count(), 4);
        assert.match(
          await text(page, '.heads-caption'),
          /^Block 1 \(Hugging Face’s attentions\[1\]; it writes hidden_states\[2\]\), every head/,
        );
        // Malformed maps are not drawn; a failure is said where the heads would be.
        await page.evaluate((m) => window.postMessage(m, '*'), {
          type: 'heads',
          runId: 'lens-run',
          ...ref,
          heads: { layer: 'x' },
        });
        await send(page, [
          { type: 'heads', runId: 'lens-run', ...ref, layer: 0, heads: null, message: 'the runner stopped' },
        ]);
        assert.equal(
          await text(page, '.heads-status'),
          'The heads of block 0 could not be computed: the runner stopped',
        );
        assert.match(
          await text(page, '.heads-caption'),
          /^Block 1 \(Hugging Face’s attentions\[1\]; it writes hidden_states\[2\]\), every head/,
        );
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'an encoder-decoder: both stacks’ heatmaps with their rules in words, the cross-attention per layer with tokens as text; a source variant not applicable elsewhere',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const messages = recordedRun('article');
        const [decoderEdit, sourceEdit] = resultsOf(messages).filter(
          (r): r is MeasuredResult => r.model === 'marian' && r.kind === 'measured',
        );
        await send(page, messages);
        assert.deepEqual(await texts(page, 'tr[data-model="marian"] .badge'), ['causal', 'bidirectional']);
        assert.deepEqual(await texts(page, 'tr[data-model="tiny-gpt2"] .badge'), ['causal', 'not-applicable']);
        assert.equal(
          await text(page, 'tr[data-model="marian"] .model-meta'),
          'MarianMT · weights: marian · encoder + causal decoder · eval mode · 2 layers',
        );

        // The decoder edit: the decoder's heatmap with its rule, then the encoder's, unchanged, with its own.
        await page.locator('tr[data-model="marian"] .result-cell').first().click();
        assert.match(await text(page, '.heatmap-card h3'), /decoder's hidden state/);
        assert.equal(
          await text(page, '.heatmap-card .stack-rule'),
          'causal A decoder edit leaves the earlier decoder positions unchanged: the decoder’s self-attention is causal.',
        );
        const encoderCard = '.other-stack-card[data-stack="encoder"]';
        assert.match(await text(page, `${encoderCard} h3`), /encoder's hidden state/);
        assert.equal(
          await text(page, `${encoderCard} .stack-rule`),
          'unchanged A decoder edit cannot reach the encoder: the encoder reads only the source.',
        );
        assert.match(
          await text(page, `${encoderCard} .stack-explanation`),
          /^Encoder: unchanged — the encoder reads only the source/,
        );
        const encoderCanvas = page.locator(`${encoderCard} canvas.heatmap-canvas`);
        assert.equal(await encoderCanvas.getAttribute('data-rows'), '3', 'embeddings and 2 encoder layers');
        assert.equal(await encoderCanvas.getAttribute('data-columns'), '13', 'the 13 source tokens');
        assert.match(
          await text(page, `${encoderCard} .heatmap-legend`),
          /No cell differs by more than float32 rounding/,
        );

        // The cross-attention: the last layer first, decoder tokens down, source tokens across, as text.
        const cross = decoderEdit.crossAttention!;
        const card = page.locator('.cross-attention-card');
        assert.deepEqual(await card.locator('select.cross-layer option').allTextContents(), ['block 0', 'block 1']);
        assert.equal(await card.locator('select.cross-layer').inputValue(), '1');
        const labels = (side: string, axis: string) =>
          card.locator(`.cross-map[data-side="${side}"] .cross-${axis} .cross-label`).allTextContents();
        const encoderStack = decoderEdit.otherStacks[0];
        assert.deepEqual(
          await labels('base', 'rows'),
          decoderEdit.baseTokens.map((t) => t.text),
        );
        assert.deepEqual(
          await labels('variant', 'rows'),
          decoderEdit.variantTokens.map((t) => t.text),
        );
        assert.deepEqual(
          await labels('base', 'columns'),
          encoderStack.baseTokens.map((t) => t.text),
        );
        assert.deepEqual(
          await labels('variant', 'columns'),
          encoderStack.variantTokens.map((t) => t.text),
        );
        assert.deepEqual(
          await card.locator('.cross-map[data-side="variant"] .cross-rows .cross-label.edited').allTextContents(),
          ['▁d', 'as'],
          'the edited decoder tokens are marked',
        );
        assert.equal(await card.locator('.cross-columns .cross-label.edited').count(), 0, 'the source is not edited');
        // `<pad>` and `</s>` are labels as text, never elements.
        assert.equal(await card.locator('pad, s').count(), 0);
        assert.equal(await card.locator('.cross-rows .cross-label').first().innerHTML(), '&lt;pad&gt;');
        const baseCanvas = card.locator('.cross-map[data-side="base"] canvas');
        assert.equal(await baseCanvas.getAttribute('data-rows'), String(cross.base[1].length));
        assert.equal(await baseCanvas.getAttribute('data-columns'), String(cross.base[1][0].length));
        assert.equal(
          await card.locator('.cross-map[data-side="variant"] canvas').getAttribute('data-rows'),
          String(cross.variant[1].length),
        );
        // Hover: the cell's weight, and the other run's at the same tokens.
        const hoverCross = async (side: string, i: number, j: number) => {
          const canvas = card.locator(`.cross-map[data-side="${side}"] canvas`);
          const cell =
            Number((await canvas.evaluate((c: HTMLCanvasElement) => parseFloat(c.style.width))) ?? 0) /
            Number(await canvas.getAttribute('data-columns'));
          await canvas.hover({ position: { x: j * cell + cell / 2, y: i * cell + cell / 2 } });
          await page.locator('.tooltip').waitFor({ state: 'visible' });
          return tooltipText(page);
        };
        let tip = await hoverCross('base', 2, 5);
        assert.match(tip, /^base · block 1 · decoder 2 → source 5/);
        assert.ok(tip.includes(`weight${formatNumber(cross.base[1][2][5])}`), tip);
        const delta = cross.variant[1][2][5] - cross.base[1][2][5];
        assert.ok(
          tip.includes(
            `variant${formatNumber(cross.variant[1][2][5])} (variant − base ${delta >= 0 ? '+' : '−'}${formatNumber(Math.abs(delta))})`,
          ),
          tip,
        );
        tip = await hoverCross('variant', 9, 0);
        assert.match(tip, /decoder 9 → source 0.*no counterpart/, 'the edited token `as` has no base counterpart');
        // Another layer: the maps and the tooltip read it.
        await card.locator('select.cross-layer').selectOption('0');
        assert.equal(await card.getAttribute('data-layer'), null);
        assert.equal(await card.locator('.cross-attention').getAttribute('data-layer'), '0');
        tip = await hoverCross('base', 2, 5);
        assert.match(tip, /^base · block 0 · /);
        assert.ok(tip.includes(`weight${formatNumber(cross.base[0][2][5])}`), tip);

        // The keyboard: the arrow keys walk the cells from the top-left one, with the same tooltip.
        await card.locator('.cross-map[data-side="base"] canvas').focus();
        for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight']) await page.keyboard.press(key);
        tip = await tooltipText(page);
        assert.match(tip, /^base · block 0 · decoder 1 → source 1/);
        assert.ok(tip.includes(`weight${formatNumber(cross.base[0][1][1])}`), tip);
        assert.equal(await card.locator('.cross-map[data-side="base"] .heat-cursor').isVisible(), true);

        // The source edit: the encoder's heatmap with its rule, the decoder changed through cross-attention.
        await page.locator('tr[data-model="marian"] .result-cell').nth(1).click();
        assert.match(await text(page, '.heatmap-card h3'), /encoder's hidden state/);
        assert.equal(
          await text(page, '.heatmap-card .stack-rule'),
          'bidirectional A source edit may change every encoder position: the encoder is bidirectional.',
        );
        assert.deepEqual(await texts(page, '.prompt-texts dt'), ['source', 'source variant']);
        const decoderCard = '.other-stack-card[data-stack="decoder"]';
        assert.equal(
          await text(page, `${decoderCard} .stack-rule`),
          'changed A source edit may change every decoder position: each one reads the whole source through cross-attention.',
        );
        assert.match(
          await text(page, `${decoderCard} .stack-explanation`),
          /^Decoder: changed at all 11 decoder positions/,
        );
        assert.equal(await page.locator(`${decoderCard} canvas.heatmap-canvas`).getAttribute('data-columns'), '11');
        assert.deepEqual(
          await card.locator('.cross-map[data-side="variant"] .cross-columns .cross-label').allTextContents(),
          sourceEdit.variantTokens.map((t) => t.text),
        );
        assert.deepEqual(
          await card.locator('.cross-map[data-side="base"] .cross-columns .cross-label.edited').allTextContents(),
          ['▁c', 'ar'],
        );

        // Not applicable: said, nothing drawn.
        await page.locator('tr[data-model="tiny-gpt2"] .result-cell').nth(1).click();
        assert.match(await text(page, '.detail .explanation'), /^Not applicable: tiny-gpt2 \(GPT-2\) has no encoder/);
        assert.equal(await page.locator('.detail .heatmap-canvas').count(), 0);
        assert.equal(await page.locator('.detail .cross-canvas').count(), 0);
        assert.deepEqual(panel.pageErrors, []);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'activation patching: the grid fills in as rows stream, tokens as text, the target marked, the numbers on hover',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const messages = recordedRun('patching');
        const at = messages.findIndex((m) => m.type === 'patching');
        const full = messages[at] as Extract<ToWebview, { type: 'patching' }>;
        assert.equal(full.ref.model, 'llama');
        const grid = full.patching;
        // The real grid with only its first block computed, as the first pass of a longer grid would send it.
        const partial: ToWebview = { ...full, patching: { ...grid, rows: grid.rows.slice(0, 1) } };
        await send(page, messages.slice(0, at));
        await page.locator('tr[data-model="llama"] .result-cell').first().click();
        assert.equal(await page.locator('.patching-card').isVisible(), false, 'no grid before its first rows');
        await send(page, [partial]);
        assert.equal(await page.locator('.patching-card').isVisible(), true);
        assert.equal(await page.locator('.patching-grid tbody tr').count(), grid.layers);
        assert.equal(await page.locator('.patching-grid tbody tr.patch-pending').count(), grid.layers - 1);
        assert.match(await text(page, '.patching-caption'), new RegExp(`1 of ${grid.layers} blocks computed`));
        await send(page, messages.slice(at));
        assert.equal(await page.locator('.patching-grid tbody tr.patch-pending').count(), 0);
        const result = messages.find(
          (m): m is Extract<ToWebview, { type: 'result' }> => m.type === 'result' && m.result.model === 'llama',
        )!.result;
        assert.equal(result.kind, 'measured');
        if (result.kind !== 'measured') return;
        // Column labels are the base's tokens, as text; the target column (the last token) is marked.
        assert.deepEqual(
          await texts(page, '.patching-grid thead .patch-col'),
          result.baseTokens.map((t) => t.text),
        );
        assert.equal(
          await page.locator('.patching-grid thead .patch-target').getAttribute('data-column'),
          String(grid.target),
        );
        // The edited tokens' columns are marked, as the token strip marks them.
        assert.deepEqual(
          await texts(page, '.patching-grid thead .patch-edited'),
          result.alignment.pairs.filter((p) => p.kind === 'changed').map((p) => result.baseTokens[p.base!].text),
        );
        // Fractions beyond ±1 (the colour stops there) are outlined and counted, those within rounding excepted.
        const last = (messages.filter((m) => m.type === 'patching' && m.ref.model === 'llama').at(-1) as typeof full)
          .patching;
        const overshooting = last.rows
          .flatMap((r) => r.effect.map((e, c) => ({ e, f: r.fraction?.[c] })))
          .filter(({ e, f }) => typeof f === 'number' && Math.abs(f) > 1 && (e ?? 0) > last.roundingFloor).length;
        assert.ok(overshooting > 0, 'the recording has an overshooting cell');
        // The cells not run (the base's own input) are dotted, told apart from small effects.
        assert.equal(await page.locator('.patching-grid .patch-not-run').count(), last.skipped);
        assert.ok(last.skipped > 0);
        assert.equal(await page.locator('.patching-grid .patch-overshoot').count(), overshooting);
        assert.match(await text(page, '.patching-legend'), new RegExp(`Outlined: ${overshooting} cells? beyond ±1`));
        assert.equal(await page.locator('.patching-grid tbody tr').first().locator('.patch-target').count(), 1);
        // The edited position at block 0 restores all of the variant's logit change: red, and said on hover.
        const edit = result.frontier.firstPerturbed!;
        const cell = page.locator(`.patch-cell[data-layer="0"][data-column="${edit}"]`);
        await cell.hover();
        await page.locator('.tooltip').waitFor({ state: 'visible' });
        const tip = await tooltipText(page);
        assert.match(tip, new RegExp(`block 0, position ${edit}`));
        assert.match(tip, /fraction restored1(?![\d.])/);
        const colour = (selector: string) =>
          page.locator(selector).evaluate((e) => getComputedStyle(e).backgroundColor);
        assert.notEqual(
          await colour(`.patch-cell[data-layer="0"][data-column="${edit}"]`),
          await colour(`.patch-cell[data-layer="0"][data-column="0"]`),
          'a cell that restores everything is coloured unlike one that restores nothing',
        );
        // The heads grid of the second entry: a column per head.
        await page.locator('tr[data-model="llama-heads"] .result-cell').first().click();
        assert.deepEqual(await texts(page, '.patching-grid thead .patch-col'), ['h0', 'h1', 'h2', 'h3']);
        await assertNoPageProblems(panel);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'activation patching of an encoder-decoder: a source edit patched into the encoder, measured at the decoder',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const messages = recordedRun('patchingSeq2seq');
        await send(page, messages);
        const results = messages.filter((m): m is Extract<ToWebview, { type: 'result' }> => m.type === 'result');
        const source = results.find((m) => m.result.edits === 'encoder')!.result;
        assert.equal(source.kind, 'measured');
        if (source.kind !== 'measured') return;
        await page.locator('tr[data-model="marian"] .result-cell').nth(1).click();
        // Columns are the source's tokens; the target is a decoder position, so no column is marked.
        assert.deepEqual(
          await texts(page, '.patching-grid thead .patch-col'),
          source.baseTokens.map((t) => t.text),
        );
        assert.equal(await page.locator('.patching-grid .patch-target').count(), 0);
        assert.match(await text(page, '.patching-caption'), /the encoder’s block l .* at the decoder’s position \d+/);
        // The decoder edit: the decoder's positions, the target marked.
        await page.locator('tr[data-model="marian"] .result-cell').first().click();
        assert.equal(await page.locator('.patching-grid thead .patch-target').count(), 1);
        assert.match(await text(page, '.patching-caption'), /the decoder’s block l/);
        // Heads patching of each stack: a column per self-attention head of the stack the variant edits.
        for (const [nth, stack] of [
          [0, 'decoder'],
          [1, 'encoder'],
        ] as const) {
          await page.locator('tr[data-model="marian-heads"] .result-cell').nth(nth).click();
          assert.deepEqual(await texts(page, '.patching-grid thead .patch-col'), ['h0', 'h1', 'h2', 'h3']);
          assert.match(
            await text(page, '.patching-caption'),
            new RegExp(`one head’s self-attention output in the ${stack}’s block l`),
          );
        }
        // Cross-attention heads after the decoder edit: every cell within float32 rounding, drawn and said as such.
        await page.locator('tr[data-model="marian-cross"] .result-cell').first().click();
        assert.equal(await page.locator('.patching-grid .patch-rounding').count(), 8);
        assert.match(await text(page, '.patching-caption'), /base [\d.]+, variant [\d.]+, a change of [\d.e-]+;/);
        assert.match(
          await text(page, '.patching-legend'),
          /Every cell that moved the output did so within float32 rounding \(≤ [\d.e-]+\): drawn as no effect/,
        );
        // Cross-attention heads: the decoder's, for the source edit too.
        await page.locator('tr[data-model="marian-cross"] .result-cell').nth(1).click();
        assert.deepEqual(await texts(page, '.patching-grid thead .patch-col'), ['h0', 'h1', 'h2', 'h3']);
        assert.match(
          await text(page, '.patching-caption'),
          /one head’s cross-attention output in the decoder’s block l .* at position \d+/,
        );
        assert.deepEqual(panel.pageErrors, []);
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'NaN weights are non-finite (never causal), named, and drawn as no number; all-zero weights are undetermined',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, recordedRun('numerics'));
        assert.equal(await page.locator('tr[data-model="nan-gpt2"] .badge').textContent(), 'non-finite');
        assert.match(
          await page.locator('tr[data-model="nan-gpt2"] .evidence').innerText(),
          /^NaN from layer 1 on\ntransformer\.h\.0\.attn\.c_attn\.weight in the checkpoint$/,
        );
        assert.equal(
          await text(page, 'tr[data-model="nan-gpt2"] .model-meta'),
          'GPT-2 · weights: nan-gpt2 · causal mask · eval mode · 2 layers',
        );
        assert.match(
          await text(page, '.explanation'),
          /transformer\.h\.0\.attn\.c_attn\.weight holds NaN \(7 values\)/,
        );
        await hoverCell(page, 0, 1, 0);
        assert.match(await tooltipText(page), /max \|Δ\|NaN in the base, control and variant state: not measured/);
        const pixels = await heatmapCellPixel(page, 0, 1, 0);
        assert.notDeepEqual(pixels.cell, pixels.unchangedSwatch, 'a NaN cell is never the grey of "unchanged"');
        assert.equal(
          await page.locator('.next-token-card p').first().textContent(),
          'The base and variant logits hold NaN or Inf, so no distribution can be formed.',
        );
        assert.equal(await page.locator('tr[data-model="zero-bert"] .badge').textContent(), 'undetermined');
        await page.locator('tr[data-model="zero-bert"] .result-cell').click();
        assert.equal(
          await page.locator('.finding[data-code="nothing-changed"] .fix-setting').textContent(),
          'initializer_range: 0.02',
        );
      } finally {
        await panel.close();
      }
    },
  );

  it("posts Re-run, Export JSON, Reveal model and a finding's FIX to the host", { timeout: TIMEOUT }, async () => {
    const panel = await openPanel(browser, server);
    const { page } = panel;
    try {
      await send(page, seedRunMessages());
      await page.locator('[data-action="rerun"]').click();
      await page.locator('[data-action="export"]').click();
      await page.locator('tr[data-model="bert"] .model-link').click();
      await page.locator('tr[data-model="bert-causal"] .result-cell').click();
      await page.locator('.finding[data-code="train-mode-dropout"] .fix-apply').click();
      const sent = await posted(page);
      assert.deepEqual(sent.slice(-4), [
        { type: 'rerun' },
        { type: 'exportJson' },
        { type: 'revealModel', model: 'bert' },
        { type: 'applyFix', model: 'bert-causal', caseIndex: 0, variantIndex: 0, code: 'train-mode-dropout' },
      ]);
    } finally {
      await panel.close();
    }
  });

  it(
    'shows every string of a real report as text: `<pad>`, `<img src=x onerror=alert(1)>`, `<script>` stay literal',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, recordedRun('hostile'));
        const body = await page.locator('body').innerText();
        for (const literal of [IMG_TOKEN, PAD_TOKEN, SCRIPT_TEXT, 'tiny-<b>bert</b>', `${IMG_TOKEN}.prompt`])
          assert.ok(body.includes(literal), `${literal} shows as text`);
        assert.ok((await texts(page, '.token.base')).includes('<'), 'markup characters are tokens shown as text');
        assert.equal(
          await page.locator('img, b, iframe, object, embed').count(),
          0,
          'no element was made from report text',
        );
        assert.equal(await page.locator('script').count(), 1, 'only the bundle runs');
        assert.deepEqual(panel.dialogs, [], 'no alert fired');
        assert.ok(!server.requests.includes('/x'), 'no image source was requested');
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'shows one run of one file: a crash keeps only its own results, another file starts empty, an input error stands alone',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const seed = seedRunMessages('run-1');
        const firstResult = seed.findIndex((m) => m.type === 'result');
        await send(page, seed.slice(0, firstResult + 1));
        await send(page, [runnerCrashed('run-1')]);
        const banner = page.locator('.banner');
        assert.equal(await banner.getAttribute('data-kind'), 'runner-crashed');
        assert.match(
          (await banner.textContent()) ?? '',
          /The runner process died.*SIGKILL.*<pad> allocation.*restarts on the next run/,
        );
        assert.equal(await text(page, 'tr[data-model="gpt2"] .badge'), 'causal', 'results this run received stay');
        assert.match(await text(page, '.status-text'), /^Failed · 1 of 4 results$/);

        // Another file fails before its runner has read it: nothing of the seed may stay under its name.
        await send(page, recordedRun('inputError', 'run-2'));
        assert.equal(await text(page, '.file-name'), 'broken.prompt');
        assert.equal(await banner.getAttribute('data-kind'), 'input');
        assert.match((await texts(page, '.banner-details li'))[0], /did you mean n_layer\?$/);
        assert.equal(await page.locator('.banner-details li code').last().textContent(), 'n_layer');
        assert.equal(await page.locator('tr[data-model]').count(), 0, "no other file's rows");
        assert.equal(await page.locator('.detail').isVisible(), false, "no other file's detail");
        assert.equal(await page.locator('.answer').isVisible(), false);
        assert.equal(await text(page, '.status-text'), 'Failed · no results');

        // The seed again, cancelled half-way: only what this run produced stays.
        await send(page, seedRunMessages('run-3').slice(0, firstResult + 1));
        await send(page, [{ type: 'runFailed', runId: 'run-3', kind: 'cancelled', message: 'cancelled' }]);
        assert.equal(await banner.getAttribute('data-kind'), 'cancelled');
        assert.equal(await page.locator('.result-cell .badge').count(), 1);
        assert.equal(await page.locator('.stale').count(), 0, 'nothing left over from an earlier run');
      } finally {
        await panel.close();
      }
    },
  );

  it("a re-run after a FIX shows the model's new settings in its row", { timeout: TIMEOUT }, async () => {
    const panel = await openPanel(browser, server);
    const { page } = panel;
    try {
      await send(page, seedRunMessages());
      const meta = page.locator('tr[data-model="bert-causal"] .model-meta');
      assert.match((await meta.textContent()) ?? '', /train mode/);
      const outline = seedRunMessages('run-2').find((m) => m.type === 'outline');
      assert.ok(outline?.type === 'outline');
      const models = outline.models.map((m) => (m.name === 'bert-causal' ? { ...m, mode: 'eval' as const } : m));
      await send(page, [
        { type: 'runStarted', run: { runId: 'run-2', file: 'examples/encoder-vs-decoder.prompt' } },
        { ...outline, models },
      ]);
      assert.match((await meta.textContent()) ?? '', /eval mode/);
    } finally {
      await panel.close();
    }
  });

  it('restores its content from the saved state after a reload', { timeout: TIMEOUT }, async () => {
    const panel = await openPanel(browser, server);
    const { page } = panel;
    try {
      await send(page, seedRunMessages());
      await page.locator('tr[data-model="bert-causal-eval"] .result-cell').click();
      const state = (await savedState(page)) as PanelState;
      assert.equal(state.outline?.file, 'examples/encoder-vs-decoder.prompt');
      assert.equal(state.results.length, 4);
      assert.deepEqual(state.selected, { model: 'bert-causal-eval', caseIndex: 0, variantIndex: 0 });
      assert.equal(state.status.kind, 'finished');

      await page.reload();
      await waitForPosted(page, { type: 'ready' });
      assert.equal(await page.locator('tr[data-model]').count(), 4);
      assert.equal(await page.locator('.detail-model').textContent(), 'bert-causal-eval');
      assert.equal(await page.locator('.diagnosis .badge').textContent(), 'causal');
      assert.equal(await page.locator('.file-name').textContent(), 'encoder-vs-decoder.prompt');
      assert.ok(((await page.locator('.prompt-texts').textContent()) ?? '').includes(SEED_BASE));
    } finally {
      await panel.close();
    }
  });

  it(
    'draws a 512-token × 3-layer comparison on one canvas of the right size and stays responsive',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server, { deviceScaleFactor: 2, height: 1500 });
      const { page } = panel;
      try {
        const started = Date.now();
        const messages: ToWebview[] = recordedRun('long');
        assert.equal(finishedAt(messages), messages.length - 1);
        await send(page, messages);
        const canvas = page.locator('.heatmap-canvas');
        await page.waitForFunction(
          () => Number(document.querySelector<HTMLCanvasElement>('.heatmap-canvas')?.dataset.cellWidth) > 0,
        );
        const size = await canvas.evaluate((c: HTMLCanvasElement) => ({
          rows: c.dataset.rows,
          columns: c.dataset.columns,
          cellWidth: Number(c.dataset.cellWidth),
          cellHeight: Number(c.dataset.cellHeight),
          axis: Number(c.dataset.axisHeight),
          width: c.width,
          height: c.height,
          cssWidth: parseFloat(c.style.width),
          cssHeight: parseFloat(c.style.height),
        }));
        assert.equal(size.rows, '3');
        assert.equal(size.columns, '513', '512 base positions plus one inserted token');
        assert.equal(size.cssWidth, 513 * size.cellWidth);
        assert.equal(size.cssHeight, size.axis + 3 * size.cellHeight);
        assert.equal(size.width, Math.round(size.cssWidth * 2), 'drawn at the device pixel ratio');
        assert.equal(size.height, Math.round(size.cssHeight * 2));
        assert.equal(await page.locator('.pair').count(), 513);
        await canvas.hover({ position: { x: 256 * size.cellWidth + 1, y: size.axis + 2 * size.cellHeight + 2 } });
        await page.locator('.tooltip').waitFor({ state: 'visible' });
        assert.match((await page.locator('.tooltip-title').textContent()) ?? '', /layer 2 · position 256/);
        console.log(`# 512-token result rendered and answered a hover in ${Date.now() - started} ms`);
      } finally {
        await panel.close();
      }
    },
  );
});
