/**
 * How long the dashboard takes in Chromium against a running server, from navigation until every
 * figure and chart has its data: `node test/e2e/dashboard-timing.ts http://localhost:3000 2025`.
 * Not a test (it needs a server holding a county of the size you want to measure); the figures
 * for the 190,000-person demo county are in docs/benchmarks.md.
 */
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const period = process.argv[3] ?? '2025';
const unit = process.argv[4] ?? '620881';
const SETTLED =
  "document.documentElement.dataset.pending === '0' && !document.querySelector('.ant-skeleton, .ant-spin-spinning')";

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
await context.addInitScript(
  ([p, u]) => {
    localStorage.setItem('renkou.period', p!);
    localStorage.setItem('renkou.unit', u!);
  },
  [period, unit],
);
const page = await context.newPage();
for (const run of ['cold', 'warm', 'warm']) {
  const started = Date.now();
  await page.goto(base);
  await page.getByTestId('figure-births').locator('.ant-statistic-content').waitFor();
  const figures = Date.now() - started;
  // Everything: no request in flight (the app counts them on <html data-pending>), no skeleton.
  await page.waitForFunction(SETTLED, undefined, { polling: 10 });
  console.log(`${run}: key figures after ${figures} ms; every chart after ${Date.now() - started} ms`);
}
await page.screenshot({ path: 'test-output/screenshots/dashboard-demo-county.png', fullPage: true });
await browser.close();
