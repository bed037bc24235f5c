/**
 * The web app in a real browser: Debian's Chromium driven by playwright-core, against a real
 * server (`renkou start`) on a scratch PGlite directory holding a small synthetic county that the
 * server generates on its first start. Run with `npm run test:e2e`; screenshots of each main page
 * land in test-output/screenshots/ (git-ignored) to be looked at.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { EntitlementListRow } from '../../src/benefits/index.ts';
import type { CompletenessReport } from '../../src/completeness/birth-counts.ts';
import { composeResidentId } from '../../src/domain/resident-id.ts';
import type { DataCheckTaskDetails, WorkTask } from '../../src/feeds/work-tasks.ts';
import type { SearchHit } from '../../src/registry/queries/search-persons.ts';
import { ROOT, runRenkou } from '../helpers/cli.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const PERSONS = 3000;

let server: ChildProcess | undefined;
let output = '';
let port: number;
let signInNeeded = false;
const USER = 'e2e';
const PASSWORD = 'Huating-Browser-2026!';
let dataDir: string;
let base: string;
let browser: Browser;
let page: Page;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function serverEnv(): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: '',
    RENKOU_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    RENKOU_DEMO_PERSONS: String(PERSONS),
    RENKOU_DEMO_SEED: '7',
    LOG_LEVEL: 'warn',
  };
}

/** `renkou start` on the scratch directory; its first start generates the synthetic county. */
async function startServer() {
  port ??= await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...serverEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  server.stderr!.on('data', (chunk) => {
    output += chunk;
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server!.on('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

/** A POST as the browser's user (with the session's CSRF token once sign-in exists). */
async function apiPostAs<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (signInNeeded) headers['x-csrf-token'] = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
  const response = await page.request.post(`${base}${path}`, { data: body, headers });
  assert.ok(response.ok(), `${path} answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Whether the server has a route (anything but "no such route"). */
async function routeExists(path: string): Promise<boolean> {
  const response = await fetch(`${base}${path}`);
  if (response.status !== 404) return true;
  const body = (await response.json()) as { error?: { messages?: { en?: string } } };
  return !String(body.error?.messages?.en ?? '').startsWith('No such route');
}

/** A GET as the browser's user (with its session once sign-in exists), or anonymously before it opens. */
async function api<T>(path: string): Promise<T> {
  if (page) {
    const response = await page.request.get(`${base}${path}`);
    assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
    return (await response.json()) as T;
  }
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, `${path} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Waits until the server answers and (on its first start) has generated its demo county. */
async function waitForDemo(log: () => string, firstStart = true) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const health = await api<{ demo?: { state: string } }>('/api/health');
      if (health.demo?.state === 'ready' || !firstStart) return;
      if (health.demo?.state === 'failed') throw new Error('demo generation failed');
    } catch (error) {
      if ((error as Error).message === 'demo generation failed') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`server not ready in time:\n${log()}`);
}

/** Waits until the page has its data: no request in flight (the app counts them) and no skeleton, twice. */
/**
 * A user's first sign-in on a page of their own: the administrator's initial password, then a
 * new one, as the server demands; returns on the dashboard.
 */
async function firstSignIn(other: Page, username: string, initial: string, fresh: string) {
  await other.goto(`${base}/sign-in`);
  await other.getByLabel('用户名').fill(username);
  await other.getByLabel('密码').fill(initial);
  await other.getByRole('button', { name: /登\s*录/ }).click();
  await other.getByLabel('管理员给的初始密码').fill(initial);
  await other.getByLabel('新密码', { exact: true }).fill(fresh);
  await other.getByLabel('再次输入新密码').fill(fresh);
  await other.getByRole('button', { name: /修改密码/ }).click();
  await other.getByTestId('figure-births').locator('.ant-statistic-content').waitFor();
}

/**
 * Imports a two-row service file on the services page; returns the report, checked to hold one
 * row written and one rejected.
 */
async function importServiceFile(other: Page, name: string, csv: string) {
  await other.goto(`${base}/services`);
  await other.getByText('导入服务机构的导出文件').waitFor();
  await other
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const report = other.getByTestId('service-import-report');
  await report.waitFor();
  assert.match(
    (await report.locator('.ant-descriptions').textContent()) ?? '',
    /总行数\s*2.*成功\s*1.*已导入过\s*0.*拒收\s*1/,
  );
  return report;
}

async function settle() {
  for (let i = 0; i < 2; i++) {
    await page.waitForTimeout(150);
    await page.waitForFunction(
      "(document.documentElement.dataset.pending ?? '0') === '0' && !document.querySelector('.ant-skeleton, .ant-spin-spinning')",
    );
  }
}

/** Saves a screenshot of the page once it has all its data. */
async function shot(name: string) {
  await settle();
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function today(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

async function birthsThisYear(): Promise<number> {
  const result = await api<{ values: { value: number }[] }>(
    `/api/indicators/births?unit=620881&period=${today().slice(0, 4)}`,
  );
  return result.values[0]!.value;
}

/** Delivers a one-row birth-certificate file (as the hospital would, through the API) and links it. */
async function deliverUnsureBirthCertificate() {
  const year = Number(today().slice(0, 4)) - 6;
  const births = await api<{ items: { personId: number }[] }>(
    `/api/indicators/births/records?unit=620881&period=${year}`,
  );
  const child = await api<{
    person: { id: number; name: string; sex: string; birthDate: string };
    relatives: { relation: string; name: string }[];
  }>(`/api/persons/${births.items[0]!.personId}`);
  const mother = child.relatives.find((r) => r.relation === 'mother')!;
  const later = new Date(Date.parse(child.person.birthDate) + 30 * 86_400_000).toISOString().slice(0, 10);
  const csv = [
    '出生医学证明编号,新生儿姓名,性别,出生日期,母亲姓名,母亲身份证件号码,父亲姓名,父亲身份证件号码,家庭住址,出生医院,签发日期',
    `E2E${child.person.id},${child.person.name},${child.person.sex === 'male' ? '男' : '女'},${later},${mother.name},,,,,华亭市妇幼保健院,${later}`,
  ].join('\n');
  const csrf = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
  const response = await page.request.post(
    `${base}/api/feeds/batches?source=birth_certificate&filename=e2e-unsure.csv&county=620881`,
    { data: Buffer.from(`${csv}\n`), headers: { 'content-type': 'text/csv', 'x-csrf-token': csrf } },
  );
  assert.equal(response.status(), 201, await response.text());
  const { batchId } = (await response.json()) as { batchId: number };
  await apiPostAs(`/api/feeds/batches/${batchId}/link`, {});
  return api<{ total: number; items: { id: number }[] }>('/api/feeds/review?unit=620881');
}

describe('web app in Chromium', { skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}` }, () => {
  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    // The app must be built (npm install and npm start do this; a test run may follow an edit).
    const build = spawn(process.execPath, [join(ROOT, 'web', 'scripts', 'build-if-stale.ts')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    assert.equal(await new Promise((resolve) => build.on('close', resolve)), 0, 'web build failed');

    dataDir = await mkdtemp(join(tmpdir(), 'renkou-e2e-'));
    await startServer();
    await waitForDemo(() => output);
    // Once access control is installed (issue 10), the test signs in as a county administrator
    // created with the CLI — which needs the embedded database to itself, so between two starts.
    if (await routeExists('/api/auth/me')) {
      await stopServer();
      const created = await runRenkou(
        ['users', 'create', '--username', USER, '--name', '测试员', '--role', 'county_admin@620881'],
        serverEnv(),
        120_000,
        `${PASSWORD}\n${PASSWORD}\n`,
      );
      assert.equal(created.code, 0, created.stderr);
      await startServer();
      await waitForDemo(() => output, false);
      signInNeeded = true;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in, or says plainly that sign-in is not enabled while access control is not installed', async () => {
    await page.goto(`${base}/sign-in`);
    if (signInNeeded) {
      await page.getByLabel('用户名').fill(USER);
      await page.getByLabel('密码').fill(PASSWORD);
      await shot('sign-in');
      await page.getByRole('button', { name: /登\s*录/ }).click();
      await page.getByText('测试员').waitFor();
    } else {
      await page.getByText('登录尚未启用').waitFor();
      await shot('sign-in');
      await page.getByRole('button', { name: /进入系统/ }).click();
    }
  });

  it('shows the dashboard with key figures, trend, pyramid and township comparison', async () => {
    await page.goto(base);
    await page.getByText('工作台').first().waitFor();
    await page.getByTestId('figure-births').locator('.ant-statistic-content').waitFor();
    // With no period picked it opens on the last year with data (the demo's end, 2025), not on
    // an empty current year: the title names that year and the births are there.
    const thisYear = Number(today().slice(0, 4));
    const { items } = await api<{ items: { code: string; latestDataYear: number | null }[] }>(
      '/api/org-units',
    );
    const latest = items.find((county) => county.code === '620881')?.latestDataYear;
    assert.equal(latest, Math.min(2025, thisYear));
    await page.locator('.page-title', { hasText: `${latest}年` }).waitFor();
    const births = page.getByTestId('figure-births').locator('.ant-statistic-content-value');
    await births.filter({ hasText: /[1-9]/ }).waitFor();
    assert.equal(
      await page.evaluate(() => localStorage.getItem('renkou.period')),
      null,
      'the default is not stored',
    );
    // Everything on the dashboard has loaded: no skeletons left.
    await settle();
    await page.locator('canvas').nth(2).waitFor();
    await shot('dashboard');
  });

  it('finds a person by pinyin initials and opens the person page', async () => {
    // A woman of child-bearing age from the synthetic county.
    const records = await api<{
      items: { personId: number; name: string; sex: string; birthDate: string }[];
    }>('/api/indicators/resident_population/records?unit=620881&period=2025&limit=500');
    const woman = records.items.find(
      (r) => r.sex === 'female' && r.birthDate >= '1988-01-01' && r.birthDate <= '2000-12-31',
    );
    assert.ok(woman, 'the synthetic county has a woman aged 25–37');
    const detail = await api<{ person: { namePinyin: string } }>(`/api/persons/${woman.personId}`);
    const initials = detail.person.namePinyin
      .split(' ')
      .map((syllable) => syllable[0])
      .join('');

    await page.getByRole('menuitem', { name: '人口登记' }).click();
    await page.getByRole('menuitem', { name: '人员查询' }).click();
    await page.getByPlaceholder(/首字母/).fill(initials);
    await page.getByPlaceholder(/首字母/).press('Enter');
    const row = page.locator('tr', { hasText: woman.birthDate }).filter({ hasText: woman.name });
    await row.first().waitFor();
    // Narrowed to men she is gone; to women born on her birth date she is back, with no one else
    // born on another day.
    const sex = page.getByRole('combobox', { name: '性别' });
    await sex.click();
    await page.locator('.ant-select-item-option').filter({ hasText: /^男$/ }).click();
    await page.waitForURL(/sex=male/);
    await row.first().waitFor({ state: 'detached' });
    await sex.click();
    await page.locator('.ant-select-item-option').filter({ hasText: /^女$/ }).click();
    await page.getByLabel('出生日期起').fill(woman.birthDate);
    await page.getByLabel('出生日期止').fill(woman.birthDate);
    await page.waitForURL(new RegExp(`sex=female.*birthFrom=${woman.birthDate}.*birthTo=${woman.birthDate}`));
    // Every row shown is born that day (the table settles once the filtered answer is in).
    await page.waitForFunction(
      `(() => {
        const cells = [...document.querySelectorAll('.ant-table-tbody tr.ant-table-row td:nth-child(3)')];
        return cells.length > 0 && cells.every((cell) => cell.textContent === '${woman.birthDate}');
      })()`,
    );
    await row.first().waitFor();
    await shot('search');
    await row.first().click();
    await page.getByTestId('person-name').filter({ hasText: woman.name }).waitFor();
    await page.getByRole('tab', { name: '修改历史' }).click();
    await shot('person');
    (globalThis as { mother?: typeof woman }).mother = woman;
  });

  it('registers a birth: a wrong ID number is refused at the field in Chinese, a right one is saved and counted on the dashboard', async () => {
    const before = await birthsThisYear();
    await page.getByRole('button', { name: '登记子女出生' }).click();
    await page.getByLabel('婴儿姓名').fill('测试婴儿');
    await page.getByLabel('女', { exact: true }).check();
    const date = today();
    const right = composeResidentId('620881', date, 998);
    // The same number with a wrong check character.
    const wrong = right.slice(0, 17) + (right.endsWith('1') ? '2' : '1');
    await page.getByLabel('身份证号').fill(wrong);
    await page.getByRole('button', { name: /保\s*存/ }).click();
    const fieldError = page
      .locator('.ant-form-item', { has: page.locator('#child_idNumber') })
      .locator('.ant-form-item-explain-error');
    await fieldError.waitFor();
    const message = (await fieldError.textContent()) ?? '';
    assert.match(message, /[\u4e00-\u9fff]/, `the error is in Chinese: ${message}`);
    assert.match(message, /校验|身份证/, message);
    await shot('birth-form-error');
    assert.equal(await birthsThisYear(), before, 'nothing was written');

    await page.getByLabel('身份证号').fill(right);
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('person-name').filter({ hasText: '测试婴儿' }).waitFor();
    await shot('child');
    assert.equal(await birthsThisYear(), before + 1);

    // This year now has a record, so a fresh dashboard opens on it (the period was not picked).
    await page.goto(base);
    await page.locator('.page-title', { hasText: `${today().slice(0, 4)}年` }).waitFor();
    const births = page.getByTestId('figure-births').locator('.ant-statistic-content-value');
    await births.filter({ hasText: String(before + 1) }).waitFor();
    await settle();
    await shot('dashboard-after-birth');
  });

  it('drills down from a figure to its breakdown and records', async () => {
    await page.getByTestId('figure-births').click();
    await page.getByTestId('indicator-value').waitFor();
    await page.getByText('测试婴儿').first().waitFor();
    // The breakdowns the server offers for births, birth order named as a statistician reads it.
    await page.locator('.ant-segmented').getByText('孩次', { exact: true }).click();
    await page.locator('.ant-table-row', { hasText: '一孩' }).first().waitFor();
    await page.locator('.ant-table-row', { hasText: '三孩及以上' }).first().waitFor();
    await page.locator('.ant-segmented').getByText('下级单位', { exact: true }).click();
    await shot('indicator');
  });

  it("opens the new child's household from the person page: members with their ties, address, residence history", async () => {
    const mother = (globalThis as { mother?: { name: string } }).mother!;
    // The drill-down's records row opens the person.
    await page.locator('tr', { hasText: '测试婴儿' }).first().click();
    await page.getByTestId('person-name').filter({ hasText: '测试婴儿' }).waitFor();
    await page.getByTestId('household-link').click();
    await page.getByTestId('household-title').waitFor();
    await settle();
    const members = page.getByTestId('household-members');
    // A member's row is the one whose name link is theirs (others' rows name them as kin).
    const rowOf = (name: string) =>
      members.locator('tr', { has: page.getByRole('link', { name, exact: true }) });
    const childRow = rowOf('测试婴儿');
    await childRow.waitFor();
    // The child was born into the mother's household and is tied to her there.
    assert.match((await childRow.textContent()) ?? '', new RegExp(`母亲\\s*${mother.name}`));
    assert.match((await childRow.textContent()) ?? '', /子女/, 'relation to the head');
    assert.match((await rowOf(mother.name).textContent()) ?? '', /子女\s*测试婴儿/);
    await page.getByTestId('household-residence').locator('tr', { hasText: '测试婴儿' }).first().waitFor();
    await page.getByText('地址').first().waitFor();
    await shot('household');
  });

  it('corrects a field with a reason: the choice lists show the person’s values, a new choice is saved and in the history', async () => {
    const hits = await api<{ items: { id: number; status: string }[] }>(
      `/api/persons?q=${encodeURIComponent('李')}&limit=50`,
    );
    let person: { id: number; sex: string; hukouType: string | null; version: number } | undefined;
    for (const hit of hits.items.filter((h) => h.status === 'active')) {
      const detail = await api<{ person: NonNullable<typeof person> }>(`/api/persons/${hit.id}`);
      if (detail.person.hukouType) {
        person = detail.person;
        break;
      }
    }
    assert.ok(person, 'a person with a hukou type');
    const other = person.hukouType === 'rural' ? 'urban' : 'rural';
    const names: Record<string, string> = { rural: '农业', urban: '非农业', male: '男', female: '女' };
    await page.goto(`${base}/persons/${person.id}/correct`);
    // The lists show what the record says (they were blank: the value never reached the Select).
    const sexField = page.locator('.ant-form-item').filter({ hasText: '性别' });
    await sexField.locator('.ant-select-content', { hasText: names[person.sex]! }).waitFor();
    const hukouField = page.locator('.ant-form-item').filter({ hasText: '户口性质' });
    await hukouField.locator('.ant-select-content', { hasText: names[person.hukouType!]! }).waitFor();
    await hukouField.locator('.ant-select').click();
    await page
      .locator('.ant-select-item-option')
      .filter({ hasText: new RegExp(`^${names[other]}$`) })
      .click();
    await page.getByLabel('更正原因（必填）').fill('端到端测试：户口性质登记有误');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.waitForURL(new RegExp(`/persons/${person.id}$`));
    const after = await api<{ person: { hukouType: string; version: number } }>(`/api/persons/${person.id}`);
    assert.equal(after.person.hukouType, other);
    assert.equal(after.person.version, person.version + 1);
    const history = await api<{ items: { reason: string | null; changes: Record<string, unknown> }[] }>(
      `/api/persons/${person.id}/history`,
    );
    const last = history.items.at(-1)!;
    assert.equal(last.reason, '端到端测试：户口性质登记有误');
    assert.deepEqual(Object.keys(last.changes), ['hukou_type']);
  });

  it('imports a file: the report names the bad row’s field and problem, and the row is fixed in the quarantine and resubmitted', async () => {
    await page.goto(`${base}/registry/import`);
    await page.getByText('下载模板').first().waitFor();
    await shot('import');
    // Two persons; the second one's ID number has a wrong check character.
    const good = composeResidentId('620881', '1991-04-05', 995);
    const right = composeResidentId('620881', '1992-06-07', 994);
    const wrong = `${right.slice(0, 17)}${right.endsWith('0') ? '1' : '0'}`;
    const csv = [
      '村（居）代码,姓名,性别,出生日期,公民身份号码,人口类型,居住起始日期',
      `620881100001,端木试,男,1991-04-05,${good},户籍,2020-01-01`,
      `620881100001,端木验,女,1992-06-07,${wrong},户籍,2020-01-01`,
    ].join('\n');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'e2e-import.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const report = page.locator('.ant-descriptions');
    await report.getByText('隔离').waitFor();
    assert.match((await report.textContent()) ?? '', /总行数\s*2.*成功\s*1.*隔离\s*1/);
    // The recent imports list the file with one quarantined row waiting (the page used to go blank
    // as soon as the list had a batch: it read fields the list did not send).
    const listed = page.locator('.ant-table-row').filter({ hasText: 'e2e-import.csv' });
    await listed.locator('.ant-tag', { hasText: '1' }).waitFor();
    // The problem table speaks the template's words: the column's header and the message, not field names and codes.
    const problem = page.locator('.ant-table-row').filter({ hasText: '公民身份号码' }).first();
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? '', /校验/);
    assert.doesNotMatch((await problem.textContent()) ?? '', /idNumber/);
    // In the quarantine: fix the number in a form labelled as the template is, and resubmit.
    const row = page.locator('.ant-table-row').filter({ hasText: '端木验' });
    await row.getByRole('button', { name: /更\s*正/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('出生日期').waitFor();
    await dialog.getByLabel('公民身份号码').fill(right);
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await page.getByText('已重新提交').waitFor();
    await row.waitFor({ state: 'detached' });
    await listed.locator('.ant-tag').waitFor({ state: 'detached' });
    const found = await api<{ items: { idNumber: string }[] }>(`/api/persons?q=${right}`);
    assert.deepEqual(
      found.items.map((hit) => hit.idNumber),
      [right],
    );
    await shot('import-fixed');
  });

  it('accepts a review-queue pair with the keyboard', async () => {
    // The department feeds the demo county came with, linked with the registry.
    const batches = await api<{ items: { id: number }[] }>('/api/feeds/batches?county=620881');
    for (const batch of batches.items) await apiPostAs(`/api/feeds/batches/${batch.id}/link`, {});
    let before = await api<{ total: number; items: { id: number }[] }>('/api/feeds/review?unit=620881');
    if (before.total === 0) {
      // A 3,000-person county's feeds link cleanly, so the hospital sends one certificate that is
      // not sure: a registered child's and mother's names exactly, but no ID numbers and a birth
      // date a month later than the registry's — likely the same child, for a person to decide.
      before = await deliverUnsureBirthCertificate();
    }
    assert.ok(before.total > 0, 'the crafted certificate should fall in the review band');
    await page.goto(`${base}/linkage/review`);
    await page.getByText('部门记录').waitFor();
    await settle();
    await shot('review-queue');
    await page.keyboard.press('a');
    await page.getByText('已接受').waitFor();
    await settle();
    const after = await api<{ total: number }>('/api/feeds/review?unit=620881');
    assert.equal(after.total, before.total - 1);
    const decided = await api<{ items: { id: number; review: string }[] }>(
      '/api/feeds/review?unit=620881&status=decided',
    );
    assert.deepEqual(
      decided.items.map((item) => [item.id, item.review]),
      [[before.items[0]!.id, 'accepted']],
    );
  });

  it('downloads the annual work report as .docx', async () => {
    await page.goto(`${base}/reports`);
    await page.getByText('工作汇报（.docx）').waitFor();
    await page.getByRole('combobox', { name: '时期类型' }).waitFor();
    await settle();
    await shot('reports');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByText('工作汇报（.docx）').click(),
    ]);
    assert.match(download.suggestedFilename(), /\.docx$/);
    const path = join(SHOTS, 'annual-report.docx');
    await download.saveAs(path);
    const bytes = await readFile(path);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a .docx is a zip file');
    assert.ok(bytes.length > 5_000);
  });

  it('projects the population from the registry: the three variants, pyramids and the medium variant’s final year', async () => {
    await page.goto(`${base}/reports`);
    // From the menu: 统计报表 → 人口预测 (the area opens on a click when it is closed).
    const entry = page.getByRole('menuitem', { name: '人口预测' });
    if (!(await entry.isVisible())) await page.getByRole('menuitem', { name: '统计报表' }).click();
    const answered = page.waitForResponse((r) => r.url().includes('/api/projection?'), { timeout: 120_000 });
    // While the projection is computed the page shows a loading card (it used to stay blank).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/projection?**', async (route) => {
      await held;
      await route.continue();
    });
    await entry.click();
    await page.locator('.ant-card-loading').waitFor();
    release();
    const response = await answered;
    await page.unroute('**/api/projection?**');
    assert.equal(response.status(), 200, await response.text());
    const projection = (await response.json()) as {
      baseYear: number;
      variants: { medium: { years: { year: number; population: number }[] } };
    };
    const last = projection.variants.medium.years.at(-1)!;
    assert.equal(last.year, projection.baseYear + 5, 'five years ahead by default');
    await page.locator('.page-title', { hasText: `基年 ${projection.baseYear}` }).waitFor();
    const final = page.getByTestId('projection-final-medium');
    await final.getByText(`${last.year} 年总人口（中方案）`).waitFor();
    assert.equal(
      await final.locator('.ant-statistic-content-value').textContent(),
      Math.round(last.population).toLocaleString('en-US'),
    );
    await page
      .getByTestId('projection-medium-table')
      .getByRole('cell', { name: String(last.year) })
      .waitFor();
    await settle();
    // The line chart and the two pyramids.
    await page.locator('canvas').nth(2).waitFor();
    await page.getByText('假设与数据来源').waitFor();
    await shot('projection');
  });

  it('shows target progress with status colours and the units behind, and refuses a bad target at its field', async () => {
    // The demo writes its example sheets for the last whole year of its data.
    const sheets = await api<{ items: { year: number }[] }>('/api/targets/sheets?unit=620881');
    const year = Math.max(...sheets.items.map((sheet) => sheet.year));
    await page.evaluate((y) => localStorage.setItem('renkou.period', String(y)), year);
    await page.goto(`${base}/targets/progress`);
    await page.getByText('下级单位排名').waitFor();
    await settle();
    assert.ok((await page.locator('.ant-tag-red, .ant-tag-green, .ant-tag-orange').count()) > 0);
    await shot('targets-progress');

    await page.goto(`${base}/targets/sheet`);
    await page.getByRole('button', { name: /修\s*改/ }).click();
    const target = page.locator('#items_0_target');
    await target.fill('-5');
    await page.getByLabel('修改原因').fill('端到端测试');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('百分比目标应在 0 到 100 之间').waitFor();
    // The message sits at the item's target field, and nothing was written.
    const item = page.locator('.ant-form-item').filter({ has: target });
    assert.match((await item.textContent()) ?? '', /百分比目标应在 0 到 100 之间/);
    const sheet = await api<{ version: number }>(`/api/targets/sheets/620881/${year}`);
    assert.equal(sheet.version, 1);
    await shot('targets-sheet-error');

    // While the rates are on their way the page says it is loading (it used to stay blank).
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/quality/rates?**', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}/quality`);
    await page.locator('.ant-card-loading').waitFor();
    release();
    await page.getByText('及时率').first().waitFor();
    assert.equal(await page.locator('.ant-card-loading').count(), 0);
    await page.unroute('**/api/quality/rates?**');
    await shot('quality');
  });

  it('draws an audit sample, closes a work-list item with a note, and records, reviews and approves a benefit application', async () => {
    await page.goto(`${base}/audits`);
    await page.getByRole('button', { name: /抽取样本/ }).click();
    await page.getByText(/已抽取 \d+ 户/).waitFor();
    await settle();
    const audits = await api<{ items: unknown[] }>('/api/audits?unit=620881');
    assert.equal(audits.items.length, 1);
    await shot('audits');

    // The validation rules put their findings on the work list; the list says what each is about
    // (their message is bilingual: the page read it as a string and showed the task's source ref).
    const counties = await api<{ items: { code: string; latestDataYear?: number | null }[] }>(
      '/api/org-units',
    );
    const year = counties.items.find((c) => c.code === '620881')?.latestDataYear;
    await apiPostAs('/api/quality/checks', { unit: '620881', period: String(year) });
    const checks = await api<{ items: WorkTask[] }>('/api/tasks?unit=620881&kind=data_check&limit=1');
    const check = checks.items[0];
    assert.ok(check, 'the validation rules found nothing to put on the work list');
    const message = (check.details as Partial<DataCheckTaskDetails>).message?.['zh-CN'] ?? '';
    await page.goto(`${base}/tasks`);
    await page.getByText(/共 \d+ 条/).waitFor();
    await page.locator('.ant-select').filter({ hasText: '全部类别' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '数据校验' }).click();
    await page.locator('.ant-table-row').filter({ hasText: message }).first().waitFor();
    assert.equal(await page.locator('.ant-table-row').filter({ hasText: check.sourceRef }).count(), 0);
    await shot('tasks-data-check');

    const open = await api<{ total: number }>('/api/tasks?unit=620881&status=open');
    await page.goto(`${base}/tasks`);
    await page.getByText(/共 \d+ 条/).waitFor();
    await settle();
    await shot('tasks');
    if (open.total > 0) {
      await page.getByRole('button', { name: '不予处理' }).first().click();
      await page.getByPlaceholder('处理说明（可选）').fill('端到端测试：重复记录');
      await page.getByRole('button', { name: /确\s*定/ }).click();
      await page.getByText('已标为不予处理').waitFor();
      const after = await api<{ total: number }>('/api/tasks?unit=620881&status=open');
      assert.equal(after.total, open.total - 1);
      const closed = await api<{ items: { resolutionNote: string }[] }>(
        '/api/tasks?unit=620881&status=dismissed',
      );
      assert.equal(closed.items[0]!.resolutionNote, '端到端测试：重复记录');
    }
    await page.goto(`${base}/linkage/completeness`);
    await page.getByText('登记完整率').waitFor();
    await shot('completeness');

    // Family benefits: a child the registry screening found gets an application, then approval.
    await page.goto(`${base}/benefits`);
    await page.getByText('符合条件的人员（按户籍登记筛查）').waitFor();
    await settle();
    await page.getByRole('button', { name: '登记申请' }).first().click();
    await page.getByText('已登记申请').waitFor();
    await settle();
    await page
      .getByRole('button', { name: /审\s*核/ })
      .first()
      .click();
    await page.getByText('已审核').first().waitFor();
    await settle();
    await page
      .getByRole('button', { name: /批\s*准/ })
      .first()
      .click();
    await page.getByText('已批准').first().waitFor();
    await settle();
    const programme = (await api<{ items: { programmeId: string }[] }>('/api/benefits/programmes')).items[0]!;
    const entitled = await api<{ items: EntitlementListRow[] }>(
      `/api/benefits/entitlements?programme=${programme.programmeId}&unit=620881`,
    );
    assert.deepEqual(
      entitled.items.map((e) => e.status),
      ['approved'],
    );
    // The list names the person (it showed "#id": the page read a name the list never sent).
    const approvedRow = page.locator('.ant-table-row').filter({ hasText: '已批准' });
    assert.equal(
      (await approvedRow.locator('a[href^="/persons/"]').first().textContent())?.trim(),
      entitled.items[0]!.person_name,
    );
    // The payment batch: a half-yearly programme offers each half of the selected year (asking
    // for the whole year was refused), and the approved child is paid in it.
    const half = page.getByRole('button', { name: /下半年$/ });
    const made = page.waitForResponse((r) => r.url().endsWith('/api/benefits/batches'));
    await half.click();
    const batch = (await (await made).json()) as { period: string; lineCount: number };
    assert.match(batch.period, /^\d{4}H2$/);
    assert.ok(batch.lineCount >= 1, JSON.stringify(batch));
    await page.getByText(/已生成 .*下半年 的发放批次/).waitFor();
    await shot('benefits');
    await page.evaluate(() => localStorage.removeItem('renkou.period'));
  });

  it('sets the statistics bureau’s birth figure against the registry, the hospitals and the estimate on the completeness page', async () => {
    const counties = await api<{ items: { code: string; latestDataYear?: number | null }[] }>(
      '/api/org-units',
    );
    const year = counties.items.find((c) => c.code === '620881')!.latestDataYear!;
    const before = await api<CompletenessReport>(`/api/completeness?unit=620881&year=${year}`);
    // The bureau counts 7 births more than the registry holds: the page must say the registry is 7 short.
    const births = before.total.registered + 7;
    const headers: Record<string, string> = {};
    if (signInNeeded) headers['x-csrf-token'] = (await api<{ csrfToken: string }>('/api/auth/me')).csrfToken;
    const put = await page.request.put(`${base}/api/completeness/official`, {
      data: { unit: '620881', year, births, source: '统计公报（端到端测试）' },
      headers,
    });
    assert.ok(put.ok(), await put.text());
    const report = await api<CompletenessReport>(`/api/completeness?unit=620881&year=${year}`);
    const total = report.total;
    assert.equal(total.official?.gapToRegistered, 7);

    await page.evaluate((period) => localStorage.setItem('renkou.period', period), String(year));
    await page.goto(`${base}/linkage/completeness`);
    const card = page.getByTestId('official-births');
    await card.getByText('与统计局公布出生数对照').waitFor();
    await settle();
    const row = card.locator('.ant-table-row').filter({ hasText: report.unitName });
    const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
    const count = (n: number) => n.toLocaleString('zh-CN');
    assert.equal(cells[1], count(births), 'the official figure');
    assert.equal(cells[2], count(total.registered));
    assert.match(cells[3]!, /^少 7（\d+\.\d%）$/, 'the registry against it');
    assert.equal(cells[4], count(total.hospital));
    const hospitalGap = total.official!.gapToHospital;
    assert.match(
      cells[5]!,
      hospitalGap === 0
        ? /^持平$/
        : new RegExp(`^${hospitalGap > 0 ? '少' : '多'} ${count(Math.abs(hospitalGap))}（`),
      'the hospitals against it',
    );
    assert.ok(!cells.join(' ').includes('null'), cells.join(' | '));
    await shot('completeness-official');
    await page.evaluate(() => localStorage.removeItem('renkou.period'));
  });

  it('makes an account created by an administrator change its password first, and offers it only its own units', async () => {
    await page.goto(`${base}/account/password`);
    await page.getByLabel('原密码').waitFor();
    await shot('password');
    // Access control is always installed: this step must run, never be skipped.
    assert.ok(signInNeeded, 'the server signs users in');
    const initial = 'Initial-Dongua-2026';
    await apiPostAs('/api/users', {
      username: 'e2e.township',
      displayName: '东华镇测试员',
      password: initial,
      roles: [{ role: 'township_staff', unit: '620881100' }],
    });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    const other = await context.newPage();
    try {
      await other.goto(`${base}/sign-in`);
      await other.getByLabel('用户名').fill('e2e.township');
      await other.getByLabel('密码').fill(initial);
      await other.getByRole('button', { name: /登\s*录/ }).click();
      await other.getByTestId('must-change-password').waitFor();
      await other.screenshot({ path: join(SHOTS, 'password-forced.png'), fullPage: true });
      await other.getByLabel('管理员给的初始密码').fill(initial);
      await other.getByLabel('新密码', { exact: true }).fill('12345678901');
      await other.getByLabel('再次输入新密码').fill('12345678901');
      await other.getByRole('button', { name: /修改密码/ }).click();
      // The server's rule, in Chinese, at the new password's field.
      const fieldError = other
        .locator('.ant-form-item', { has: other.locator('#newPassword') })
        .locator('.ant-form-item-explain-error');
      await fieldError.waitFor();
      assert.match((await fieldError.textContent()) ?? '', /数字/);
      const fresh = 'Dongua-Township-Office-7';
      await other.getByLabel('新密码', { exact: true }).fill(fresh);
      await other.getByLabel('再次输入新密码').fill(fresh);
      await other.getByRole('button', { name: /修改密码/ }).click();
      await other.getByTestId('figure-births').locator('.ant-statistic-content').waitFor();
      await other.getByText('东华镇').first().waitFor();
      // The unit picker holds 东华镇 and its villages, nothing of the rest of the county.
      const villages = (await api<{ children: { name: string }[] }>('/api/org-units/620881100')).children.map(
        (v) => v.name,
      );
      await other.locator('.unit-picker').click();
      const titles = other.locator('.ant-select-tree-title');
      await titles.first().waitFor();
      const offered = await titles.allTextContents();
      assert.equal(offered[0], '东华镇');
      assert.ok(offered.length > 1, 'the villages are offered');
      for (const title of offered.slice(1))
        assert.ok(villages.includes(title), `${title} is a village of 东华镇`);
      assert.ok(!offered.includes('华亭市'));
      await other.screenshot({ path: join(SHOTS, 'unit-picker-township.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('gives a statistician, who may not generate reports, 人口预测 as a menu entry named after the page', async () => {
    assert.ok(signInNeeded, 'the server signs users in');
    const initial = 'Initial-Tongji-2026';
    await apiPostAs('/api/users', {
      username: 'e2e.statistician',
      displayName: '统计测试员',
      password: initial,
      roles: [{ role: 'statistician', unit: '620881' }],
    });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    const other = await context.newPage();
    try {
      await firstSignIn(other, 'e2e.statistician', initial, 'Tongji-County-Office-9');
      // The reports area holds one page this user may open: the entry is that page, by its name.
      const entry = other.getByRole('menuitem', { name: '人口预测' });
      await entry.waitFor();
      assert.equal(await other.getByRole('menuitem', { name: '统计报表' }).count(), 0);
      const answered = other.waitForResponse((r) => r.url().includes('/api/projection?'), {
        timeout: 120_000,
      });
      await entry.click();
      assert.equal((await answered).status(), 200);
      await other.screenshot({ path: join(SHOTS, 'menu-statistician.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('imports a health-service file on the services page: counts, the bad row’s column and message, and the new record listed by the person’s name', async () => {
    assert.ok(signInNeeded, 'the server signs users in');
    // Service records are health data: only a health-service provider reaches the page.
    const initial = 'Initial-Weisheng-2026';
    await apiPostAs('/api/users', {
      username: 'e2e.health',
      displayName: '卫生测试员',
      password: initial,
      roles: [{ role: 'health_provider', unit: '620881' }],
    });
    // An adult living in the county, with an ID number.
    const hits = await api<{ items: SearchHit[] }>('/api/persons?q=王&unit=620881&limit=50');
    const served = hits.items.find((h) => h.idNumber && h.orgCode && h.birthDate < '2000-01-01');
    assert.ok(served, 'the e2e county has an adult with an ID number');
    const yesterday = new Date(Date.parse(`${today()}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const csv = [
      'kind,id_number,service_date,provider,outcome_code,consent,import_key',
      `counselling,${served.idNumber},${yesterday},华亭市妇幼保健院,given,是,e2e-1`,
      `counselling,${served.idNumber},${yesterday},华亭市妇幼保健院,given,否,e2e-2`,
    ].join('\n');
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    const other = await context.newPage();
    try {
      await firstSignIn(other, 'e2e.health', initial, 'Weisheng-County-Clinic-4');
      const report = await importServiceFile(other, 'e2e-services.csv', csv);
      // The bad row by its row number, its column as the template names it, and the message in Chinese.
      const problem = report.locator('.ant-table-row');
      assert.equal(await problem.count(), 1);
      assert.deepEqual(
        (await problem.locator('td').allTextContents()).map((t) => t.trim()),
        ['3', '知情同意', '没有本人知情同意，不能记录此服务'],
      );
      // The list is refreshed and names the person served (it showed "#id").
      const listed = other
        .locator('.ant-card', { hasText: '最近的服务' })
        .locator('.ant-table-row')
        .filter({ hasText: yesterday })
        .filter({ hasText: '华亭市妇幼保健院' })
        .locator(`a[href="/persons/${served.id}"]`);
      await listed.first().waitFor();
      assert.equal((await listed.first().textContent())?.trim(), served.name);
      await other.screenshot({ path: join(SHOTS, 'services-import.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('imports a township health centre’s file on the services page for its township: its resident’s row written, another township’s rejected at the ID number', async () => {
    assert.ok(signInNeeded, 'the server signs users in');
    // Two adults with ID numbers living in different townships of the county.
    const hits = await api<{ items: SearchHit[] }>('/api/persons?q=李&unit=620881&limit=100');
    const adults = hits.items.filter((h) => h.idNumber && h.orgCode && h.birthDate < '2000-01-01');
    const resident = adults[0];
    assert.ok(resident, 'the e2e county has an adult with an ID number');
    const township = resident.orgCode!.slice(0, 9);
    const stranger = adults.find((h) => !h.orgCode!.startsWith(township));
    assert.ok(stranger, 'the e2e county has an adult in another township');
    const initial = 'Initial-Weishengyuan-2026';
    await apiPostAs('/api/users', {
      username: 'e2e.township.health',
      displayName: '卫生院测试员',
      password: initial,
      roles: [{ role: 'health_provider', unit: township }],
    });
    const yesterday = new Date(Date.parse(`${today()}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const csv = [
      'kind,id_number,service_date,provider,outcome_code,consent,import_key',
      `counselling,${resident.idNumber},${yesterday},乡镇卫生院,given,是,e2e-t1`,
      `counselling,${stranger.idNumber},${yesterday},乡镇卫生院,given,是,e2e-t2`,
    ].join('\n');
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    const other = await context.newPage();
    try {
      await firstSignIn(other, 'e2e.township.health', initial, 'Weishengyuan-Township-5');
      const report = await importServiceFile(other, 'e2e-township.csv', csv);
      const problem = report.locator('.ant-table-row');
      assert.equal(await problem.count(), 1);
      assert.deepEqual(
        (await problem.locator('td').allTextContents()).map((t) => t.trim()),
        [
          '3',
          '身份证号',
          `此人现住地不在本次导入的单位（${township}）内，不能在此记录其服务（请由其所在单位或县级导入）`,
        ],
      );
      await other.screenshot({ path: join(SHOTS, 'services-import-township.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('voids a service record on the services page: an empty reason is refused at the field, the record leaves the live list and is listed under 已作废 with its reason', async () => {
    assert.ok(signInNeeded, 'the server signs users in');
    // Only a health-service provider may void (services.write): one of its own, for the county.
    const initial = 'Initial-Zuofei-2026';
    await apiPostAs('/api/users', {
      username: 'e2e.void.health',
      displayName: '作废测试员',
      password: initial,
      roles: [{ role: 'health_provider', unit: '620881' }],
    });
    const hits = await api<{ items: SearchHit[] }>('/api/persons?q=张&unit=620881&limit=50');
    const served = hits.items.find((h) => h.idNumber && h.orgCode && h.birthDate < '2000-01-01');
    assert.ok(served, 'the e2e county has an adult with an ID number');
    const provider = '端到端作废测试卫生院';
    const reason = '录错了人（端到端测试）';
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    const other = await context.newPage();
    try {
      await firstSignIn(other, 'e2e.void.health', initial, 'Zuofei-County-Clinic-6');
      // The record to void, entered through the API as the provider (POST /api/services).
      const me = await other.request.get(`${base}/api/auth/me`);
      const { csrfToken } = (await me.json()) as { csrfToken: string };
      const recorded = await other.request.post(`${base}/api/services`, {
        data: {
          kind: 'counselling',
          personId: served.id,
          serviceDate: today(),
          provider,
          outcomeCode: 'given',
          consent: true,
        },
        headers: { 'x-csrf-token': csrfToken },
      });
      assert.equal(recorded.status(), 201, await recorded.text());

      await other.goto(`${base}/services`);
      const list = other.locator('.ant-card').filter({ has: other.locator('.ant-segmented') });
      await list.getByText('最近的服务').waitFor();
      const row = list.locator('.ant-table-row').filter({ hasText: provider });
      await row.waitFor();
      assert.equal(await row.locator(`a[href="/persons/${served.id}"]`).textContent(), served.name);
      assert.match((await row.textContent()) ?? '', /咨询指导/);

      await row.getByRole('button', { name: /作\s*废/ }).click();
      const dialog = other.getByRole('dialog').filter({ hasText: '作废服务记录' });
      await dialog.waitFor();
      // The modal names the record it voids.
      assert.match((await dialog.textContent()) ?? '', new RegExp(`${today()} · 咨询指导 · ${served.name}`));
      const confirm = dialog.getByRole('button', { name: /作\s*废/ });
      const reasonError = dialog.locator('.ant-form-item-explain-error');
      // No reason, then only blanks: refused at the field, in Chinese, and the record stays live.
      await confirm.click();
      await reasonError.filter({ hasText: '请填写作废原因' }).waitFor();
      await dialog.getByLabel('作废原因').fill('   ');
      await confirm.click();
      await reasonError.filter({ hasText: '请填写作废原因' }).waitFor();
      assert.ok(await dialog.isVisible(), 'the modal stays open');
      assert.equal(await row.count(), 1, 'the record is still in the live list behind the modal');
      await other.screenshot({ path: join(SHOTS, 'services-void-reason.png'), fullPage: true });

      await dialog.getByLabel('作废原因').fill(reason);
      await confirm.click();
      await dialog.waitFor({ state: 'hidden' });
      await other.locator('.ant-message').getByText('已作废').waitFor();
      // Gone from the live records…
      await row.waitFor({ state: 'detached' });
      // …and listed under 已作废 with its reason, who voided it and when.
      await list.locator('.ant-segmented-item').filter({ hasText: '已作废' }).click();
      await list.getByText('已作废的服务记录').waitFor();
      const voided = list.locator('.ant-table-row').filter({ hasText: provider });
      await voided.waitFor();
      const cells = (await voided.locator('td').allTextContents()).map((t) => t.trim());
      assert.ok(cells.includes(`已作废${reason}`), JSON.stringify(cells));
      // Who voided it, by name and unit (作废测试员（华亭市）), not as the recorded user:e2e.void.health,
      // which stays on the name (data-actor, and the tooltip).
      assert.ok(
        cells.some((cell) => /^作废测试员（.+）\s+\d{4}/.test(cell)),
        JSON.stringify(cells),
      );
      assert.ok(!cells.some((cell) => cell.includes('e2e.void.health')), JSON.stringify(cells));
      assert.match(
        (await voided.locator('[data-actor="user:e2e.void.health"]').textContent()) ?? '',
        /^作废测试员（.+）$/,
      );
      assert.equal(
        await voided.getByRole('button', { name: /作\s*废/ }).count(),
        0,
        'a voided record has no 作废',
      );
      await other.screenshot({ path: join(SHOTS, 'services-voided.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('lists a possible duplicate on the work list with its gold tag and reason, and a dismissed one stays dismissed when the finder runs again', async () => {
    // Two records of one person in two villages of one township: one character of the name
    // differs and so does the ID number, the birth date and sex agree — a possible duplicate
    // (0.5–0.95, docs/dedupe.md), not a suggested merge.
    const county = await api<{ children: { code: string }[] }>('/api/org-units/620881');
    const township = county.children[0]!.code;
    const villages = (await api<{ children: { code: string }[] }>(`/api/org-units/${township}`)).children;
    assert.ok(villages.length >= 2, `${township} has two villages`);
    const birthDate = '1983-09-17';
    const names = ['郁澄远', '郁澄达'];
    for (const [at, name] of names.entries()) {
      await apiPostAs('/api/moves/in', {
        person: {
          name,
          sex: 'male',
          birthDate,
          idNumber: composeResidentId('620881', birthDate, 871 + 2 * at),
          hukouType: 'rural',
          maritalStatus: 'single',
        },
        orgCode: villages[at]!.code,
        residenceType: 'registered',
        moveDate: '2024-03-01',
        fromPlace: '兰州市',
      });
    }
    const run = () =>
      apiPostAs<{ possible: number; possibleTasksCreated: number; tasksCreated: number }>(
        '/api/dedupe/runs',
        {
          unit: township,
        },
      );
    const first = await run();
    assert.ok(first.possibleTasksCreated >= 1, JSON.stringify(first));

    await page.goto(`${base}/tasks`);
    await page.getByText(/共 \d+ 条/).waitFor();
    await page.locator('.ant-select').filter({ hasText: '全部类别' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '疑似重复' }).click();
    const row = page.locator('.ant-table-row').filter({ hasText: names[0]! }).filter({ hasText: names[1]! });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    // The gold tag, the pair, and why it is listed: the score between the thresholds, what agrees and what not.
    const tag = row.locator('.ant-tag');
    assert.equal((await tag.textContent())?.trim(), '可能重复');
    assert.match((await tag.getAttribute('class')) ?? '', /ant-tag-gold/);
    const text = (await row.textContent()) ?? '';
    assert.match(text, /可能同一人（待核实）/);
    const reason =
      /匹配概率 \d+(\.\d)?%，在 50% 与 95% 之间：可能是同一人，请核实后合并或不予处理。相符 — [^；]*姓名：错一个字[^；]*出生日期：完全相同.*不符 — [^。]*身份证号：不同/;
    assert.match(text, reason);
    // Possible duplicates come after the other merge tasks: no other kind's tag below a gold one.
    const tags = (await page.locator('.ant-table-row .ant-tag').allTextContents()).map((t) => t.trim());
    const firstGold = tags.indexOf('可能重复');
    assert.ok(firstGold >= 0 && tags.slice(firstGold).every((t) => t === '可能重复'), JSON.stringify(tags));
    await shot('tasks-possible-duplicate');

    // Dismissed in the close dialog, which shows the pair and the reason again.
    await row.getByRole('button', { name: '不予处理' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: names[0]! });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', reason);
    await dialog.getByPlaceholder('处理说明（可选）').fill('端到端测试：两个人');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await page.getByText('已标为不予处理').waitFor();
    await row.waitFor({ state: 'detached' });

    // The finder again: the pair is found, but stays dismissed and off the open list.
    const second = await run();
    assert.equal(second.possibleTasksCreated, 0, JSON.stringify(second));
    assert.ok(second.possible >= 1, JSON.stringify(second));
    await page.reload();
    await page.getByText(/共 \d+ 条/).waitFor();
    await page.locator('.ant-select').filter({ hasText: '全部类别' }).click();
    await page.locator('.ant-select-item-option').filter({ hasText: '疑似重复' }).click();
    await settle();
    // The whole open list of merge tasks is on this page, and the pair is not in it.
    const total = Number((await page.getByText(/共 \d+ 条/).textContent())?.match(/\d+/)?.[0]);
    assert.equal(await page.locator('.ant-table-row').count(), total);
    assert.equal(await page.locator('.ant-table-row').filter({ hasText: names[0]! }).count(), 0);
    await page.locator('.ant-radio-button-wrapper').filter({ hasText: '不予处理' }).click();
    const dismissed = page.locator('.ant-table-row').filter({ hasText: names[0]! });
    await dismissed.waitFor();
    assert.equal(await dismissed.count(), 1);
  });

  it('fits a 10-inch tablet held upright: no sideways scrolling, the menu and the search work by touch', async () => {
    // A 10-inch tablet in portrait shows about 800 × 1280 CSS pixels; the same signed-in session.
    const context = await browser.newContext({
      viewport: { width: 800, height: 1280 },
      deviceScaleFactor: 2,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await page.context().storageState(),
    });
    const tablet = await context.newPage();
    const fitsWidth = () =>
      tablet.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1');
    try {
      await tablet.goto(base);
      await tablet.getByTestId('figure-births').locator('.ant-statistic-content').waitFor();
      await tablet.waitForFunction(
        "(document.documentElement.dataset.pending ?? '0') === '0' && !document.querySelector('.ant-skeleton, .ant-spin-spinning')",
      );
      assert.ok(await fitsWidth(), 'the dashboard fits the width');
      // The header may take two rows on a narrow screen, but everything in it stays inside it
      // (nothing under the page's title) and no word in it breaks across lines.
      const header = await tablet.evaluate<{ overflow: number; broken: string[] }>(`(() => {
        const header = document.querySelector('.app-header');
        const bottom = header.getBoundingClientRect().bottom;
        const overflow = Math.max(...[...header.querySelectorAll('*')].map((e) => e.getBoundingClientRect().bottom)) - bottom;
        const broken = [...header.querySelectorAll('a, .ant-typography, button')]
          .filter((e) => e.getClientRects().length > 1 || e.getBoundingClientRect().height > 40)
          .map((e) => e.textContent);
        return { overflow, broken };
      })()`);
      assert.ok(header.overflow <= 1, `the header's contents reach ${header.overflow} px below it`);
      assert.deepEqual(header.broken, [], 'words broken across lines in the header');
      await tablet.screenshot({ path: join(SHOTS, 'tablet-dashboard.png'), fullPage: true });
      // The side menu folds to icons below 992 px; its sub-menu opens by touch.
      await tablet.getByRole('menuitem', { name: '人口登记' }).tap();
      await tablet.getByRole('menuitem', { name: '人员查询' }).tap();
      const search = tablet.getByPlaceholder(/首字母/);
      await search.tap();
      await search.fill('王');
      await search.press('Enter');
      await tablet.locator('.ant-table-row').first().waitFor();
      assert.ok(await fitsWidth(), 'the search results fit the width');
      await tablet.screenshot({ path: join(SHOTS, 'tablet-registry.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('switches to English', async () => {
    await page.goto(base);
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
    await settle();
    await shot('dashboard-en');
    // The page says it is in English, after a reload too (it said zh-CN until the switch was used).
    assert.equal(await page.evaluate<string>('document.documentElement.lang'), 'en');
    await page.reload();
    await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.evaluate<string>('document.documentElement.lang'), 'en');
    await page.getByText('中文', { exact: true }).click();
    assert.equal(await page.evaluate<string>('document.documentElement.lang'), 'zh-CN');
  });
});
