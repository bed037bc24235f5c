import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';

/** GET /api/health: is the process up and can it reach its database. */
export function registerHealthRoutes(app: FastifyInstance, context: AppContext) {
  app.get(
    '/api/health',
    {
      config: { access: { right: 'public' } },
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
              demo: {
                type: 'object',
                properties: {
                  state: { type: 'string' },
                  percent: { type: 'integer' },
                  error: { type: 'string' },
                },
              },
            },
            required: ['status', 'version', 'storage', 'migration'],
          },
        },
      },
    },
    async () => {
      const demo = context.demo;
      const busy =
        demo && (demo.state === 'generating' || demo.state === 'loading' || demo.state === 'preparing');
      // While the embedded database loads the demo county it is locked by that one transaction:
      // answer from what start-up already checked rather than queue behind it.
      const migration =
        busy && context.database.kind === 'pglite'
          ? -1
          : ((
              await sql<{
                version: number | null;
              }>`SELECT max(version) AS version FROM renkou_migration`.execute(context.database.db)
            ).rows[0]?.version ?? 0);
      return {
        status: 'ok' as const,
        version: context.version,
        storage: context.database.kind,
        migration,
        uptimeSeconds: Math.round(process.uptime()),
        ...(demo && demo.state !== 'none'
          ? {
              demo: {
                state: demo.state,
                percent:
                  demo.state === 'ready'
                    ? 100
                    : Math.round(
                        demo.state === 'preparing'
                          ? 90 + (10 * demo.done) / demo.total
                          : demo.state === 'loading'
                            ? 70 + (20 * demo.done) / demo.total
                            : (70 * demo.done) / demo.total,
                      ),
                ...(demo.error ? { error: demo.error } : {}),
              },
            }
          : {}),
      };
    },
  );
}
