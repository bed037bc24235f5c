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
              cubes: {
                type: 'object',
                description:
                  '启动后在后台预先计算工作台所需的指标数据 / The indicator cubes the dashboard needs, built in the background after start',
                properties: {
                  state: { type: 'string', enum: ['waiting', 'warming', 'ready', 'failed'] },
                  built: { type: 'integer' },
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
      const cubes = context.cubes;
      const busy =
        (demo && (demo.state === 'generating' || demo.state === 'loading' || demo.state === 'preparing')) ||
        cubes?.state === 'warming';
      // While the embedded database loads the demo county it is locked by that one transaction, and
      // while the cubes are warmed it runs their queries one by one: answer from what start-up
      // already checked rather than queue behind them.
      const migration =
        busy && context.database.kind === 'pglite'
          ? (context.schemaVersion ?? -1)
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
        ...(cubes && cubes.state !== 'off'
          ? {
              cubes: {
                state: cubes.state,
                built: cubes.built.length,
                ...(cubes.error ? { error: cubes.error } : {}),
              },
            }
          : {}),
      };
    },
  );
}
