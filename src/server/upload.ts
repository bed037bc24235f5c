import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';

/** The content types a CSV or XLSX upload arrives with (browsers and curl send any of these). */
export const TABLE_UPLOAD_TYPES = [
  'text/csv',
  'application/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/**
 * Lets the routes of an encapsulated scope take a CSV or XLSX file as the raw request body, as a
 * stream (receiveUpload writes it to disk): never parsed, never held in memory. A form upload
 * (multipart/form-data) is taken too, only to be refused with a message that says what to send.
 * `alsoTypes`: more types a scope's files come as (the department feeds take JSON files; the scope
 * removes its JSON parser first).
 */
export function acceptTableUploads(scope: FastifyInstance, alsoTypes: readonly string[] = []) {
  scope.addContentTypeParser([...TABLE_UPLOAD_TYPES, ...alsoTypes], (_request, payload, done) =>
    done(null, payload),
  );
  scope.addContentTypeParser('multipart/form-data', (_request, payload, done) => {
    payload.resume(); // drained, not read: the request is refused
    done(null, { multipart: true });
  });
}

const notAFile = (body: unknown) =>
  new AppError(
    'invalid_input',
    (body as { multipart?: boolean } | undefined)?.multipart
      ? text(
          '请把 CSV 或 XLSX 文件本身作为请求体上传，而不是表单（multipart/form-data）',
          'Send the CSV or XLSX file itself as the request body, not as a form (multipart/form-data)',
        )
      : text(
          '请求中没有文件：请求体应为要上传的文件本身（CSV、XLSX 等，Content-Type 为其类型）',
          'The request has no file: the body must be the file itself (CSV, XLSX …, with its Content-Type)',
        ),
    { field: 'body' },
  );

/**
 * Writes the request's uploaded file (its raw body, see acceptTableUploads) to a temporary file,
 * runs `use` on its path and removes it, whatever happens. A body that is not a file (JSON, a
 * form, none) or a file over `maxBytes` is refused with a field-level error on `body`.
 */
export async function receiveUpload<T>(
  request: FastifyRequest,
  maxBytes: number,
  use: (path: string) => Promise<T>,
): Promise<T> {
  const body = request.body as NodeJS.ReadableStream | undefined;
  if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') throw notAFile(body);
  const dir = await mkdtemp(join(tmpdir(), 'renkou-upload-'));
  const path = join(dir, 'upload');
  try {
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          const size = maxBytes >= 1 << 30 ? `${maxBytes / (1 << 30)} GB` : `${maxBytes / (1 << 20)} MB`;
          callback(
            new AppError(
              'invalid_input',
              text(`上传的文件过大（上限 ${size}）`, `The upload is too large (${size} at most)`),
              { field: 'body' },
            ),
          );
          return;
        }
        callback(null, chunk);
      },
    });
    await pipeline(body, limit, createWriteStream(path));
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
