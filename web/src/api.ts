/**
 * The one way the app talks to the server: JSON over fetch, errors turned into ApiError with the
 * server's stable code, field and field-level issues (so forms can show them at the field).
 */

export interface ApiIssue {
  code: string;
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly issues: ApiIssue[];

  constructor(status: number, code: string, message: string, field: string | null, issues: ApiIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.issues = issues;
  }
}

// The language switch's choice (i18n.tsx keeps it there), so requests sent before React starts use it too.
let currentLang = globalThis.localStorage?.getItem('renkou.lang') === 'en' ? 'en' : 'zh-CN';
let csrfToken: string | undefined;

/** The language error messages come back in (set by the language switch). */
export function setApiLang(lang: string) {
  currentLang = lang;
}

/** The session's anti-forgery token, sent with every write once sign-in exists (issue 10). */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

let pending = 0;

/**
 * Requests in flight, mirrored on <html data-pending="n"> so a browser test (or anyone) can tell
 * when a page has all its data.
 */
function track(delta: number) {
  pending += delta;
  document.documentElement.dataset.pending = String(pending);
}

/** Counts any other wait (a page's code, the chart library) on <html data-pending> as well. */
export async function tracked<T>(promise: Promise<T>): Promise<T> {
  track(1);
  try {
    return await promise;
  } finally {
    track(-1);
  }
}

async function request<T>(method: string, path: string, body?: unknown, raw?: Blob | File): Promise<T> {
  track(1);
  try {
    return await send<T>(method, path, body, raw);
  } finally {
    track(-1);
  }
}

async function send<T>(method: string, path: string, body?: unknown, raw?: Blob | File): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': currentLang, accept: 'application/json' };
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (raw) {
    headers['content-type'] = raw.type || 'application/octet-stream';
    payload = raw;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await response.text();
  const data = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (data as { error?: Record<string, unknown> } | undefined)?.error;
    throw new ApiError(
      response.status,
      String(error?.code ?? 'http_error'),
      String(error?.message ?? `HTTP ${response.status}`),
      (error?.field as string | null | undefined) ?? null,
      (error?.issues as ApiIssue[] | undefined) ?? [],
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'bad_response', message: text.slice(0, 200) } };
  }
}

/** GETs sent ahead of the page that will ask for them (see prefetch), by language and URL. */
const prefetched = new Map<string, { at: number; answer: Promise<unknown> }>();
const PREFETCH_MAX_AGE_MS = 10_000;

/**
 * Sends a GET now so that the page asking for it later (once React has drawn it) gets the answer
 * already on its way; the first apiGet of the same URL within 10 s takes it.
 */
export function prefetch(path: string, query?: Query) {
  const url = withQuery(path, query);
  const answer = request('GET', url);
  answer.catch(() => undefined); // the page that takes it sees the error
  prefetched.set(`${currentLang} ${url}`, { at: Date.now(), answer });
}

export function apiGet<T>(path: string, query?: Query): Promise<T> {
  const url = withQuery(path, query);
  const key = `${currentLang} ${url}`;
  const early = prefetched.get(key);
  if (early) {
    prefetched.delete(key);
    if (Date.now() - early.at < PREFETCH_MAX_AGE_MS) return early.answer as Promise<T>;
  }
  return request<T>('GET', url);
}

export function apiPost<T>(path: string, body: unknown, query?: Query): Promise<T> {
  return request<T>('POST', withQuery(path, query), body);
}

export function apiPut<T>(path: string, body: unknown, query?: Query): Promise<T> {
  return request<T>('PUT', withQuery(path, query), body);
}

export function apiUpload<T>(path: string, file: File, query?: Query): Promise<T> {
  return request<T>('POST', withQuery(path, query), undefined, file);
}

/** Whether a route exists: anything but "no such route" (404 not_found from the router) counts. */
export async function routeExists(path: string): Promise<boolean> {
  track(1);
  try {
    const response = await fetch(path, { headers: { accept: 'application/json' } });
    if (response.status !== 404) return response.status < 500;
    const body = safeJson(await response.text()) as {
      error?: { message?: string; messages?: { en?: string } };
    };
    return !String(body.error?.messages?.en ?? body.error?.message ?? '').startsWith('No such route');
  } catch {
    return false;
  } finally {
    track(-1);
  }
}
