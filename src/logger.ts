import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { pgErrorOf } from './db/pg-error.js';

/** Query parameters whose values are never logged, compared without case and punctuation. */
const SENSITIVE_PARAM = /nationalid|cccd|cmnd|token|secret|password|apikey/;

const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
};

/**
 * Removes sensitive values from a URL before it is logged. Parameter names are matched as the
 * router reads them (percent-decoded, so `national%49d=` is `nationalId=`); a name that cannot be
 * decoded has its value removed too.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decode(rawName);
    const sensitive = name === null || SENSITIVE_PARAM.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
    return sensitive && eq !== -1 ? `${rawName}=[REDACTED]` : pair;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/** A database error's own stack frames, without its message (which holds the SQL and its parameters). */
const framesOf = (err: Error) => (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n');

/**
 * Errors as logged. A failed query carries its SQL text and parameters (names, birth dates,
 * contacts, ciphertexts, blind indexes) in its message and fields, and PostgreSQL's `detail` quotes
 * the values: only the SQLSTATE and the constraint are kept. Other errors log as pino would.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let query = false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ('query' in e || e.message.startsWith('Failed query:')) query = true;
  }
  const pg = pgErrorOf(err);
  if (!query && !pg) return pino.stdSerializers.err(err);
  let driver: string | undefined;
  let nodeCode: string | undefined;
  if (!pg) {
    // No SQLSTATE: a connection-level failure ("Connection terminated unexpectedly", ECONNREFUSED).
    let e: unknown = err;
    while (e instanceof Error && e.cause instanceof Error) e = e.cause;
    if (e instanceof Error && e !== err) {
      driver = e.message;
      const code = (e as { code?: unknown }).code;
      nodeCode = typeof code === 'string' ? code : undefined;
    }
  }
  return {
    type: 'DatabaseError',
    code: pg?.code ?? nodeCode,
    constraint: pg?.constraint,
    ...(driver ? { message: driver } : {}),
    stack: framesOf(err),
  };
}

/**
 * JSON logs on stdout (or the given destination), with credentials and national IDs redacted.
 * `pretty` (LOG_FORMAT=pretty, `npm run dev`) prints them for a person through pino-pretty, a dev
 * dependency loaded in a worker thread only then. While tracing is on, lines written inside a
 * traced request or job carry its `traceId`.
 */
export function createLogger(level: string, destination?: DestinationStream, opts: { pretty?: boolean } = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    mixin() {
      const span = trace.getActiveSpan();
      return span ? { traceId: span.spanContext().traceId } : {};
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.nationalId',
        '*.*.nationalId',
        '*.national_id',
        '*.key',
        '*.secret',
        'nationalId',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(req: { method: string; url: string; id: string; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url), id: req.id, remoteAddress: req.ip };
      },
      err: serializeError,
    },
  };
  if (destination) return pino(options, destination);
  if (opts.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } },
    });
  }
  return pino(options);
}

/** The one line logged per request: what was asked and how it ended, never the URL's values or the body. */
export function requestLine(request: {
  method: string;
  id: string;
  routeOptions: { url?: string | undefined };
  principal?: { keyId: string } | null;
}, statusCode: number, elapsedMs: number) {
  return {
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    status: statusCode,
    ms: Math.round(elapsedMs * 10) / 10,
    ...(request.principal ? { keyId: request.principal.keyId } : {}),
  };
}
