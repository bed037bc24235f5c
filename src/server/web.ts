import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';

/** Where `vite build` puts the web app (web/scripts/build-if-stale.ts). */
export const WEB_DIST = join(import.meta.dirname, '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

interface CachedFile {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
}

/** Paths the server keeps for itself: the app never answers them, not even with its index page. */
function isServerPath(url: string): boolean {
  return /^\/(api|docs)(\/|$|\?)/.test(url);
}

/**
 * Serves the built web app from the same server as the API: files under web/dist (hashed
 * assets cached for a year, gzip when the browser takes it), and index.html for every other
 * GET so the app's own routes (/persons/12) survive a reload. /api and /docs never fall through
 * to the app: an unknown /api route stays a JSON 404.
 */
export function registerWebRoutes(app: FastifyInstance, dist = WEB_DIST) {
  const cache = new Map<string, CachedFile>();

  async function load(path: string): Promise<CachedFile | undefined> {
    const hit = cache.get(path);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return undefined;
    }
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const file = {
      type,
      body,
      gzip:
        /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024 ? gzipSync(body) : undefined,
    };
    // Hashed assets never change under their name; index.html changes with every build.
    if (path.includes(`${sep}assets${sep}`)) cache.set(path, file);
    return file;
  }

  function send(request: FastifyRequest, reply: FastifyReply, file: CachedFile, immutable: boolean) {
    reply
      .header('content-type', file.type)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding');
    if (file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    }
    return reply.send(file.body);
  }

  // Public: the app's files hold no data; every /api route it calls checks access itself.
  const config = { access: { right: 'public' as const } };
  app.get('/*', { config, schema: { hide: true } }, async (request, reply) => {
    const url = request.url;
    if (isServerPath(url)) {
      throw new AppError('not_found', text(`没有这个地址：${url}`, `No such route: ${url}`));
    }
    const pathname = decodeURIComponent(url.split('?')[0] ?? '/');
    const path = normalize(join(dist, pathname));
    if (path.startsWith(dist + sep) && extname(path)) {
      const file = await load(path);
      if (file) return send(request, reply, file, pathname.startsWith('/assets/'));
      // A missing file with an extension is a real 404, not the app.
      throw new AppError('not_found', text(`没有这个文件：${pathname}`, `No such file: ${pathname}`));
    }
    const index = await load(join(dist, 'index.html'));
    if (!index) return reply.status(503).header('content-type', 'text/html; charset=utf-8').send(NOT_BUILT);
    return send(request, reply, index, false);
  });
}

/** Whether the app has been built (`npm start` builds it; `npx renkou start` does not). */
export function webAppBuilt(dist = WEB_DIST): boolean {
  return existsSync(join(dist, 'index.html'));
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>renkou</title>
<p>网页应用尚未构建。请在项目目录运行 <code>npm run build:web</code>（<code>npm install</code> 与 <code>npm start</code> 会自动构建）。接口仍可用：<a href="/docs">/docs</a>。</p>
<p>The web app has not been built. Run <code>npm run build:web</code> in the project directory (<code>npm install</code> and <code>npm start</code> build it). The API works: <a href="/docs">/docs</a>.</p>`;
