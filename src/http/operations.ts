import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { sendProblem } from './errors.js';
import { problems } from './openapi.js';

const tags = ['operations'];

/** Set when the process is shutting down: /readyz then answers 503 while other requests are still served. */
export type Readiness = { draining: boolean };

export const operationsRoutes: FastifyPluginAsyncZod<{ database: Database; readiness: Readiness }> = async (app, { database, readiness }) => {
  app.get('/healthz', {
    config: { public: true },
    schema: {
      operationId: 'health',
      tags,
      summary: 'Liveness: the process is up',
      response: { 200: z.object({ status: z.literal('ok') }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    config: { public: true },
    schema: {
      operationId: 'ready',
      tags,
      summary: 'Readiness: the database answers',
      response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['postgres', 'pglite']) }), ...problems(503) },
    },
    handler: async (_request, reply) => {
      if (readiness.draining) {
        // Load balancers take the instance out on this answer before it stops listening (SHUTDOWN_DRAIN_MS).
        void reply.header('retry-after', '5');
        return sendProblem(reply, 503, 'server.draining', 'This instance is shutting down');
      }
      try {
        await database.ping();
      } catch {
        void reply.header('retry-after', '5');
        return sendProblem(reply, 503, 'database.unavailable', 'The database does not answer');
      }
      return { status: 'ready' as const, database: database.kind === 'postgres' ? ('postgres' as const) : ('pglite' as const) };
    },
  });
};
