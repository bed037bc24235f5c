import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';

/** Routes for family services, support programmes and payments (filled in by the issue that builds them). */
export function registerBenefitRoutes(_app: FastifyInstance, _context: AppContext) {}
