import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { handleError } from '../../src/server/errors.ts';
import { registerWebRoutes } from '../../src/server/web.ts';

/** The web app's serving rules on a bare server with a stand-in build: no database, no browser. */
describe('serving the web app', () => {
  let dist: string;
  let app: FastifyInstance;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  before(async () => {
    dist = await mkdtemp(join(tmpdir(), 'renkou-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(dist, 'assets', 'index-abc123.js'), script);
    app = Fastify();
    app.setErrorHandler(handleError);
    app.get('/api/health', async () => ({ status: 'ok' }));
    app.get('/docs', async () => 'docs');
    registerWebRoutes(app, dist);
    await app.ready();
  });

  after(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('answers the app’s own routes with index.html, never cached, so a reload keeps the page', async () => {
    for (const url of ['/', '/persons/12', '/registry?q=wxm', '/indicators/births']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.headers['content-type'] as string, /text\/html/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.match(response.body, /id="root"/);
    }
  });

  it('never answers /api or /docs with the app: an unknown API route stays a JSON 404', async () => {
    for (const url of ['/api', '/api/nope', '/api/persons/1/nope?x=1', '/docs/nope']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().error.code, 'not_found', url);
    }
    assert.equal((await app.inject({ url: '/api/health' })).json().status, 'ok');
    assert.equal((await app.inject({ url: '/docs' })).body, 'docs');
  });

  it('serves hashed assets for a year, gzipped when the browser accepts it', async () => {
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(plain.statusCode, 200);
    assert.match(plain.headers['content-type'] as string, /javascript/);
    assert.match(plain.headers['cache-control'] as string, /immutable/);
    assert.equal(plain.body, script);
    const zipped = await app.inject({
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.rawPayload.length < script.length / 4);
  });

  it('answers a missing file with 404 and never leaves the build directory', async () => {
    assert.equal((await app.inject({ url: '/assets/gone.js' })).statusCode, 404);
    for (const url of [
      '/assets/..%2F..%2Fpackage.json',
      '/..%2F..%2Fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
    ]) {
      const answer = await app.inject({ url });
      assert.doesNotMatch(answer.body, /"name"|"scripts"/, url);
    }
  });

  it('says how to build the app when it has not been built', async () => {
    const bare = Fastify();
    registerWebRoutes(bare, join(dist, 'missing'));
    const response = await bare.inject({ url: '/' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build:web/);
    await bare.close();
  });
});
