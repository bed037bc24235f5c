/**
 * How long the dashboard takes in Chromium against a running server, from navigation until every
 * figure and chart has its data:
 *
 *   RENKOU_USERNAME=… RENKOU_PASSWORD=… node test/e2e/dashboard-timing.ts http://localhost:3000 2025 [UNIT] [RUNS]
 *
 * Not a test (it needs a server holding a county of the size you want to measure); the figures
 * for the 190,000-person demo county are in docs/benchmarks.md. Each "first visit" is a new
 * browser context — empty HTTP cache and localStorage (so the org tree is fetched too) — signed in
 * through the API beforehand, as someone who has just signed in on a new PC; "later visits" reload
 * the page in the same context (assets cached, org tree in localStorage). Without a username the
 * server is taken to be in open mode (no access control).
 */
import { type BrowserContext, chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const period = process.argv[3] ?? '2025';
const unit = process.argv[4] ?? '620881';
const runs = Number(process.argv[5] ?? 3);
const SETTLED =
  "document.documentElement.dataset.pending === '0' && !document.querySelector('.ant-skeleton, .ant-spin-spinning')";

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
  await context.addInitScript(
    ([p, u]) => {
      if (!localStorage.getItem('renkou.period')) localStorage.setItem('renkou.period', p!);
      if (!localStorage.getItem('renkou.unit')) localStorage.setItem('renkou.unit', u!);
    },
    [period, unit],
  );
  if (process.env.RENKOU_USERNAME) {
    const response = await context.request.post(`${base}/api/auth/login`, {
      data: { username: process.env.RENKOU_USERNAME, password: process.env.RENKOU_PASSWORD ?? '' },
    });
    if (!response.ok()) throw new Error(`sign-in answered ${response.status()}: ${await response.text()}`);
  }
  return context;
}

/** One visit: ms until the key figures show, until everything is in; requests and bytes sent. */
async function visit(context: BrowserContext, page = context.pages()[0]) {
  const target = page ?? (await context.newPage());
  let requests = 0;
  let api = 0;
  let bytes = 0;
  const count = (response: import('playwright-core').Response) => {
    requests++;
    if (new URL(response.url()).pathname.startsWith('/api/')) api++;
    const length = Number(response.headers()['content-length'] ?? 0);
    bytes += length;
  };
  target.on('response', count);
  const started = Date.now();
  await target.goto(base);
  await target.getByTestId('figure-births').locator('.ant-statistic-content').waitFor({ timeout: 60_000 });
  const figures = Date.now() - started;
  await target.waitForFunction(SETTLED, undefined, { polling: 10, timeout: 60_000 });
  const everything = Date.now() - started;
  target.off('response', count);
  return { page: target, figures, everything, requests, api, kB: Math.round(bytes / 1024) };
}

for (let run = 1; run <= runs; run++) {
  const context = await newContext();
  const first = await visit(context);
  console.log(
    `first visit ${run}: key figures ${first.figures} ms, everything ${first.everything} ms ` +
      `(${first.requests} responses, ${first.api} to /api, ${first.kB} kB compressed)`,
  );
  const later = await visit(context, first.page);
  console.log(
    `later visit ${run}: key figures ${later.figures} ms, everything ${later.everything} ms ` +
      `(${later.requests} responses, ${later.api} to /api)`,
  );
  if (run === runs)
    await first.page.screenshot({ path: 'test-output/screenshots/dashboard-demo-county.png' });
  await context.close();
}
await browser.close();
