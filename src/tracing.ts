import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * Tracing as the rest of the code sees it: the OpenTelemetry API only (a few kB, no SDK). While
 * tracing is off (the default) no tracer provider, context manager or propagator is registered,
 * and every call below is the API's no-op: no span is made, nothing is stored or sent. The SDK is
 * loaded by src/tracing-sdk.ts only when tracing is switched on (TRACING_ENABLED).
 */

const TRACER = 'tuyendung';

/**
 * Runs `fn` inside a span named `name`, the child of the active one (the request's, a job's):
 * ended when `fn` settles, marked as an error when it throws. For work worth seeing in a trace
 * beside the HTTP and SQL spans (an import batch, a computation, a job step).
 */
export async function withSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T>,
  opts: { attributes?: Attributes; kind?: SpanKind; parent?: Context } = {},
): Promise<T> {
  const tracer = trace.getTracer(TRACER);
  const parent = opts.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? { name: err.name, message: err.message } : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The W3C `traceparent` of the active span (to store beside work done later), or null when none is traced. */
export function activeTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const value = carrier.traceparent;
  return value && TRACEPARENT.test(value) ? value : null;
}

/** The context a stored `traceparent` continues (the root context when there is none, or tracing is off). */
export function contextOfTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The `traceparent` header naming `span` as the parent of what the receiver does; null while tracing is off. */
export function traceparentOf(span: Span): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent ?? null;
}

export { SpanKind };
