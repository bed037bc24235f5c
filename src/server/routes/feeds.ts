import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for department feeds, link runs and the review queue (filled in by the issue that builds them). */
export function registerFeedRoutes(_app: FastifyInstance, _context: AppContext) {}
