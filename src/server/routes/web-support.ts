import type { FastifyInstance } from 'fastify';
import { SERVICE_KINDS } from '../../services/service-kinds.ts';
import { requestLang } from '../errors.ts';

/**
 * Small read-only routes the web app's pages need and no area route offers yet. Each has a schema
 * and an access rule like every other route.
 */
export function registerWebSupportRoutes(app: FastifyInstance) {
  app.get(
    '/api/services/kinds',
    {
      config: { access: { right: 'signed-in' } },
      schema: {
        tags: ['services'],
        summary:
          '可记录的服务种类及其结果代码（供表单使用）/ The service kinds that can be recorded and their outcome codes (for forms)',
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    kind: { type: 'string' },
                    name: { type: 'string' },
                    outcomes: { type: 'object', additionalProperties: { type: 'string' } },
                    womenOnly: { type: 'boolean' },
                    related: { type: ['string', 'null'] },
                    relatedRequired: { type: 'boolean' },
                    quantity: { type: 'boolean' },
                  },
                },
              },
            },
          },
        },
      },
    },
    (request) => {
      const lang = requestLang(request);
      return {
        items: SERVICE_KINDS.map((info) => ({
          kind: info.kind,
          name: info.name[lang],
          outcomes: Object.fromEntries(
            Object.entries(info.outcomes).map(([code, label]) => [code, label[lang]]),
          ),
          womenOnly: info.womenOnly ?? false,
          related: info.related ?? null,
          relatedRequired: info.relatedRequired ?? false,
          quantity: info.quantity ?? false,
        })),
      };
    },
  );
}
