import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type pino from 'pino';
import { AppError } from '../domain/errors.ts';
import { text } from '../domain/i18n.ts';
import { collectRoutes, installAccessControl, type RouteEntry } from './access.ts';
import type { AppContext } from './context.ts';
import { errorBody, handleError, requestLang } from './errors.ts';
import { installInputGuards } from './input-guards.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerBenefitRoutes } from './routes/benefits.ts';
import { registerCompletenessRoutes } from './routes/completeness.ts';
import { registerDedupeRoutes } from './routes/dedupe.ts';
import { registerFeedRoutes } from './routes/feeds.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerImportRoutes } from './routes/imports.ts';
import { registerIndicatorRoutes } from './routes/indicators.ts';
import { registerOrgUnitRoutes } from './routes/org-units.ts';
import { registerPersonRoutes } from './routes/persons.ts';
import { registerProjectionRoutes } from './routes/projection.ts';
import { registerQualityRoutes } from './routes/quality.ts';
import { registerReportRoutes } from './routes/reports.ts';
import { registerTargetRoutes } from './routes/targets.ts';
import { registerWebSupportRoutes } from './routes/web-support.ts';
import { AJV_OPTIONS } from './schema-check.ts';
import { registerWebRoutes } from './web.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access rule, for the authorisation-matrix test and the docs. */
    routeTable: RouteEntry[];
  }
}

export interface BuildAppOptions {
  logger?: pino.Logger | false;
}

/** Builds the HTTP application; routes are thin: parse, call a module, format. */
export async function buildApp(context: AppContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger || undefined,
    logger: options.logger ? undefined : false,
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    // What the router refuses before any route runs (a path parameter over 100 characters, a
    // malformed %-escape) gets the one error shape too, not Fastify's own.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const refused = new AppError(
        'invalid_input',
        tooLong
          ? text('地址中的参数过长', 'A parameter in the address is too long')
          : text('地址中有无效的字符或编码', 'The address has an invalid character or escape'),
      );
      return reply.status(error.statusCode ?? 400).send(errorBody(refused, requestLang(request)));
    },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'renkou API',
        description: '人口与家庭服务信息平台 / Population and family-services information platform',
        version: context.version,
      },
      tags: [
        { name: 'system', description: '系统 / System' },
        { name: 'org-units', description: '行政区划 / Organisation units' },
        { name: 'registry', description: '人口登记 / Population registry' },
        { name: 'indicators', description: '指标 / Indicators' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError(
      'not_found',
      text(`没有这个地址：${request.url}`, `No such route: ${request.url}`),
    );
    return reply.status(404).send(errorBody(error, requestLang(request)));
  });

  // Before any route: every route is registered with its access rule checked in one place.
  app.decorate('routeTable', collectRoutes(app));
  installAccessControl(app, context.database);
  installInputGuards(app);
  registerHealthRoutes(app, context);
  registerAuthRoutes(app, context);
  registerOrgUnitRoutes(app, context);
  registerPersonRoutes(app, context);
  registerImportRoutes(app, context);
  registerIndicatorRoutes(app, context);
  registerProjectionRoutes(app, context);
  registerBenefitRoutes(app, context);
  registerReportRoutes(app, context);
  registerQualityRoutes(app, context);
  registerTargetRoutes(app, context);
  registerCompletenessRoutes(app, context);
  registerDedupeRoutes(app, context);
  registerFeedRoutes(app, context);
  registerWebSupportRoutes(app, context);
  registerWebRoutes(app); // last: the web app answers only what no API route does
  return app;
}
