import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unitsWithRight } from '../../access/principal.ts';
import { AppError } from '../../domain/errors.ts';
import { text } from '../../domain/i18n.ts';
import { exportPersons } from '../../registry/export/export-persons.ts';
import type { TableFormat } from '../../registry/export/table-writer.ts';
import { type ImportContext, importPersons } from '../../registry/import/import-persons.ts';
import { getImportReport, listImportBatches } from '../../registry/import/import-report.ts';
import {
  discardQuarantinedRow,
  listQuarantine,
  resubmitQuarantinedRow,
  writeQuarantineFile,
} from '../../registry/import/quarantine.ts';
import { writePersonTemplate } from '../../registry/import/template.ts';
import { actorOf, importTarget, importUnit, unitFrom } from '../access.ts';
import type { AppContext } from '../context.ts';
import { acceptTableUploads, receiveUpload } from '../upload.ts';

/** Largest upload accepted: a million-person CSV is about 150 MB. */
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

const MIME: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * The signed-in user is who the history records; the units they hold the import right for are
 * where a resubmitted row may go.
 */
function importContext(app: AppContext, request: FastifyRequest): ImportContext {
  return {
    database: app.database,
    actor: { id: actorOf(request) },
    ...(request.principal ? { scope: unitsWithRight(request.principal, 'registry.import') } : {}),
  };
}

const UNIT = { type: 'string', pattern: '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$' } as const;

/** Streams a file download: the writer fills the stream while Fastify sends it. */
function sendFile(
  reply: FastifyReply,
  name: string,
  format: TableFormat,
  write: (out: PassThrough) => Promise<unknown>,
): FastifyReply {
  const out = new PassThrough();
  write(out).catch((error) => out.destroy(error));
  return reply
    .header('content-type', MIME[format])
    .header(
      'content-disposition',
      `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    )
    .send(out);
}

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
const rowParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, row: { type: 'integer', minimum: 1 } },
  required: ['id', 'row'],
} as const;
const formatQuery = {
  type: 'object',
  properties: { format: { type: 'string', enum: ['csv', 'xlsx'], default: 'xlsx' } },
} as const;

/** Bulk import: upload a file, read its report, work its quarantine; the template; the person export. */
export function registerImportRoutes(app: FastifyInstance, context: AppContext) {
  const tags = ['registry'];

  app.register(async (scope) => {
    // The upload arrives as a raw body and goes straight to a temporary file: never in memory.
    acceptTableUploads(scope);

    scope.post(
      '/api/imports',
      {
        config: { access: { right: 'registry.import', unit: importTarget(), audit: 'import' } },
        schema: {
          tags,
          summary:
            '上传 CSV/XLSX 导入人员（请求体为文件本身）；不在 unit 内的行进入隔离区 / Import persons: the request body is the CSV or XLSX file; rows outside `unit` are quarantined',
          querystring: {
            type: 'object',
            properties: {
              filename: { type: 'string', minLength: 1, maxLength: 255 },
              unit: {
                ...UNIT,
                description:
                  '导入所属单位（县、乡镇或村居），默认为本人的单位 / The unit the import is for (county, township or village); your own by default',
              },
              county: { type: 'string', pattern: '^[0-9]{6}$' },
              chunkSize: { type: 'integer', minimum: 1, maximum: 100000 },
            },
            required: ['filename'],
          },
        },
      },
      async (request, reply) => {
        const query = request.query as {
          filename: string;
          unit?: string;
          county?: string;
          chunkSize?: number;
        };
        return receiveUpload(request, MAX_UPLOAD_BYTES, async (path) => {
          // The unit checked against the caller's rights: rows outside it are quarantined.
          const unit = request.accessUnit;
          const report = await importPersons(importContext(context, request), {
            path,
            fileName: query.filename,
            ...(unit ? { unit } : {}),
            ...(query.county ? { county: query.county } : {}),
            ...(query.chunkSize ? { chunkSize: query.chunkSize } : {}),
          });
          return reply.status(report.alreadyImported ? 200 : 201).send(report);
        });
      },
    );
  });

  app.get(
    '/api/imports',
    {
      config: { access: { right: 'registry.import', unit: importTarget() } },
      schema: {
        tags,
        summary:
          '最近的导入批次（该单位及下级的）/ Recent import batches (for the unit and the units under it)',
        querystring: {
          type: 'object',
          properties: {
            unit: UNIT,
            county: { type: 'string', pattern: '^[0-9]{6}$' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (request) => {
      const { county, limit } = request.query as { county?: string; limit?: number };
      const unit = request.accessUnit;
      return {
        items: await listImportBatches(context.database.db, {
          ...(unit ? { unit } : county ? { county } : {}),
          ...(limit ? { limit } : {}),
        }),
      };
    },
  );

  app.get(
    '/api/imports/:id',
    {
      config: { access: { right: 'registry.import', unit: importUnit('id') } },
      schema: { tags, summary: '导入批次的结果 / An import batch’s report', params: idParams },
    },
    (request) => getImportReport(context.database.db, (request.params as { id: number }).id),
  );

  app.get(
    '/api/imports/:id/quarantine',
    {
      config: { access: { right: 'registry.import', unit: importUnit('id'), audit: 'person.list' } },
      schema: {
        tags,
        summary: '隔离区中的行及其问题 / Quarantined rows with their issues',
        params: idParams,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['pending', 'resubmitted', 'discarded', 'all'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            offset: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: number };
      await getImportReport(context.database.db, id);
      return listQuarantine(context.database.db, { batchId: id, ...(request.query as object) });
    },
  );

  app.get(
    '/api/imports/:id/quarantine/file',
    {
      config: { access: { right: 'registry.import', unit: importUnit('id'), audit: 'export' } },
      schema: {
        tags,
        summary: '隔离区导出为表格（更正后逐行重新提交）/ The quarantine as a sheet, to correct and resubmit',
        params: idParams,
        querystring: formatQuery,
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const { format } = request.query as { format: TableFormat };
      await getImportReport(context.database.db, id);
      return sendFile(reply, `隔离区-批次${id}.${format}`, format, (out) =>
        writeQuarantineFile(context.database.db, out, { batchId: id, format }),
      );
    },
  );

  app.post(
    '/api/imports/:id/quarantine/:row/resubmit',
    {
      config: { access: { right: 'registry.import', unit: importUnit('id'), audit: 'person.write' } },
      schema: {
        tags,
        summary: '更正后重新提交隔离区中的一行 / Resubmit a quarantined row with corrections',
        params: rowParams,
        body: {
          type: 'object',
          properties: {
            values: {
              type: 'object',
              description:
                '更正的值：列名（中文表头或英文键）→ 值 / Corrected cells: column (zh-CN header or English key) -> value',
              additionalProperties: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (request) => {
      const { id, row } = request.params as { id: number; row: number };
      const body = (request.body ?? {}) as { values?: Record<string, string | null> };
      return resubmitQuarantinedRow(importContext(context, request), {
        batchId: id,
        rowNo: row,
        values: body.values ?? {},
      });
    },
  );

  app.post(
    '/api/imports/:id/quarantine/:row/discard',
    {
      config: { access: { right: 'registry.import', unit: importUnit('id'), audit: 'person.write' } },
      schema: {
        tags,
        summary: '舍弃隔离区中的一行（须填原因）/ Discard a quarantined row, with a reason',
        params: rowParams,
        body: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] },
      },
    },
    async (request) => {
      const { id, row } = request.params as { id: number; row: number };
      return discardQuarantinedRow(importContext(context, request), {
        batchId: id,
        rowNo: row,
        reason: (request.body as { reason: string }).reason,
      });
    },
  );

  app.get(
    '/api/import-template',
    {
      config: { access: { right: 'registry.import' } },
      schema: { tags, summary: '人员导入模板 / The person import template', querystring: formatQuery },
    },
    async (request, reply) => {
      const { format } = request.query as { format: TableFormat };
      return sendFile(reply, `人员导入模板.${format}`, format, (out) => writePersonTemplate(out, format));
    },
  );

  app.get(
    '/api/persons/export',
    {
      config: { access: { right: 'registry.import', unit: unitFrom('query', 'unit'), audit: 'export' } },
      schema: {
        tags,
        summary:
          '导出某单位（含下级）的现住人员，列同导入模板 / A unit’s current residents, in the import template’s columns',
        querystring: {
          type: 'object',
          properties: {
            unit: { type: 'string', pattern: '^[0-9]{2,12}$' },
            format: { type: 'string', enum: ['csv', 'xlsx'], default: 'csv' },
          },
          required: ['unit'],
        },
      },
    },
    async (request, reply) => {
      const { unit, format } = request.query as { unit: string; format: TableFormat };
      const exists = await context.database.db
        .selectFrom('org_unit')
        .select('code')
        .where('code', '=', unit)
        .executeTakeFirst();
      if (!exists) {
        throw new AppError('not_found', text(`没有代码为 ${unit} 的单位`, `No unit with code ${unit}`), {
          field: 'unit',
        });
      }
      return sendFile(reply, `人员-${unit}.${format}`, format, (out) =>
        exportPersons(context.database.db, out, { unit, format }),
      );
    },
  );
}
