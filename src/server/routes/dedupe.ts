import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for registry duplicates: merge suggestions, merges and undo (filled in by the issue that builds them). */
export function registerDedupeRoutes(_app: FastifyInstance, _context: AppContext) {}
