import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { createAgenciesRepository } from '../modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../modules/api-keys/api-keys.service.js';
import { systemActor } from '../modules/audit/audit.writer.js';

/** First start on the embedded database: with no key at all, make one admin key and print it once. */
export async function bootstrapAdminKey(database: Database, logger: Logger): Promise<void> {
  const { db } = database;
  const service = createApiKeysService({ db, repo: createApiKeysRepository(db), agencies: createAgenciesRepository(db) });
  if ((await service.countActive()) > 0) return;
  const key = await service.createAs(systemActor('first start'), { name: 'bootstrap admin', role: 'admin' });
  logger.warn({ keyId: key.id }, 'no API key existed: created an admin key (printed once on stdout)');
  process.stdout.write(`\nAdmin API key (shown once, store it now):\n${key.key}\n\n`);
}
