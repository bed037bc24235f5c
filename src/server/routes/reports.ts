import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for work reports, statistical tables and the activity log (filled in by the issue that builds them). */
export function registerReportRoutes(_app: FastifyInstance, _context: AppContext) {}
