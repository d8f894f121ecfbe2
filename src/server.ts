import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig, ConfigError } from './config.js';
import { openDatabase } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { ensureAuditKey, ensureDataKey } from './db/data-key.js';
import { createLogger } from './logger.js';
import { bootstrapAdminKey } from './cli/bootstrap.js';

async function main() {
  const loaded = loadConfig();
  const logger = createLogger(loaded.logLevel);
  const database = await openDatabase({
    databaseUrl: loaded.databaseUrl,
    pgliteDir: loaded.pgliteDir,
    poolMax: loaded.dbPoolMax,
    statementTimeoutMs: loaded.dbStatementTimeoutMs,
  });
  const config = await ensureAuditKey(await ensureDataKey(loaded));
  // Migrations run as the owner role when one is configured: the runtime role then cannot rewrite
  // the audit trail (migrations/0023_audit_append_only.sql).
  await runMigrations(database, config.migrationDatabaseUrl ?? config.databaseUrl);
  let redis: { quit(): Promise<unknown> } | undefined;
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    redis = new Redis(config.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  }
  const app = await buildApp({ config, database, logger, redis });
  if (database.kind === 'pglite') await bootstrapAdminKey(database, logger);

  closeWithGrace({ delay: config.shutdownGraceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Stops accepting connections and waits for in-flight requests, then closes the pool.
    await app.close();
    logger.info('http closed');
    await redis?.quit().catch(() => undefined);
    await database.close();
    logger.info('shut down cleanly');
  });

  await app.listen({ port: config.port, host: config.host });
  logger.info({ database: database.kind, docs: '/docs' }, 'tuyendung is ready');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
