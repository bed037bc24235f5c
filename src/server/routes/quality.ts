import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for the four data-quality rates, validation findings and field audits (filled in by the issue that builds them). */
export function registerQualityRoutes(_app: FastifyInstance, _context: AppContext) {}
