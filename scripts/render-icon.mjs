#!/usr/bin/env node
// Renders media/icon-extension.svg into media/icon.png (128×128, transparent corners), the extension's icon in
// the Extensions view and the Marketplace (package.json `icon`: VS Code wants a PNG there, not an SVG). Uses
// Debian's headless Chromium through playwright-core, as the panel tests do. Run it after editing the SVG and
// commit both: `node scripts/render-icon.mjs`.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const media = join(dirname(fileURLToPath(import.meta.url)), '..', 'media');
const svg = readFileSync(join(media, 'icon-extension.svg'), 'utf8');
const size = 128;

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(media, 'icon.png'), omitBackground: true });
  console.log(`wrote ${join(media, 'icon.png')}`);
} finally {
  await browser.close();
}
