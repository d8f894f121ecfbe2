import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../db/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry, served by buildMetricsServer on the metrics port. */
    metricsRegistry: Registry;
  }
}

/** Prometheus metrics: one registry per app instance (tests build many apps in one process). */
export function registerMetrics(app: FastifyInstance, poolStats: () => PoolStats): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pool = new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  void pool;
  new Counter({
    name: 'db_pool_waits_total',
    help: 'Connection checkouts that queued because every pool connection was busy',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(poolStats().waits);
    },
  });
  new Counter({
    name: 'db_pool_wait_seconds_total',
    help: 'Time checkouts spent queued for a pool connection',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(poolStats().waitSeconds);
    },
  });
  app.decorate('metricsRegistry', registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  return registry;
}

/**
 * The metrics endpoint, on its own listener (METRICS_PORT, on METRICS_HOST: 127.0.0.1 unless set):
 * request counts per route, pool and process figures are for the operator's scraper, not for
 * anyone who can reach the API port.
 */
export function buildMetricsServer(registry: Registry, logger: FastifyBaseLogger): FastifyInstance {
  const server = Fastify({ loggerInstance: logger });
  server.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return server as unknown as FastifyInstance;
}
