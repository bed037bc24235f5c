import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';

/** GET /api/health: is the process up and can it reach its database. */
export function registerHealthRoutes(app: FastifyInstance, context: AppContext) {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['system'],
        summary: '健康检查 / Health check',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['ok'] },
              version: { type: 'string' },
              storage: { type: 'string', enum: ['pglite', 'postgres'] },
              migration: { type: 'integer' },
              uptimeSeconds: { type: 'number' },
            },
            required: ['status', 'version', 'storage', 'migration'],
          },
        },
      },
    },
    async () => {
      const row = await sql<{
        version: number | null;
      }>`SELECT max(version) AS version FROM renkou_migration`.execute(context.database.db);
      return {
        status: 'ok' as const,
        version: context.version,
        storage: context.database.kind,
        migration: row.rows[0]?.version ?? 0,
        uptimeSeconds: Math.round(process.uptime()),
      };
    },
  );
}
