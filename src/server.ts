import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig, loadEnvironmentFile, ConfigError } from './config.js';
import { openDatabase } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { ensureAuditKey, ensureDataKey } from './db/data-key.js';
import { buildMetricsServer } from './http/metrics.js';
import type { Readiness } from './http/operations.js';
import { createRateLimitRedis } from './http/rate-limits.js';
import { createLogger } from './logger.js';
import { bootstrapAdminKey } from './cli/bootstrap.js';

async function main() {
  loadEnvironmentFile();
  const loaded = loadConfig();
  const logger = createLogger(loaded.logLevel, undefined, { pretty: loaded.logFormat === 'pretty' });
  const database = await openDatabase({
    databaseUrl: loaded.databaseUrl,
    pgliteDir: loaded.pgliteDir,
    poolMax: loaded.dbPoolMax,
    statementTimeoutMs: loaded.dbStatementTimeoutMs,
  });
  const config = await ensureAuditKey(await ensureDataKey(loaded));
  // Migrations run as the owner role when one is configured: the runtime role then cannot rewrite
  // the audit trail (migrations/0022_audit_append_only.sql).
  await runMigrations(database, config.migrationDatabaseUrl ?? config.databaseUrl);
  const redis = config.redisUrl ? await createRateLimitRedis(config.redisUrl) : undefined;
  const readiness: Readiness = { draining: false };
  const app = await buildApp({ config, database, logger, redis, readiness });
  if (database.kind === 'pglite') await bootstrapAdminKey(database, logger);
  const metricsServer = config.metrics.port === undefined ? undefined : buildMetricsServer(app.metricsRegistry, app.log);

  // The drain comes on top of the grace period given to in-flight requests.
  closeWithGrace({ delay: config.shutdownDrainMs + config.shutdownGraceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else if (config.shutdownDrainMs > 0) {
      // /readyz answers 503 so that load balancers stop sending; everything else is still served.
      readiness.draining = true;
      logger.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down: draining');
      await sleep(config.shutdownDrainMs);
    }
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Stops accepting connections and waits for in-flight requests, then closes the pool.
    await app.close();
    logger.info('http closed');
    await metricsServer?.close();
    await redis?.quit().catch(() => undefined);
    await database.close();
    logger.info('shut down cleanly');
  });

  await app.listen({ port: config.port, host: config.host });
  if (metricsServer) await metricsServer.listen({ port: config.metrics.port, host: config.metrics.host });
  logger.info({ database: database.kind, docs: '/docs', metricsPort: config.metrics.port }, 'tuyendung is ready');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
