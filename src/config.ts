import { existsSync } from 'node:fs';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * TRUST_PROXY: which peers may set X-Forwarded-For. `false` (default): none, the socket address is
 * the client. A number: that many proxy hops in front of the service. Otherwise a comma-separated
 * list of addresses or CIDRs of the load balancers. `true` (trust anyone) is refused: any client
 * could then choose its own address and step around the per-IP limits.
 */
const trustProxy = z
  .string()
  .transform((v, ctx): false | number | string[] => {
    const s = v.trim().toLowerCase();
    if (s === 'false' || s === '0' || s === 'no') return false;
    if (/^\d+$/.test(s)) return Number(s);
    const list = v.split(',').map((x) => x.trim()).filter(Boolean);
    const address = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(?:\/\d{1,3})?$/i;
    if (list.length === 0 || !list.every((a) => address.test(a))) {
      ctx.addIssue({ code: 'custom', message: 'expected false, a hop count, or a comma-separated list of proxy addresses/CIDRs (true is not accepted)' });
      return z.NEVER;
    }
    return list;
  });

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const base64Key = (name: string) =>
  z.string().refine((v) => Buffer.from(v, 'base64').length === 32, `${name} must be 32 bytes, base64-encoded`);

/** Everything the service reads from its environment, validated once at start. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).default('./data/pglite'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  REDIS_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` (one object a line, for collectors) or `pretty` (human-readable through pino-pretty, a dev dependency: `npm run dev`). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** OpenTelemetry tracing (HTTP, SQL, webhook deliveries). Off: the SDK is not even loaded. On by default when an OTLP endpoint is set. */
  TRACING_ENABLED: bool.optional(),
  /** OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); traces go to its /v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('tuyendung'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(200 * 1_048_576),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
  // Socket inactivity limit (0 = none). It cuts silent clients only: a socket whose request is being
  // answered (a results computation, an import) is left alone however long it works (src/http/sockets.ts).
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  /** Time for a client to send the request headers: slowloris clients are cut off after it. */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /** Open connections per process; more are refused at once (0 = no cap). */
  MAX_CONNECTIONS: z.coerce.number().int().min(0).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).default(72_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** After SIGTERM, /readyz answers 503 this long (other requests still served) before closing. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).optional(),
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** Idempotency records (and the import reports stored with them) are deleted this long after the first request. */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().min(0.001).max(24 * 365).default(24),
  IDEMPOTENCY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Requests per client address per window, counted before authentication. */
  RATE_LIMIT_IP_MAX: z.coerce.number().int().min(1).default(3000),
  /** Failed authentications (401) per client address per window; beyond it the address gets 429. */
  RATE_LIMIT_AUTH_FAILURES_MAX: z.coerce.number().int().min(1).default(30),
  CORS_ORIGINS: csv.default([]),
  TRUST_PROXY: trustProxy.default(false),
  /** Prometheus metrics are served on their own port (unset: not served); never on the API port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Gauges read from the database (webhook backlog, overdue deadlines) are cached this long between scrapes. */
  METRICS_DB_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** 32 bytes, base64: encrypts national IDs (AES-256-GCM) and keys their blind index. */
  DATA_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'DATA_KEY must be 32 bytes, base64-encoded')
    .optional(),
  /** Former data keys, readable only while `npm run keys -- rotate-data-key` re-encrypts (docs/keys.md). */
  DATA_KEYS_RETIRED: csv.pipe(z.array(base64Key('DATA_KEYS_RETIRED'))).default([]),
  /** 32 bytes, base64: keys the audit chain (HMAC) and signs its checkpoints (Ed25519). */
  AUDIT_KEY: base64Key('AUDIT_KEY').optional(),
  /** Former audit keys: events and checkpoints made with them still verify; nothing new is keyed with them. */
  AUDIT_KEYS_RETIRED: csv.pipe(z.array(base64Key('AUDIT_KEYS_RETIRED'))).default([]),
  /** Signed checkpoints of the audit stream heads, made this often (0: only on demand). */
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).default(900_000),
  /** Most events one verification call reads; it answers with a cursor to go on. */
  AUDIT_VERIFY_MAX_EVENTS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  /** Owner role's URL: migrations run through it; DATABASE_URL can then be a role that may not rewrite the audit trail. */
  MIGRATION_DATABASE_URL: z.string().url().optional(),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Run the webhook delivery worker in this process (several instances may run it together). */
  WEBHOOK_WORKER: bool.default(true),
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** Deliveries in flight at once per process. */
  WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Deliveries of one subscription in flight at once per process. */
  WEBHOOK_PER_SUBSCRIPTION_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(2),
  /** Subscriptions one API key may create (422 webhook.too_many_subscriptions beyond). */
  WEBHOOK_MAX_SUBSCRIPTIONS_PER_KEY: z.coerce.number().int().min(1).max(10_000).default(25),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** A timeline step is due soon this many working days before its due date (drive timeline, webhook drive.deadline_due_soon). */
  TIMELINE_DUE_SOON_WORKING_DAYS: z.coerce.number().int().min(0).max(30).default(2),
  /** How often the timeline sweep raises due-soon and overdue alerts (0 = never, in this process); runs beside the webhook worker. */
  TIMELINE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  /** First retry waits about this long; each further one doubles it (with jitter), up to the max. */
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Private directory (0700) for encrypted spool files: import bodies and reports, exports being built. */
  SPOOL_DIR: z.string().min(1).default('./data/spool'),
  /** Exports in progress (built or downloading) at once: per API key, and in all on this instance. */
  EXPORT_MAX_PER_KEY: z.coerce.number().int().min(1).max(100).default(2),
  EXPORT_MAX_TOTAL: z.coerce.number().int().min(1).max(1000).default(8),
  /** Exports reading the database (each on one connection) at once; the others wait their turn without one. */
  EXPORT_MAX_BUILDING: z.coerce.number().int().min(1).max(100).default(2),
  /** A download that makes no progress (the client reads nothing) for this long is cut, freeing its slot. */
  EXPORT_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Jobs (Prefer: respond-async): this process runs queued jobs (false: it only enqueues them). */
  JOBS_WORKER: bool.default(true),
  /** Jobs this process runs at once. */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** How often an idle worker looks for queued jobs (and for jobs whose instance died). */
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** A running job's lease: renewed a third of the way; once it lapses another instance takes the job over. */
  JOBS_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** A job (its input, progress and result) is kept this long after it ends, then expires (also a job still queued this long after creation). */
  JOBS_TTL_MS: z.coerce.number().int().min(1_000).default(24 * 3_600_000),
  /** Jobs one API key may have queued or running at once (429 job.too_many beyond). */
  JOBS_MAX_PER_KEY: z.coerce.number().int().min(1).max(1_000).default(4),
  /** Attempts (a start, and each takeover after an instance died) before a job fails with job.attempts_exhausted. */
  JOBS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** How often a job's Server-Sent Events stream reads its progress. */
  JOBS_EVENTS_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  pgliteDir: string;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  redisUrl: string | undefined;
  logLevel: string;
  bodyLimitBytes: number;
  importBodyLimitBytes: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  headersTimeoutMs: number;
  maxConnections: number;
  keepAliveTimeoutMs: number;
  shutdownGraceMs: number;
  shutdownDrainMs: number;
  idempotencyLeaseMs: number;
  idempotencyTtlMs: number;
  idempotencySweepIntervalMs: number;
  rateLimit: Readonly<{ max: number; windowMs: number; ipMax: number; authFailuresMax: number }>;
  corsOrigins: readonly string[];
  trustProxy: false | number | readonly string[];
  metrics: Readonly<{ port: number | undefined; host: string; dbCacheMs: number }>;
  logFormat: 'json' | 'pretty';
  tracing: Readonly<{ enabled: boolean; otlpEndpoint: string | undefined; serviceName: string }>;
  dataKey: string | undefined;
  dataKeysRetired: readonly string[];
  auditKey: string | undefined;
  auditKeysRetired: readonly string[];
  audit: Readonly<{ checkpointIntervalMs: number; verifyMaxEvents: number }>;
  migrationDatabaseUrl: string | undefined;
  webhookAllowPrivate: boolean;
  webhookMaxSubscriptionsPerKey: number;
  webhookDelivery: Readonly<{
    worker: boolean;
    pollIntervalMs: number;
    batchSize: number;
    perSubscription: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
  }>;
  timeline: Readonly<{ dueSoonWorkingDays: number; sweepIntervalMs: number }>;
  publicBaseUrl: string | undefined;
  spoolDir: string;
  exports: Readonly<{ maxPerKey: number; maxTotal: number; maxBuilding: number; idleTimeoutMs: number }>;
  jobs: Readonly<{
    worker: boolean;
    concurrency: number;
    pollIntervalMs: number;
    leaseMs: number;
    ttlMs: number;
    maxPerKey: number;
    maxAttempts: number;
    eventsIntervalMs: number;
  }>;
}>;

export class ConfigError extends Error {}

/**
 * Reads the environment file (`ENV_FILE`, default `.env` in the working directory) into
 * process.env when it exists, as `.env.example` promises: variables already set win. `ENV_FILE=`
 * (empty) reads none. Called by the server and the operator commands before loadConfig.
 */
export function loadEnvironmentFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.ENV_FILE === undefined ? '.env' : env.ENV_FILE;
  if (!file || !existsSync(file)) return null;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ENV_FILE: ${file} could not be read (${(err as Error).message})`, { cause: err });
  }
  return file;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.DATA_KEY) {
    // With a shared database the key must come from the operator: never invent one per instance.
    throw new ConfigError('Invalid configuration:\n  DATA_KEY: required when DATABASE_URL is set');
  }
  if (e.DATABASE_URL && !e.AUDIT_KEY) {
    // The chain key must live outside the database it protects, and be the same on every instance.
    throw new ConfigError('Invalid configuration:\n  AUDIT_KEY: required when DATABASE_URL is set');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    pgliteDir: e.PGLITE_DIR,
    dbPoolMax: e.DB_POOL_MAX,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    importBodyLimitBytes: e.IMPORT_BODY_LIMIT_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: e.CONNECTION_TIMEOUT_MS,
    headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS, e.REQUEST_TIMEOUT_MS || Infinity),
    maxConnections: e.MAX_CONNECTIONS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    // Load balancers need a few health checks to take an instance out; elsewhere stop at once.
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS ?? (e.NODE_ENV === 'production' ? 5_000 : 0),
    idempotencyLeaseMs: e.IDEMPOTENCY_LEASE_MS,
    idempotencyTtlMs: Math.round(e.IDEMPOTENCY_TTL_HOURS * 3_600_000),
    idempotencySweepIntervalMs: e.IDEMPOTENCY_SWEEP_INTERVAL_MS,
    rateLimit: Object.freeze({
      max: e.RATE_LIMIT_MAX,
      windowMs: e.RATE_LIMIT_WINDOW_MS,
      ipMax: e.RATE_LIMIT_IP_MAX,
      authFailuresMax: e.RATE_LIMIT_AUTH_FAILURES_MAX,
    }),
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    trustProxy: Array.isArray(e.TRUST_PROXY) ? Object.freeze(e.TRUST_PROXY) : e.TRUST_PROXY,
    metrics: Object.freeze({ port: e.METRICS_PORT, host: e.METRICS_HOST, dbCacheMs: e.METRICS_DB_CACHE_MS }),
    logFormat: e.LOG_FORMAT,
    tracing: Object.freeze({
      enabled: e.TRACING_ENABLED ?? e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
      // The OTLP convention: the base endpoint gets the signal's path.
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined,
      serviceName: e.OTEL_SERVICE_NAME,
    }),
    dataKey: e.DATA_KEY,
    dataKeysRetired: Object.freeze(e.DATA_KEYS_RETIRED),
    auditKey: e.AUDIT_KEY,
    auditKeysRetired: Object.freeze(e.AUDIT_KEYS_RETIRED),
    audit: Object.freeze({ checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS, verifyMaxEvents: e.AUDIT_VERIFY_MAX_EVENTS }),
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookMaxSubscriptionsPerKey: e.WEBHOOK_MAX_SUBSCRIPTIONS_PER_KEY,
    webhookDelivery: Object.freeze({
      worker: e.WEBHOOK_WORKER,
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL_MS,
      batchSize: e.WEBHOOK_BATCH_SIZE,
      perSubscription: e.WEBHOOK_PER_SUBSCRIPTION_CONCURRENCY,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: e.WEBHOOK_BACKOFF_MAX_MS,
    }),
    timeline: Object.freeze({ dueSoonWorkingDays: e.TIMELINE_DUE_SOON_WORKING_DAYS, sweepIntervalMs: e.TIMELINE_SWEEP_INTERVAL_MS }),
    publicBaseUrl: e.PUBLIC_BASE_URL,
    spoolDir: e.SPOOL_DIR,
    exports: Object.freeze({
      maxPerKey: e.EXPORT_MAX_PER_KEY,
      maxTotal: e.EXPORT_MAX_TOTAL,
      maxBuilding: e.EXPORT_MAX_BUILDING,
      idleTimeoutMs: e.EXPORT_IDLE_TIMEOUT_MS,
    }),
    jobs: Object.freeze({
      worker: e.JOBS_WORKER,
      concurrency: e.JOBS_CONCURRENCY,
      pollIntervalMs: e.JOBS_POLL_INTERVAL_MS,
      leaseMs: e.JOBS_LEASE_MS,
      ttlMs: e.JOBS_TTL_MS,
      maxPerKey: e.JOBS_MAX_PER_KEY,
      maxAttempts: e.JOBS_MAX_ATTEMPTS,
      eventsIntervalMs: e.JOBS_EVENTS_INTERVAL_MS,
    }),
  });
}
