/**
 * The results panel's bundle in headless Chromium, fed recorded host messages: layout, escaping,
 * theme variables, CSP, state restore after a reload, a 512-token comparison, and screenshots
 * (light, dark, high contrast) in test-artifacts/webview/ for a person to look at.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { panelHtml } from '../../extension/host/panelHtml';
import type { PanelState } from '../../extension/protocol/webview';
import { repoRoot } from '../helpers/paths';
import {
  applyTheme,
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
  hostileRunMessages,
  IMG_TOKEN,
  INPUT_FAILED,
  largeRunMessages,
  PAD_TOKEN,
  runnerCrashed,
  SEED_BASE,
  SEED_VERDICTS,
  seedOutline,
  seedRunMessages,
} from './recordedMessages';
import { DARK, HIGH_CONTRAST, LIGHT, rgb, type ThemeFixture } from './themes';

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
    'says ready, serves the CSP it was given, and shows the four seed verdicts as they stream in',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
        assert.match(csp ?? '', new RegExp(`script-src 'nonce-${server.lastNonce}'`));
        assert.doesNotMatch(csp ?? '', /unsafe-inline/);

        const messages = seedRunMessages();
        await applyTheme(page, LIGHT);
        // The run starts: four rows wait, Cancel is offered.
        await send(page, messages.slice(0, 5));
        mkdirSync(artifacts(), { recursive: true });
        await page.screenshot({ path: join(artifacts(), 'panel-running-light.png') });
        assert.equal(await page.locator('tr[data-model]').count(), 4);
        assert.equal(await page.locator('[data-action="cancel"]').isVisible(), true);
        assert.match((await page.locator('.status-text').textContent()) ?? '', /Running — 1 of 4 results/);
        await page.locator('[data-action="cancel"]').click();
        await waitForPosted(page, { type: 'cancel', runId: 'run-1' });

        await send(page, messages.slice(5));
        const rows = await page
          .locator('tr[data-model]')
          .evaluateAll((trs) =>
            trs.map((tr) => [tr.getAttribute('data-model'), tr.querySelector('.badge')?.textContent]),
          );
        assert.deepEqual(Object.fromEntries(rows), SEED_VERDICTS);
        assert.equal(await page.locator('[data-action="cancel"]').isVisible(), false);
        assert.match((await page.locator('.status-text').textContent()) ?? '', /Finished in 3\.4 s · 4 of 4 results/);
        // The first result is selected until the user picks another.
        assert.equal(await page.locator('.detail-model').textContent(), 'gpt2');
        assert.deepEqual(panel.pageErrors, []);
        assert.deepEqual(
          await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
          [],
        );
      } finally {
        await panel.close();
      }
    },
  );

  it(
    'shows a clicked cell in detail: diagnosis with its fix, aligned tokens, heatmap, mask, control',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await send(page, seedRunMessages());
        await page.locator('tr[data-model="bert-causal"] .result-cell').click();
        assert.equal(await page.locator('.detail-model').textContent(), 'bert-causal');
        assert.equal(await page.locator('.diagnosis .badge').textContent(), 'nondeterministic');
        const trainMode = page.locator('.finding[data-code="train-mode-dropout"]');
        assert.match(
          (await trainMode.locator('.finding-message').textContent()) ?? '',
          /training mode, so dropout is on/,
        );
        assert.equal(await trainMode.locator('.fix-setting').textContent(), 'mode: eval');
        assert.equal(
          await page.locator('tr[data-model="bert-causal"] .result-cell').getAttribute('aria-pressed'),
          'true',
        );
        assert.match((await page.locator('.control p').textContent()) ?? '', /already differs: max \|Δ\| 4\.2/);

        await page.locator('tr[data-model="bert"] .result-cell').click();
        assert.equal(await page.locator('.diagnosis .badge').textContent(), 'bidirectional');
        assert.equal(
          await page.locator('.finding[data-code="bidirectional-attention"] .fix-setting').textContent(),
          'is_decoder: true',
        );
        assert.deepEqual(await texts(page, '.token.base'), ['<', 'pad', '>', 'ich', 'will', 'ein']);
        assert.deepEqual(await texts(page, '.token.variant'), ['<', 'pad', '>', 'ich', 'will', 'das']);
        assert.equal(await page.locator('.pair.perturbed').getAttribute('data-index'), '5');
        assert.equal(await page.locator('.rule-badge').textContent(), 'bidirectional');
        const canvas = page.locator('.heatmap-canvas');
        assert.equal(await canvas.getAttribute('data-rows'), '13');
        assert.equal(await canvas.getAttribute('data-columns'), '6');
        assert.equal(await page.locator('.mask-canvas').getAttribute('data-size'), '6');

        // Hover: layer 11, position 4 is the largest leak into an earlier position.
        const cellWidth = Number(await canvas.getAttribute('data-cell-width'));
        const cellHeight = Number(await canvas.getAttribute('data-cell-height'));
        const axis = Number(await canvas.getAttribute('data-axis-height'));
        await canvas.hover({
          position: { x: 4 * cellWidth + cellWidth / 2, y: axis + 11 * cellHeight + cellHeight / 2 },
        });
        const tooltip = page.locator('.tooltip');
        await tooltip.waitFor({ state: 'visible' });
        const tip = (await tooltip.textContent()) ?? '';
        for (const part of ['layer 11 · position 4', '`will`', 'max |Δ|0.61', 'cosine distance', 'allclosefalse'])
          assert.ok(tip.includes(part), `tooltip ${JSON.stringify(tip)} lacks ${part}`);
        assert.equal(
          await page.locator('.pair.hover').getAttribute('data-index'),
          '4',
          'hovering a column marks its tokens',
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
    'shows every string of a report as text: `<pad>` and `<img src=x onerror=alert(1)>` stay literal',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await applyTheme(page, DARK);
        await send(page, hostileRunMessages());
        mkdirSync(artifacts(), { recursive: true });
        await page.screenshot({ path: join(artifacts(), 'panel-escaping-dark.png') });
        assert.deepEqual(await texts(page, '.token.base'), [PAD_TOKEN, IMG_TOKEN, 'ein']);
        assert.deepEqual(await texts(page, '.token.variant'), [PAD_TOKEN, IMG_TOKEN, 'das']);
        const body = await page.locator('body').innerText();
        for (const literal of [
          IMG_TOKEN,
          PAD_TOKEN,
          'tiny-<b>bert</b>',
          `${IMG_TOKEN}.prompt`,
          '<script>alert(4)</script>',
        ])
          assert.ok(body.includes(literal), `${literal} shows as text`);
        assert.equal(
          await page.locator('img, b, iframe, object, embed').count(),
          0,
          'no element was made from report text',
        );
        assert.equal(await page.locator('script').count(), 1, 'only the bundle runs');
        assert.deepEqual(panel.dialogs, [], 'no alert fired');
        assert.ok(!server.requests.includes('/x'), 'no image source was requested');
        assert.equal(
          await page.locator('.explanation code').first().textContent(),
          'ein',
          'backticks become <code> around text',
        );
      } finally {
        await panel.close();
      }
    },
  );

  it('says the runner died and why, and lists the messages of an input error', { timeout: TIMEOUT }, async () => {
    const panel = await openPanel(browser, server);
    const { page } = panel;
    try {
      await send(page, seedRunMessages().slice(0, 6));
      await send(page, [runnerCrashed('run-1')]);
      const banner = page.locator('.banner');
      assert.equal(await banner.getAttribute('data-kind'), 'runner-crashed');
      assert.match(
        (await banner.textContent()) ?? '',
        /The runner process died.*signal SIGKILL.*<pad> allocation.*restarts on the next run/,
      );
      assert.equal(
        await page.locator('tr[data-model="gpt2"] .badge').textContent(),
        'causal',
        'results received before the crash stay',
      );

      await send(page, [INPUT_FAILED]);
      assert.equal(await banner.getAttribute('data-kind'), 'input');
      assert.deepEqual(await texts(page, '.banner-details li'), (INPUT_FAILED as { details: string[] }).details);

      await send(page, [{ type: 'runStarted', outline: seedOutline('run-4') }]);
      assert.equal(await banner.isVisible(), false, 'a new run clears the banner');
      assert.equal(
        await page.locator('tr[data-model="gpt2"] .result-cell.stale').count(),
        1,
        "the previous run's result stays, dimmed",
      );
    } finally {
      await panel.close();
    }
  });

  it("a re-run after a FIX shows the model's new settings in its row", { timeout: TIMEOUT }, async () => {
    const panel = await openPanel(browser, server);
    const { page } = panel;
    try {
      await send(page, seedRunMessages());
      const meta = page.locator('tr[data-model="bert-causal"] .model-meta');
      assert.match((await meta.textContent()) ?? '', /train mode/);
      const outline = seedOutline('run-2');
      outline.models = outline.models.map((m) => (m.name === 'bert-causal' ? { ...m, mode: 'eval' } : m));
      await send(page, [{ type: 'runStarted', outline }]);
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
    'draws a 512-token × 13-layer comparison on one canvas of the right size and stays responsive',
    { timeout: TIMEOUT },
    async () => {
      const panel = await openPanel(browser, server, { deviceScaleFactor: 2, height: 1500 });
      const { page } = panel;
      try {
        const started = Date.now();
        await send(page, largeRunMessages());
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
        assert.equal(size.rows, '13');
        assert.equal(size.columns, '513', '512 base positions plus one inserted token');
        assert.equal(size.cssWidth, 513 * size.cellWidth);
        assert.equal(size.cssHeight, size.axis + 13 * size.cellHeight);
        assert.equal(size.width, Math.round(size.cssWidth * 2), 'drawn at the device pixel ratio');
        assert.equal(size.height, Math.round(size.cssHeight * 2));
        assert.equal(await page.locator('.pair').count(), 513);
        // Still answering: a hover in the middle of the long comparison explains its cell.
        await canvas.hover({ position: { x: 256 * size.cellWidth + 1, y: size.axis + 6 * size.cellHeight + 2 } });
        await page.locator('.tooltip').waitFor({ state: 'visible' });
        assert.match((await page.locator('.tooltip-title').textContent()) ?? '', /layer 6 · position 256/);
        console.log(`# 512-token result rendered and answered a hover in ${Date.now() - started} ms`);
        mkdirSync(artifacts(), { recursive: true });
        await applyTheme(page, DARK);
        await page.screenshot({ path: join(artifacts(), 'panel-512-tokens-dark.png') });
      } finally {
        await panel.close();
      }
    },
  );

  describe('themes', () => {
    for (const theme of [LIGHT, DARK, HIGH_CONTRAST]) {
      it(
        `follows the ${theme.name} theme's variables, canvases included, and writes a screenshot`,
        { timeout: TIMEOUT },
        async () => {
          const panel = await openPanel(browser, server, { height: 1640 });
          const { page } = panel;
          try {
            await applyTheme(page, theme);
            await send(page, seedRunMessages());
            await page.locator('tr[data-model="bert"] .result-cell').click();
            await checkThemeColours(page, theme);
            mkdirSync(artifacts(), { recursive: true });
            await page.screenshot({ path: join(artifacts(), `panel-${theme.name}.png`) });
            // A second result per theme: GPT-2's next-token shift, the train-mode noise, the eval-mode causal BERT.
            const other = { light: 'gpt2', dark: 'bert-causal', 'high-contrast': 'bert-causal-eval' }[theme.name];
            await page.locator(`tr[data-model="${other}"] .result-cell`).click();
            await page.screenshot({ path: join(artifacts(), `panel-${theme.name}-${other}.png`) });
          } finally {
            await panel.close();
          }
        },
      );
    }

    it('redraws its canvases when VS Code switches the theme', { timeout: TIMEOUT }, async () => {
      const panel = await openPanel(browser, server);
      const { page } = panel;
      try {
        await applyTheme(page, LIGHT);
        await send(page, seedRunMessages());
        await page.locator('tr[data-model="bert"] .result-cell').click();
        const light = await heatmapPixels(page);
        await applyTheme(page, DARK);
        const dark = await heatmapPixels(page);
        assert.notDeepEqual(light.unchanged, dark.unchanged);
        assert.notDeepEqual(light.changed, dark.changed);
        assert.deepEqual(dark.background, hexBytes(DARK.variables['--vscode-editorWidget-background']));
      } finally {
        await panel.close();
      }
    });
  });
});

function artifacts(): string {
  return join(repoRoot(), 'test-artifacts', 'webview');
}

async function checkThemeColours(page: Page, theme: ThemeFixture): Promise<void> {
  const v = theme.variables;
  const computed = await page.evaluate(() => {
    const style = (selector: string) => getComputedStyle(document.querySelector(selector) as Element);
    return {
      background: style('body').backgroundColor,
      foreground: style('body').color,
      causal: style('tr[data-model="gpt2"] .badge').color,
      bidirectional: style('tr[data-model="bert"] .badge').color,
      nondeterministic: style('tr[data-model="bert-causal"] .badge').color,
      button: style('[data-action="rerun"]').backgroundColor,
      muted: style('.model-meta').color,
      fontFamily: style('body').fontFamily,
    };
  });
  assert.equal(computed.background, rgb(v['--vscode-editor-background']), 'body background is the editor background');
  assert.equal(computed.foreground, rgb(v['--vscode-editor-foreground']));
  assert.equal(computed.causal, rgb(v['--vscode-testing-iconPassed']));
  assert.equal(computed.bidirectional, rgb(v['--vscode-charts-blue']));
  assert.equal(computed.nondeterministic, rgb(v['--vscode-editorWarning-foreground']));
  assert.equal(computed.button, rgb(v['--vscode-button-background']));
  assert.match(computed.fontFamily, /Segoe WPC/);
  const pixels = await heatmapPixels(page);
  assert.deepEqual(
    pixels.background,
    hexBytes(v['--vscode-editorWidget-background']),
    "the canvas is painted with its card's background",
  );
  assert.notDeepEqual(pixels.unchanged, pixels.changed, 'cells at the noise floor look different from changed ones');
}

/** Pixels of the bert heatmap: its background (axis strip), an unchanged cell (layer 0, position 0) and a changed one (layer 12, position 5). */
async function heatmapPixels(page: Page): Promise<{ background: number[]; unchanged: number[]; changed: number[] }> {
  return page.locator('.heatmap-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    const ratio = canvas.width / parseFloat(canvas.style.width);
    const w = Number(canvas.dataset.cellWidth);
    const h = Number(canvas.dataset.cellHeight);
    const axis = Number(canvas.dataset.axisHeight);
    const at = (x: number, y: number) => [
      ...context.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data.slice(0, 3),
    ];
    return {
      background: at(w * 2 + 2, 1),
      unchanged: at(w / 2, axis + h / 2),
      changed: at(5 * w + w / 2, axis + 12 * h + h / 2),
    };
  });
}

function hexBytes(hex: string): number[] {
  const n = parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
