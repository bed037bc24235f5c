import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for registry completeness by dual-system estimation (filled in by the issue that builds them). */
export function registerCompletenessRoutes(_app: FastifyInstance, _context: AppContext) {}
