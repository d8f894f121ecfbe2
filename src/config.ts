import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(200 * 1_048_576),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
  // Socket inactivity limit. 0 (Node's default): a long computation or import must not lose its
  // answer; slow clients are bounded by REQUEST_TIMEOUT_MS and idle keep-alives by KEEP_ALIVE_TIMEOUT_MS.
  CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(0),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).default(72_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  CORS_ORIGINS: csv.default([]),
  TRUST_PROXY: bool.default(false),
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
  WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  /** First retry waits about this long; each further one doubles it (with jitter), up to the max. */
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  PUBLIC_BASE_URL: z.string().url().optional(),
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
  keepAliveTimeoutMs: number;
  shutdownGraceMs: number;
  idempotencyLeaseMs: number;
  rateLimit: Readonly<{ max: number; windowMs: number }>;
  corsOrigins: readonly string[];
  trustProxy: boolean;
  dataKey: string | undefined;
  dataKeysRetired: readonly string[];
  auditKey: string | undefined;
  auditKeysRetired: readonly string[];
  audit: Readonly<{ checkpointIntervalMs: number; verifyMaxEvents: number }>;
  migrationDatabaseUrl: string | undefined;
  webhookAllowPrivate: boolean;
  webhookDelivery: Readonly<{
    worker: boolean;
    pollIntervalMs: number;
    batchSize: number;
    timeoutMs: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
  }>;
  publicBaseUrl: string | undefined;
}>;

export class ConfigError extends Error {}

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
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    idempotencyLeaseMs: e.IDEMPOTENCY_LEASE_MS,
    rateLimit: Object.freeze({ max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS }),
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    trustProxy: e.TRUST_PROXY,
    dataKey: e.DATA_KEY,
    dataKeysRetired: Object.freeze(e.DATA_KEYS_RETIRED),
    auditKey: e.AUDIT_KEY,
    auditKeysRetired: Object.freeze(e.AUDIT_KEYS_RETIRED),
    audit: Object.freeze({ checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS, verifyMaxEvents: e.AUDIT_VERIFY_MAX_EVENTS }),
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookDelivery: Object.freeze({
      worker: e.WEBHOOK_WORKER,
      pollIntervalMs: e.WEBHOOK_POLL_INTERVAL_MS,
      batchSize: e.WEBHOOK_BATCH_SIZE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: e.WEBHOOK_BACKOFF_MAX_MS,
    }),
    publicBaseUrl: e.PUBLIC_BASE_URL,
  });
}
