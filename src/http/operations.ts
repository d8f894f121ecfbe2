import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { sendProblem } from './errors.js';
import { problems } from './openapi.js';

const tags = ['operations'];

export const operationsRoutes: FastifyPluginAsyncZod<{ database: Database; metrics: Registry }> = async (app, { database, metrics }) => {
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
      try {
        await database.ping();
      } catch {
        void reply.header('retry-after', '5');
        return sendProblem(reply, 503, 'database.unavailable', 'The database does not answer');
      }
      return { status: 'ready' as const, database: database.kind === 'postgres' ? ('postgres' as const) : ('pglite' as const) };
    },
  });

  app.get('/metrics', {
    config: { public: true },
    schema: {
      operationId: 'metrics',
      tags,
      summary: 'Prometheus metrics: request counts and latencies, pool and process statistics',
      produces: ['text/plain'],
      response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
    },
    handler: async (_request, reply) => {
      const body = await metrics.metrics();
      return reply.type(metrics.contentType).send(body);
    },
  });
};
