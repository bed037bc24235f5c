import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for target sheets, progress and assessment (filled in by the issue that builds them). */
export function registerTargetRoutes(_app: FastifyInstance, _context: AppContext) {}
