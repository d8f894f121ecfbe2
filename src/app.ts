import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Clock } from './context.js';
import type { Database } from './db/client.js';
import { authPlugin } from './http/auth.js';
import { registerErrorHandling } from './http/errors.js';
import { idempotencyPlugin } from './http/idempotency.js';
import { registerMetrics } from './http/metrics.js';
import { addStandardResponses, registerOpenApi } from './http/openapi.js';
import { operationsRoutes } from './http/operations.js';
import { createLogger } from './logger.js';
import { createAgenciesRepository } from './modules/agencies/agencies.repository.js';
import { agenciesRoutes } from './modules/agencies/agencies.routes.js';
import { createAgenciesService } from './modules/agencies/agencies.service.js';
import { createApiKeysRepository } from './modules/api-keys/api-keys.repository.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { createAuditService } from './modules/audit/audit.service.js';

export type AppDeps = {
  config: Config;
  database: Database;
  clock?: Clock;
  logger?: Logger;
  /** A shared store for rate limits across instances (ioredis client). */
  redis?: unknown;
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the services once: plain functions over explicit dependencies. */
export function buildServices(deps: { database: Database; clock: Clock }) {
  const { db } = deps.database;
  const agenciesRepo = createAgenciesRepository(db);
  const agencies = createAgenciesService({ db, repo: agenciesRepo, clock: deps.clock, reservedSlots: async () => 0 });
  const apiKeys = createApiKeysService({ db, repo: createApiKeysRepository(db), agencies: agenciesRepo });
  const audit = createAuditService({ repo: createAuditRepository(db) });
  return { agencies, apiKeys, audit };
}
export type Services = ReturnType<typeof buildServices>;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onRoute', addStandardResponses);
  registerErrorHandling(app);

  await app.register(helmet, {
    // The API serves JSON; the docs page needs its own scripts and styles.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    exposedHeaders: ['etag', 'location', 'link', 'x-request-id', 'retry-after', 'idempotent-replayed'],
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    ...(deps.redis ? { redis: deps.redis as never, nameSpace: 'tuyendung-rl-' } : {}),
    keyGenerator: (req) => {
      const auth = req.headers.authorization;
      return auth ? `key:${auth.slice(-16)}` : `ip:${req.ip}`;
    },
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz',
    errorResponseBuilder: (_req, ctx) => {
      const err = new Error(`Rate limit of ${ctx.max} requests per ${ctx.after} exceeded`) as Error & { statusCode: number };
      err.statusCode = 429;
      return err;
    },
  });
  const metrics = registerMetrics(app, () => database.poolStats());
  await registerOpenApi(app, { serverUrl: config.publicBaseUrl });

  const services = buildServices({ database, clock });

  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    await scope.register(operationsRoutes, { database, metrics });
    scope.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  });

  await app.register(
    async (v1) => {
      v1.setValidatorCompiler(validatorCompiler);
      v1.setSerializerCompiler(serializerCompiler);
      await v1.register(authPlugin, { db: database.db });
      await v1.register(idempotencyPlugin, { db: database.db });
      await v1.register(agenciesRoutes, { agencies: services.agencies });
      await v1.register(apiKeysRoutes, { apiKeys: services.apiKeys });
      await v1.register(auditRoutes, { audit: services.audit });
    },
    { prefix: '/v1' },
  );

  return app as unknown as FastifyInstance;
}
