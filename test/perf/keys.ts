/* API keys for the bench, created through the service (audited like any other key). */
import { openDatabase } from '../../src/db/client.js';
import { createAgenciesRepository } from '../../src/modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../../src/modules/api-keys/api-keys.service.js';
import type { Role } from '../../src/modules/api-keys/api-keys.table.js';
import { bindAuditKeyring, systemActor } from '../../src/modules/audit/audit.writer.js';
import { createAuditKeyring } from '../../src/crypto/audit-keys.js';
import { BENCH_AUDIT_KEY } from './generate.js';

export async function createKeys(databaseUrl: string, wanted: { name: string; role: Role; agencyId: string | null }[]): Promise<Record<string, string>> {
  const database = await openDatabase({ databaseUrl, poolMax: 1 });
  try {
    const { db } = database;
    bindAuditKeyring(db, createAuditKeyring(BENCH_AUDIT_KEY));
    const service = createApiKeysService({ db, repo: createApiKeysRepository(db), agencies: createAgenciesRepository(db) });
    const out: Record<string, string> = {};
    for (const w of wanted) out[w.name] = (await service.createAs(systemActor('bench'), w)).key;
    return out;
  } finally {
    await database.close();
  }
}
