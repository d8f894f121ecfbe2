import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { BatchSpanProcessor, ParentBasedSampler, AlwaysOnSampler, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyPluginCallback } from 'fastify';
import { redactUrl } from './logger.js';

/**
 * The OpenTelemetry SDK, loaded (dynamic import from buildApp) only when tracing is on: HTTP spans
 * from @fastify/otel (the incoming `traceparent` is honoured), SQL spans from
 * @opentelemetry/instrumentation-pg, our own spans from src/tracing.ts, all exported over OTLP/HTTP
 * (or to the span processors the caller gives, e.g. an in-memory exporter).
 *
 * pg under ESM: `pg` is CommonJS behind an ESM wrapper; the instrumentation patches the prototypes
 * of its Client and Pool when pg is required. Requiring it once after enabling the instrumentation
 * applies the patch to the module already loaded by src/db/client.ts (the same module instance), so
 * no loader hook (`--import`) is needed and the order of start-up does not matter.
 */
export type TracingOptions = {
  serviceName: string;
  /** OTLP/HTTP traces endpoint (…/v1/traces); unset: the exporter's default (OTEL_EXPORTER_OTLP_* rules). */
  otlpEndpoint?: string | undefined;
  /** Replaces the OTLP exporter (tests: an in-memory exporter). */
  spanProcessors?: readonly SpanProcessor[] | undefined;
};

export type Tracing = {
  /** Registered before any route: one span per request, hooks left out (they would double the spans). */
  fastifyPlugin: FastifyPluginCallback;
  shutdown(): Promise<void>;
};

/**
 * Registers the provider, context manager and propagator globally (the OpenTelemetry API has one
 * of each per process): one traced app per process, as the server runs it.
 */
export function startTracing(opts: TracingOptions): Tracing {
  const spanProcessors = opts.spanProcessors
    ? [...opts.spanProcessors]
    : [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(opts.otlpEndpoint ? { url: opts.otlpEndpoint } : {}) })];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    // A caller that sampled its request out is followed; everything else is recorded.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);

  // SQL text is recorded as sent (parameters are placeholders; their values are never recorded).
  // Only statements of traced work (a request, a delivery, a job) make spans: the outbox poll and
  // the sweeps, every second on every instance, would otherwise each start a trace of their own.
  const pg = new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true });
  pg.setTracerProvider(provider);
  pg.enable();
  createRequire(import.meta.url)('pg');

  const fastify = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    ignorePaths: ({ url }) => url === '/healthz' || url === '/readyz',
    // The default url.path carries the query string: national IDs and tokens are removed as in the logs.
    // The span is named `{method} {route}` (HTTP semantic conventions), not the library's "request".
    requestHook: (span, request) => {
      span.setAttribute('url.path', redactUrl(request.url));
      span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
    },
  });
  fastify.setTracerProvider(provider);

  return {
    fastifyPlugin: fastify.plugin(),
    async shutdown() {
      await provider.forceFlush().catch(() => undefined);
      await provider.shutdown().catch(() => undefined);
      pg.disable();
      fastify.disable();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
